/**
 * Photos per second through the queue: an album of fixture photos submitted to the photo service and
 * processed by 1 worker, then by 2 workers (each with its own analyzer thread), on real Redis
 * (REDIS_URL, default 127.0.0.1:6379), the fs blob store and the sqlite index and metadata store.
 * Wall time runs from submitAlbum until the album job has stored its result (photo jobs, grouping and
 * all). Prints figures; asserts nothing.
 *
 * `--12mp`: the photos of bench/album-photos.ts instead (4032×3024, as a chat sends them as documents,
 * originals untouched), 10 of them by default: the time from the last photo to the stored album result
 * is what a chat waits for its post after the album debounce.
 *
 *   npx tsx bench/ingest.ts [photos=24] [--12mp]
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import { createWorkerApp, type WorkerApp } from '../src/app/create-app.js';
import { testModelsDir } from '../test/support/models.js';
import { FOUR_PEOPLE_ALBUM, FR, KNN } from '../test/support/albums.js';
import { REDIS_URL, startHarness, uploads } from '../test/jobs/support/harness.js';
import { makeAlbum } from './album-photos.js';

/** Fixture photos of every size the chats send: phone originals (compreface) down to 400 px portraits. */
const POOL = [
  ...[
    '000_5',
    '001_A',
    '002_A',
    '003_A',
    '004_A',
    '005_A',
    '006_A',
    '007_B',
    '008_B',
    '009_C',
    '010_2',
    '011_3',
  ].map((n) => `compreface/${n}.jpg`),
  ...FOUR_PEOPLE_ALBUM,
  `${FR}/two_people.jpg`,
  `${KNN}/test/kit_with_rose.jpg`,
];

async function main(): Promise<void> {
  const big = process.argv.includes('--12mp');
  const arg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
  const files = big ? (await makeAlbum()).files : POOL;
  const count = Math.min(files.length, Number(arg ?? (big ? 10 : 24)));
  const photos = big
    ? await Promise.all(
        files
          .slice(0, count)
          .map(async (f) => ({ name: path.basename(f), bytes: new Uint8Array(await readFile(f)) })),
      )
    : await uploads(...POOL.slice(0, count));
  console.log(
    `ingest: ${count} photos, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0]?.toFixed(2)}`,
  );
  for (const workers of [1, 2]) {
    const h = await startHarness({ worker: false });
    const apps: WorkerApp[] = [];
    try {
      for (let i = 0; i < workers; i++) {
        apps.push(
          await createWorkerApp({
            redisUrl: REDIS_URL,
            prefix: h.prefix,
            stores: h.stores,
            pack: h.pack,
            modelsDir: testModelsDir(),
          }),
        );
      }
      // createWorkerApp resolves once its threads have loaded their models; wait for Redis too.
      await Promise.all(apps.map((a) => a.workers.photos.waitUntilReady()));
      const tenant = `tg-${9000 + workers}`;
      const start = performance.now();
      const { albumId } = await h.services.photos.submitAlbum(tenant, photos);
      const status = await h.waitForAlbum(tenant, albumId, 600_000);
      const seconds = (performance.now() - start) / 1000;
      const faces = await h.stores.index.count({ tenant });
      console.log(
        `${workers} worker(s): ${status.processed} photos${big ? ' of 12 MP' : ''}, ${faces} faces in ` +
          `${seconds.toFixed(1)} s (submit to stored album result) = ${(status.processed / seconds).toFixed(2)} photos/s`,
      );
    } finally {
      await Promise.all(apps.map((a) => a.close()));
      await h.close();
    }
  }
}

await main();
