/**
 * An album arriving in a big chat: the album job's grouping (services/group-album.ts), the "Is this
 * Anna?" questions after it (services/suggestions.ts) and the people list whose handles label its reply,
 * on the /find bench's chat of 100k faces (find-chat.ts) with half its 2,000 people named. The album:
 * 10 photos of 5 faces, 4 of them people of the chat (a new face of theirs, cosine ≈ 0.64 to their
 * others) and 1 stranger. Each round works on a fresh copy of the chat, so the chat is the same every
 * time. Prints the time each step takes and checks that every known face joined its own person.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { FsBlobStore } from '../../src/adapters/fs-blob-store.js';
import { SqliteMetadataStore } from '../../src/adapters/sqlite-metadata-store.js';
import { SqliteVectorIndex } from '../../src/adapters/sqlite-vector-index.js';
import { facePointId, photoKey } from '../../src/core/keys.js';
import type { TenantGuard } from '../../src/ports/tenant-guard.js';
import type { FacePoint } from '../../src/ports/vector-index.js';
import { groupAlbum } from '../../src/services/group-album.js';
import { createPeopleService } from '../../src/services/people-service.js';
import { analysisKey, type StoredPhotoAnalysis } from '../../src/services/index-photo.js';
import { albumSuggestions } from '../../src/services/suggestions.js';
import { DIM, findChat, makeChat, near, PACK, PACK_INFO, PEOPLE, rng, TENANT, unit } from './find-chat.js';

const PHOTOS = 10;
const KNOWN_PER_PHOTO = 4;

export async function benchAlbumInChat(outDir: string, rounds: number): Promise<void> {
  const chat = makeChat();
  const source = await findChat(outDir, chat);
  console.log(
    `an album of ${PHOTOS} photos × ${KNOWN_PER_PHOTO + 1} faces into a chat of ${chat.faces.length} faces ` +
      `(${PEOPLE} people, half of them named): grouping and questions`,
  );
  for (let round = 0; round < rounds; round++) {
    const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-album-in-chat-'));
    try {
      for (const f of ['metadata.sqlite', 'index.sqlite'])
        await copyFile(path.join(source, f), path.join(dir, f));
      const metadata = new SqliteMetadataStore({ file: path.join(dir, 'metadata.sqlite') });
      const index = new SqliteVectorIndex({ file: path.join(dir, 'index.sqlite'), dimension: DIM });
      const deps = {
        blobs: new FsBlobStore({ root: path.join(dir, 'blobs') }),
        index,
        metadata,
        pack: PACK_INFO,
        guard: {} as TenantGuard,
      };
      for (let p = 0; p < PEOPLE / 2; p++) await metadata.namePerson(TENANT, chat.people[p]!, `Person ${p}`);

      // The album: its faces stored as the photo jobs leave them (nobody's yet).
      const next = rng(1000 + round);
      const albumId = `bench-album-${round}`;
      await metadata.createAlbum({ id: albumId, tenant: TENANT, photoCount: PHOTOS });
      const expected = new Map<string, string | null>();
      const points: FacePoint[] = [];
      for (let k = 0; k < PHOTOS; k++) {
        const sha = createHash('sha256').update(`bench-album-${round}-photo-${k}`).digest('hex');
        for (let i = 0; i <= KNOWN_PER_PHOTO; i++) {
          const p = i < KNOWN_PER_PHOTO ? Math.floor(next() * PEOPLE) : -1;
          const id = facePointId(TENANT, sha, i);
          expected.set(id, p >= 0 ? chat.people[p]! : null);
          points.push({
            id,
            tenant: TENANT,
            vector: p >= 0 ? near(chat.centres[p]!, 0.8, next) : unit(next),
            payload: {
              photo: sha,
              album: albumId,
              box: [i * 800, 120, 700, 840],
              quality: 0.8,
              person: null,
              pack: PACK,
              pipelineVersion: 1,
              faceIndex: i,
            },
          });
        }
        // What the photo job leaves for the album job (services/index-photo.ts): the album's page.
        const analysis: StoredPhotoAnalysis = {
          photo: {
            path: `${k}.jpg`,
            sha256: sha,
            format: 'jpeg',
            width: 4000,
            height: 3000,
            takenAt: null,
            gps: null,
            duplicateOf: null,
            faces: points.slice(-(KNOWN_PER_PHOTO + 1)).map((f) => ({
              box: f.payload.box,
              landmarks: [
                [0, 0],
                [0, 0],
                [0, 0],
                [0, 0],
                [0, 0],
              ],
              score: 0.9,
              quality: f.payload.quality,
              qualityReasons: [],
              personId: null,
            })),
          },
          phash: (BigInt(k) * 0x9e3779b97f4a7c15n).toString(16).padStart(16, '0').slice(-16),
        };
        await deps.blobs.put(
          analysisKey(TENANT, albumId, sha),
          new TextEncoder().encode(JSON.stringify(analysis)),
          { contentType: 'application/json' },
        );
        await metadata.upsertPhoto({
          tenant: TENANT,
          sha256: sha,
          albumId,
          name: `${k}.jpg`,
          blobKey: photoKey(TENANT, sha, 'jpg'),
          width: 4000,
          height: 3000,
          takenAt: null,
          gps: null,
          faceCount: KNOWN_PER_PHOTO + 1,
        });
      }
      await index.upsert(points);
      await metadata.setAlbumStatus(TENANT, albumId, 'processing');

      const t0 = performance.now();
      const result = await groupAlbum(deps, TENANT, albumId, [], { token: 1, check: async () => {} });
      const groupMs = performance.now() - t0;
      const t1 = performance.now();
      const questions = result ? await albumSuggestions(deps, TENANT, result) : [];
      const askMs = performance.now() - t1;
      // The album's reply labels people by their handles: the bots read the people list for it.
      const t2 = performance.now();
      const listed = await createPeopleService(deps).listPeople(TENANT);
      const listMs = performance.now() - t2;

      const stored = await index.get(TENANT, [...expected.keys()], {});
      let right = 0;
      let known = 0;
      for (const f of stored) {
        const want = expected.get(f.id);
        if (want === null || want === undefined) continue;
        known += 1;
        if (f.payload.person === want) right += 1;
      }
      console.log(
        `  round ${round + 1}: grouping ${groupMs.toFixed(0)} ms, questions ${askMs.toFixed(0)} ms ` +
          `(${questions.length} asked), people list ${listMs.toFixed(0)} ms (${listed.length} people); ` +
          `${right} of ${known} known faces joined their own person`,
      );
      await Promise.all([metadata.close(), index.close()]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
