import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { AlbumResult } from '../core/album.js';
import type { TextWriter, TextWriterImage } from '../ports/text-writer.js';
import { writeModelPost } from './claude-writer.js';
import { renderContactSheet, type SheetEntry } from './contact-sheet.js';
import { buildAlbumFacts } from './facts.js';
import { faceCrop, loadWithSharp, MODEL_MAX_SIDE, toJpeg, WEB_MAX_SIDE, type LoadImage } from './images.js';
import { MODEL_JPEG_QUALITY, wantsModelImage } from './model-images.js';
import { writeOfflinePost } from './offline-writer.js';
import type { Geocoder } from './places.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { AlbumFacts, BlogPost, FactPerson } from './types.js';

export interface WriteSiteOptions {
  /** Folder the album paths are relative to. */
  readonly albumDir: string;
  /** Where blog.md, index.html, contact-sheet.jpg, thumbs/ and faces/ go (usually albumDir). */
  readonly outDir: string;
  /** A language model; without one the offline writer is used. */
  readonly writer?: TextWriter;
  /** Upright pixels as bytes sharp reads; inject a HEIC-capable loader. Default: sharp. */
  readonly loadImage?: LoadImage;
  /**
   * Images the analysis already rendered (the album command): when given, no photo is decoded here and
   * `loadImage` is not used.
   */
  readonly rendered?: RenderedImages;
  readonly now?: Date;
  readonly messageTimes?: Readonly<Record<string, string>>;
  /** The language to write in (FACEBLOG_LANGUAGE); default the senders' language, else English. */
  readonly language?: string | null;
  readonly geocode?: Geocoder;
}

/** What the analyzer rendered for the site, by album path (see PhotoRenders). */
export interface RenderedImages {
  /** Path under outDir of each photo's web JPEG, already written; a photo without one is not shown. */
  readonly web: ReadonlyMap<string, string>;
  /** The 512 px copy a language model sees. */
  readonly model: ReadonlyMap<string, Uint8Array>;
  /** A face's square crop, by album path and face index. */
  crop(path: string, faceIndex: number): Uint8Array | undefined;
}

export interface WrittenSite {
  readonly post: BlogPost;
  readonly facts: AlbumFacts;
  /** Absolute paths of every file written. */
  readonly files: string[];
  /** For the user: why the post was written offline although a model was configured. */
  readonly notice?: string;
}

export async function writeAlbumSite(album: AlbumResult, opts: WriteSiteOptions): Promise<WrittenSite> {
  const facts = buildAlbumFacts(album, {
    messageTimes: opts.messageTimes,
    geocode: opts.geocode,
    language: opts.language ?? null,
    // The page is read by people opening a folder, not by the chat: no /name and no "sent by".
    audience: 'reader',
  });
  const files: string[] = [];
  const write = async (rel: string, data: Uint8Array | string): Promise<void> => {
    const file = path.join(opts.outDir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    files.push(file);
  };

  const { thumbs, modelImages, crops } = opts.rendered
    ? fromRendered(album, facts, opts.rendered, opts.writer !== undefined)
    : await decodeForSite(facts, opts, write);
  let post: BlogPost;
  let notice: string | undefined;
  if (opts.writer) {
    const written = await writeModelPost(facts, { writer: opts.writer, images: modelImages });
    post = written.post;
    notice = written.notice;
  } else post = writeOfflinePost(facts);

  const faceRel = new Map<string, string>();
  const sheet: SheetEntry[] = [];
  const writes: Promise<void>[] = [];
  for (const person of facts.people) {
    const crop = crops.get(person.id);
    if (!crop) continue;
    const rel = `faces/${person.id}.jpg`;
    writes.push(write(rel, crop));
    faceRel.set(person.id, rel);
    sheet.push({ label: person.label, face: crop });
  }
  const sheetRel = sheet.length > 0 ? 'contact-sheet.jpg' : null;
  // The crops, the sheet and the pages are independent: libuv's pool writes and encodes them side by side.
  if (sheetRel) writes.push(renderContactSheet(sheet).then((jpeg) => write(sheetRel, jpeg)));

  // Photos that could not be decoded are not shown: a broken image on the page helps nobody.
  const shown: BlogPost = {
    ...post,
    sections: post.sections.map((s) => ({ ...s, photos: s.photos.filter((id) => thumbs.has(id)) })),
  };
  writes.push(
    write(
      'blog.md',
      renderMarkdown(shown, facts, (id) => thumbs.get(id) ?? id),
    ),
  );
  writes.push(
    write(
      'index.html',
      renderHtml(
        shown,
        facts,
        {
          photo: (id) => thumbs.get(id) ?? '',
          face: (id) => faceRel.get(id) ?? null,
          contactSheet: sheetRel,
        },
        opts.now,
      ),
    ),
  );
  await Promise.all(writes);
  const result: WrittenSite = { post: shown, facts, files };
  return notice ? { ...result, notice } : result;
}

interface SiteImages {
  /** Photo id → web JPEG path under outDir. */
  readonly thumbs: Map<string, string>;
  readonly modelImages: TextWriterImage[];
  /** Person id → face crop. */
  readonly crops: Map<string, Uint8Array>;
}

/** The site's images from what the analysis rendered: nothing is decoded. */
function fromRendered(
  album: AlbumResult,
  facts: AlbumFacts,
  rendered: RenderedImages,
  forModel: boolean,
): SiteImages {
  const thumbs = new Map<string, string>();
  const modelImages: TextWriterImage[] = [];
  for (const photo of facts.photos) {
    const web = rendered.web.get(photo.path);
    if (web) thumbs.set(photo.id, web);
    const small = rendered.model.get(photo.path);
    // The analyzer's 512 px copy is already the model's size (src/blog/model-images.ts).
    if (forModel && small && wantsModelImage(photo, modelImages.length)) {
      modelImages.push({
        id: photo.id,
        mediaType: 'image/jpeg',
        base64: Buffer.from(small).toString('base64'),
      });
    }
  }
  const crops = new Map<string, Uint8Array>();
  for (const person of album.people) {
    const crop = rendered.crop(person.representative.photo, person.representative.faceIndex);
    if (crop) crops.set(person.id, crop);
  }
  return { thumbs, modelImages, crops };
}

/** The site's images decoded here, one photo at a time (callers without an analyzer's renders). */
async function decodeForSite(
  facts: AlbumFacts,
  opts: WriteSiteOptions,
  write: (rel: string, data: Uint8Array | string) => Promise<void>,
): Promise<SiteImages> {
  const load = opts.loadImage ?? loadWithSharp;
  // Each photo is decoded once: the web JPEG, the model's small copy and the face crops come from it.
  const thumbs = new Map<string, string>();
  const modelImages: TextWriterImage[] = [];
  const crops = new Map<string, Uint8Array>();
  const wantedCrops = new Map<string, FactPerson[]>();
  for (const p of facts.people)
    wantedCrops.set(p.representative.photoId, [...(wantedCrops.get(p.representative.photoId) ?? []), p]);
  for (const photo of facts.photos) {
    let bytes: Buffer;
    try {
      bytes = await load(path.join(opts.albumDir, photo.path));
    } catch {
      continue;
    }
    const rel = `thumbs/${photo.id}.jpg`;
    await write(rel, await toJpeg(bytes, WEB_MAX_SIDE));
    thumbs.set(photo.id, rel);
    if (opts.writer && wantsModelImage(photo, modelImages.length)) {
      modelImages.push({
        id: photo.id,
        mediaType: 'image/jpeg',
        base64: (await toJpeg(bytes, MODEL_MAX_SIDE, MODEL_JPEG_QUALITY)).toString('base64'),
      });
    }
    for (const person of wantedCrops.get(photo.id) ?? [])
      crops.set(person.id, await faceCrop(bytes, person.representative.box));
  }
  return { thumbs, modelImages, crops };
}
