import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import type { Box, RgbImage } from '../../src/core/types.js';
import { detectFaces } from '../../src/pipeline/detect.js';
import { loadDlibDataset, matchBoxes } from '../support/annotations.js';
import { fixture } from '../support/fixtures.js';
import { loadTestPack } from '../support/models.js';

async function toRgb(pipeline: ReturnType<typeof sharp>): Promise<RgbImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

async function annotated(file: string): Promise<Box[]> {
  const all = [...(await loadDlibDataset('training.xml')), ...(await loadDlibDataset('testing.xml'))];
  return all.find((i) => i.file === file)!.faces.map((f) => f.box);
}

const ms = (t0: number) => (performance.now() - t0).toFixed(0);

describe('detectFaces on large images', () => {
  it('finds every face of a group photo upscaled ×4, tiles merged without duplicates', async () => {
    const pack = await loadTestPack();
    const file = '2008_007676.jpg'; // 500×334, 7 faces of 37–53 px
    const big = await toRgb(sharp(fixture('dlib', file)).resize({ width: 2000, kernel: 'cubic' }));
    const truth = (await annotated(file)).map((b) => b.map((v) => v * 4) as Box);
    for (const tiling of ['auto', 'always'] as const) {
      const faces = await detectFaces(big, pack.detector, { fallback: pack.fallback, tiling });
      const m = matchBoxes(
        truth,
        faces.map((f) => f.box),
        0.3,
      );
      expect(
        m.match.every((i) => i >= 0),
        tiling,
      ).toBe(true);
      expect(m.unmatched, tiling).toEqual([]);
    }
  });

  it('finds small faces on a 12-megapixel canvas with tiles that the global pass misses', async () => {
    const pack = await loadTestPack();
    const file = '2008_004176.jpg'; // 480×438, 7 faces of 37 px: ~6 px at the global pass's scale
    const [left, top] = [1700, 1200];
    const canvas = await toRgb(
      sharp({
        create: { width: 4000, height: 3000, channels: 3, background: { r: 128, g: 128, b: 128 } },
      }).composite([{ input: fixture('dlib', file), left, top }]),
    );
    const truth = (await annotated(file)).map(([x, y, w, h]) => [x + left, y + top, w, h] as Box);

    let t0 = performance.now();
    const global = await detectFaces(canvas, pack.detector, { tiling: 'off' });
    const globalMs = ms(t0);
    t0 = performance.now();
    const tiled = await detectFaces(canvas, pack.detector, { fallback: pack.fallback, tiling: 'auto' });
    const tiledMs = ms(t0);

    const found = (faces: { box: Box }[]) =>
      matchBoxes(
        truth,
        faces.map((f) => f.box),
        0.3,
      ).match.filter((i) => i >= 0).length;
    console.log(
      `12 MP canvas, 7 faces of 37 px: global pass ${found(global)}/7 in ${globalMs} ms; ` +
        `auto tiling ${found(tiled)}/7 (${tiled.length} boxes) in ${tiledMs} ms`,
    );
    expect(found(global)).toBeLessThan(truth.length);
    expect(found(tiled)).toBe(truth.length);
    expect(tiled).toHaveLength(truth.length);
  });
});
