import { beforeAll, describe, expect, it } from 'vitest';

import type { Embedding } from '../../src/core/types.js';
import { detectFaces } from '../../src/pipeline/detect.js';
import { cosine, embedFaces } from '../../src/pipeline/embed.js';
import type { PackModels } from '../../src/ports/pack-models.js';
import { loadRgb } from '../support/fixtures.js';
import {
  centralFace,
  evaluateVerification,
  lfwImagePath,
  loadFold1Pairs,
  pairImages,
  parsePairs,
  type LfwPair,
  type Verification,
} from '../support/lfw.js';
import { loadTestPack } from '../support/models.js';

describe('LFW pairs and the 10-fold protocol', () => {
  it('parses same and different lines', () => {
    const pairs = parsePairs('2\nAbel_Pacheco\t1\t4\nAbdel_Madi_Shabneh\t1\tDean_Barker\t1\n');
    expect(pairs).toEqual([
      { a: 'Abel_Pacheco/1', b: 'Abel_Pacheco/4', same: true },
      { a: 'Abdel_Madi_Shabneh/1', b: 'Dean_Barker/1', same: false },
    ]);
    expect(lfwImagePath('Abel_Pacheco/4')).toMatch(/lfw\/Abel_Pacheco\/Abel_Pacheco_0004\.jpg$/);
  });

  it('scores perfectly separable pairs 100 % and a coin flip about 50 %', () => {
    const same = Array.from({ length: 600 }, (_, i) => i < 300);
    const separable = same.map((s, i) => (s ? 0.6 + (i % 7) / 100 : 0.1 - (i % 5) / 100));
    expect(evaluateVerification(separable, same, 0.35)).toMatchObject({ cv: 1, best: 1, fixed: 1 });
    const noise = same.map((_, i) => ((i * 7919) % 600) / 600);
    expect(evaluateVerification(noise, same).cv).toBeLessThan(0.6);
  });
});

/**
 * LFW fold 1 (600 pairs, 807 images) through the real pipeline stages with the `local` pack: detect,
 * take the face nearest the centre, align and embed per the manifest, compare by cosine. Embeddings are
 * cached for this run only.
 */
describe('LFW fold 1 verification with the local pack', () => {
  let models: PackModels;
  let pairs: LfwPair[];
  let result: Verification;
  /** Each recognizer alone: cosines of its slice of the fused embedding (fusion only scales the slices). */
  const alone = new Map<string, Verification>();
  let missing = 0;

  beforeAll(async () => {
    models = await loadTestPack('local');
    pairs = await loadFold1Pairs();
    const embeddings = new Map<string, Embedding | null>();
    for (const key of pairImages(pairs)) {
      const image = await loadRgb(lfwImagePath(key));
      const face = centralFace(
        image,
        await detectFaces(image, models.detector, { fallback: models.fallback }),
      );
      if (!face) {
        missing += 1;
        embeddings.set(key, null);
        continue;
      }
      const [e] = await embedFaces(image, [face], models.recognizers, { flip: models.pack.spec.flip });
      embeddings.set(key, e ?? null);
    }
    // A pair with an image where no face was found counts as a miss (score below any threshold).
    const scores = (from: number, to: number) =>
      pairs.map((p) => {
        const a = embeddings.get(p.a);
        const b = embeddings.get(p.b);
        return a && b ? cosine(a.subarray(from, to), b.subarray(from, to)) : -1;
      });
    const same = pairs.map((p) => p.same);
    result = evaluateVerification(scores(0, models.pack.dim), same, models.pack.spec.thresholds.match);
    let offset = 0;
    for (const r of models.recognizers) {
      alone.set(r.spec.id, evaluateVerification(scores(offset, offset + r.spec.output.dim), same));
      offset += r.spec.output.dim;
    }
    console.log(
      `LFW fold 1, local pack: cv10 ${(result.cv * 100).toFixed(2)} % (threshold ${result.cvThreshold.toFixed(3)}), ` +
        `best ${(result.best * 100).toFixed(2)} % @ ${result.bestThreshold.toFixed(3)}, ` +
        `fixed match ${models.pack.spec.thresholds.match}: ${((result.fixed ?? 0) * 100).toFixed(2)} %, ${missing} images without a face; ` +
        [...alone].map(([id, v]) => `${id} alone cv10 ${(v.cv * 100).toFixed(2)} %`).join(', '),
    );
  }, 600_000);

  it('finds a face in every image', () => {
    expect(missing).toBe(0);
  });

  it('reaches at least 99.0 % 10-fold cross-validated accuracy', () => {
    expect(result.cv).toBeGreaterThanOrEqual(0.99);
  });

  it('beats each of its recognizers alone', () => {
    expect(alone.size).toBe(models.recognizers.length);
    for (const v of alone.values()) expect(result.cv).toBeGreaterThan(v.cv);
  });

  it('reaches at least 98.5 % at the pack’s fixed match threshold', () => {
    expect(result.fixed).toBeGreaterThanOrEqual(0.985);
  });

  it('keeps the fixed match threshold near the cross-validated one', () => {
    expect(Math.abs(models.pack.spec.thresholds.match - result.cvThreshold)).toBeLessThan(0.05);
    expect(models.pack.spec.thresholds.cluster).toBeGreaterThan(models.pack.spec.thresholds.match);
  });
});
