import { describe, expect, it } from 'vitest';

import type { Point } from '../../src/core/types.js';
import { detectFaces } from '../../src/pipeline/detect.js';
import { iou } from '../../src/pipeline/detect-nms.js';
import { fixture, loadRgb } from '../support/fixtures.js';
import { loadTestPack } from '../support/models.js';

const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);

describe('YuNet decoding on real photos', () => {
  it('gives the same faces and landmark order (image-left eye first) as SCRFD', async () => {
    const pack = await loadTestPack();
    const fallback = pack.fallback!;
    expect(fallback.spec.output.decoder).toBe('yunet');
    let compared = 0;
    for (const file of ['007_B.jpg', '009_C.jpg', '012_4.jpg', '013_4.jpg', '016_8.jpg']) {
      const rgb = await loadRgb(fixture('compreface', file));
      const scrfd = await detectFaces(rgb, pack.detector, { tiling: 'off' });
      const yunet = await detectFaces(rgb, fallback, { tiling: 'off' });
      expect(yunet.length, file).toBe(scrfd.length);
      for (const y of yunet) {
        expect(y.detector).toBe(fallback.spec.id);
        // Boxes of the two detectors agree (the centre/exp(size) decoding is right) ...
        const s = scrfd.reduce((best, d) => (iou(d.box, y.box) > iou(best.box, y.box) ? d : best));
        expect(iou(s.box, y.box), file).toBeGreaterThan(0.6);
        // ... and each YuNet landmark is nearest to the SCRFD landmark of the same index.
        y.landmarks.forEach((p, i) => {
          const nearest = s.landmarks.reduce(
            (bi, q, j) => (dist(p, q) < dist(p, s.landmarks[bi]!) ? j : bi),
            0,
          );
          expect(nearest, `${file} landmark ${i}`).toBe(i);
        });
        const [le, re, , lm, rm] = y.landmarks;
        expect(le[0]).toBeLessThan(re[0]);
        expect(lm[0]).toBeLessThan(rm[0]);
        compared += 1;
      }
    }
    expect(compared).toBe(1 + 1 + 4 + 4 + 8);
  });
});
