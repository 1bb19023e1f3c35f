import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
