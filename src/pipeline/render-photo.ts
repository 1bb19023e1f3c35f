/**
 * JPEG renderings of an analyzed photo: a square crop per face, a storage thumbnail and, for the album
 * site, a web-sized copy. They come from the rasters the analysis already decoded (the detection raster
 * and, around small faces, the finer region raster), so the photo is never decoded a second time.
 */
import sharp, { type Sharp } from 'sharp';

import type { Box, FaceDetection, RgbImage } from '../core/types.js';
import type { PhotoRenders, RenderRequest } from '../ports/photo-analyzer.js';
import { faceCropPlan, scaledPad } from './face-crop.js';

/** Face crops: 256 px squares, as the blog's FACE_SIZE (twice the 128 px a people list shows). */
export const CROP_SIZE = 256;
/** Thumbnails: 512 px long side, as the blog's MODEL_MAX_SIDE (enough to recognise a scene). */
export const THUMB_SIDE = 512;
/** JPEG quality of crops and thumbnails: 85, as the blog's face crops. */
const JPEG_QUALITY = 85;
/** JPEG quality of the web copy: 82, as the blog's web JPEGs (≈ 150–300 kB at 1280 px). */
const WEB_QUALITY = 82;

/**
 * A decoded raster of the upright photo: `original px × scale − offset = raster px` (the convention of
 * rasterizeRegion; the whole-photo raster has offset [0, 0]).
 */
export interface Raster {
  readonly image: RgbImage;
  readonly scale: number;
  readonly offset: readonly [number, number];
}

/**
 * `region` (original px) in the raster's pixels, rounded to whole pixels, or null when the raster does
 * not hold all of it (half a raster pixel of slack for rounding).
 */
export function regionInRaster(
  region: Box,
  raster: Pick<Raster, 'scale' | 'offset'> & { readonly image: Pick<RgbImage, 'width' | 'height'> },
): { left: number; top: number; width: number; height: number } | null {
  const { scale, offset, image } = raster;
  const x0 = region[0] * scale - offset[0];
  const y0 = region[1] * scale - offset[1];
  const x1 = (region[0] + region[2]) * scale - offset[0];
  const y1 = (region[1] + region[3]) * scale - offset[1];
  if (x0 < -0.5 || y0 < -0.5 || x1 > image.width + 0.5 || y1 > image.height + 0.5) return null;
  const left = Math.min(image.width - 1, Math.max(0, Math.round(x0)));
  const top = Math.min(image.height - 1, Math.max(0, Math.round(y0)));
  const width = Math.max(1, Math.min(image.width - left, Math.round(x1 - x0)));
  const height = Math.max(1, Math.min(image.height - top, Math.round(y1 - y0)));
  return { left, top, width, height };
}

/** The finest raster that holds all of `region`; the first (whole-photo) raster holds every region. */
export function finestRaster<R extends Raster>(
  region: Box,
  rasters: readonly R[],
): { raster: R; rect: { left: number; top: number; width: number; height: number } } {
  let best: { raster: R; rect: { left: number; top: number; width: number; height: number } } | null = null;
  for (const raster of rasters) {
    const rect = regionInRaster(region, raster);
    if (rect && (!best || raster.scale > best.raster.scale)) best = { raster, rect };
  }
  if (!best) throw new Error('no raster holds the crop region (the first raster must be the whole photo)');
  return best;
}

/**
 * Crops for `faces` (boxes in upright original pixels of a `width` × `height` photo), a thumbnail and,
 * when asked, the web copy. `rasters[0]` is the whole photo; any further ones are finer regions.
 */
export async function renderPhoto(
  size: { readonly width: number; readonly height: number },
  rasters: readonly Raster[],
  faces: readonly Pick<FaceDetection, 'box'>[],
  request: RenderRequest = {},
): Promise<PhotoRenders> {
  const whole = rasters[0];
  if (!whole) throw new Error('renderPhoto needs the whole-photo raster');
  // The crop geometry is faceCropPlan's (a square on the face, padded where it leaves the photo); here
  // it is only cut from the finest raster already decoded that holds it, and scaled to CROP_SIZE.
  const crops = Promise.all(
    faces.map((face) => {
      const plan = faceCropPlan(face.box, size.width, size.height);
      const { raster, rect } = finestRaster(plan.region, rasters);
      const k = CROP_SIZE / plan.side;
      const out = {
        width: Math.max(1, Math.min(CROP_SIZE, Math.round(plan.region[2] * k))),
        height: Math.max(1, Math.min(CROP_SIZE, Math.round(plan.region[3] * k))),
      };
      const pad = scaledPad(plan, out, CROP_SIZE);
      let pipeline = open(raster.image).extract(rect).resize(out.width, out.height, { fit: 'fill' });
      if (pad.left + pad.top + pad.right + pad.bottom > 0) {
        pipeline = pipeline.extend({ ...pad, background: PAD_COLOUR });
      }
      return jpeg(pipeline, JPEG_QUALITY);
    }),
  );
  const thumb = jpeg(
    open(whole.image).resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true }),
    JPEG_QUALITY,
  );
  const web = request.web ? jpeg(open(whole.image), WEB_QUALITY) : undefined;
  const result: PhotoRenders = { crops: await crops, thumb: await thumb };
  return web ? { ...result, web: await web } : result;
}

/** Grey padding where a face crop passes the photo's edge: neutral, and plainly not part of the photo. */
const PAD_COLOUR = { r: 128, g: 128, b: 128 };

function open(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

async function jpeg(pipeline: Sharp, quality: number): Promise<Uint8Array> {
  const buffer = await pipeline.jpeg({ quality }).toBuffer();
  // A copy of its own: a Buffer may be a view into a shared pool, which postMessage would clone whole.
  return new Uint8Array(buffer);
}
