import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AlbumResult } from '../../src/core/album.js';
import { fixture } from '../support/fixtures.js';
import { runCli } from '../support/run-cli.js';

/**
 * The main job end to end: a folder of real photos (JPEG, PNG, HEIC, a repeat, a corrupt and an empty
 * file, a note) through the real CLI and the real models.
 */
const ALBUM: Record<string, string> = {
  'day1/obama.jpg': 'face_recognition/examples/obama.jpg',
  'day1/obama2.jpg': 'face_recognition/examples/obama2.jpg',
  'day1/biden.jpg': 'face_recognition/examples/biden.jpg',
  'day2/obama_and_biden.jpg': 'face_recognition/examples/knn_examples/test/obama_and_biden.jpg',
  'day2/obama-480p.jpg': 'face_recognition/examples/obama-480p.jpg',
  'day2/obama-720p.jpg': 'face_recognition/examples/obama-720p.jpg',
  'day2/lin.png': 'face_recognition/examples/lin-manuel-miranda.png',
  'phone/bothie.heic': 'heic/nokiatech/bothie_1440x960.heic',
  'phone/walk.jpg': 'exif/gps/DSCN0010.jpg',
};

describe('faceblog album', () => {
  let dir: string;
  let album: AlbumResult;
  let stderr: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-album-'));
    const src = path.join(dir, 'album');
    for (const [to, from] of Object.entries(ALBUM)) {
      await mkdir(path.dirname(path.join(src, to)), { recursive: true });
      await copyFile(fixture(from), path.join(src, to));
    }
    const jpeg = await readFile(fixture('face_recognition/examples/obama.jpg'));
    await writeFile(path.join(src, 'day1/broken.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 3)));
    await writeFile(path.join(src, 'day1/empty.png'), new Uint8Array(0));
    await writeFile(path.join(src, 'day1/notes.txt'), 'not a photo');
    const run = await runCli(['album', src, '--out', path.join(dir, 'out')]);
    stderr = run.stderr;
    expect(run.code, run.stderr).toBe(0);
    album = JSON.parse(await readFile(path.join(dir, 'out/album.json'), 'utf8')) as AlbumResult;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const photo = (p: string) => {
    const found = album.photos.find((x) => x.path === p);
    if (!found) throw new Error(`${p} missing from album.json`);
    return found;
  };

  it('says which model pack it uses', () => {
    expect(stderr).toMatch(/using model pack '\w+'/);
    expect(album.pack).toBe('local');
  });

  it('reports bad files and goes on with the rest', () => {
    expect(album.failures.map((f) => [f.path, f.code])).toEqual([
      ['day1/broken.jpg', 'CORRUPT_IMAGE'],
      ['day1/empty.png', 'EMPTY_FILE'],
    ]);
    for (const f of album.failures) expect(f.message.length).toBeGreaterThan(10);
    expect(album.photos).toHaveLength(Object.keys(ALBUM).length);
  });

  it('finds the faces, with boxes in original pixels', () => {
    expect(photo('day1/obama.jpg').faces).toHaveLength(1);
    // Obama, Biden, and a third person in the background.
    expect(photo('day2/obama_and_biden.jpg').faces.length).toBeGreaterThanOrEqual(2);
    expect(photo('phone/walk.jpg').faces.filter((f) => f.personId)).toHaveLength(0);
    const heic = photo('phone/bothie.heic');
    expect([heic.width, heic.height]).toEqual([1440, 960]);
    expect(heic.faces.length).toBeGreaterThanOrEqual(1);
    for (const p of album.photos) {
      for (const { box } of p.faces) {
        expect(box[0]).toBeGreaterThanOrEqual(0);
        expect(box[1]).toBeGreaterThanOrEqual(0);
        expect(box[0] + box[2]).toBeLessThanOrEqual(p.width + 1);
        expect(box[1] + box[3]).toBeLessThanOrEqual(p.height + 1);
      }
    }
  });

  it('groups the same person and keeps different people apart', () => {
    const obama = photo('day1/obama.jpg').faces[0]!.personId;
    const biden = photo('day1/biden.jpg').faces[0]!.personId;
    expect(obama).toBeTruthy();
    expect(biden).toBeTruthy();
    expect(obama).not.toBe(biden);
    expect(photo('day1/obama2.jpg').faces[0]!.personId).toBe(obama);
    expect(photo('day2/obama-720p.jpg').faces[0]!.personId).toBe(obama);
    const together = photo('day2/obama_and_biden.jpg').faces.map((f) => f.personId);
    expect(together).toEqual(expect.arrayContaining([obama, biden]));
    expect(new Set(together).size).toBe(together.length);
    expect(photo('day2/lin.png').faces[0]!.personId).not.toBe(obama);
    const person = album.people.find((p) => p.id === obama)!;
    expect(person.photos).toEqual(
      expect.arrayContaining(['day1/obama.jpg', 'day1/obama2.jpg', 'day2/obama_and_biden.jpg']),
    );
    expect(person.photos).not.toContain('day1/biden.jpg');
  });

  it('marks repeats and reads EXIF time and GPS', () => {
    expect(photo('day2/obama-480p.jpg').duplicateOf ?? photo('day2/obama-720p.jpg').duplicateOf).toBeTruthy();
    const walk = photo('phone/walk.jpg');
    expect(walk.takenAt).toMatch(/^2008-10-22T16:/);
    expect(walk.gps?.lat).toBeCloseTo(43.46, 1);
    expect(walk.gps?.lon).toBeCloseTo(11.88, 1);
  });

  it('writes the summary and the blog next to album.json', async () => {
    const summary = await readFile(path.join(dir, 'out/summary.md'), 'utf8');
    expect(summary).toContain('day1/broken.jpg');
    const blog = await readFile(path.join(dir, 'out/blog.md'), 'utf8');
    expect(blog).toMatch(/Arezzo/);
    const html = await readFile(path.join(dir, 'out/index.html'), 'utf8');
    expect(html).toContain('<html');
  });
});

describe('faceblog faces --json', () => {
  it('prints faces with embeddings that match across photos of one person', async () => {
    const files = ['obama.jpg', 'obama2.jpg', 'biden.jpg'].map((f) =>
      fixture('face_recognition/examples', f),
    );
    const run = await runCli(['faces', ...files, fixture('dlib/dogs.jpg'), '/nonexistent.jpg', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      pack: string;
      matchThreshold: number;
      images: Array<{ path: string; faces: Array<{ embedding: number[]; box: number[] }>; error: unknown }>;
    };
    expect(doc.pack).toBe('local');
    const [a, b, c, dogs, missing] = doc.images;
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    const ea = a!.faces[0]!.embedding;
    expect(cos(ea, b!.faces[0]!.embedding)).toBeGreaterThanOrEqual(doc.matchThreshold);
    expect(cos(ea, c!.faces[0]!.embedding)).toBeLessThan(doc.matchThreshold);
    expect(dogs!.faces).toHaveLength(0);
    expect(missing!.error).toMatchObject({ code: expect.any(String) as string });
  });
});

describe('faceblog album on a wrong folder', () => {
  it('says so in one line, before any model loads', async () => {
    const missing = await runCli(['album', '/nonexistent-album-folder']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no album folder at /nonexistent-album-folder (BAD_ARGUMENTS)');
    expect(missing.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const empty = await mkdtemp(path.join(os.tmpdir(), 'faceblog-empty-album-'));
    try {
      const none = await runCli(['album', empty]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`no photos found in ${empty}`);
      expect(none.stderr).not.toContain('using model pack'); // the models were never opened
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
