/**
 * Which recognizers for the offline pack: every recognizer in the manifest whose file is here, alone, with
 * flip averaging and fused in pairs, on LFW fold 1 (10-fold CV of the 600 protocol pairs), with model
 * milliseconds per face, plus the cosine that each variant's different-person pairs pass at a rate of
 * 1e-3 / 1e-4 per comparison, estimated from every different-person pair among the 807 fold-1 images
 * (~324,000 pairs): the figure that search calibration needs.
 *
 * Embeddings are cached in bench/out/lfw-embeddings.json (delete it after changing alignment).
 * Run: `npx tsx bench/recognizers.ts [recognizer ...]`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { loadPackModels } from '../src/adapters/load-pack-models.js';
import { resolvePack } from '../src/core/manifest.js';
import type { FaceDetection, RgbImage } from '../src/core/types.js';
import { alignFace } from '../src/pipeline/align.js';
import { detectFaces } from '../src/pipeline/detect.js';
import { cosine, embedCrops } from '../src/pipeline/embed.js';
import { loadRgb, repoRoot } from '../test/support/fixtures.js';
import {
  centralFace,
  evaluateVerification,
  lfwImagePath,
  loadFold1Pairs,
  pairImages,
} from '../test/support/lfw.js';
import { loadManifest, testModelsDir } from '../test/support/models.js';
import { differentPairCosines, farThreshold } from './support/open-set.js';

const CACHE = path.join(repoRoot, 'bench/out/lfw-embeddings.json');
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

interface Cache {
  /** variant → image key → embedding (null: no face). */
  readonly emb: Record<string, Record<string, number[] | null>>;
  /** variant → model ms per face. */
  readonly ms: Record<string, number>;
}

async function main(): Promise<void> {
  const manifest = await loadManifest();
  const dir = testModelsDir();
  const wanted = process.argv.slice(2);
  const recognizers = Object.entries(manifest.files)
    .filter(([id, f]) => f.kind === 'recognizer' && existsSync(path.join(dir, f.file)))
    .map(([id]) => id)
    .filter((id) => wanted.length === 0 || wanted.includes(id));
  // A throwaway pack holding every recognizer, so that loading goes through the real adapter.
  const base = manifest.packs.local!;
  manifest.packs.bench = { ...base, recognizers: recognizers.map((model) => ({ model, weight: 1 })) };
  const models = await loadPackModels(resolvePack(manifest, 'bench'), dir);

  const pairs = await loadFold1Pairs();
  const keys = [...new Set([...pairImages(pairs), ...(await allFold1Images())])];
  const same = pairs.map((p) => p.same);
  const cache: Cache = existsSync(CACHE)
    ? (JSON.parse(await readFile(CACHE, 'utf8')) as Cache)
    : { emb: {}, ms: {} };

  let images: Map<string, { image: RgbImage; face: FaceDetection | undefined }> | null = null;
  for (const rec of models.recognizers) {
    for (const flip of [false, true]) {
      const label = `${rec.spec.id}${flip ? '+flip' : ''}`;
      if (cache.emb[label]) continue;
      images ??= await detectAll(keys, models);
      const out: Record<string, number[] | null> = {};
      let t = 0;
      let n = 0;
      for (const [key, { image, face }] of images) {
        if (!face) {
          out[key] = null;
          continue;
        }
        const crop = alignFace(image, face, rec.spec.crop);
        const t0 = performance.now();
        const [e] = await embedCrops([crop], rec, { flip });
        t += performance.now() - t0;
        n += 1;
        out[key] = e ? [...e] : null;
      }
      cache.emb[label] = out;
      cache.ms[label] = t / Math.max(1, n);
      console.error(`embedded ${label}: ${cache.ms[label].toFixed(1)} ms/face`);
    }
  }
  await mkdir(path.dirname(CACHE), { recursive: true });
  await writeFile(CACHE, JSON.stringify(cache));

  const vectors = new Map<string, Map<string, Float32Array | null>>();
  for (const [label, byKey] of Object.entries(cache.emb))
    vectors.set(label, new Map(Object.entries(byKey).map(([k, v]) => [k, v ? Float32Array.from(v) : null])));
  const vec = (label: string, key: string) => vectors.get(label)?.get(key) ?? null;
  /** Score of a pair of images under a fused variant: the mean of its parts' cosines. */
  const scorer = (parts: readonly string[]) => (a: string, b: string) => {
    let s = 0;
    for (const p of parts) {
      const x = vec(p, a);
      const y = vec(p, b);
      if (!x || !y) return -1;
      s += cosine(x, y);
    }
    return s / parts.length;
  };

  const labels = Object.keys(cache.emb).filter((l) => recognizers.some((r) => l.split('+')[0] === r));
  const variants: string[][] = labels.map((l) => [l]);
  const model = (l: string) => l.split('+')[0];
  const distinct = (ls: string[]) => new Set(ls.map(model)).size === ls.length;
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      const pair = [labels[i]!, labels[j]!];
      if (distinct(pair)) variants.push(pair);
      // Triples only without flip: three models already cost what flipping would add.
      for (let k = j + 1; k < labels.length; k++) {
        const triple = [...pair, labels[k]!];
        if (distinct(triple) && !triple.some((l) => l.includes('+flip'))) variants.push(triple);
      }
    }

  console.log(`LFW fold 1: ${pairs.length} pairs, ${keys.length} images`);
  console.log(
    ['variant', 'cv10', 'cv thr', 'model ms/face', 'cos@FAR1e-3', 'cos@FAR1e-4', 'same ≥ FAR1e-4 thr'].join(
      ' | ',
    ),
  );
  const rows = variants.map((parts) => {
    const score = scorer(parts);
    const v = evaluateVerification(
      pairs.map((p) => score(p.a, p.b)),
      same,
    );
    const diff = differentPairCosines(keys, score);
    const t3 = farThreshold(diff, 1e-3);
    const t4 = farThreshold(diff, 1e-4);
    const sameScores = pairs.filter((p) => p.same).map((p) => score(p.a, p.b));
    const kept = sameScores.filter((s) => s >= t4).length / sameScores.length;
    const ms = parts.reduce((s, p) => s + (cache.ms[p] ?? 0), 0);
    return { name: parts.join(' + '), cv: v.cv, line: [pct(v.cv), v.cvThreshold.toFixed(3), ms.toFixed(1), t3.toFixed(3), t4.toFixed(3), pct(kept)] };
  });
  rows.sort((a, b) => b.cv - a.cv);
  for (const r of rows) console.log([r.name, ...r.line].join(' | '));
  await Promise.all([models.detector.model.dispose(), ...models.recognizers.map((r) => r.model.dispose())]);
}

/** Every image of LFW fold 1's folder, as `name/index` keys (some are not in any pair). */
async function allFold1Images(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const root = path.dirname(lfwImagePath('x/1'));
  const lfw = path.dirname(root);
  const out: string[] = [];
  for (const name of await readdir(lfw, { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    for (const file of await readdir(path.join(lfw, name.name))) {
      const m = /_(\d{4})\.jpg$/.exec(file);
      if (m) out.push(`${name.name}/${Number(m[1])}`);
    }
  }
  return out;
}

async function detectAll(
  keys: readonly string[],
  models: Awaited<ReturnType<typeof loadPackModels>>,
): Promise<Map<string, { image: RgbImage; face: FaceDetection | undefined }>> {
  const out = new Map<string, { image: RgbImage; face: FaceDetection | undefined }>();
  for (const key of keys) {
    const image = await loadRgb(lfwImagePath(key));
    const faces = await detectFaces(image, models.detector, { fallback: models.fallback });
    out.set(key, { image, face: centralFace(image, faces) });
  }
  return out;
}

await main();
