import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import exifr from 'exifr';
import sharp from 'sharp';

import type { AlbumFace, AlbumPerson, AlbumPhoto, AlbumResult } from '../../src/core/album.js';
import type { Box, Landmarks } from '../../src/core/types.js';
import type { LoadImage } from '../../src/blog/images.js';
import { embedFixtures, type FixtureFace } from '../support/embed-fixtures.js';
import { fixture, fixturesDir } from '../support/fixtures.js';

/**
 * An album built from the real fixtures: EXIF times and GPS read with exifr, faces from the real
 * detector and recognizer of the `local` pack, identities from face_recognition's identities.csv.
 * The album folder is the fixtures folder itself.
 */
export const albumDir = fixturesDir;

export const TRIP = [
  'DSCN0010.jpg',
  'DSCN0012.jpg',
  'DSCN0021.jpg',
  'DSCN0025.jpg',
  'DSCN0027.jpg',
  'DSCN0029.jpg',
  'DSCN0038.jpg',
  'DSCN0040.jpg',
  'DSCN0042.jpg',
].map((f) => `exif/gps/${f}`);
export const HELSINKI = 'exif/mobile/HMD_Nokia_8.3_5G.jpg';
export const JOLLA = 'exif/mobile/jolla.jpg';
export const HEIC = 'heic/exif-samples/IMG_5195.HEIC';

const FR = 'face_recognition/examples';
/** Single-identity reference photos (identities.csv) whose one face defines the person. */
const REFERENCES: Record<string, string> = {
  [`${FR}/obama.jpg`]: 'barack_obama',
  [`${FR}/biden.jpg`]: 'joe_biden',
  [`${FR}/knn_examples/train/kit_harington/john1.jpeg`]: 'kit_harington',
  [`${FR}/knn_examples/train/rose_leslie/img1.jpg`]: 'rose_leslie',
};
/** identities.csv: "kit_harington + rose_leslie", "barack_obama + joe_biden" (and a face in the back). */
export const KIT_WITH_ROSE = `${FR}/knn_examples/test/kit_with_rose.jpg`;
export const OBAMA_AND_BIDEN = `${FR}/knn_examples/test/obama_and_biden.jpg`;
export const OBAMA = `${FR}/obama.jpg`;
export const BIDEN = `${FR}/biden.jpg`;
/** identities.csv: "same photo at several resolutions" as obama.jpg: a re-send, marked duplicateOf. */
export const OBAMA_480 = `${FR}/obama-480p.jpg`;

/**
 * Names the chat gave: two of the four people are named, the other two stay "Person N", as when
 * nobody has named them yet.
 */
export const CHAT_NAMES: Record<string, string> = { barack_obama: 'Barack Obama', joe_biden: 'Joe Biden' };

/** When the chat messages carrying the face photos were sent (used where EXIF has no time). */
export const MESSAGE_TIMES: Record<string, string> = {
  // obama.jpg and biden.jpg have EXIF times of their own (2012, 2010); these lose to them.
  [OBAMA]: '2023-06-10T18:01:00+02:00',
  [BIDEN]: '2023-06-10T18:01:30+02:00',
  [OBAMA_480]: '2023-06-10T18:02:05+02:00',
  [OBAMA_AND_BIDEN]: '2023-06-10T18:09:00+02:00',
  [`${FR}/knn_examples/train/kit_harington/john1.jpeg`]: '2023-06-11T11:30:00+02:00',
  [`${FR}/knn_examples/train/rose_leslie/img1.jpg`]: '2023-06-11T11:31:00+02:00',
  [KIT_WITH_ROSE]: '2023-06-11T11:40:00+02:00',
};

/** LFW fold-1 best threshold of the local pack (shared/models/README.md): same person above it. */
const SAME_PERSON = 0.245;
/** embedFixture decodes to at most 1280 px (its MAX_SIDE); boxes are scaled back to original pixels. */
const EMBED_MAX_SIDE = 1280;

const requireCjs = createRequire(import.meta.url);
const heicDecode = requireCjs('heic-decode') as (input: {
  buffer: Uint8Array;
}) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;

/** The loader the CLI will use: libheif for HEIC (already upright), sharp for the rest. */
export const loadFixtureImage: LoadImage = async (file) => {
  const bytes = await readFile(file);
  if (/\.hei[cf]$/i.test(file)) {
    const img = await heicDecode({ buffer: bytes });
    return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
      raw: { width: img.width, height: img.height, channels: 4 },
    })
      .jpeg({ quality: 92 })
      .toBuffer();
  }
  return sharp(bytes).rotate().jpeg({ quality: 92 }).toBuffer();
};

function exifTime(raw: unknown, offset: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const m = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)/.exec(raw);
  if (!m) return null;
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  return typeof offset === 'string' && /^[+-]\d\d:\d\d$/.test(offset) ? `${local}${offset}` : local;
}

async function photoOf(
  rel: string,
  faces: AlbumFace[],
  duplicateOf: string | null = null,
): Promise<AlbumPhoto> {
  const file = fixture(rel);
  const bytes = await readFile(file);
  const tags = ((await exifr.parse(bytes, { gps: true, reviveValues: false })) ?? {}) as Record<
    string,
    unknown
  >;
  const pixels = await sharp(await loadFixtureImage(file)).metadata();
  const lat = tags.latitude;
  const lon = tags.longitude;
  return {
    path: rel,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    format: path.extname(rel).slice(1).toLowerCase(),
    width: pixels.width,
    height: pixels.height,
    takenAt: exifTime(tags.DateTimeOriginal, tags.OffsetTimeOriginal),
    gps: typeof lat === 'number' && typeof lon === 'number' ? { lat, lon } : null,
    faces,
    duplicateOf,
  };
}

async function scaleOf(rel: string): Promise<number> {
  const meta = await sharp(fixture(rel)).metadata();
  const side = Math.max(meta.width, meta.height);
  return side > EMBED_MAX_SIDE ? side / EMBED_MAX_SIDE : 1;
}

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** The album: trip, Jolla, HEIC, Helsinki and two evenings of faces, in a shuffled send order. */
export async function buildFixtureAlbum(): Promise<AlbumResult> {
  const facePhotos = [...Object.keys(REFERENCES), KIT_WITH_ROSE, OBAMA_AND_BIDEN, OBAMA_480];
  // Every photo the test helper can decode goes through the real detector (HEIC cannot: sharp).
  const scanned = [...facePhotos, ...TRIP, HELSINKI, JOLLA];
  const detected = await embedFixtures(scanned);
  const refs = detected.filter((f) => REFERENCES[f.photo] !== undefined && f.id.endsWith('#0'));
  const identityOf = (f: FixtureFace): string | null => {
    let best: { id: string; sim: number } | null = null;
    for (const r of refs) {
      const sim = dot(f.embedding, r.embedding);
      if (sim > SAME_PERSON && (!best || sim > best.sim)) best = { id: REFERENCES[r.photo]!, sim };
    }
    return best?.id ?? null;
  };

  // Person ids in order of first appearance in the send order, as the pipeline numbers them.
  const personIds = new Map<string, string>();
  const facesByPhoto = new Map<string, AlbumFace[]>();
  for (const photo of scanned) {
    const scale = await scaleOf(photo);
    const faces: AlbumFace[] = [];
    for (const f of detected.filter((d) => d.photo === photo)) {
      const identity = identityOf(f);
      if (identity && !personIds.has(identity)) personIds.set(identity, `person-${personIds.size + 1}`);
      const box = f.detection.box.map((v) => v * scale) as Box;
      const landmarks = f.detection.landmarks.map(([x, y]) => [x * scale, y * scale]) as Landmarks;
      // Detector score stands in for the quality stage's score until the album pipeline lands.
      faces.push({
        box,
        landmarks,
        score: f.detection.score,
        quality: f.detection.score,
        qualityReasons: [],
        personId: identity ? personIds.get(identity)! : null,
      });
    }
    facesByPhoto.set(photo, faces);
  }

  const sendOrder = [
    OBAMA_AND_BIDEN,
    ...TRIP.slice(4),
    HEIC,
    `${FR}/obama.jpg`,
    OBAMA_480,
    JOLLA,
    ...TRIP.slice(0, 4),
    KIT_WITH_ROSE,
    HELSINKI,
    ...Object.keys(REFERENCES).slice(1),
  ];
  const photos: AlbumPhoto[] = [];
  for (const rel of sendOrder)
    photos.push(
      await photoOf(rel, facesByPhoto.get(rel) ?? [], rel === OBAMA_480 ? `${FR}/obama.jpg` : null),
    );

  const people: AlbumPerson[] = [...personIds].map(([identity, id]) => {
    const appearances = photos.flatMap((p) =>
      p.faces.map((f, faceIndex) => ({ p, f, faceIndex })).filter(({ f }) => f.personId === id),
    );
    const best = [...appearances].sort((a, b) => b.f.quality - a.f.quality)[0]!;
    return {
      id,
      name: CHAT_NAMES[identity] ?? null,
      photos: [...new Set(appearances.map(({ p }) => p.path))],
      faceCount: appearances.length,
      representative: { photo: best.p.path, faceIndex: best.faceIndex, box: best.f.box },
    };
  });

  return {
    version: 1,
    pack: 'local',
    pipelineVersion: 1,
    createdAt: '2026-01-01T00:00:00Z',
    photos,
    people,
    failures: [{ path: 'chat/voice-note.ogg', code: 'UNSUPPORTED_FORMAT', message: 'not an image' }],
  };
}

/** identity → person id in a built album. */
export function personIdOf(album: AlbumResult, name: string): string | undefined {
  return album.people.find((p) => p.name === name)?.id;
}
