/**
 * Face crops of real group photos show the face they are for: re-detected in its own crop, the largest
 * face sits in the middle, and the crops of two neighbours are two different people to the recognizer.
 * (The old loose crop, clipped at the edge and centre-cropped, showed a neighbour instead.)
 */
import { readFile } from 'node:fs/promises';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { analyzePhoto } from '../../src/pipeline/analyze-photo.js';
import { detectFaces } from '../../src/pipeline/detect.js';
import { renderPhoto } from '../../src/pipeline/render-photo.js';
import { fixture } from '../support/fixtures.js';
import { loadTestPack } from '../support/models.js';

describe('face crops of group photos', () => {
  for (const name of ['015_6.jpg', '014_5.jpg', '010_2.jpg']) {
    it(`centres each face of compreface/${name} in its own crop`, async () => {
      const models = await loadTestPack();
      const bytes = new Uint8Array(await readFile(fixture('compreface', name)));
      const analysis = await analyzePhoto(bytes, models);
      expect(analysis.faces.length).toBeGreaterThan(1);
      // Faces big enough for a people list (the quality stage's index bar); tiny background faces are
      // too blurred at 256 px for the detector to find again, which says nothing about the crop.
      const faces = analysis.faces.filter((f) => f.quality.indexable);
      expect(faces.length).toBeGreaterThan(1);
      const { crops } = await renderPhoto(analysis.photo, analysis.rasters, faces);
      const again: Float32Array[] = [];
      for (const crop of crops) {
        // Small faces keep their native pixels; a people list shows them enlarged, and so does this check.
        // A grey frame around it: detectors want some context beyond a face that fills the picture.
        const png = await sharp(crop)
          .resize(256, 256)
          .extend({ top: 128, bottom: 128, left: 128, right: 128, background: '#808080' })
          .png()
          .toBuffer();
        const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const image = { width: info.width, height: info.height, data: new Uint8Array(data) };
        const found = await detectFaces(image, models.detector, { fallback: models.fallback });
        const largest = [...found].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
        expect(largest).toBeDefined();
        const [x, y, w, h] = largest!.box;
        // The face fills most of the crop and sits in its middle.
        const side = 256;
        expect(Math.abs(x + w / 2 - image.width / 2)).toBeLessThan(side * 0.12);
        expect(Math.abs(y + h / 2 - image.height / 2)).toBeLessThan(side * 0.15);
        expect(w).toBeGreaterThan(side * 0.4);
        const re = await analyzePhoto(new Uint8Array(png), models);
        const main = [...re.faces].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
        if (main) again.push(main.embedding);
      }
      // Two crops are never the same person: each shows its own face.
      for (let i = 0; i < again.length; i++)
        for (let j = i + 1; j < again.length; j++) {
          let dot = 0;
          for (let k = 0; k < again[i]!.length; k++) dot += again[i]![k]! * again[j]![k]!;
          expect(dot).toBeLessThan(models.pack.spec.thresholds.cluster);
        }
    });
  }
});
