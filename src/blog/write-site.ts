import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { AlbumResult } from '../core/album.js';
import type { TextWriter, TextWriterImage } from '../ports/text-writer.js';
import { writeModelPost } from './claude-writer.js';
import { renderContactSheet, type SheetEntry } from './contact-sheet.js';
import { buildAlbumFacts } from './facts.js';
import { faceCrop, loadWithSharp, MODEL_MAX_SIDE, toJpeg, WEB_MAX_SIDE, type LoadImage } from './images.js';
import { writeOfflinePost } from './offline-writer.js';
import type { Geocoder } from './places.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { AlbumFacts, BlogPost, FactPerson } from './types.js';

/** At most 20 photos go to the model: ≈ 7 k image tokens at 512 px, and the post cites the rest by facts. */
const MODEL_IMAGES = 20;

export interface WriteSiteOptions {
  /** Folder the album paths are relative to. */
  readonly albumDir: string;
  /** Where blog.md, index.html, contact-sheet.jpg, thumbs/ and faces/ go (usually albumDir). */
  readonly outDir: string;
  /** A language model; without one the offline writer is used. */
  readonly writer?: TextWriter;
  /** Upright pixels as bytes sharp reads; inject a HEIC-capable loader. Default: sharp. */
  readonly loadImage?: LoadImage;
  readonly now?: Date;
  readonly messageTimes?: Readonly<Record<string, string>>;
  /** The language to write in (FACEBLOG_LANGUAGE); default the senders' language, else English. */
  readonly language?: string | null;
  readonly geocode?: Geocoder;
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
  const load = opts.loadImage ?? loadWithSharp;
  const facts = buildAlbumFacts(album, {
    messageTimes: opts.messageTimes,
    geocode: opts.geocode,
    language: opts.language ?? null,
    // The page is read by people opening a folder, not by the chat: no /name and no "sent by".
    audience: 'reader',
  });
  const files: string[] = [];
  const write = async (rel: string, data: Buffer | string): Promise<void> => {
    const file = path.join(opts.outDir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    files.push(file);
  };

  // Each photo is decoded once: the web JPEG, the model's small copy and the face crops come from it.
  const thumbs = new Map<string, string>();
  const modelImages: TextWriterImage[] = [];
  const crops = new Map<string, Buffer>();
  const unreadable: string[] = [];
  const wantedCrops = new Map<string, FactPerson[]>();
  for (const p of facts.people)
    wantedCrops.set(p.representative.photoId, [...(wantedCrops.get(p.representative.photoId) ?? []), p]);
  for (const photo of facts.photos) {
    let bytes: Buffer;
    try {
      bytes = await load(path.join(opts.albumDir, photo.path));
    } catch {
      unreadable.push(photo.id);
      continue;
    }
    const rel = `thumbs/${photo.id}.jpg`;
    await write(rel, await toJpeg(bytes, WEB_MAX_SIDE));
    thumbs.set(photo.id, rel);
    if (opts.writer && photo.bestOfBurst === photo.id && modelImages.length < MODEL_IMAGES) {
      modelImages.push({
        id: photo.id,
        mediaType: 'image/jpeg',
        base64: (await toJpeg(bytes, MODEL_MAX_SIDE, 75)).toString('base64'),
      });
    }
    for (const person of wantedCrops.get(photo.id) ?? [])
      crops.set(person.id, await faceCrop(bytes, person.representative.box));
  }

  let post: BlogPost;
  let notice: string | undefined;
  if (opts.writer) {
    const written = await writeModelPost(facts, { writer: opts.writer, images: modelImages });
    post = written.post;
    notice = written.notice;
  } else post = writeOfflinePost(facts);

  const faceRel = new Map<string, string>();
  const sheet: SheetEntry[] = [];
  for (const person of facts.people) {
    const crop = crops.get(person.id);
    if (!crop) continue;
    const rel = `faces/${person.id}.jpg`;
    await write(rel, crop);
    faceRel.set(person.id, rel);
    sheet.push({ label: person.label, face: crop });
  }
  const sheetRel = sheet.length > 0 ? 'contact-sheet.jpg' : null;
  if (sheetRel) await write(sheetRel, await renderContactSheet(sheet));

  // Photos that could not be decoded are not shown: a broken image on the page helps nobody.
  const shown: BlogPost = {
    ...post,
    sections: post.sections.map((s) => ({ ...s, photos: s.photos.filter((id) => thumbs.has(id)) })),
  };
  await write(
    'blog.md',
    renderMarkdown(shown, facts, (id) => thumbs.get(id) ?? id),
  );
  await write(
    'index.html',
    renderHtml(
      shown,
      facts,
      { photo: (id) => thumbs.get(id) ?? '', face: (id) => faceRel.get(id) ?? null, contactSheet: sheetRel },
      opts.now,
    ),
  );
  const result: WrittenSite = { post: shown, facts, files };
  return notice ? { ...result, notice } : result;
}
