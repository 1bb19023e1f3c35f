import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

import type { RgbImage } from '../../src/core/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** `../shared` beside the checkout (CI), or FACEBLOG_SHARED_DIR. */
export const sharedDir = process.env.FACEBLOG_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const fixturesDir = path.join(sharedDir, 'fixtures');
export const mirrorDir = process.env.FACEBLOG_MODEL_MIRROR ?? path.join(sharedDir, 'models');

export function fixture(...parts: string[]): string {
  return path.join(fixturesDir, ...parts);
}

export function hasFixtures(): boolean {
  return existsSync(fixturesDir);
}

/** Upright RGB pixels of an image file, via sharp (for tests of stages after decode). */
export async function loadRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(await readFile(file))
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
