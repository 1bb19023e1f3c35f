import { describe, expect, it } from 'vitest';

import { AppError, ErrorCode } from '../src/core/errors.js';

describe('AppError', () => {
  it('marks bad input as permanent', () => {
    expect(new AppError(ErrorCode.CorruptImage, 'x').permanent).toBe(true);
    expect(new AppError(ErrorCode.Io, 'x').permanent).toBe(false);
  });
});
