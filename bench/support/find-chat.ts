/**
 * The whole query path of /find (createSearchService(...).findByEmbedding: first pass, candidate people,
 * exact scores, the found person's photos) on the embedded stores (SqliteMetadataStore +
 * SqliteVectorIndex) with one chat of 100k faces: 20k photos of 5 faces, 2,000 people of 40 faces and
 * 20k faces of nobody; dimension 512. A person's faces are their own random direction plus noise (cosine
 * ≈ 0.64 between two of them, like one person's photos); a selfie of a person is that direction plus fresh
 * noise, a stranger's selfie a random direction. Every answer is checked against the decision
 * (pipeline/identify.ts) over all the chat's people and all their faces, computed here in memory.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { FsBlobStore } from '../../src/adapters/fs-blob-store.js';
import { SqliteMetadataStore } from '../../src/adapters/sqlite-metadata-store.js';
import { SqliteVectorIndex } from '../../src/adapters/sqlite-vector-index.js';
import { facePointId, photoKey } from '../../src/core/keys.js';
import type { Box } from '../../src/core/types.js';
import { identify, type KnownPerson } from '../../src/pipeline/identify.js';
import type { FacePoint } from '../../src/ports/vector-index.js';
import type { PhotoAnalyzer } from '../../src/ports/photo-analyzer.js';
import type { TenantGuard } from '../../src/ports/tenant-guard.js';
import { createSearchService } from '../../src/services/search-service.js';
import { personIdFor, personRecord } from '../../src/services/tenant-faces.js';

export const DIM = 512;
export const TENANT = 'tg-7100000';
const PHOTOS = 20_000;
const FACES_PER_PHOTO = 5;
export const PEOPLE = 2_000;
const FACES_PER_PERSON = 40;
export const PACK = 'bench';
/** The thresholds of the `local` pack (models/manifest.json). */
export const THRESHOLDS = { sure: 0.51, unsure: 0.39, margin: 0.05, topK: 3 };
/** The pack as the services see it. */
export const PACK_INFO = {
  name: PACK,
  dim: DIM,
  thresholds: { match: 0.33, search: THRESHOLDS, cluster: 0.45, qualityIndex: 0.3, qualitySearch: 0.5 },
};

/** xorshift32, seeded: the same chat on every build. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

export function unit(next: () => number): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = next() + next() + next() - 1.5;
  return normalize(v);
}

function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/** `a·base + b·noise`, normalised. */
export function near(base: Float32Array, a: number, next: () => number): Float32Array {
  const noise = unit(next);
  const b = Math.sqrt(1 - a * a);
  return normalize(base.map((x, i) => a * x + b * noise[i]!));
}

export interface Chat {
  /** Every face: id, vector and person (null for nobody). */
  faces: { id: string; photo: string; faceIndex: number; vector: Float32Array; person: string | null }[];
  centres: Float32Array[];
  people: string[];
}

export function makeChat(): Chat {
  const next = rng(7);
  const people = Array.from({ length: PEOPLE }, (_, p) => personIdFor(TENANT, `bench-${p}`));
  const centres = people.map(() => unit(next));
  const faces: Chat['faces'] = [];
  for (let i = 0; i < PHOTOS * FACES_PER_PHOTO; i++) {
    const photo = createHash('sha256')
      .update(`${TENANT}/${Math.floor(i / FACES_PER_PHOTO)}`)
      .digest('hex');
    const faceIndex = i % FACES_PER_PHOTO;
    // Faces are dealt round-robin to people, so a person's faces are spread over many photos.
    const p = i < PEOPLE * FACES_PER_PERSON ? i % PEOPLE : -1;
    faces.push({
      id: facePointId(TENANT, photo, faceIndex),
      photo,
      faceIndex,
      vector: p >= 0 ? near(centres[p]!, 0.8, next) : unit(next),
      person: p >= 0 ? people[p]! : null,
    });
  }
  return { faces, centres, people };
}

export async function build(dir: string, chat: Chat): Promise<void> {
  const metadata = new SqliteMetadataStore({ file: path.join(dir, 'metadata.sqlite') });
  const index = new SqliteVectorIndex({ file: path.join(dir, 'index.sqlite'), dimension: DIM });
  await metadata.migrate();
  const started = performance.now();
  for (let a = 0; a < PHOTOS / 100; a++) {
    await metadata.createAlbum({ id: `album-${a}`, tenant: TENANT, photoCount: 100 });
  }
  for (let start = 0; start < chat.faces.length; start += 2_000) {
    const points: FacePoint[] = chat.faces.slice(start, start + 2_000).map((f) => ({
      id: f.id,
      tenant: TENANT,
      vector: f.vector,
      payload: {
        photo: f.photo,
        album: null,
        box: [100, 120, 80, 96],
        quality: 0.8,
        person: f.person,
        pack: PACK,
        pipelineVersion: 1,
        faceIndex: f.faceIndex,
      },
    }));
    await index.upsert(points);
    for (let i = start; i < Math.min(chat.faces.length, start + 2_000); i += FACES_PER_PHOTO) {
      const n = i / FACES_PER_PHOTO;
      const photo = chat.faces[i]!.photo;
      await metadata.upsertPhoto({
        tenant: TENANT,
        sha256: photo,
        albumId: `album-${Math.floor(n / 100)}`,
        name: `${n}.jpg`,
        blobKey: photoKey(TENANT, photo, 'jpg'),
        width: 4000,
        height: 3000,
        takenAt: null,
        gps: null,
        faceCount: FACES_PER_PHOTO,
      });
    }
  }
  const byPerson = new Map<string, Chat['faces']>();
  for (const f of chat.faces) if (f.person) byPerson.set(f.person, [...(byPerson.get(f.person) ?? []), f]);
  const now = new Date();
  for (const [id, list] of byPerson) {
    const stored = list.map((f) => ({
      id: f.id,
      vector: f.vector,
      payload: {
        photo: f.photo,
        album: null,
        box: [100, 120, 80, 96] as Box,
        quality: 0.8,
        person: id,
        pack: PACK,
        pipelineVersion: 1,
        faceIndex: f.faceIndex,
      },
    }));
    await metadata.savePerson(personRecord(TENANT, id, stored, null, now, 0.3));
  }
  console.log(`  built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  await Promise.all([metadata.close(), index.close()]);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The chat's folder under `outDir`, built on first use. */
export async function findChat(outDir: string, chat: Chat): Promise<string> {
  const dir = path.join(outDir, `find-chat-100k-d${DIM}`);
  if (!existsSync(path.join(dir, 'index.sqlite'))) {
    await mkdir(dir, { recursive: true });
    await build(dir, chat);
  }
  return dir;
}

export async function benchFind(outDir: string, queries: number): Promise<void> {
  const chat = makeChat();
  const dir = path.join(outDir, `find-chat-100k-d${DIM}`);
  console.log(
    `/find path (findByEmbedding): one chat of ${chat.faces.length} faces, ${PEOPLE} people × ` +
      `${FACES_PER_PERSON} faces, dimension ${DIM}, ${dir}`,
  );
  await findChat(outDir, chat);
  const metadata = new SqliteMetadataStore({ file: path.join(dir, 'metadata.sqlite') });
  const index = new SqliteVectorIndex({ file: path.join(dir, 'index.sqlite'), dimension: DIM });
  const unused = (what: string) => () => {
    throw new Error(`${what} is not part of the /find query path`);
  };
  const search = createSearchService({
    // The found photos' chat references are read from the album's side file (none in this chat).
    blobs: new FsBlobStore({ root: path.join(dir, 'blobs') }),
    index,
    metadata,
    pack: PACK_INFO,
    guard: {} as TenantGuard,
    analyzer: { analyze: unused('analyzer') } as unknown as PhotoAnalyzer,
  });

  // The reference: the decision over every person and every face of theirs.
  const known: KnownPerson[] = chat.people.map((id) => ({ id, vectors: [] as Float32Array[] }));
  const byId = new Map(known.map((p) => [p.id, p.vectors as Float32Array[]]));
  for (const f of chat.faces) if (f.person) byId.get(f.person)!.push(f.vector);

  const next = rng(4242);
  for (const kind of ['member', 'stranger'] as const) {
    const times: number[] = [];
    let cpuMicros = 0;
    let agree = 0;
    const tally = { sure: 0, unsure: 0, none: 0 };
    const selfies = Array.from({ length: queries + 3 }, () =>
      kind === 'member' ? near(chat.centres[Math.floor(next() * PEOPLE)]!, 0.8, next) : unit(next),
    );
    const answers: Awaited<ReturnType<typeof search.findByEmbedding>>[] = [];
    for (const [q, selfie] of selfies.entries()) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const answer = await search.findByEmbedding(TENANT, selfie);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (q < 3) continue; // warm-up
      times.push(ms);
      cpuMicros += cpu.user + cpu.system;
      answers.push(answer);
    }
    // The reference after the timed queries, so that its garbage is not collected inside them.
    for (const [q, answer] of answers.entries()) {
      const expected = identify(selfies[q + 3]!, known, THRESHOLDS);
      const got =
        answer.status === 'no-match'
          ? { kind: 'none', person: null }
          : { kind: answer.status === 'found' ? 'sure' : 'unsure', person: answer.person.id };
      const want = { kind: expected.kind, person: expected.kind === 'none' ? null : expected.best.person };
      if (got.kind === want.kind && got.person === want.person) agree += 1;
      tally[want.kind] += 1;
    }
    times.sort((a, b) => a - b);
    const p95 = percentile(times, 95);
    console.log(
      `  ${kind} selfies (${tally.sure} sure, ${tally.unsure} unsure, ${tally.none} no match): ` +
        `p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms, ` +
        `mean CPU ${(cpuMicros / 1000 / queries).toFixed(1)} ms/query (target p95 < 50 ms: ${p95 < 50 ? 'met' : 'MISSED'}); ` +
        `same answer as the decision over all faces: ${agree} of ${queries}`,
    );
  }
  await Promise.all([metadata.close(), index.close()]);
}
