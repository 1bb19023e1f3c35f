import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import AdmZip from 'adm-zip';

import type { Manifest, ModelFile } from '../../src/core/manifest.js';
import { loadManifestFile, manifestPath } from '../../src/models/paths.js';
import { repoRoot } from '../support/fixtures.js';

export function realManifest(): Promise<Manifest> {
  return loadManifestFile(manifestPath(repoRoot));
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Fresh temporary folders, removed by `cleanup`. */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(prefix: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), `faceblog-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** Bytes that stand in for model files in the download tests (the code only hashes them). */
export const blobs = {
  zipDetector: randomBytes(40_000),
  zipRecognizer: randomBytes(70_000),
  plain: randomBytes(300_000),
};

/**
 * A local HTTP server on 127.0.0.1: a zip with two members (one nested in a folder, as some release
 * zips do), a plain file, a redirect, a 404 and a download that stalls after its first bytes.
 */
export interface ModelServer {
  readonly base: string;
  /** Requests per path, to prove a zip is fetched once. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startModelServer(): Promise<ModelServer> {
  const zip = new AdmZip();
  zip.addFile('det_fake.onnx', blobs.zipDetector);
  zip.addFile('pack/rec_fake.onnx', blobs.zipRecognizer);
  const zipBytes = zip.toBuffer();
  const hits = new Map<string, number>();

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (url === '/pack.zip') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zipBytes.length });
      res.end(zipBytes);
    } else if (url === '/plain.onnx') {
      res.writeHead(200, { 'content-length': blobs.plain.length });
      res.end(blobs.plain);
    } else if (url === '/moved.onnx') {
      res.writeHead(302, { location: '/plain.onnx' });
      res.end();
    } else if (url === '/stall.onnx') {
      res.writeHead(200, { 'content-length': blobs.plain.length });
      res.write(blobs.plain.subarray(0, 1000));
    } else {
      res.writeHead(404);
      res.end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

type Overrides = Pick<ModelFile, 'file' | 'url' | 'sha256' | 'size'> & { archiveMember?: string };

/** A detector entry of the real manifest with another file, URL and hash. */
export function fakeDetector(manifest: Manifest, o: Overrides): Extract<ModelFile, { kind: 'detector' }> {
  const base = manifest.files.det_500m;
  if (base?.kind !== 'detector') throw new Error('the manifest lost det_500m');
  return { ...base, archiveMember: undefined, ...o };
}

/** A recognizer entry of the real manifest with another file, URL and hash. */
export function fakeRecognizer(manifest: Manifest, o: Overrides): Extract<ModelFile, { kind: 'recognizer' }> {
  const base = manifest.files.mobilefacenet_128d;
  if (base?.kind !== 'recognizer') throw new Error('the manifest lost mobilefacenet_128d');
  return { ...base, ...o };
}

/** A pack of the real manifest's shape over the given files. */
export function fakePack(
  manifest: Manifest,
  detector: string,
  recognizers: string[],
  rank: number,
): Manifest['packs'][string] {
  const base = manifest.packs.local;
  if (!base) throw new Error('the manifest lost the local pack');
  return {
    ...base,
    description: 'test pack',
    rank,
    detector,
    fallbackDetector: null,
    recognizers: recognizers.map((model) => ({ model, weight: 1 })),
  };
}
