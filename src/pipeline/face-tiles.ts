/**
 * Faces side by side in one JPEG: "Is this Anna?" shows the selfie's face next to Anna's, and "which
 * face?" shows a selfie's faces in the order of its buttons. One picture, so a group gets one message.
 */
import sharp, { type OverlayOptions } from 'sharp';

/** Tile side in pixels: the 256 px face crops as stored (render-photo.ts), shown at their own size. */
const TILE = 256;
/** White gap between tiles and around them, so neighbouring faces read as separate pictures. */
const GAP = 12;

/** The crops (JPEG or PNG bytes) left to right, each scaled into a TILE square; empty crops stay blank. */
export async function faceTiles(crops: readonly Uint8Array[]): Promise<Uint8Array> {
  const n = Math.max(1, crops.length);
  const width = n * TILE + (n + 1) * GAP;
  const height = TILE + 2 * GAP;
  const layers: OverlayOptions[] = [];
  for (const [i, crop] of crops.entries()) {
    if (crop.length === 0) continue;
    const input = await sharp(crop).resize(TILE, TILE, { fit: 'cover' }).toBuffer();
    layers.push({ input, left: GAP + i * (TILE + GAP), top: GAP });
  }
  const out = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite(layers)
    .jpeg({ quality: 85 })
    .toBuffer();
  return new Uint8Array(out);
}
