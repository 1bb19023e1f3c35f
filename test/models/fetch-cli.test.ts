import { execFile } from 'node:child_process';
import { readFile, stat, symlink } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { mirrorDir, repoRoot } from '../support/fixtures.js';
import { TempDirs } from './support.js';

const temp = new TempDirs();
afterEach(async () => {
  await temp.cleanup();
});

interface Run {
  code: number;
  stderr: string;
}

/** Runs the entry point behind `npm run models` from source, with only the variables given. */
function runCli(env: Record<string, string>): Promise<Run> {
  const keep = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('FACEBLOG_')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'src/models/fetch-cli.ts')],
      { cwd: repoRoot, env: { ...keep, ...env }, timeout: 60_000 },
      (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
      },
    );
  });
}

describe('npm run models (fetch-cli)', () => {
  it('offline with the mirror: picks local, copies it, says why and saves the choice', async () => {
    const modelsDir = await temp.make('models');
    const run = await runCli({
      FACEBLOG_MODELS_DIR: modelsDir,
      FACEBLOG_MODEL_MIRROR: mirrorDir,
      FACEBLOG_OFFLINE: '1',
    });
    expect(run.stderr).toContain("faceblog: using model pack 'local' (default pack buffalo_s is not in");
    expect(run.stderr).toContain('local is the best complete pack there');
    expect(run.stderr).toContain("model pack 'local' is ready");
    expect(run.code).toBe(0);
    const saved = JSON.parse(await readFile(path.join(modelsDir, 'selected-pack.json'), 'utf8')) as {
      pack: string;
    };
    expect(saved.pack).toBe('local');
    // The scene-object detector comes from the mirror beside the pack.
    expect((await stat(path.join(modelsDir, 'centernet_coco80.onnx'))).size).toBe(8161989);
  });

  it('goes on without the scene-object detector when the mirror lacks it', async () => {
    const modelsDir = await temp.make('models');
    const partial = await temp.make('mirror');
    for (const f of [
      'det_500m.onnx',
      'face_detection_yunet_2026may.onnx',
      'face_reid_retail_0095_256d.onnx',
      'mobilefacenet_tf_192d.onnx',
    ])
      await symlink(path.join(mirrorDir, f), path.join(partial, f));
    const run = await runCli({
      FACEBLOG_MODELS_DIR: modelsDir,
      FACEBLOG_MODEL_MIRROR: partial,
      FACEBLOG_OFFLINE: '1',
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('no scene-object detector, posts will not mention objects');
    expect(run.stderr).toContain("model pack 'local' is ready");
  });

  it('fails clearly on an unknown FACEBLOG_MODEL_PACK', async () => {
    const modelsDir = await temp.make('models');
    const run = await runCli({ FACEBLOG_MODELS_DIR: modelsDir, FACEBLOG_MODEL_PACK: 'nope' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[UNKNOWN_MODEL_PACK]');
    for (const pack of ['buffalo_s', 'buffalo_l', 'opencv', 'local']) expect(run.stderr).toContain(pack);
  });

  it('offline, a pack that needs downloads fails naming the files, their hashes and the mirror', async () => {
    const modelsDir = await temp.make('models');
    const run = await runCli({
      FACEBLOG_MODELS_DIR: modelsDir,
      FACEBLOG_MODEL_MIRROR: mirrorDir,
      FACEBLOG_MODEL_PACK: 'buffalo_s',
      FACEBLOG_OFFLINE: '1',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[MODEL_MISSING]');
    expect(run.stderr).toContain('w600k_mbf.onnx');
    expect(run.stderr).toContain('9cc6e4a75f0e2bf0b1aed94578f144d15175f357bdc05e815e5c4a02b319eb4f');
    expect(run.stderr).toContain('face_detection_yunet_2023mar.onnx');
    expect(run.stderr).toContain('FACEBLOG_OFFLINE=1 forbids downloading');
    expect(run.stderr).not.toContain('det_500m.onnx (');
  });
});
