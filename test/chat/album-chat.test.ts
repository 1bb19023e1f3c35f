/**
 * The chat layer's album use cases (src/chat/album-report.ts, src/chat/album-post.ts) on the real
 * fixture album (faces from the real detector and recognizer), with its thumbnails and face crops in a
 * real file blob store, as a worker leaves them. The language model is the only thing faked, at its
 * port (TextWriter): it cannot run here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FsBlobStore } from '../../src/adapters/fs-blob-store.js';
import { faceCrop, toJpeg } from '../../src/blog/images.js';
import { MODEL_IMAGES, wantsModelImage } from '../../src/blog/model-images.js';
import { writeAlbumPost, type ChatPerson } from '../../src/chat/album-post.js';
import { albumReport } from '../../src/chat/album-report.js';
import type { AlbumResult } from '../../src/core/album.js';
import { faceKey, thumbKey } from '../../src/core/keys.js';
import type { TextWriter, TextWriterRequest } from '../../src/ports/text-writer.js';
import { hasFixtures } from '../support/fixtures.js';
import {
  albumDir,
  buildFixtureAlbum,
  loadFixtureImage,
  MESSAGE_TIMES,
  OBAMA,
  OBAMA_480,
  personIdOf,
  TRIP,
} from '../blog/album-fixture.js';

const TENANT = 'tg-42';
const JPEG = { contentType: 'image/jpeg' };

describe.skipIf(!hasFixtures())("a chat's album report and post", () => {
  let album: AlbumResult;
  let blobs: FsBlobStore;
  let dir: string;
  /** The chat's handles: the unnamed people are #7 and #8, as if the chat had met six people before. */
  let people: ChatPerson[];
  const handleOf = (id: string) => people.find((p) => p.id === id)!.handle;

  beforeAll(async () => {
    album = await buildFixtureAlbum();
    dir = await mkdtemp(path.join(tmpdir(), 'faceblog-chat-'));
    blobs = new FsBlobStore({ root: dir });
    // What the photo jobs store: a thumbnail of every photo and the crop of every person's best face.
    for (const photo of album.photos) {
      const bytes = await loadFixtureImage(path.join(albumDir, photo.path));
      await blobs.put(thumbKey(TENANT, photo.sha256), await toJpeg(bytes, 1280), JPEG);
      for (const person of album.people.filter((p) => p.representative.photo === photo.path)) {
        const crop = await faceCrop(bytes, person.representative.box);
        await blobs.put(faceKey(TENANT, photo.sha256, person.representative.faceIndex), crop, JPEG);
      }
    }
    const unnamed = album.people.filter((p) => p.name === null);
    const named = album.people.filter((p) => p.name !== null);
    people = [
      ...named.map((p, i) => ({ id: p.id, handle: i + 1 })),
      ...unnamed.map((p, i) => ({ id: p.id, handle: i + 7 })),
    ];
  }, 180_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports the people in handle order with their photos, faces, failures and whom to ask', async () => {
    const report = await albumReport(blobs, {
      tenant: TENANT,
      result: album,
      people,
      localFailures: [{ path: 'photo 30', code: 'FILE_TOO_LARGE', message: 'over 20 MB' }],
    });
    expect(report.photos).toBe(album.photos.length);
    // obama-480p.jpg repeats obama.jpg.
    expect(report.distinctPhotos).toBe(album.photos.length - 1);
    expect(report.people.map((p) => p.handle)).toEqual(
      [...people.map((p) => p.handle)].sort((a, b) => a - b),
    );
    const obama = report.people.find((p) => p.id === personIdOf(album, 'Barack Obama'))!;
    expect(obama.name).toBe('Barack Obama');
    expect(obama.photos).toContain(OBAMA);
    expect(obama.photos).toContain(OBAMA_480);
    for (const p of report.people) expect(await blobs.get(p.faceKey!)).not.toBeNull();
    // The walk's photos have no faces.
    for (const photo of TRIP) expect(report.nobody).toContain(photo);
    expect(report.failures).toEqual([
      {
        path: 'chat/voice-note.ogg',
        code: 'UNSUPPORTED_FORMAT',
        reason: 'this image format is not supported',
        message: 'not an image',
      },
      { path: 'photo 30', code: 'FILE_TOO_LARGE', reason: 'over 20 MB', message: 'over 20 MB' },
    ]);
    // Named people are never asked about; the unnamed ones are asked by their handles.
    expect(report.ask.length).toBeGreaterThan(0);
    for (const ask of report.ask) {
      expect(album.people.find((p) => p.id === ask.id)?.name).toBeNull();
      expect(ask.handle).toBe(handleOf(ask.id));
    }
    // One tile per person, four to a row.
    const sheet = await sharp(report.sheet!).metadata();
    expect(sheet.format).toBe('jpeg');
    expect(sheet.width).toBe(12 + Math.min(4, report.people.length) * (160 + 12));
  });

  it('writes the post calling unnamed people by their handle, as the chat does, in English and German', async () => {
    const unnamed = people.filter((p) => album.people.find((a) => a.id === p.id)?.name === null);
    for (const language of ['en', 'de']) {
      const { post, facts, notice } = await writeAlbumPost(
        { writer: null, blobs, language, log: () => undefined },
        { tenant: TENANT, result: album, people, messageTimes: MESSAGE_TIMES },
      );
      expect(notice).toBeNull();
      expect(facts.language).toBe(language);
      const text = JSON.stringify(post);
      for (const p of unnamed) {
        expect(facts.people.map((f) => f.label)).toContain(`#${p.handle}`);
        expect(text).not.toContain(`Person ${p.handle}`);
      }
      // The closing asks the chat to name them with their handles.
      expect(post.closing).toContain(`#${unnamed[0]!.handle}`);
      expect(post.closing).toContain('/name');
      expect(text).toContain('Barack Obama');
    }
  });

  it('shows the model at most 20 small photos, best of each burst, and falls back when it invents someone', async () => {
    const requests: TextWriterRequest[] = [];
    const writer: TextWriter = {
      write(request) {
        requests.push(request);
        // "#99" is nobody of this chat's album: the answer must be rejected.
        return Promise.resolve({
          model: 'test',
          output: {
            title: 'An album',
            intro: '#99 came along.',
            sections: [{ heading: 'A day', text: 'A walk.', photos: ['p1'], people: [], captions: [] }],
            closing: 'The end.',
          },
        });
      },
    };
    const logs: string[] = [];
    const { post, facts, notice } = await writeAlbumPost(
      { writer, blobs, log: (line) => logs.push(line) },
      { tenant: TENANT, result: album, people, messageTimes: MESSAGE_TIMES },
    );
    expect(requests).toHaveLength(2);
    const images = requests[0]!.images;
    // Every thumbnail is stored, so the model sees the first 20 best-of-burst photos in time order.
    const best = facts.photos.filter((p) => p.bestOfBurst === p.id).map((p) => p.id);
    expect(images.map((i) => i.id)).toEqual(best.slice(0, MODEL_IMAGES));
    for (const image of images) {
      const photo = facts.photos.find((p) => p.id === image.id)!;
      expect(photo.bestOfBurst).toBe(photo.id);
      const meta = await sharp(Buffer.from(image.base64, 'base64')).metadata();
      expect(meta.format).toBe('jpeg');
      expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(512);
    }
    expect(requests[0]!.text).toContain(`"#${people.at(-1)!.handle}"`);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/rejected: .*"#99", who is not in the facts/);
    expect(post.writer).toBe('offline');
    expect(notice).toMatch(/written offline/);
  });

  it('never shows the model more than 20 photos', () => {
    const burstless = Array.from({ length: 30 }, (_, i) => ({ id: `p${i + 1}`, bestOfBurst: `p${i + 1}` }));
    let taken = 0;
    for (const photo of burstless) if (wantsModelImage(photo, taken)) taken++;
    expect(taken).toBe(MODEL_IMAGES);
    expect(wantsModelImage({ id: 'p2', bestOfBurst: 'p1' }, 0)).toBe(false);
  });
});
