import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { AppError, ErrorCode } from '../../src/core/errors.js';
import { packFiles, resolvePack, type Manifest } from '../../src/core/manifest.js';
import { ensureModelFiles, sha256File, type ManifestFile } from '../../src/models/fetch.js';
import { mirrorDir } from '../support/fixtures.js';
import {
  blobs,
  fakeDetector,
  fakeRecognizer,
  realManifest,
  sha256,
  startModelServer,
  TempDirs,
  type ModelServer,
} from './support.js';

let manifest: Manifest;
let server: ModelServer;
const temp = new TempDirs();

beforeAll(async () => {
  manifest = await realManifest();
  server = await startModelServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await temp.cleanup();
});

/** Entries pointing at the test server: two members of one zip and a plain file. */
function served(): ManifestFile[] {
  return [
    {
      id: 'det_fake',
      ...fakeDetector(manifest, {
        file: 'det_fake.onnx',
        url: `${server.base}/pack.zip`,
        archiveMember: 'det_fake.onnx',
        sha256: sha256(blobs.zipDetector),
        size: blobs.zipDetector.length,
      }),
    },
    {
      id: 'rec_fake',
      ...fakeRecognizer(manifest, {
        file: 'rec_fake.onnx',
        url: `${server.base}/pack.zip`,
        archiveMember: 'rec_fake.onnx',
        sha256: sha256(blobs.zipRecognizer),
        size: blobs.zipRecognizer.length,
      }),
    },
    {
      id: 'plain_fake',
      ...fakeRecognizer(manifest, {
        file: 'plain_fake.onnx',
        url: `${server.base}/moved.onnx`,
        sha256: sha256(blobs.plain),
        size: blobs.plain.length,
      }),
    },
  ];
}

function collect(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('sha256File', () => {
  it('streams the same digest as hashing the bytes at once', async () => {
    const dir = await temp.make('hash');
    const file = path.join(dir, 'blob');
    await writeFile(file, blobs.plain);
    expect(await sha256File(file)).toBe(sha256(blobs.plain));
  });
});

describe('ensureModelFiles from the mirror', () => {
  it('copies the local pack from ../shared/models with verified hashes, then keeps it', async () => {
    const modelsDir = await temp.make('models');
    const files = packFiles(resolvePack(manifest, 'local'));
    const first = await ensureModelFiles(files, { modelsDir, mirrorDir, offline: true });
    expect(first.map((f) => f.source)).toEqual(files.map(() => 'mirror'));
    for (const entry of files) {
      expect(await sha256File(path.join(modelsDir, entry.file))).toBe(entry.sha256);
    }
    const again = await ensureModelFiles(files, { modelsDir, mirrorDir, offline: true });
    expect(again.map((f) => f.source)).toEqual(files.map(() => 'present'));
    expect((await readdir(modelsDir)).sort()).toEqual(files.map((f) => f.file).sort());
  });

  it('replaces a file of the wrong content in the models dir', async () => {
    const modelsDir = await temp.make('models');
    const entry = packFiles(resolvePack(manifest, 'local')).find((f) => f.id === 'yunet_2026may');
    if (!entry) throw new Error('local pack without yunet_2026may');
    await writeFile(path.join(modelsDir, entry.file), Buffer.alloc(entry.size));
    const [result] = await ensureModelFiles([entry], { modelsDir, mirrorDir, offline: true });
    expect(result?.source).toBe('mirror');
    expect(await sha256File(path.join(modelsDir, entry.file))).toBe(entry.sha256);
  });

  it('refuses a mirror file with the wrong hash, naming the file and the expected sha256', async () => {
    const [, , plain] = served();
    if (!plain) throw new Error('no plain entry');
    const modelsDir = await temp.make('models');
    const badMirror = await temp.make('mirror');
    const wrong = Buffer.from(blobs.plain);
    wrong[0] = (wrong[0] ?? 0) ^ 0xff;
    await writeFile(path.join(badMirror, plain.file), wrong);
    const error = await caught(
      ensureModelFiles([plain], { modelsDir, mirrorDir: badMirror, offline: false }),
    );
    expect(error.code).toBe(ErrorCode.ModelHashMismatch);
    expect(error.message).toContain(plain.file);
    expect(error.message).toContain(plain.sha256);
    expect(error.message).toContain(sha256(wrong));
    expect(error.message).toContain(path.basename(badMirror));
    expect(existsSync(path.join(modelsDir, plain.file))).toBe(false);
    expect(server.hits.get('/moved.onnx') ?? 0).toBe(0);
  });
});

describe('ensureModelFiles by download', () => {
  it('downloads a plain file (through a redirect) and two members of one zip, fetching the zip once', async () => {
    const modelsDir = await temp.make('models');
    const { lines, log } = collect();
    const before = server.hits.get('/pack.zip') ?? 0;
    const result = await ensureModelFiles(served(), { modelsDir, mirrorDir: null, offline: false, log });
    expect(result.map((f) => [f.id, f.source])).toEqual([
      ['det_fake', 'download'],
      ['rec_fake', 'download'],
      ['plain_fake', 'download'],
    ]);
    expect(server.hits.get('/pack.zip')).toBe(before + 1);
    expect(sha256(await readFile(path.join(modelsDir, 'det_fake.onnx')))).toBe(sha256(blobs.zipDetector));
    expect(sha256(await readFile(path.join(modelsDir, 'rec_fake.onnx')))).toBe(sha256(blobs.zipRecognizer));
    expect(sha256(await readFile(path.join(modelsDir, 'plain_fake.onnx')))).toBe(sha256(blobs.plain));
    // No temporary file or download folder is left behind.
    expect((await readdir(modelsDir)).sort()).toEqual(['det_fake.onnx', 'plain_fake.onnx', 'rec_fake.onnx']);
    expect(lines.some((l) => l.includes(`downloading ${server.base}/pack.zip`))).toBe(true);
    expect(lines.some((l) => l.includes('MB done'))).toBe(true);
  });

  it('rejects downloaded bytes whose hash differs from the manifest', async () => {
    const modelsDir = await temp.make('models');
    const [, , plain] = served();
    if (!plain) throw new Error('no plain entry');
    const expected = 'ab'.repeat(32);
    const error = await caught(
      ensureModelFiles([{ ...plain, sha256: expected }], { modelsDir, mirrorDir: null, offline: false }),
    );
    expect(error.code).toBe(ErrorCode.ModelHashMismatch);
    expect(error.message).toContain(expected);
    expect(error.message).toContain(`${server.base}/moved.onnx`);
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it('reports an HTTP error with the URL', async () => {
    const modelsDir = await temp.make('models');
    const [, , plain] = served();
    if (!plain) throw new Error('no plain entry');
    const url = `${server.base}/gone.onnx`;
    const error = await caught(
      ensureModelFiles([{ ...plain, url }], { modelsDir, mirrorDir: null, offline: false }),
    );
    expect(error.code).toBe(ErrorCode.ModelDownloadFailed);
    expect(error.message).toContain(url);
    expect(error.message).toContain('404');
  });

  it('gives up on a download that stalls', async () => {
    const modelsDir = await temp.make('models');
    const [, , plain] = served();
    if (!plain) throw new Error('no plain entry');
    const url = `${server.base}/stall.onnx`;
    const error = await caught(
      ensureModelFiles([{ ...plain, url }], { modelsDir, mirrorDir: null, offline: false, timeoutMs: 300 }),
    );
    expect(error.code).toBe(ErrorCode.ModelDownloadFailed);
    expect(error.message).toContain('no data for 300 ms');
    expect(await readdir(modelsDir)).toEqual([]);
  });

  it('offline, names every missing file, its sha256, the models dir, the mirror and the URL', async () => {
    const modelsDir = await temp.make('models');
    const emptyMirror = await temp.make('mirror');
    const files = served();
    const error = await caught(ensureModelFiles(files, { modelsDir, mirrorDir: emptyMirror, offline: true }));
    expect(error.code).toBe(ErrorCode.ModelMissing);
    for (const f of files) {
      expect(error.message).toContain(f.file);
      expect(error.message).toContain(f.sha256);
    }
    expect(error.message).toContain(path.basename(modelsDir));
    expect(error.message).toContain(path.basename(emptyMirror));
    expect(error.message).toContain(`FACEBLOG_OFFLINE=1 forbids downloading ${server.base}/pack.zip`);
  });

  it('names a file the manifest cannot download when it is in neither folder', async () => {
    const modelsDir = await temp.make('models');
    const entry = packFiles(resolvePack(manifest, 'local')).find((f) => f.url === null);
    if (!entry) throw new Error('the local pack has no mirror-only file');
    const error = await caught(ensureModelFiles([entry], { modelsDir, mirrorDir: null, offline: false }));
    expect(error.code).toBe(ErrorCode.ModelMissing);
    expect(error.message).toContain(entry.file);
    expect(error.message).toContain('no mirror');
    expect(error.message).toContain('no download URL');
  });
});
