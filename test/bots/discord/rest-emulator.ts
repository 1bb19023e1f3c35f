/**
 * A local Discord REST API for tests: the routes discord.js calls to answer interactions (callbacks,
 * webhook edits and follow-ups), to post and edit channel messages and to register commands, plus the
 * attachment files the tests "upload", served from the same server. Multipart bodies are parsed for
 * real (payload_json + files[n]); every call is recorded for the test to assert.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedFile {
  readonly field: string;
  readonly name: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

export interface RecordedCall {
  readonly method: string;
  /** Path under the API version, e.g. `/interactions/1/tok/callback`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | null;
  /** JSON body, or the multipart payload_json. */
  readonly body: Record<string, unknown> | unknown[] | null;
  readonly files: readonly RecordedFile[];
}

export interface AttachmentPayload {
  readonly id: string;
  readonly filename: string;
  readonly size: number;
  readonly url: string;
  readonly proxy_url: string;
  readonly content_type: string;
}

export interface RestEmulator {
  /** The REST base discord.js takes as `rest.api` (without the version). */
  readonly api: string;
  /** The HTTP server, for a gateway to attach to (see gateway-emulator.ts, at GATEWAY_PATH). */
  readonly server: Server;
  readonly calls: readonly RecordedCall[];
  /** Serves bytes as an attachment and returns the API attachment object pointing at them. */
  attachment(filename: string, bytes: Uint8Array, contentType?: string): AttachmentPayload;
  /** Resolves with the first call (past or future) that matches. */
  waitFor(match: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** Calls made after `since` (an index into `calls`). */
  callsSince(since: number): RecordedCall[];
  /** A fresh snowflake. */
  snowflake(): string;
  close(): Promise<void>;
}

/** Where GET /gateway/bot sends clients: a WebSocket on this same server. */
export const GATEWAY_PATH = '/gateway';

export const APP_ID = '900000000000000001';
export const BOT_USER = {
  id: APP_ID,
  username: 'faceblog',
  discriminator: '0',
  global_name: null,
  bot: true,
};

export async function startRestEmulator(): Promise<RestEmulator> {
  const calls: RecordedCall[] = [];
  const files = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const waiters: { match: (c: RecordedCall) => boolean; resolve: (c: RecordedCall) => void }[] = [];
  /** Messages by id, so that edits return the whole message as Discord does. */
  const messages = new Map<string, Record<string, unknown>>();
  // Snowflakes in a plausible range (2023); only uniqueness and ordering matter here.
  let next = 1_100_000_000_000_000_000n;
  const snowflake = () => String(next++);
  let base = '';

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error), code: 0 }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      const file = files.get(url.pathname);
      if (!file) {
        send(res, 404, { message: 'Unknown attachment', code: 10_000 });
        return;
      }
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    const m = /^\/api\/v\d+(\/.*)$/.exec(decodeURIComponent(url.pathname));
    if (!m?.[1]) {
      send(res, 404, { message: '404: Not Found', code: 0 });
      return;
    }
    const path = m[1];
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const { body, files: uploaded } = parseBody(req, raw);
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      authorization: req.headers.authorization ?? null,
      body,
      files: uploaded,
    };
    calls.push(call);
    for (const w of [...waiters]) {
      if (w.match(call)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
    route(res, call);
  }

  function route(res: ServerResponse, call: RecordedCall): void {
    const { method, path } = call;
    const body = Array.isArray(call.body) ? {} : (call.body ?? {});
    let m: RegExpExecArray | null;
    if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) {
      // with_response=false (what discord.js asks by default): 204 No Content.
      if (call.query.get('with_response') === 'true') {
        send(res, 200, {
          interaction: { id: path.split('/')[2], type: 2 },
          resource: { type: body.type },
        });
        return;
      }
      res.writeHead(204).end();
      return;
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/.exec(path))) {
      const key = `webhook:${m[2]}:${m[3]}`;
      if (method === 'PATCH') {
        send(res, 200, save(key, body, call.files, null));
        return;
      }
      if (method === 'GET') {
        send(res, 200, messages.get(key) ?? save(key, {}, [], null));
        return;
      }
      if (method === 'DELETE') {
        res.writeHead(204).end();
        return;
      }
    }
    if (method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(path)) {
      send(res, 200, save(`message:${snowflake()}`, body, call.files, null));
      return;
    }
    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') {
      send(res, 200, save(`message:${snowflake()}`, body, call.files, m[1] ?? null));
      return;
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'PATCH') {
      send(res, 200, save(`message:${m[2]}`, body, call.files, m[1] ?? null));
      return;
    }
    if (method === 'GET' && path === '/gateway/bot') {
      send(res, 200, {
        url: `${base.replace(/^http/, 'ws')}${GATEWAY_PATH}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
      return;
    }
    if (method === 'PUT' && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path)) {
      const list = Array.isArray(call.body) ? (call.body as Record<string, unknown>[]) : [];
      send(
        res,
        200,
        list.map((c) => ({ ...c, id: snowflake(), application_id: APP_ID, version: snowflake() })),
      );
      return;
    }
    send(res, 404, { message: `no route for ${method} ${path}`, code: 0 });
  }

  /** Stores a message as Discord returns it: the previous fields patched with the new ones. */
  function save(
    key: string,
    body: Record<string, unknown>,
    uploaded: readonly RecordedFile[],
    channelId: string | null,
  ): Record<string, unknown> {
    const previous = messages.get(key);
    const id =
      (previous?.id as string | undefined) ??
      (key.split(':').at(-1)?.match(/^\d+$/) ? key.split(':').at(-1) : snowflake());
    const attachments = uploaded.map((f) => ({
      id: snowflake(),
      filename: f.name,
      size: f.bytes.length,
      url: `${base}/attachments/${id}/${f.name}`,
      proxy_url: `${base}/attachments/${id}/${f.name}`,
      content_type: f.contentType,
    }));
    const message: Record<string, unknown> = {
      id,
      channel_id: channelId ?? previous?.channel_id ?? '1',
      author: BOT_USER,
      content: '',
      timestamp: new Date().toISOString(),
      edited_timestamp: previous ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      embeds: [],
      components: [],
      pinned: false,
      type: 0,
      flags: 0,
      ...previous,
      ...body,
      attachments: uploaded.length > 0 ? attachments : (previous?.attachments ?? []),
    };
    messages.set(key, message);
    return message;
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    api: `${base}/api`,
    server,
    calls,
    attachment(filename, bytes, contentType = 'image/jpeg') {
      const id = snowflake();
      const p = `/attachments/${id}/${encodeURIComponent(filename)}`;
      files.set(p, { bytes, contentType });
      return {
        id,
        filename,
        size: bytes.length,
        url: `${base}${p}`,
        proxy_url: `${base}${p}`,
        content_type: contentType,
      };
    },
    waitFor(match, timeoutMs = 60_000) {
      const seen = calls.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching Discord call within ${timeoutMs} ms; calls: ${describe(calls)}`));
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (c: RecordedCall) => {
            clearTimeout(timer);
            resolve(c);
          },
        };
        waiters.push(waiter);
      });
    },
    callsSince: (since) => calls.slice(since),
    snowflake,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function parseBody(req: IncomingMessage, raw: Buffer): { body: RecordedCall['body']; files: RecordedFile[] } {
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { body: null, files: [] };
  if (type.startsWith('application/json')) {
    return { body: JSON.parse(raw.toString('utf8')) as RecordedCall['body'], files: [] };
  }
  if (type.startsWith('multipart/form-data')) {
    let body: RecordedCall['body'] = null;
    const files: RecordedFile[] = [];
    for (const part of parseMultipart(type, raw)) {
      if (part.filename === null) {
        if (part.name === 'payload_json')
          body = JSON.parse(part.data.toString('utf8')) as RecordedCall['body'];
      } else {
        files.push({
          field: part.name,
          name: part.filename,
          contentType: part.contentType,
          bytes: new Uint8Array(part.data),
        });
      }
    }
    return { body, files };
  }
  return { body: null, files: [] };
}

interface Part {
  readonly name: string;
  readonly filename: string | null;
  readonly contentType: string;
  readonly data: Buffer;
}

/**
 * RFC 7578 multipart/form-data: parts between `--boundary` lines, each with its headers, a blank line
 * and the bytes up to the CRLF before the next delimiter. Throws on anything malformed, so a body
 * discord.js got wrong fails the test instead of being half read.
 */
export function parseMultipart(contentType: string, raw: Buffer): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (!token) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${token}`);
  const parts: Part[] = [];
  let at = raw.indexOf(delimiter);
  if (at < 0) throw new Error('multipart body without its first boundary');
  for (;;) {
    at += delimiter.length;
    if (raw.subarray(at, at + 2).toString() === '--') return parts;
    if (raw.subarray(at, at + 2).toString() !== '\r\n') throw new Error('malformed multipart boundary line');
    const headerEnd = raw.indexOf('\r\n\r\n', at);
    const next = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd);
    if (headerEnd < 0 || next < 0) throw new Error('truncated multipart part');
    const headers = raw
      .subarray(at + 2, headerEnd)
      .toString('utf8')
      .split('\r\n');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) throw new Error('multipart part without a name');
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1] ?? null;
    const typeHeader = headers.find((h) => /^content-type:/i.test(h));
    parts.push({
      name,
      filename,
      contentType: typeHeader ? typeHeader.slice(typeHeader.indexOf(':') + 1).trim() : 'text/plain',
      data: raw.subarray(headerEnd + 4, next),
    });
    at = next + 2;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function describe(calls: readonly RecordedCall[]): string {
  return calls.map((c) => `${c.method} ${c.path} ${JSON.stringify(c.body).slice(0, 120)}`).join('\n  ');
}
