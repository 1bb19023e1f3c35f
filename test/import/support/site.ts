/**
 * A small photo site on 127.0.0.1 for import tests: nested pages, a robots.txt, real fixture photos, a
 * tiny icon, and redirects to another loopback server and to the cloud metadata address.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import sharp from 'sharp';

import { fixture } from '../../support/fixtures.js';

export const PHOTOS = {
  obama: 'face_recognition/examples/obama.jpg',
  obama2: 'face_recognition/examples/obama2.jpg',
  biden: 'face_recognition/examples/biden.jpg',
  kit: 'face_recognition/examples/knn_examples/train/kit_harington/john1.jpeg',
  rose: 'face_recognition/examples/knn_examples/train/rose_leslie/img1.jpg',
  secret: 'face_recognition/examples/knn_examples/train/biden/biden2.jpg',
} as const;

export interface Site {
  readonly origin: string;
  readonly port: number;
  /** Another loopback server: what a redirect to 127.0.0.1 reaches. */
  readonly otherPort: number;
  /** Paths requested, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export async function startSite(): Promise<Site> {
  const photos = Object.fromEntries(
    await Promise.all(Object.entries(PHOTOS).map(async ([k, p]) => [k, await readFile(fixture(p))] as const)),
  ) as Record<keyof typeof PHOTOS, Buffer>;
  // A 32×32 icon: real PNG bytes, far below any face-sized photo.
  const icon = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  const requests: string[] = [];
  const other = await listen((req, res) => {
    requests.push(`other:${req.url ?? ''}`);
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photos.secret);
  });
  const otherPort = (other.address() as AddressInfo).port;
  const html = (body: string) => `<!doctype html><html><head>${body}</body></html>`;
  const pages: Record<string, string> = {
    '/': html(`<title>Trip</title><meta property="og:image" content="/img/kit.jpg">
      <base href="/"></head><body>
      <!-- <img src="/img/commented-out.jpg"> -->
      <script>document.write('<img src="/img/scripted.jpg">')</script>
      <img src="img/obama.jpg" alt="">
      <img src="/img/icon.png" width="32">
      <picture><source srcset="/img/biden.jpg 2x, /img/icon.png 1x"><img src="/img/icon.png"></picture>
      <img src="/to-loopback">
      <img src="/to-metadata">
      <a href="/gallery/page2.html#top">more</a>
      <a href="/private/hidden.html">hidden</a>
      <a href="http://example.invalid/elsewhere.html">elsewhere</a>`),
    '/gallery/page2.html': html(`</head><body><img srcset="/img/obama2.jpg 640w">
      <a href="/gallery/page3.html">even more</a>`),
    '/gallery/page3.html': html(`</head><body><img src="/img/rose.jpg">`),
    '/private/hidden.html': html(`</head><body><img src="/img/rose.jpg">`),
  };
  const images: Record<string, Buffer> = {
    '/img/obama.jpg': photos.obama,
    '/img/obama2.jpg': photos.obama2,
    '/img/biden.jpg': photos.biden,
    '/img/kit.jpg': photos.kit,
    '/img/rose.jpg': photos.rose,
    '/img/icon.png': icon,
  };
  const server = await listen((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    if (path === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private/\n');
    } else if (path === '/to-loopback') {
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/secret.jpg` }).end();
    } else if (path === '/to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    } else if (pages[path] !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pages[path]);
    } else if (images[path]) {
      res
        .writeHead(200, { 'content-type': path.endsWith('.png') ? 'image/png' : 'image/jpeg' })
        .end(images[path]);
    } else {
      res.writeHead(404).end();
    }
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    otherPort,
    requests,
    async close() {
      for (const s of [server, other]) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
    },
  };
}
