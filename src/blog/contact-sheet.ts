import sharp, { type OverlayOptions } from 'sharp';

import { escapeHtml } from './split-telegram.js';

/** One tile per person: face crop on top, label below. 160 px faces are readable on a phone. */
const TILE = 160;
const LABEL_H = 36;
const GAP = 12;

export interface SheetEntry {
  readonly label: string;
  /** JPEG/PNG bytes of the face crop (any size; it is fitted to the tile). */
  readonly face: Uint8Array;
}

/** "Who appears where": every person's best face with their name or number, as one JPEG. */
export async function renderContactSheet(entries: readonly SheetEntry[], columns = 4): Promise<Buffer> {
  const cols = Math.max(1, Math.min(columns, entries.length));
  const rows = Math.max(1, Math.ceil(entries.length / cols));
  const width = GAP + cols * (TILE + GAP);
  const height = GAP + rows * (TILE + LABEL_H + GAP);
  // The tiles are resized side by side on libuv's pool, then composited once.
  const tiles = await Promise.all(
    entries.map((e) => sharp(e.face).resize(TILE, TILE, { fit: 'cover' }).toBuffer()),
  );
  const layers: OverlayOptions[] = [];
  for (const [i, e] of entries.entries()) {
    const left = GAP + (i % cols) * (TILE + GAP);
    const top = GAP + Math.floor(i / cols) * (TILE + LABEL_H + GAP);
    layers.push({ input: tiles[i], left, top });
    // Labels are SVG text (librsvg in sharp's libvips); a long name is shortened to fit the tile.
    const text = e.label.length > 18 ? `${e.label.slice(0, 17)}…` : e.label;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${TILE}" height="${LABEL_H}"><text x="${TILE / 2}" y="24" font-family="DejaVu Sans, sans-serif" font-size="16" text-anchor="middle" fill="#222">${escapeHtml(text)}</text></svg>`;
    layers.push({ input: Buffer.from(svg), left, top: top + TILE });
  }
  return sharp({ create: { width, height, channels: 3, background: '#f4f1ea' } })
    .composite(layers)
    .jpeg({ quality: 88 })
    .toBuffer();
}
