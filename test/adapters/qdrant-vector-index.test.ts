import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { QdrantVectorIndex } from '../../src/adapters/qdrant-vector-index.js';
import type { VectorIndex } from '../../src/ports/vector-index.js';
import { describeVectorIndexContract } from './vector-index-contract.js';

const url = process.env.QDRANT_URL;

describeVectorIndexContract(
  'QdrantVectorIndex',
  () => {
    if (url === undefined) throw new Error('QDRANT_URL is not set');
    // A fresh collection per test so tests never see each other's points.
    const collection = `test_${randomBytes(6).toString('hex')}`;
    const made = new Set<number>();
    const make = (dimension: number): QdrantVectorIndex => {
      made.add(dimension);
      return new QdrantVectorIndex({ url, apiKey: process.env.QDRANT_API_KEY, dimension, collection });
    };
    return Promise.resolve({
      open: (dimension: number): Promise<VectorIndex> => Promise.resolve(make(dimension)),
      reopen: (index: VectorIndex): Promise<VectorIndex> => Promise.resolve(make(index.dimension)),
      async close() {
        const response = await Promise.all(
          [...made].map((d) =>
            fetch(`${url}/collections/${collection}_${d}`, {
              method: 'DELETE',
              headers: process.env.QDRANT_API_KEY ? { 'api-key': process.env.QDRANT_API_KEY } : {},
            }),
          ),
        );
        for (const r of response) await r.body?.cancel();
      },
    });
  },
  url === undefined ? { skip: 'set QDRANT_URL (e.g. http://127.0.0.1:6333) to run against Qdrant' } : {},
);

describe('QdrantVectorIndex without a server', () => {
  // Port 9 (discard) on loopback: nothing listens there, so any request fails fast.
  const offline = (): QdrantVectorIndex =>
    new QdrantVectorIndex({ url: 'http://127.0.0.1:9', dimension: 8, timeoutSeconds: 5 });

  it('constructs without I/O and refuses bad input before any request', async () => {
    const index = offline();
    const v = new Float32Array(8).fill(0.5);
    await expect(index.search('../x', v, { limit: 1, pack: 'p' })).rejects.toMatchObject({
      code: 'BAD_ARGUMENTS',
    });
    await expect(index.search('tg-1', new Float32Array(9), { limit: 1, pack: 'p' })).rejects.toMatchObject({
      code: 'BAD_ARGUMENTS',
    });
    await expect(index.count({ tenant: '' })).rejects.toMatchObject({ code: 'BAD_ARGUMENTS' });
  });

  it('wraps transport failures as IO_ERROR', async () => {
    await expect(offline().count({ tenant: 'tg-1' })).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});
