import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks the Anthropic Messages API wire format (POST /v1/messages), for testing
 * the real SDK through its baseURL. Replies are scripted in order; every request is recorded.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

export interface ScriptedReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering (to trigger client timeouts). */
  readonly delayMs?: number;
}

/** Error types of the API's error body, by status (docs: errors). */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** A successful message whose only content block calls `name` with `input`. */
export function toolUseReply(name: string, input: unknown, model = 'claude-test'): ScriptedReply {
  return {
    status: 200,
    body: {
      id: `msg_${randomUUID().replace(/-/g, '')}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'tool_use', id: `toolu_${randomUUID().replace(/-/g, '')}`, name, input }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 1234, output_tokens: 567 },
    },
  };
}

/** A successful message with text only (a model that ignored the tool). */
export function textReply(text: string, model = 'claude-test'): ScriptedReply {
  return {
    status: 200,
    body: {
      id: `msg_${randomUUID().replace(/-/g, '')}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5 },
    },
  };
}

/** An error in the API's shape: `{ type: 'error', error: { type, message }, request_id }`. */
export function errorReply(
  status: number,
  message = 'scripted error',
  headers: Record<string, string> = {},
): ScriptedReply {
  const requestId = `req_${randomUUID().replace(/-/g, '')}`;
  return {
    status,
    body: {
      type: 'error',
      error: { type: ERROR_TYPES[status] ?? 'api_error', message },
      request_id: requestId,
    },
    headers: { 'request-id': requestId, ...headers },
  };
}

export class MessagesApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedReply[] = [];
  private server: Server | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** The replies for the next requests, in order; when they run out, requests get a 500. */
  reply(...replies: ScriptedReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('server not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      send(res, errorReply(400, 'body is not JSON'));
      return;
    }
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      send(res, errorReply(404, `no route ${req.method ?? ''} ${req.url ?? ''}`));
      return;
    }
    const reply = this.queue.shift() ?? errorReply(500, 'no scripted reply left');
    if (reply.delayMs) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, reply.delayMs);
        this.timers.add(t);
      });
      if (res.destroyed || req.destroyed) return;
    }
    send(res, reply);
  }
}

function send(res: ServerResponse, reply: ScriptedReply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}
