/**
 * LFW fold 1 verification figures for the `local` pack's recognizers, alone and fused, with and without
 * flip averaging: 10-fold CV accuracy, best-threshold accuracy, accuracy at the pack's fixed `match`
 * threshold and model milliseconds per face. Run: `npx tsx bench/lfw.ts`.
 */
import { alignFace } from '../src/pipeline/align.js';
import { detectFaces } from '../src/pipeline/detect.js';
import { cosine, embedCrops, embedFaces } from '../src/pipeline/embed.js';
import { assessQuality } from '../src/pipeline/quality.js';
import type { FaceDetection, RgbImage } from '../src/core/types.js';
import { loadRgb } from '../test/support/fixtures.js';
import {
  centralFace,
  evaluateVerification,
  lfwImagePath,
  loadFold1Pairs,
  pairImages,
  type Verification,
} from '../test/support/lfw.js';
import { loadTestPack } from '../test/support/models.js';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

async function main(): Promise<void> {
  const models = await loadTestPack('local');
  const pairs = await loadFold1Pairs();
  const keys = pairImages(pairs);
  const same = pairs.map((p) => p.same);
  const match = models.pack.spec.thresholds.match;

  const images = new Map<string, { image: RgbImage; face: FaceDetection | undefined }>();
  let detectMs = 0;
  for (const key of keys) {
    const image = await loadRgb(lfwImagePath(key));
    const t0 = performance.now();
    const faces = await detectFaces(image, models.detector, { fallback: models.fallback });
    detectMs += performance.now() - t0;
    images.set(key, { image, face: centralFace(image, faces) });
  }
  const missing = [...images.values()].filter((x) => !x.face).length;
  console.log(
    `LFW fold 1: ${pairs.length} pairs, ${keys.length} images, ${missing} without a face; detect ${(detectMs / keys.length).toFixed(1)} ms/image`,
  );

  // Per recognizer and flip setting: embeddings of every image (null where no face was found).
  const emb = new Map<string, Map<string, Float32Array | null>>();
  const ms = new Map<string, number>();
  for (const rec of models.recognizers) {
    for (const flip of [false, true]) {
      const label = `${rec.spec.id}${flip ? '+flip' : ''}`;
      const out = new Map<string, Float32Array | null>();
      let t = 0;
      for (const [key, { image, face }] of images) {
        if (!face) {
          out.set(key, null);
          continue;
        }
        const crop = alignFace(image, face, rec.spec.crop);
        const t0 = performance.now();
        const [e] = await embedCrops([crop], rec, { flip });
        t += performance.now() - t0;
        out.set(key, e ?? null);
      }
      emb.set(label, out);
      ms.set(label, t / (keys.length - missing));
    }
  }

  const cosines = (label: string) => {
    const m = emb.get(label)!;
    return pairs.map((p) => {
      const a = m.get(p.a);
      const b = m.get(p.b);
      return a && b ? cosine(a, b) : -1;
    });
  };
  const rows: [string, Verification, string][] = [];
  const add = (name: string, scores: number[], cost: string) =>
    rows.push([name, evaluateVerification(scores, same, match), cost]);
  const byLabel = new Map<string, number[]>();
  for (const label of emb.keys()) {
    byLabel.set(label, cosines(label));
    add(label, byLabel.get(label)!, `${ms.get(label)!.toFixed(1)} ms`);
  }

  // Fusion: the fused cosine is the weighted mean of the recognizers' cosines (embed.ts), so every weight
  // can be scored from the per-recognizer cosines without running the models again.
  const [r0, r1] = models.recognizers.map((r) => r.spec.id);
  for (const [f0, f1] of [
    [false, false],
    [true, false],
    [true, true],
  ] as const) {
    const l0 = `${r0}${f0 ? '+flip' : ''}`;
    const l1 = `${r1}${f1 ? '+flip' : ''}`;
    for (const w1 of [0.5, 0.75, 1, 1.5, 2]) {
      const s0 = byLabel.get(l0)!;
      const s1 = byLabel.get(l1)!;
      const fused = s0.map((x, i) => (x + w1 * s1[i]!) / (1 + w1));
      add(`${l0} ×1 + ${l1} ×${w1}`, fused, `${(ms.get(l0)! + ms.get(l1)!).toFixed(1)} ms`);
    }
  }

  // The pack exactly as configured, through embedFaces (align + embed + fuse).
  const packEmb = new Map<string, Float32Array | null>();
  let packMs = 0;
  for (const [key, { image, face }] of images) {
    if (!face) {
      packEmb.set(key, null);
      continue;
    }
    const t0 = performance.now();
    const [e] = await embedFaces(image, [face], models.recognizers, { flip: models.pack.spec.flip });
    packMs += performance.now() - t0;
    packEmb.set(key, e ?? null);
  }
  const packScores = pairs.map((p) => {
    const a = packEmb.get(p.a);
    const b = packEmb.get(p.b);
    return a && b ? cosine(a, b) : -1;
  });
  const weights = models.recognizers.map((r) => `${r.spec.id}×${r.spec.weight}`).join(' + ');
  add(
    `pack local (${weights}${models.pack.spec.flip ? ', flip' : ''}) via embedFaces`,
    packScores,
    `${(packMs / (keys.length - missing)).toFixed(1)} ms incl. align`,
  );

  console.log(`fixed threshold = pack local match ${match}\n`);
  console.log(
    ['variant', 'cv10', 'cv thr', 'best', 'best thr', 'fixed', 'cos same/diff', 'per face'].join(' | '),
  );
  for (const [name, v, cost] of rows) {
    console.log(
      [
        name,
        pct(v.cv),
        v.cvThreshold.toFixed(3),
        pct(v.best),
        v.bestThreshold.toFixed(3),
        v.fixed === null ? '-' : pct(v.fixed),
        `${v.meanSame.toFixed(3)} / ${v.meanDifferent.toFixed(3)}`,
        cost,
      ].join(' | '),
    );
  }
  // Score distribution of the pack, to place `cluster` stricter than `match` without losing many pairs.
  const diff = packScores.filter((_, i) => !same[i]).sort((a, b) => b - a);
  const sm = packScores.filter((_, i) => same[i]).sort((a, b) => a - b);
  console.log(
    `\npack: highest different-person cosines ${diff
      .slice(0, 5)
      .map((x) => x.toFixed(3))
      .join(', ')}; lowest same-person ${sm
      .slice(0, 5)
      .map((x) => x.toFixed(3))
      .join(', ')}`,
  );
  for (const t of [0.3, 0.32, 0.34, 0.36, 0.38, 0.4, 0.42, 0.45, 0.5]) {
    const fa = diff.filter((x) => x >= t).length;
    const fr = sm.filter((x) => x < t).length;
    console.log(`  at ${t.toFixed(2)}: ${fa} different pairs accepted, ${fr} same pairs rejected`);
  }

  // The quality stage over LFW's faces (all usable for verification at 99 %): how many it would refuse.
  const { qualityIndex, qualitySearch } = models.pack.spec.thresholds;
  const reasons = new Map<string, number>();
  let indexable = 0;
  let searchable = 0;
  for (const { image, face } of images.values()) {
    if (!face) continue;
    const crop = alignFace(image, face, models.recognizers[0]!.spec.crop);
    const q = assessQuality(face, crop, { indexThreshold: qualityIndex, searchThreshold: qualitySearch });
    if (q.indexable) indexable += 1;
    if (q.searchable) searchable += 1;
    for (const r of q.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  }
  const n = keys.length - missing;
  console.log(
    `\nquality on ${n} LFW faces: ${pct(indexable / n)} indexable, ${pct(searchable / n)} searchable; reasons ${JSON.stringify(Object.fromEntries(reasons))}`,
  );
  await Promise.all([
    models.detector.model.dispose(),
    models.fallback?.model.dispose(),
    ...models.recognizers.map((r) => r.model.dispose()),
  ]);
}

await main();
