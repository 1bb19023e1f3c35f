/**
 * Decode-stage timings on a 12-megapixel JPEG: what decodePhoto costs (headers, EXIF, sha256), a full
 * decode, and rasterize at detector sizes, where sharp's resize lets libjpeg decode at 1/2, 1/4 or
 * 1/8 scale (shrink-on-load). Also a real 8 MP phone JPEG and a 12 MP iPhone HEIC (libheif in
 * WebAssembly), and album throughput with two photos in flight. Median of repeated runs.
 *
 *   npx tsx bench/decode.ts
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';

import sharp from 'sharp';

import { decodePhoto, rasterize, rasterizeRegion } from '../src/pipeline/decode.js';
import { fixture } from '../test/support/fixtures.js';

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/**
 * Median wall time and mean CPU time (this process, libvips threads included) per run. On a shared
 * machine CPU time is the steadier figure: other people's load stretches wall time, not CPU time.
 */
async function median(runs: number, fn: () => Promise<unknown>): Promise<Timing> {
  await fn(); // warm-up
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return { wallMs: times[Math.floor(times.length / 2)]!, cpuMs: (cpu.user + cpu.system) / 1000 / runs };
}

function row(label: string, { wallMs, cpuMs }: Timing): void {
  console.log(
    `${label.padEnd(64)} ${wallMs.toFixed(1).padStart(8)} ms wall ${cpuMs.toFixed(1).padStart(8)} ms cpu`,
  );
}

async function main(): Promise<void> {
  // No result cache: every run decodes again, as a worker does for each new photo.
  sharp.cache(false);
  console.log(
    `cpus ${cpus().length}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, libvips threads ${sharp.concurrency()}, sharp ${sharp.versions.sharp}`,
  );

  const phone = await readFile(fixture('exif', 'mobile', 'jolla.jpg'));
  // 4000 x 3000 = 12 MP, the size of most phone photos, upscaled from a real one at quality 92.
  const jpeg12 = await sharp(phone).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 92 }).toBuffer();
  console.log(`12 MP JPEG: 4000 x 3000, ${(jpeg12.length / 1e6).toFixed(2)} MB\n`);
  const runs = 9;

  const photo = await decodePhoto(jpeg12);
  row('decodePhoto (headers, EXIF, sha256, truncation check)', await median(runs, () => decodePhoto(jpeg12)));
  row(
    'full decode: sharp autoOrient().raw(), 4000 x 3000',
    await median(runs, () => sharp(jpeg12).autoOrient().raw().toBuffer()),
  );
  row(
    'rasterize(photo, 4000): full size through the stage',
    await median(runs, () => rasterize(photo, 4000)),
  );
  row(
    'resize to 1024 without shrink-on-load (fastShrinkOnLoad false)',
    await median(runs, () =>
      sharp(jpeg12).autoOrient().resize(1024, 768, { fit: 'fill', fastShrinkOnLoad: false }).raw().toBuffer(),
    ),
  );
  // sharp decodes at 1/2 from a 3x reduction and at 1/4 from 5x: 1333/1334 and 800/801 straddle the steps.
  for (const side of [2000, 1334, 1333, 1280, 1024, 801, 800, 640]) {
    row(`rasterize(photo, ${side}) (shrink-on-load)`, await median(runs, () => rasterize(photo, side)));
  }
  row(
    'rasterizeRegion 600 x 600 face region at scale 0.3',
    await median(runs, () => rasterizeRegion(photo, [1700, 1200, 600, 600], 0.3)),
  );

  console.log('\nReal 8 MP phone JPEG (jolla.jpg, 3264 x 2448)');
  const phonePhoto = await decodePhoto(phone);
  row('decodePhoto', await median(runs, () => decodePhoto(phone)));
  row('full decode', await median(runs, () => sharp(phone).autoOrient().raw().toBuffer()));
  row(
    'rasterize 1280 (2.55x: below 3x, no shrink-on-load)',
    await median(runs, () => rasterize(phonePhoto, 1280)),
  );
  row('rasterize 1088 (3x: decoded at 1/2)', await median(runs, () => rasterize(phonePhoto, 1088)));

  console.log('\n12 MP iPhone HEIC (libheif WebAssembly, decoded once in decodePhoto)');
  const heic = await readFile(fixture('heic', 'exif-samples', 'iphone_13_pro_max.HEIC'));
  const heicPhoto = await decodePhoto(heic);
  row('decodePhoto (full HEVC decode)', await median(3, () => decodePhoto(heic)));
  row('rasterize 1280 from the raw pixels', await median(runs, () => rasterize(heicPhoto, 1280)));

  // Album throughput: decodePhoto + rasterize(1280) (the analyzer's detector size), two in flight.
  const total = 24;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      while (next < total) {
        next++;
        await rasterize(await decodePhoto(jpeg12), 1280);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `\nthroughput, 12 MP JPEG decodePhoto + rasterize 1280, 2 in flight: ${(total / seconds).toFixed(1)} photos/s`,
  );
}

await main();
