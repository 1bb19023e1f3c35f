import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { createLogger } from '../../src/ops/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON with tenant and job ids and redacts keys, tokens and embeddings', () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination, base: { service: 'worker' } });
    const job = log.child({ tenant: 'tg-1', jobId: 'photo_tg-1_a_ff' });
    job.info(
      {
        apiKey: 'fbk_0123456789abcdef_secret',
        token: '123456:ABC-bot-token',
        embedding: [0.0123456789, -0.0987654321],
        face: { vector: [0.5, 0.25], quality: 0.9 },
        req: { headers: { authorization: 'Bearer fbk_x_y', 'x-api-key': 'fbk_x_z' } },
        s3: { secretKey: 'minio-secret' },
      },
      'photo indexed',
    );
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'info',
      service: 'worker',
      tenant: 'tg-1',
      jobId: 'photo_tg-1_a_ff',
      msg: 'photo indexed',
    });
    expect(line.face).toEqual({ vector: '[redacted]', quality: 0.9 });
    for (const secret of ['fbk_', 'bot-token', '0.0123456789', 'minio-secret', '0.25']) {
      expect(lines[0]).not.toContain(secret);
    }
  });
});
