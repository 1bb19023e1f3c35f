/**
 * Which photos a language model sees when it writes a post, and in what form: one policy for the chats
 * and the album folder (src/chat/album-post.ts, src/blog/write-site.ts).
 */
import type { TextWriterImage } from '../ports/text-writer.js';
import { MODEL_MAX_SIDE, toJpeg } from './images.js';
import type { FactPhoto } from './types.js';

/** At most 20 photos go to the model: ≈ 7 k image tokens at 512 px, and the post cites the rest by facts. */
export const MODEL_IMAGES = 20;
/** JPEG quality of the model's copies: the scene reads the same, the request stays small. */
export const MODEL_JPEG_QUALITY = 75;

/**
 * Whether the model should see this photo, `taken` images in: only the best shot of a burst (the others
 * add tokens, not story), and no more than MODEL_IMAGES.
 */
export function wantsModelImage(photo: Pick<FactPhoto, 'id' | 'bestOfBurst'>, taken: number): boolean {
  return taken < MODEL_IMAGES && photo.bestOfBurst === photo.id;
}

/** A photo's bytes as the model's image: 512 px long side, JPEG. */
export async function modelImage(id: string, bytes: Uint8Array): Promise<TextWriterImage> {
  const small = await toJpeg(Buffer.from(bytes), MODEL_MAX_SIDE, MODEL_JPEG_QUALITY);
  return { id, mediaType: 'image/jpeg', base64: small.toString('base64') };
}

/**
 * The model's images in the facts' photo order, loaded by `load` (a photo it cannot load is skipped and
 * the next one takes its place).
 */
export async function collectModelImages(
  photos: readonly FactPhoto[],
  load: (photo: FactPhoto) => Promise<Uint8Array | null>,
): Promise<TextWriterImage[]> {
  const images: TextWriterImage[] = [];
  for (const photo of photos) {
    if (!wantsModelImage(photo, images.length)) continue;
    const bytes = await load(photo);
    if (bytes) images.push(await modelImage(photo.id, bytes));
  }
  return images;
}
