/**
 * The benchmark album: 20 JPEGs of 4032×3024 (a phone's 12 MP) made from the fixtures with sharp, with
 * 1 to 24 faces and 105 in all. Several fixtures are tiled into one frame for the crowded ones. Light
 * noise is added so the files weigh what a phone's do (3–4 MB at quality 90): an upscaled fixture alone
 * is so smooth that it decodes faster than a real photo would.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import { fixture, repoRoot } from '../test/support/fixtures.js';

export const WIDTH = 4032;
export const HEIGHT = 3024;

/** Each photo: the compreface fixtures tiled into it (1, 2 or 4); the digit in a name is its face count. */
const PHOTOS: readonly (readonly string[])[] = [
  ['001_A'],
  ['002_A'],
  ['003_A'],
  ['004_A'],
  ['005_A'],
  ['007_B'],
  ['008_B'],
  ['009_C'],
  ['010_2'],
  ['011_3'],
  ['012_4'],
  ['013_4'],
  ['000_5'],
  ['014_5'],
  ['015_6'],
  ['016_8'],
  ['012_4'],
  ['016_8', '012_4'],
  ['016_8', '015_6', '013_4', '010_2'],
  ['016_8', '015_6', '014_5', '000_5'],
];

async function tile(name: string, width: number, height: number): Promise<Buffer> {
  return sharp(await readFile(fixture('compreface', `${name}.jpg`)))
    .rotate()
    .resize(width, height, { fit: 'contain', background: '#808080' })
    .toBuffer();
}

async function makeOne(names: readonly string[], seed: number): Promise<Buffer> {
  const cols = names.length > 1 ? 2 : 1;
  const rows = names.length > 2 ? 2 : 1;
  const w = WIDTH / cols;
  const h = HEIGHT / rows;
  const layers = await Promise.all(
    names.map(async (n, i) => ({
      input: await tile(n, w, h),
      left: (i % cols) * w,
      top: Math.floor(i / cols) * h,
    })),
  );
  const { data } = await sharp({
    create: { width: WIDTH, height: HEIGHT, channels: 3, background: '#808080' },
  })
    .composite(layers)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  // A cheap deterministic generator: the same files on every machine.
  let s = seed * 2654435761;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const v = data[i]! + ((s >>> 24) % 5) - 2;
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Writes the album once into bench/out/album-12mp and returns its folder and files. */
export async function makeAlbum(): Promise<{ dir: string; files: string[] }> {
  const dir = path.join(repoRoot, 'bench/out/album-12mp');
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [i, names] of PHOTOS.entries()) {
    const file = path.join(dir, `${String(i + 1).padStart(2, '0')}_${names.join('+')}.jpg`);
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) await writeFile(file, await makeOne(names, i + 1));
    files.push(file);
  }
  return { dir, files };
}
