/**
 * Reading multipart forms: files into memory up to the route's limits (the multipart plugin aborts a
 * file at `fileSize` and the request at `files`), fields as strings. Nothing is stored here: a request
 * that fails half-way has written nothing.
 */
import type { FastifyRequest } from 'fastify';

import { HttpProblem } from './problem.js';

export interface UploadedForm {
  readonly files: ReadonlyArray<{
    readonly field: string;
    readonly name: string;
    readonly bytes: Uint8Array;
  }>;
  readonly fields: Readonly<Record<string, string>>;
}

export async function readForm(
  request: FastifyRequest,
  expect: {
    readonly fileFields: readonly string[];
    readonly fields: readonly string[];
    readonly maxFiles: number;
    readonly maxBytes: number;
  },
): Promise<UploadedForm> {
  const files: Array<{ field: string; name: string; bytes: Uint8Array }> = [];
  const fields: Record<string, string> = {};
  let total = 0;
  try {
    await readParts();
  } catch (error) {
    if (error instanceof HttpProblem || hasStatus(error)) throw error;
    // busboy's own errors ("Malformed part header", "Unexpected end of form") carry no status.
    throw new HttpProblem('MALFORMED_BODY', 'the multipart body cannot be parsed');
  }
  if (files.length === 0) {
    throw new HttpProblem('VALIDATION', `no file in field ${expect.fileFields.join(' or ')}`, {
      errors: [{ path: `body/${expect.fileFields[0] ?? 'file'}`, message: 'required' }],
    });
  }
  return { files, fields };

  async function readParts(): Promise<void> {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (!expect.fileFields.includes(part.fieldname)) {
          part.file.resume();
          throw new HttpProblem('VALIDATION', `unexpected file field "${part.fieldname}"`, {
            errors: [
              { path: `body/${part.fieldname}`, message: `expected ${expect.fileFields.join(' or ')}` },
            ],
          });
        }
        // toBuffer rejects with FST_REQ_FILE_TOO_LARGE past the plugin's fileSize limit.
        const bytes = new Uint8Array(await part.toBuffer());
        files.push({ field: part.fieldname, name: part.filename || `upload-${files.length + 1}`, bytes });
        total += bytes.length;
        if (total > expect.maxBytes) {
          throw new HttpProblem(
            'PAYLOAD_TOO_LARGE',
            `the files of one request exceed ${expect.maxBytes} bytes`,
          );
        }
        if (files.length > expect.maxFiles) {
          throw new HttpProblem('PAYLOAD_TOO_LARGE', `at most ${expect.maxFiles} file(s) per request`);
        }
      } else {
        if (!expect.fields.includes(part.fieldname)) {
          throw new HttpProblem('VALIDATION', `unexpected field "${part.fieldname}"`, {
            errors: [
              { path: `body/${part.fieldname}`, message: `expected one of ${expect.fields.join(', ')}` },
            ],
          });
        }
        fields[part.fieldname] = String(part.value);
      }
    }
  }
}

function hasStatus(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** The validated JSON body; a request with no body at all gets the same 400 as an invalid one. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the route's schema checked the shape
export function jsonBody<T>(request: FastifyRequest): T {
  if (typeof request.body !== 'object' || request.body === null) {
    throw new HttpProblem('VALIDATION', 'a JSON body or a multipart form is required', {
      errors: [{ path: 'body', message: 'required' }],
    });
  }
  return request.body as T;
}
