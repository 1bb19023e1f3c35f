/**
 * A local Discord gateway for tests: a WebSocket endpoint (RFC 6455, written out here: text frames,
 * masking, ping and close) that speaks the gateway's JSON protocol just far enough for discord.js to
 * log in: HELLO, heartbeat ACKs, READY and GUILD_CREATE after IDENTIFY, then any dispatch the test
 * sends (INTERACTION_CREATE, MESSAGE_CREATE). Compression is off because the client has no zlib-sync.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

import { APP_ID, BOT_USER, GATEWAY_PATH } from './rest-emulator.js';
import { guildCreate, type TestGuild } from './gateway.js';

export interface Identify {
  readonly token: string;
  readonly intents: number;
}

export interface GatewayEmulator {
  /** Resolves with the first IDENTIFY. */
  readonly identified: Promise<Identify>;
  /** Resolves when the client closes its connection. */
  readonly closed: Promise<number>;
  dispatch(t: string, d: unknown): void;
  /** Drops every connection (call before closing the HTTP server). */
  close(): void;
}

/** Heartbeat interval the gateway announces: Discord's usual 41.25 s; tests end long before. */
const HEARTBEAT_MS = 41_250;
/** RFC 6455 section 1.3: the GUID appended to the client's key. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function attachGateway(server: Server, guild: TestGuild, path = GATEWAY_PATH): GatewayEmulator {
  const sockets = new Set<Duplex>();
  let seq = 0;
  let onIdentify: (i: Identify) => void = () => undefined;
  let onClosed: (code: number) => void = () => undefined;
  const identified = new Promise<Identify>((resolve) => (onIdentify = resolve));
  const closed = new Promise<number>((resolve) => (onClosed = resolve));

  const sendTo = (socket: Duplex, payload: unknown) => {
    socket.write(frame(0x1, Buffer.from(JSON.stringify(payload))));
  };
  const dispatchTo = (socket: Duplex, t: string, d: unknown) => {
    sendTo(socket, { op: 0, t, s: ++seq, d });
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (!req.url?.startsWith(path)) {
      socket.destroy();
      return;
    }
    const key = req.headers['sec-websocket-key'];
    const accept = createHash('sha1')
      .update(`${String(key)}${WS_GUID}`)
      .digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    sendTo(socket, { op: 10, d: { heartbeat_interval: HEARTBEAT_MS } });

    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const parsed = readFrame(buffered);
        if (!parsed) return;
        buffered = buffered.subarray(parsed.length);
        if (parsed.opcode === 0x8) {
          const code = parsed.payload.length >= 2 ? parsed.payload.readUInt16BE(0) : 1005;
          socket.end(frame(0x8, parsed.payload.subarray(0, 2)));
          onClosed(code);
          return;
        }
        if (parsed.opcode === 0x9) socket.write(frame(0xa, parsed.payload));
        if (parsed.opcode !== 0x1) continue;
        const message = JSON.parse(parsed.payload.toString('utf8')) as { op: number; d: unknown };
        if (message.op === 1) sendTo(socket, { op: 11 });
        if (message.op === 2) {
          const d = message.d as Identify;
          onIdentify({ token: d.token, intents: d.intents });
          dispatchTo(socket, 'READY', {
            v: 10,
            user: BOT_USER,
            guilds: [{ id: guild.id, unavailable: true }],
            session_id: 'test-session',
            resume_gateway_url: 'ws://127.0.0.1:1',
            application: { id: APP_ID, flags: 0 },
          });
          dispatchTo(socket, 'GUILD_CREATE', guildCreate(guild));
        }
      }
    });
  });

  return {
    identified,
    closed,
    dispatch(t, d) {
      for (const socket of sockets) dispatchTo(socket, t, d);
    },
    close() {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** A final, unmasked server frame (servers never mask, RFC 6455 section 5.1). */
function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head =
    n < 126
      ? Buffer.from([0x80 | opcode, n])
      : n < 65_536
        ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(n)]);
  return Buffer.concat([head, payload]);
}

function bigLength(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** One client frame (masked), or null until all of it has arrived. Fragmented messages are not used. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | null {
  if (buf.length < 2) return null;
  const opcode = (buf[0] ?? 0) & 0x0f;
  const masked = ((buf[1] ?? 0) & 0x80) !== 0;
  let len = (buf[1] ?? 0) & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  const maskAt = at;
  if (masked) at += 4;
  if (buf.length < at + len) return null;
  const payload = Buffer.from(buf.subarray(at, at + len));
  if (masked)
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (buf[maskAt + (i % 4)] ?? 0);
  return { opcode, payload, length: at + len };
}
