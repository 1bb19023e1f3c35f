import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { AppError, ErrorCode } from '../../src/core/errors.js';
import { parseManifest, type Manifest } from '../../src/core/manifest.js';
import { displayPath, SELECTED_PACK_FILE } from '../../src/models/paths.js';
import {
  readSelectedPack,
  resolveRuntimePack,
  selectPack,
  writeSelectedPack,
} from '../../src/models/select-pack.js';
import { mirrorDir } from '../support/fixtures.js';
import { fakeDetector, fakePack, fakeRecognizer, realManifest, sha256, TempDirs } from './support.js';

let manifest: Manifest;
const temp = new TempDirs();

beforeAll(async () => {
  manifest = await realManifest();
});
afterEach(async () => {
  await temp.cleanup();
});

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

/**
 * A manifest of three tiny packs (default `tiny` rank 5, `alpha` rank 1, `beta` rank 2) whose files are
 * random bytes written by `place`; nothing here is downloaded.
 */
function tinyPacks(): { manifest: Manifest; place: (dir: string, ids: string[]) => Promise<void> } {
  const bytes = {
    det_a: randomBytes(1000),
    rec_a: randomBytes(2000),
    rec_b: randomBytes(3000),
    rec_t: randomBytes(4000),
  };
  const entry = (id: keyof typeof bytes) => ({
    file: `${id}.onnx`,
    url: `https://example.invalid/${id}.onnx`,
    sha256: sha256(bytes[id]),
    size: bytes[id].length,
  });
  const tiny = parseManifest({
    version: 1,
    defaultPack: 'tiny',
    files: {
      det_a: fakeDetector(manifest, entry('det_a')),
      rec_a: fakeRecognizer(manifest, entry('rec_a')),
      rec_b: fakeRecognizer(manifest, entry('rec_b')),
      rec_t: fakeRecognizer(manifest, entry('rec_t')),
    },
    packs: {
      tiny: fakePack(manifest, 'det_a', ['rec_t'], 5),
      alpha: fakePack(manifest, 'det_a', ['rec_a'], 1),
      beta: fakePack(manifest, 'det_a', ['rec_b'], 2),
    },
  });
  const place = async (dir: string, ids: string[]) => {
    for (const id of ids) await writeFile(path.join(dir, `${id}.onnx`), bytes[id as keyof typeof bytes]);
  };
  return { manifest: tiny, place };
}

describe('selectPack', () => {
  it('takes FACEBLOG_MODEL_PACK and says so', async () => {
    const modelsDir = await temp.make('models');
    const { lines, log } = collect();
    const choice = await selectPack({
      manifest,
      modelsDir,
      mirrorDir,
      packEnv: 'opencv',
      offline: true,
      log,
    });
    expect(choice.pack.name).toBe('opencv');
    expect(choice.via).toBe('env');
    expect(lines).toEqual(["faceblog: using model pack 'opencv' (FACEBLOG_MODEL_PACK=opencv)"]);
  });

  it('rejects an unknown pack, listing the packs', async () => {
    const modelsDir = await temp.make('models');
    const error = await caught(
      selectPack({ manifest, modelsDir, mirrorDir, packEnv: 'buffalo_xl', offline: false }),
    );
    expect(error.code).toBe(ErrorCode.UnknownModelPack);
    expect(error.message).toContain('buffalo_xl');
    for (const name of Object.keys(manifest.packs)) expect(error.message).toContain(name);
  });

  it('keeps the default pack when its files are present, split over the models dir and the mirror', async () => {
    const { manifest: tiny, place } = tinyPacks();
    const modelsDir = await temp.make('models');
    const mirror = await temp.make('mirror');
    await place(modelsDir, ['det_a']);
    await place(mirror, ['rec_t', 'rec_a', 'rec_b']);
    const { lines, log } = collect();
    const choice = await selectPack({ manifest: tiny, modelsDir, mirrorDir: mirror, offline: true, log });
    expect(choice.pack.name).toBe('tiny');
    expect(choice.via).toBe('default');
    expect(lines[0]).toMatch(/^faceblog: using model pack 'tiny' \(default pack, found in /);
  });

  it('falls back to the best complete pack of the real mirror: local', async () => {
    const modelsDir = await temp.make('models');
    const { lines, log } = collect();
    const choice = await selectPack({ manifest, modelsDir, mirrorDir, offline: false, log });
    expect(choice.pack.name).toBe('local');
    expect(choice.via).toBe('mirror');
    expect(lines).toEqual([
      `faceblog: using model pack 'local' (default pack buffalo_s is not in ${displayPath(modelsDir)} ` +
        `or the mirror ${displayPath(mirrorDir)}; local is the best complete pack there)`,
    ]);
  });

  it('takes the lowest rank among complete packs and skips a pack with a wrong hash', async () => {
    const { manifest: tiny, place } = tinyPacks();
    const modelsDir = await temp.make('models');
    const mirror = await temp.make('mirror');
    await place(mirror, ['det_a', 'rec_a', 'rec_b']);
    expect(
      (await selectPack({ manifest: tiny, modelsDir, mirrorDir: mirror, offline: true })).pack.name,
    ).toBe('alpha');
    // Same size, other bytes: only the hash tells them apart.
    await writeFile(path.join(mirror, 'rec_a.onnx'), Buffer.alloc(2000));
    expect(
      (await selectPack({ manifest: tiny, modelsDir, mirrorDir: mirror, offline: true })).pack.name,
    ).toBe('beta');
  });

  it('chooses the default pack for download when nothing is complete and downloads are allowed', async () => {
    const { manifest: tiny } = tinyPacks();
    const modelsDir = await temp.make('models');
    const { lines, log } = collect();
    const choice = await selectPack({ manifest: tiny, modelsDir, mirrorDir: null, offline: false, log });
    expect(choice.pack.name).toBe('tiny');
    expect(choice.via).toBe('download');
    expect(lines[0]).toContain('det_a.onnx, rec_t.onnx not in');
  });

  it('offline with nothing complete, names the missing files and the mirror', async () => {
    const { manifest: tiny, place } = tinyPacks();
    const modelsDir = await temp.make('models');
    const mirror = await temp.make('mirror');
    await place(mirror, ['det_a']);
    const error = await caught(selectPack({ manifest: tiny, modelsDir, mirrorDir: mirror, offline: true }));
    expect(error.code).toBe(ErrorCode.NoModelPack);
    expect(error.message).toContain('rec_t.onnx');
    expect(error.message).not.toContain('det_a.onnx');
    expect(error.message).toContain(displayPath(mirror));
  });
});

describe('selected-pack.json and resolveRuntimePack', () => {
  it('uses the pack npm run models saved, and FACEBLOG_MODEL_PACK over it', async () => {
    const { manifest: tiny, place } = tinyPacks();
    const modelsDir = await temp.make('models');
    await place(modelsDir, ['det_a', 'rec_a', 'rec_b', 'rec_t']);
    const beta = await selectPack({
      manifest: tiny,
      modelsDir,
      mirrorDir: null,
      packEnv: 'beta',
      offline: true,
    });
    await writeSelectedPack(modelsDir, beta);
    expect(await readSelectedPack(modelsDir)).toBe('beta');

    const { lines, log } = collect();
    const saved = await resolveRuntimePack({ manifest: tiny, modelsDir, mirrorDir: null, log });
    expect(saved.pack.name).toBe('beta');
    expect(saved.modelsDir).toBe(modelsDir);
    expect(lines[0]).toContain(SELECTED_PACK_FILE);

    const named = await resolveRuntimePack({ manifest: tiny, modelsDir, mirrorDir: null, packEnv: 'alpha' });
    expect(named.pack.name).toBe('alpha');
  });

  it('without a saved choice, finds the local pack in the real mirror and loads from there', async () => {
    const modelsDir = await temp.make('models');
    const runtime = await resolveRuntimePack({ manifest, modelsDir, mirrorDir });
    expect(runtime.pack.name).toBe('local');
    expect(runtime.modelsDir).toBe(mirrorDir);
  });

  it('reports a saved pack whose files are gone, naming them', async () => {
    const { manifest: tiny, place } = tinyPacks();
    const modelsDir = await temp.make('models');
    await place(modelsDir, ['det_a', 'rec_t']);
    const choice = await selectPack({ manifest: tiny, modelsDir, mirrorDir: null, offline: true });
    await writeSelectedPack(modelsDir, choice);
    await writeFile(path.join(modelsDir, 'rec_t.onnx'), 'truncated');
    const error = await caught(resolveRuntimePack({ manifest: tiny, modelsDir, mirrorDir: null }));
    expect(error.code).toBe(ErrorCode.ModelMissing);
    expect(error.message).toContain('rec_t.onnx');
    expect(error.message).toContain('npm run models');
  });

  it('ignores a saved pack the manifest no longer has', async () => {
    const { manifest: tiny, place } = tinyPacks();
    const modelsDir = await temp.make('models');
    await place(modelsDir, ['det_a', 'rec_t']);
    await writeFile(path.join(modelsDir, SELECTED_PACK_FILE), JSON.stringify({ pack: 'retired' }));
    const { lines, log } = collect();
    const runtime = await resolveRuntimePack({ manifest: tiny, modelsDir, mirrorDir: null, log });
    expect(runtime.pack.name).toBe('tiny');
    expect(lines[0]).toContain('"retired"');
  });
});
