/**
 * Open-set search on LFW fold 1, as /find meets it in a chat: every person of fold 1 with two or more
 * images is *enrolled* (a chat of ~150 people); each of their images in turn is a selfie searched against
 * all the others (leave one out), and every person with a single image is a *stranger* whose selfie is
 * searched against everyone. Printed per pack: hits (sure, right person), unsure (asked about the right
 * person / the wrong one), misses, wrong-person answers, and strangers found (false finds) or asked about.
 *
 * Packs: the chosen `local` with the search decision (pipeline/identify.ts, its manifest thresholds), and
 * the rule /find used before it (best single face ≥ the pair threshold `match`) on the previous pack
 * `local_v1` and on `local`. Run: `npx tsx bench/find.ts [pack ...]`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { loadPackModels } from '../src/adapters/load-pack-models.js';
import { resolvePack, type SearchThresholds } from '../src/core/manifest.js';
import { detectFaces } from '../src/pipeline/detect.js';
import { embedFaces } from '../src/pipeline/embed.js';
import { cosine, identify, type KnownPerson } from '../src/pipeline/identify.js';
import { PIPELINE_VERSION } from '../src/pipeline/version.js';
import { loadRgb, repoRoot } from '../test/support/fixtures.js';
import { centralFace, lfwImagePath } from '../test/support/lfw.js';
import { loadManifest, testModelsDir } from '../test/support/models.js';
import { fold1Images } from './support/open-set.js';

type Embeddings = Map<string, Float32Array>;

async function embeddingsOf(pack: string, keys: readonly string[]): Promise<Embeddings> {
  const cache = path.join(repoRoot, `bench/out/find-${pack}-v${PIPELINE_VERSION}.json`);
  if (existsSync(cache)) {
    const stored = JSON.parse(await readFile(cache, 'utf8')) as Record<string, number[]>;
    return new Map(Object.entries(stored).map(([k, v]) => [k, Float32Array.from(v)]));
  }
  const models = await loadPackModels(resolvePack(await loadManifest(), pack), testModelsDir());
  const out: Embeddings = new Map();
  for (const key of keys) {
    const image = await loadRgb(lfwImagePath(key));
    const face = centralFace(image, await detectFaces(image, models.detector, { fallback: models.fallback }));
    if (!face) continue;
    const [e] = await embedFaces(image, [face], models.recognizers, { flip: models.pack.spec.flip });
    if (e) out.set(key, e);
  }
  await Promise.all([models.detector.model.dispose(), ...models.recognizers.map((r) => r.model.dispose())]);
  await mkdir(path.dirname(cache), { recursive: true });
  await writeFile(cache, JSON.stringify(Object.fromEntries([...out].map(([k, v]) => [k, [...v]]))));
  return out;
}

interface Tally {
  hits: number;
  unsureRight: number;
  unsureWrong: number;
  misses: number;
  wrong: number;
  enrolledQueries: number;
  strangerFound: number;
  strangerAsked: number;
  strangerQueries: number;
}

type Decide = (
  selfie: Float32Array,
  people: readonly KnownPerson[],
) => { kind: 'sure' | 'unsure' | 'none'; person: string | null };

function run(emb: Embeddings, decide: Decide): Tally {
  const byPerson = new Map<string, string[]>();
  for (const key of emb.keys()) {
    const who = key.slice(0, key.lastIndexOf('/'));
    byPerson.set(who, [...(byPerson.get(who) ?? []), key]);
  }
  const enrolled = [...byPerson].filter(([, keys]) => keys.length >= 2);
  const strangers = [...byPerson].filter(([, keys]) => keys.length === 1).map(([, keys]) => keys[0]!);
  const gallery = (without: string | null): KnownPerson[] =>
    enrolled.map(([id, keys]) => ({
      id,
      vectors: keys.filter((k) => k !== without).map((k) => emb.get(k)!),
    }));
  const t: Tally = {
    hits: 0,
    unsureRight: 0,
    unsureWrong: 0,
    misses: 0,
    wrong: 0,
    enrolledQueries: 0,
    strangerFound: 0,
    strangerAsked: 0,
    strangerQueries: 0,
  };
  for (const [id, keys] of enrolled) {
    for (const q of keys) {
      t.enrolledQueries += 1;
      const d = decide(emb.get(q)!, gallery(q));
      if (d.kind === 'none') t.misses += 1;
      else if (d.kind === 'sure') {
        if (d.person === id) t.hits += 1;
        else t.wrong += 1;
      } else if (d.person === id) t.unsureRight += 1;
      else t.unsureWrong += 1;
    }
  }
  const all = gallery(null);
  for (const q of strangers) {
    t.strangerQueries += 1;
    const d = decide(emb.get(q)!, all);
    if (d.kind === 'sure') t.strangerFound += 1;
    else if (d.kind === 'unsure') t.strangerAsked += 1;
  }
  return t;
}

/** The decision every surface uses now. */
const decision =
  (thresholds: SearchThresholds): Decide =>
  (selfie, people) => {
    const d = identify(selfie, people, thresholds);
    return { kind: d.kind, person: d.best?.person ?? null };
  };

/** What /find did before: the best single face at or above the pair threshold is "found". */
const previousRule =
  (match: number): Decide =>
  (selfie, people) => {
    let best: { person: string; score: number } | null = null;
    for (const p of people)
      for (const v of p.vectors) {
        const s = cosine(selfie, v);
        if (!best || s > best.score) best = { person: p.id, score: s };
      }
    return best && best.score >= match ? { kind: 'sure', person: best.person } : { kind: 'none', person: null };
  };

function print(label: string, t: Tally): void {
  const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)} %`;
  console.log(
    `${label}\n` +
      `  enrolled selfies ${t.enrolledQueries}: found sure ${t.hits} (${pct(t.hits, t.enrolledQueries)}), ` +
      `unsure→right person ${t.unsureRight} (sure + confirmed ${pct(t.hits + t.unsureRight, t.enrolledQueries)}), ` +
      `unsure→wrong person ${t.unsureWrong}, missed ${t.misses}, WRONG PERSON asserted ${t.wrong}\n` +
      `  stranger selfies ${t.strangerQueries}: FALSE FINDS ${t.strangerFound}, asked about someone ${t.strangerAsked} (${pct(t.strangerAsked, t.strangerQueries)})`,
  );
}

async function main(): Promise<void> {
  const manifest = await loadManifest();
  const keys = await fold1Images();
  const packs = process.argv.slice(2);
  const chosen = packs[0] ?? 'local';
  const previous = packs[1] ?? 'local_v1';
  const embChosen = await embeddingsOf(chosen, keys);
  const spec = manifest.packs[chosen]!;
  console.log(
    `LFW fold 1 open set: ${keys.length} images; search thresholds of ${chosen}: ${JSON.stringify(spec.thresholds.search)}\n`,
  );
  print(`${chosen}, search decision (people, sure/unsure/none)`, run(embChosen, decision(spec.thresholds.search)));
  print(`${chosen}, previous rule (best face ≥ match ${spec.thresholds.match})`, run(embChosen, previousRule(spec.thresholds.match)));
  if (manifest.packs[previous] && existsSync(path.join(testModelsDir(), 'mobilefacenet_128d.onnx'))) {
    const embPrev = await embeddingsOf(previous, keys);
    const prev = manifest.packs[previous];
    print(`${previous}, previous rule (best face ≥ match ${prev.thresholds.match})`, run(embPrev, previousRule(prev.thresholds.match)));
    print(`${previous}, search decision with its thresholds`, run(embPrev, decision(prev.thresholds.search)));
  }
}

await main();
