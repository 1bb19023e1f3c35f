/**
 * The outside reference of bench/pipeline.ts: @vladmandic/human 3 (TensorFlow.js, WASM backend) finding
 * and describing faces in photos, one process per core as its documentation suggests for Node. Run by
 * bench/pipeline.ts with the files this process takes; prints one JSON line with its figures.
 *
 *   npx tsx bench/human-peer.ts <file...>
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';

import sharp from 'sharp';

const require = createRequire(import.meta.url);
// The WASM build of Human registers its backend from this package; both are devDependencies of the bench.
require('@tensorflow/tfjs-backend-wasm');
// Its exports map lists subpaths without './', which Node cannot resolve: go from the main entry.
const humanEntry = path.join(path.dirname(require.resolve('@vladmandic/human')), 'human.node-wasm.js');
/** The part of Human's API used here (its bundled `tf` is untyped). */
interface HumanLike {
  readonly tf: {
    tensor(data: Int32Array, shape: number[], dtype: 'int32'): unknown;
    dispose(tensor: unknown): void;
    getBackend(): string;
  };
  load(): Promise<void>;
  warmup(): Promise<unknown>;
  detect(input: unknown): Promise<{ face: { embedding?: number[] }[] }>;
}
const { Human } = require(humanEntry) as { Human: new (config: Record<string, unknown>) => HumanLike };
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));

// Its WASM build loads models with fetch, which has no file: URLs in Node: serve the folder on loopback.
const modelsDir = path.join(path.dirname(humanEntry), '..', 'models');
const server = createServer((req, res) => {
  const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname);
  readFile(path.join(modelsDir, name)).then(
    (body) => res.end(body),
    () => res.writeHead(404).end(),
  );
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;

const human = new Human({
  backend: 'wasm',
  wasmPath: wasmDir + '/',
  wasmPlatformFetch: false,
  modelBasePath: `http://127.0.0.1:${port}/`,
  debug: false,
  cacheSensitivity: 0,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: { rotation: false, maxDetected: 50, minConfidence: 0.3 },
    mesh: { enabled: true },
    iris: { enabled: false },
    description: { enabled: true },
    emotion: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
});

const started = performance.now();
await human.load();
await human.warmup();
const ready = performance.now();
server.close();
let faces = 0;
for (const file of process.argv.slice(2)) {
  // Human takes pixels: decode with the same library we use, at full resolution, as a user would.
  const { data, info } = await sharp(await readFile(file))
    .rotate()
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const tensor = human.tf.tensor(new Int32Array(data), [1, info.height, info.width, 3], 'int32');
  const result = await human.detect(tensor);
  human.tf.dispose(tensor);
  faces += result.face.filter((f) => (f.embedding?.length ?? 0) > 0).length;
}
const done = performance.now();
console.log(
  JSON.stringify({
    photos: process.argv.length - 2,
    faces,
    startMs: ready - started,
    photosMs: done - ready,
    backend: human.tf.getBackend(),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
