import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { cosine } from '../../src/pipeline/embed.js';
import { inProcessAnalyzer } from '../../src/pipeline/analyze-photo.js';
import type { PhotoAnalyzer } from '../../src/ports/photo-analyzer.js';
import { createAnalyzerPool } from '../../src/runtime/analyzer-pool.js';
import { fixture } from '../support/fixtures.js';
import { loadTestPack, testModelsDir } from '../support/models.js';

describe('analyzer pool (worker threads)', () => {
  let pool: PhotoAnalyzer;
  beforeAll(async () => {
    const { pack } = await loadTestPack();
    pool = await createAnalyzerPool({ pack, modelsDir: testModelsDir(), threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('gives the same faces as the pipeline in this thread', async () => {
    const bytes = new Uint8Array(
      await readFile(fixture('face_recognition/examples/knn_examples/test/obama_and_biden.jpg')),
    );
    const local = await inProcessAnalyzer(await loadTestPack()).analyze(bytes);
    const [a, b] = await Promise.all([pool.analyze(bytes), pool.analyze(bytes)]);
    for (const remote of [a, b]) {
      expect(remote.photo.sha256).toBe(local.photo.sha256);
      expect(remote.faces).toHaveLength(local.faces.length);
      remote.faces.forEach((face, i) => {
        expect(face.box).toEqual(local.faces[i]!.box);
        expect(cosine(face.embedding, local.faces[i]!.embedding)).toBeCloseTo(1, 5);
      });
    }
  });

  it('renders a JPEG crop per face and a thumbnail when asked, and nothing when not', async () => {
    const bytes = new Uint8Array(
      await readFile(fixture('face_recognition/examples/knn_examples/test/obama_and_biden.jpg')),
    );
    const [plain, rendered] = await Promise.all([
      pool.analyze(bytes),
      pool.analyze(bytes, { renders: true }),
    ]);
    expect(plain.renders).toBeUndefined();
    const renders = rendered.renders!;
    expect(renders.crops).toHaveLength(rendered.faces.length);
    // JPEG's SOI marker, FF D8.
    for (const jpeg of [...renders.crops, renders.thumb])
      expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
  });

  it('fails to start, with the load error, when the models are missing', async () => {
    const { pack } = await loadTestPack();
    await expect(
      createAnalyzerPool({ pack, modelsDir: path.join(os.tmpdir(), 'faceblog-no-models'), threads: 1 }),
    ).rejects.toMatchObject({ name: 'AppError', code: 'MODEL_MISSING' });
  });

  it('fails the photos of a thread that dies, and replaces the thread', async () => {
    const { pack } = await loadTestPack();
    const single = await createAnalyzerPool({ pack, modelsDir: testModelsDir(), threads: 1 });
    // A native crash cannot be provoked on purpose: the photo's message is swapped for the thread's
    // close message, so the thread ends (after releasing its models) with the photo still pending.
    const send = vi.spyOn(Worker.prototype, 'postMessage').mockImplementationOnce(function (this: Worker) {
      send.mockRestore();
      this.postMessage({ kind: 'close' });
    });
    try {
      const bytes = new Uint8Array(await readFile(fixture('face_recognition/examples/biden.jpg')));
      await expect(single.analyze(bytes)).rejects.toMatchObject({ name: 'AppError', code: 'INTERNAL' });
      send.mockRestore();
      expect((await single.analyze(bytes)).faces).toHaveLength(1);
    } finally {
      send.mockRestore();
      await single.close();
    }
  });

  it('returns a bad photo as an AppError with its code and keeps working', async () => {
    await expect(pool.analyze(new TextEncoder().encode('not a photo'))).rejects.toMatchObject({
      name: 'AppError',
      code: 'UNSUPPORTED_FORMAT',
    });
    const ok = await pool.analyze(
      new Uint8Array(await readFile(fixture('face_recognition/examples/biden.jpg'))),
    );
    expect(ok.faces).toHaveLength(1);
  });
});
