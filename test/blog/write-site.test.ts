import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import { faceCrop, loadWithSharp } from '../../src/blog/images.js';
import { writeAlbumSite, type WrittenSite } from '../../src/blog/write-site.js';
import type { AlbumResult } from '../../src/core/album.js';
import { TextWriterError, type TextWriter, type TextWriterRequest } from '../../src/ports/text-writer.js';
import { fixture, hasFixtures, repoRoot } from '../support/fixtures.js';
import { albumDir, buildFixtureAlbum, HEIC, loadFixtureImage, MESSAGE_TIMES } from './album-fixture.js';

const outDir = path.join(repoRoot, 'test-output', 'blog-site');
const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!hasFixtures())('writeAlbumSite', () => {
  let album: AlbumResult;
  let site: WrittenSite;

  beforeAll(async () => {
    album = await buildFixtureAlbum();
    await rm(outDir, { recursive: true, force: true });
    site = await writeAlbumSite(album, {
      albumDir,
      outDir,
      loadImage: loadFixtureImage,
      messageTimes: MESSAGE_TIMES,
      now: new Date('2026-01-02T00:00:00Z'),
    });
  });

  it('writes blog.md, index.html, the contact sheet, face crops and web JPEGs of every photo', () => {
    const rel = site.files.map((f) => path.relative(outDir, f)).sort();
    expect(rel).toContain('blog.md');
    expect(rel).toContain('index.html');
    expect(rel).toContain('contact-sheet.jpg');
    expect(rel.filter((f) => f.startsWith('faces/'))).toEqual([
      'faces/person-1.jpg',
      'faces/person-2.jpg',
      'faces/person-3.jpg',
      'faces/person-4.jpg',
    ]);
    expect(rel.filter((f) => f.startsWith('thumbs/'))).toHaveLength(album.photos.length);
    expect(site.notice).toBeUndefined();
    expect(site.post.writer).toBe('offline');
  });

  it('converts the HEIC photo to an upright JPEG (libheif applies the rotation)', async () => {
    const id = site.facts.photos.find((p) => p.path === HEIC)!.id;
    const meta = await sharp(path.join(outDir, `thumbs/${id}.jpg`)).metadata();
    expect(meta.format).toBe('jpeg');
    // IMG_5195.HEIC is a portrait shot of a flower: taller than wide once upright.
    expect(meta.height).toBe(1600);
    expect(meta.width).toBeLessThan(meta.height);
  });

  it('crops each person from their best face and lays out the contact sheet', async () => {
    const face = await sharp(path.join(outDir, 'faces/person-1.jpg')).metadata();
    expect([face.width, face.height]).toEqual([256, 256]);
    const sheet = await sharp(path.join(outDir, 'contact-sheet.jpg')).metadata();
    // 4 people in one row: 12 + 4 × (160 + 12) wide, 12 + 160 + 36 + 12 high.
    expect([sheet.width, sheet.height]).toEqual([700, 220]);
    // The crop of a real detection is mostly face: skin tones dominate its centre.
    const { channels } = await sharp(path.join(outDir, 'faces/person-1.jpg'))
      .extract({ left: 64, top: 64, width: 128, height: 128 })
      .stats();
    expect(channels[0]!.mean).toBeGreaterThan(channels[2]!.mean * 1.1);
  });

  it('links only files that exist, and the Markdown names the places', async () => {
    const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
    const srcs = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs.length).toBeGreaterThan(10);
    for (const src of srcs) expect(existsSync(path.join(outDir, src)), src).toBe(true);
    const md = await readFile(path.join(outDir, 'blog.md'), 'utf8');
    expect(md).toMatch(/Arezzo/);
    expect(md).toMatch(/\]\(thumbs\/p1\.jpg\)/);
  });

  it('tells the user when the model failed and the post was written offline', async () => {
    const failing: TextWriter = {
      write: () => Promise.reject(new TextWriterError('rate-limited', '429 from the API')),
    };
    const out = path.join(repoRoot, 'test-output', 'blog-site-fallback');
    await rm(out, { recursive: true, force: true });
    const seen: TextWriterRequest[] = [];
    const spy: TextWriter = { write: (req) => (seen.push(req), failing.write(req)) };
    const result = await writeAlbumSite(album, {
      albumDir,
      outDir: out,
      writer: spy,
      loadImage: loadFixtureImage,
      messageTimes: MESSAGE_TIMES,
    });
    expect(result.post.writer).toBe('offline');
    expect(result.notice).toMatch(/rate limit/);
    // Best shots only, downscaled to 512 px JPEG for the model.
    const imgs = seen[0]!.images;
    expect(imgs.length).toBe(site.facts.photos.filter((p) => p.bestOfBurst === p.id).length);
    const small = await sharp(Buffer.from(imgs[0]!.base64, 'base64')).metadata();
    expect(Math.max(small.width, small.height)).toBe(512);
  });

  it('the default loader refuses HEIC with a coded error and reads JPEGs upright', async () => {
    await expect(loadWithSharp(fixture(HEIC))).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    const jpeg = await loadWithSharp(fixture('exif/orientation/portrait_6.jpg'));
    const meta = await sharp(jpeg).metadata();
    expect(meta.height).toBeGreaterThan(meta.width);
    await expect(faceCrop(jpeg, [0, 0, 10, 10], 64)).resolves.toBeInstanceOf(Buffer);
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'renders in headless Chromium: every image loads, no sideways scroll at 390 px',
    async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      try {
        for (const width of [390, 1200]) {
          const page = await browser.newPage({ viewport: { width, height: 844 } });
          await page.goto(pathToFileURL(path.join(outDir, 'index.html')).href, { waitUntil: 'load' });
          expect(
            new Set(
              await page.evaluate<string[]>(`[...document.images].map((i) => i.getAttribute('loading'))`),
            ),
          ).toEqual(new Set(['lazy']));
          // The page loads photos lazily; make them eager so that every one is fetched and checked.
          // Browser-side code as strings: the test tsconfig has no DOM lib.
          await page.evaluate(`for (const img of document.images) img.loading = 'eager'`);
          await page.waitForFunction(`[...document.images].every((img) => img.complete)`);
          await page.screenshot({
            path: path.join(repoRoot, 'test-output', `blog-site-${width}.png`),
            fullPage: true,
          });
          const images = await page.evaluate<{ src: string | null; ok: boolean }[]>(
            `[...document.images].map((img) => ({ src: img.getAttribute('src'), ok: img.naturalWidth > 0 }))`,
          );
          expect(images.filter((i) => !i.ok)).toEqual([]);
          expect(images.filter((i) => i.src?.startsWith('faces/'))).toHaveLength(4);
          expect(images.length).toBeGreaterThan(10);
          const scroll = await page.evaluate<{ doc: number; view: number }>(
            `({ doc: document.documentElement.scrollWidth, view: window.innerWidth })`,
          );
          expect(scroll.doc).toBeLessThanOrEqual(scroll.view);

          // Title and description come from the post.
          expect(await page.title()).toBe(site.post.title);
          expect(
            await page.evaluate<string | null>(`document.querySelector('meta[name=description]').content`),
          ).toBe(site.post.intro.slice(0, 200));

          // The face filter: a person's face shows only the photos they are in; "Everyone" shows all.
          const visible = `[...document.querySelectorAll('article figure')].filter((f) => f.offsetParent !== null).map((f) => f.id)`;
          const all = await page.evaluate<string[]>(visible);
          const obama = site.facts.people.find((p) => p.label === 'Barack Obama')!;
          const hisShots = [
            ...new Set(obama.photoIds.map((id) => site.facts.photos.find((p) => p.id === id)!.bestOfBurst)),
          ];
          await page.click(`button.face[data-person="${obama.id}"]`);
          const filtered = await page.evaluate<string[]>(visible);
          expect(filtered.sort()).toEqual([...hisShots].sort());
          expect(filtered.length).toBeLessThan(all.length);
          expect(await page.evaluate<string>('location.hash')).toBe(`#person-${obama.id}`);
          // Sections with none of his photos are hidden with them.
          expect(
            await page.evaluate<number>(
              `[...document.querySelectorAll('article section')].filter((s) => !s.hidden).length`,
            ),
          ).toBeLessThan(site.post.sections.length);
          await page.click('button.face.all');
          expect((await page.evaluate<string[]>(visible)).length).toBe(all.length);
          // A name under a photo filters by that person too, and the filter survives a reload.
          await page.click(`figure .who a[data-person="${obama.id}"]`);
          expect((await page.evaluate<string[]>(visible)).sort()).toEqual([...hisShots].sort());
          await page.reload({ waitUntil: 'load' });
          expect((await page.evaluate<string[]>(visible)).sort()).toEqual([...hisShots].sort());
          await page.click('button.face.all');

          // Near-duplicates are folded under their best shot.
          expect(
            await page.evaluate<number>(`document.querySelectorAll('figure details.burst img').length`),
          ).toBe(1);
          // A photo opens large.
          await page.click('article figure a.open');
          expect(await page.evaluate<boolean>(`document.getElementById('large').open`)).toBe(true);
          const large = await page.evaluate<{ src: string; w: number }>(
            `new Promise((r) => { const i = document.querySelector('#large img'); const done = () => r({ src: i.getAttribute('src'), w: i.naturalWidth }); i.complete ? done() : i.onload = done; })`,
          );
          expect(large.src).toMatch(/^thumbs\/p\d+\.jpg$/);
          expect(large.w).toBeGreaterThan(0);
          const wide = await page.evaluate<{ doc: number; view: number }>(
            `({ doc: document.documentElement.scrollWidth, view: window.innerWidth })`,
          );
          expect(wide.doc).toBeLessThanOrEqual(wide.view);
          await page.close();
        }
      } finally {
        await browser.close();
      }
    },
  );
});
