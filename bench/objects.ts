/**
 * Cost of the scene-object detector (CenterNet COCO-80) per photo, as the analysis runs it: the 512×512
 * resize from the detection raster that is already decoded, then the model, with one and two intra-op
 * threads. Median wall time and mean CPU time (this process, onnxruntime threads included) per photo;
 * on a shared machine the CPU figure is the steadier one.
 *
 *   npx tsx bench/objects.ts
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import { loadOnnxModel } from '../src/adapters/onnx-model.js';
import { parseManifest, resolvePack } from '../src/core/manifest.js';
import { decodePhoto, rasterize } from '../src/pipeline/decode.js';
import { detectObjects, resizeToFloat } from '../src/pipeline/detect-objects.js';
import { fixture, repoRoot } from '../test/support/fixtures.js';
import { testModelsDir } from '../test/support/models.js';

const PHOTOS = [
  ...['DSCN0010', 'DSCN0021', 'DSCN0027', 'DSCN0029', 'DSCN0040'].map((f) => `exif/gps/${f}.jpg`),
  'dlib/dogs.jpg',
  'compreface/000_5.jpg',
];
const RUNS = 5;

async function timed(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  await fn();
  const walls: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    walls.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  walls.sort((a, b) => a - b);
  return { wall: walls[Math.floor(RUNS / 2)] ?? 0, cpu: (cpu.user + cpu.system) / 1000 / RUNS };
}

const manifest = parseManifest(
  JSON.parse(await readFile(path.join(repoRoot, 'models/manifest.json'), 'utf8')),
);
const spec = resolvePack(manifest, 'local').objects;
if (!spec) throw new Error('the manifest names no objects model');
console.log(
  `${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const rasters = [];
for (const p of PHOTOS)
  rasters.push({ p, r: await rasterize(await decodePhoto(await readFile(fixture(p))), 1280) });

for (const threads of [1, 2]) {
  const model = await loadOnnxModel(spec.id, path.join(testModelsDir(), spec.file), {
    intraOpThreads: threads,
  });
  const objects = { model, spec };
  let resizeWall = 0;
  let wall = 0;
  let cpu = 0;
  for (const { p, r } of rasters) {
    const resize = await timed(() => Promise.resolve(resizeToFloat(r.image, 512, 512)));
    const all = await timed(() => detectObjects(r.image, r.scale, objects));
    resizeWall += resize.wall;
    wall += all.wall;
    cpu += all.cpu;
    console.log(
      `${threads} thread(s) ${p.padEnd(22)} ${r.image.width}×${r.image.height}: resize ${resize.wall.toFixed(1)} ms, ` +
        `resize+model ${all.wall.toFixed(1)} ms wall, ${all.cpu.toFixed(1)} ms CPU`,
    );
  }
  const n = rasters.length;
  console.log(
    `${threads} thread(s): per photo ${(wall / n).toFixed(1)} ms wall (resize ${(resizeWall / n).toFixed(1)} ms), ${(cpu / n).toFixed(1)} ms CPU`,
  );
  await model.dispose();
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
