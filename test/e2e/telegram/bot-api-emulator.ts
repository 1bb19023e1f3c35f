/**
 * A local Telegram Bot API server for the end-to-end tests: the real bot process talks to it through
 * TELEGRAM_API_ROOT exactly as it talks to api.telegram.org. It speaks the HTTP protocol of the Bot API
 * (JSON, form and multipart/form-data bodies; `{ ok, result }` / `{ ok: false, error_code, description }`
 * answers), holds getUpdates as a long poll, serves files at /file/bot<token>/<path>, and applies the
 * checks of the real server that a bot can trip over: 4096/1024 characters after entity parsing, well
 * formed HTML in parse_mode HTML, "message is not modified", 20 MB downloads, 2-10 items per album.
 *
 * Tests inject updates (messages with photos, documents, media groups, captions, replies, callback
 * queries) and read every call the bot made from `calls`.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import busboy from 'busboy';
import sharp from 'sharp';

/** Bot API download limit for bots (core.telegram.org/bots/api#getfile). */
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly bytes: Buffer;
}

export interface ApiCall {
  readonly seq: number;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly files: readonly UploadedFile[];
  readonly ok: boolean;
  readonly result: unknown;
  readonly description?: string;
}

export interface TgUser {
  readonly id: number;
  readonly is_bot: boolean;
  readonly first_name: string;
  readonly username?: string;
}

export interface TgChat {
  readonly id: number;
  readonly type: 'private' | 'group' | 'supergroup';
  readonly title?: string;
  readonly first_name?: string;
}

export interface TgPhotoSize {
  readonly file_id: string;
  readonly file_unique_id: string;
  readonly width: number;
  readonly height: number;
  readonly file_size: number;
}

/** The subset of Message fields the emulator fills in. */
export interface TgMessage {
  readonly message_id: number;
  readonly date: number;
  readonly chat: TgChat;
  readonly from?: TgUser;
  text?: string;
  entities?: TgEntity[];
  caption?: string;
  caption_entities?: TgEntity[];
  photo?: TgPhotoSize[];
  document?: {
    file_id: string;
    file_unique_id: string;
    file_name?: string;
    mime_type?: string;
    file_size: number;
  };
  media_group_id?: string;
  reply_to_message?: TgMessage;
  reply_markup?: unknown;
  /** Not a Bot API field: the parse mode the bot used, for assertions. */
  parse_mode?: string;
}

export interface TgEntity {
  readonly type: string;
  readonly offset: number;
  readonly length: number;
}

interface StoredFile {
  readonly file_id: string;
  readonly file_unique_id: string;
  readonly file_path: string;
  readonly size: number;
  /** Null for files that only claim a size (over the download limit). */
  readonly bytes: Buffer | null;
  /** As Telegram does, a file id resends only as the kind it was sent as. */
  readonly kind: 'photo' | 'document';
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    description: string,
  ) {
    super(description);
  }
}

export class BotApiEmulator {
  readonly calls: ApiCall[] = [];
  readonly bot: TgUser & { can_join_groups: boolean; can_read_all_group_messages: boolean };
  private server!: Server;
  private readonly events = new EventEmitter();
  private readonly pending: { update_id: number; [key: string]: unknown }[] = [];
  private nextUpdateId = 1;
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private readonly messages = new Map<string, TgMessage>();
  private readonly lastMessageId = new Map<number, number>();
  private readonly members = new Map<string, string>();
  private nextMediaGroup = 1;
  private closed = false;

  private constructor(
    readonly token: string,
    canReadAllGroupMessages: boolean,
  ) {
    this.bot = {
      id: Number(token.split(':')[0]),
      is_bot: true,
      first_name: 'Faceblog',
      username: 'faceblog_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: canReadAllGroupMessages,
    };
    this.events.setMaxListeners(100);
  }

  static async start(
    opts: { token?: string; canReadAllGroupMessages?: boolean } = {},
  ): Promise<BotApiEmulator> {
    const token = opts.token ?? `123456789:${randomBytes(18).toString('base64url')}`;
    const emu = new BotApiEmulator(token, opts.canReadAllGroupMessages ?? true);
    emu.server = createServer((req, res) => void emu.handle(req, res));
    await new Promise<void>((resolve) => emu.server.listen(0, '127.0.0.1', resolve));
    return emu;
  }

  /** What TELEGRAM_API_ROOT is set to. */
  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events.emit('update');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  // -------------------------------------------------------------------------------------------------
  // The test's side: chats, members, injected updates, assertions.

  /** Member status of a user in a chat for getChatMember (default "member"; private chats: "member"). */
  setMember(chatId: number, userId: number, status: 'creator' | 'administrator' | 'member'): void {
    this.members.set(`${chatId}/${userId}`, status);
  }

  /** Stores a file the bot can fetch with getFile; `size` overrides the real size (a "huge" file). */
  addFile(
    bytes: Buffer | null,
    opts: { ext?: string; size?: number; kind?: 'photo' | 'document' } = {},
  ): StoredFile {
    const n = this.files.size + 1;
    const file: StoredFile = {
      kind: opts.kind ?? 'photo',
      file_id: `F${n}_${randomBytes(6).toString('hex')}`,
      file_unique_id: `U${n}`,
      file_path: `files/file_${n}.${opts.ext ?? 'jpg'}`,
      size: opts.size ?? bytes?.length ?? 0,
      bytes,
    };
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.file_path, file);
    return file;
  }

  textMessage(chat: TgChat, from: TgUser, text: string, opts: { replyTo?: TgMessage } = {}): TgMessage {
    return this.injectMessage(chat, from, {
      text,
      ...(commandEntities(text).length ? { entities: commandEntities(text) } : {}),
      ...(opts.replyTo ? { reply_to_message: this.stored(opts.replyTo) } : {}),
    });
  }

  /** A compressed photo, as Telegram delivers it: photo sizes of one stored JPEG. */
  async photoMessage(
    chat: TgChat,
    from: TgUser,
    bytes: Buffer,
    opts: { caption?: string; mediaGroupId?: string; replyTo?: TgMessage } = {},
  ): Promise<TgMessage> {
    const file = this.addFile(bytes);
    const meta = await sharp(bytes)
      .metadata()
      .catch(() => ({ width: 1280, height: 960 }));
    const size = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width: meta.width,
      height: meta.height,
      file_size: file.size,
    };
    return this.injectMessage(chat, from, { photo: [size], ...this.mediaFields(opts) });
  }

  /** A file sent as a document (an original, HEIC); `size` can claim more bytes than it has. */
  documentMessage(
    chat: TgChat,
    from: TgUser,
    bytes: Buffer | null,
    opts: {
      fileName: string;
      mimeType?: string;
      size?: number;
      caption?: string;
      mediaGroupId?: string;
      replyTo?: TgMessage;
    },
  ): TgMessage {
    const ext = /\.([A-Za-z0-9]+)$/.exec(opts.fileName)?.[1] ?? 'bin';
    const file = this.addFile(bytes, {
      ext,
      kind: 'document',
      ...(opts.size === undefined ? {} : { size: opts.size }),
    });
    return this.injectMessage(chat, from, {
      document: {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_name: opts.fileName,
        ...(opts.mimeType ? { mime_type: opts.mimeType } : {}),
        file_size: file.size,
      },
      ...this.mediaFields(opts),
    });
  }

  /** A fresh media_group_id, for photos sent as one album. */
  mediaGroupId(): string {
    // Built as text: 13e15 + n is past Number.MAX_SAFE_INTEGER, where neighbouring ids would round to
    // the same number and two albums would share one media group.
    return `13${String(this.nextMediaGroup++).padStart(15, '0')}`;
  }

  /** The user presses an inline button of a bot message. */
  pressButton(chat: TgChat, from: TgUser, message: TgMessage, data: string): string {
    const id = `${this.nextUpdateId}${randomBytes(4).toString('hex')}`;
    this.inject({
      callback_query: {
        id,
        from,
        message: this.stored(message),
        chat_instance: `ci${chat.id}`,
        data,
      },
    });
    return id;
  }

  /** The bot is added to a group (privacy mode decides whether it sees photos there). */
  addedToGroup(chat: TgChat, by: TgUser): void {
    this.inject({
      my_chat_member: {
        chat,
        from: by,
        date: now(),
        old_chat_member: { status: 'left', user: this.bot },
        new_chat_member: { status: 'member', user: this.bot },
      },
    });
  }

  /** Bot messages in a chat, in order, with their current text (after edits). */
  botMessages(chatId: number): TgMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.chat.id === chatId && m.from?.id === this.bot.id)
      .sort((a, b) => a.message_id - b.message_id);
  }

  /** Calls of one method, optionally after a call sequence number. */
  callsOf(method: string, after = 0): ApiCall[] {
    return this.calls.filter((c) => c.method === method && c.seq > after);
  }

  get lastSeq(): number {
    return this.calls.at(-1)?.seq ?? 0;
  }

  /** Resolves with the first call (after `after`) that matches; rejects after `timeoutMs`. */
  waitForCall(
    match: (call: ApiCall) => boolean,
    opts: { after?: number; timeoutMs?: number } = {},
  ): Promise<ApiCall> {
    const after = opts.after ?? 0;
    const find = () => this.calls.find((c) => c.seq > after && match(c));
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onCall = () => {
        const hit = find();
        if (!hit) return;
        clearTimeout(timer);
        this.events.off('call', onCall);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.events.off('call', onCall);
        const seen = this.calls.filter((c) => c.seq > after).map((c) => describeCall(c));
        reject(
          new Error(
            `no matching Bot API call within ${opts.timeoutMs ?? 30_000} ms; saw:\n${seen.join('\n')}`,
          ),
        );
      }, opts.timeoutMs ?? 30_000);
      this.events.on('call', onCall);
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Updates and messages.

  private mediaFields(opts: { caption?: string; mediaGroupId?: string; replyTo?: TgMessage }) {
    return {
      ...(opts.caption === undefined ? {} : { caption: opts.caption }),
      ...(opts.caption && commandEntities(opts.caption).length
        ? { caption_entities: commandEntities(opts.caption) }
        : {}),
      ...(opts.mediaGroupId ? { media_group_id: opts.mediaGroupId } : {}),
      ...(opts.replyTo ? { reply_to_message: this.stored(opts.replyTo) } : {}),
    };
  }

  private injectMessage(chat: TgChat, from: TgUser, fields: Partial<TgMessage>): TgMessage {
    const message: TgMessage = {
      message_id: this.nextMessageId(chat.id),
      date: now(),
      chat,
      from,
      ...fields,
    };
    this.messages.set(`${chat.id}/${message.message_id}`, message);
    this.inject({ message });
    return message;
  }

  private inject(update: Record<string, unknown>): void {
    this.pending.push({ update_id: this.nextUpdateId++, ...update });
    this.events.emit('update');
  }

  private nextMessageId(chatId: number): number {
    const id = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, id);
    return id;
  }

  /** The message as stored now (edits included), without its own reply chain (Telegram nests one level). */
  private stored(message: TgMessage): TgMessage {
    const current = this.messages.get(`${message.chat.id}/${message.message_id}`) ?? message;
    const { reply_to_message: _, ...rest } = current;
    return rest;
  }

  private botMessage(chatId: number, fields: Partial<TgMessage>, params: Record<string, unknown>): TgMessage {
    const chat = this.chatOf(chatId);
    const replyTo = replyTarget(params);
    const message: TgMessage = {
      message_id: this.nextMessageId(chatId),
      date: now(),
      chat,
      from: this.bot,
      ...fields,
      ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}),
    };
    const target = replyTo === null ? undefined : this.messages.get(`${chatId}/${replyTo}`);
    if (target) message.reply_to_message = this.stored(target);
    this.messages.set(`${chatId}/${message.message_id}`, message);
    return message;
  }

  private chatOf(chatId: number): TgChat {
    for (const m of this.messages.values()) if (m.chat.id === chatId) return m.chat;
    return chatId < 0 ? { id: chatId, type: 'supergroup', title: 'Group' } : { id: chatId, type: 'private' };
  }

  // -------------------------------------------------------------------------------------------------
  // HTTP.

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      const file = fileMatch[1] === this.token ? this.filesByPath.get(fileMatch[2] ?? '') : undefined;
      if (!file?.bytes) {
        res.writeHead(404).end('Not Found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    const apiMatch = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!apiMatch) {
      send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    if (apiMatch[1] !== this.token) {
      send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    const method = apiMatch[2] ?? '';
    let body: { params: Record<string, unknown>; files: UploadedFile[] };
    try {
      body = await readBody(req, url);
    } catch (error) {
      send(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${String(error)}` });
      return;
    }
    const { params, files } = body;
    try {
      const result = await this.dispatch(method, params, files, req);
      this.record(method, params, files, true, result);
      send(res, 200, { ok: true, result });
    } catch (error) {
      const code = error instanceof ApiError ? error.code : 500;
      const description = error instanceof Error ? error.message : String(error);
      this.record(method, params, files, false, null, description);
      send(res, code, { ok: false, error_code: code, description });
    }
  }

  private record(
    method: string,
    params: Record<string, unknown>,
    files: UploadedFile[],
    ok: boolean,
    result: unknown,
    description?: string,
  ): void {
    // Long polls are the bot's heartbeat, not its behaviour.
    if (method === 'getUpdates') return;
    const call: ApiCall = {
      seq: (this.calls.at(-1)?.seq ?? 0) + 1,
      method,
      params,
      files,
      ok,
      result,
      ...(description ? { description } : {}),
    };
    this.calls.push(call);
    this.events.emit('call');
  }

  private async dispatch(
    method: string,
    p: Record<string, unknown>,
    files: UploadedFile[],
    req: IncomingMessage,
  ): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return this.bot;
      case 'getUpdates':
        return this.getUpdates(p, req);
      case 'deleteWebhook':
      case 'setWebhook':
      case 'setMyCommands':
      case 'setMyDescription':
      case 'setMyShortDescription':
      case 'answerCallbackQuery':
      case 'sendChatAction':
        return true;
      case 'deleteMessage': {
        const key = `${Number(p.chat_id)}/${Number(p.message_id)}`;
        if (!this.messages.delete(key)) throw new ApiError(400, 'Bad Request: message to delete not found');
        return true;
      }
      case 'getFile': {
        const file = this.files.get(String(p.file_id));
        if (!file) throw new ApiError(400, 'Bad Request: invalid file_id');
        if (file.size > DOWNLOAD_LIMIT) throw new ApiError(400, 'Bad Request: file is too big');
        return {
          file_id: file.file_id,
          file_unique_id: file.file_unique_id,
          file_size: file.size,
          file_path: file.file_path,
        };
      }
      case 'getChatMember': {
        const chatId = Number(p.chat_id);
        const userId = Number(p.user_id);
        return {
          status: this.members.get(`${chatId}/${userId}`) ?? 'member',
          user: { id: userId, is_bot: false, first_name: `User ${userId}` },
        };
      }
      case 'sendMessage': {
        const text = checkText(p.text, p.parse_mode, TEXT_LIMIT, 'message text');
        return this.botMessage(Number(p.chat_id), { text, ...parseMode(p) }, p);
      }
      case 'editMessageText': {
        const key = `${Number(p.chat_id)}/${Number(p.message_id)}`;
        const message = this.messages.get(key);
        if (!message || message.from?.id !== this.bot.id) {
          throw new ApiError(400, 'Bad Request: message to edit not found');
        }
        const text = checkText(p.text, p.parse_mode, TEXT_LIMIT, 'message text');
        const markup = p.reply_markup ?? undefined;
        if (
          message.text === text &&
          message.parse_mode === p.parse_mode &&
          sameJson(message.reply_markup, markup)
        ) {
          throw new ApiError(
            400,
            'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message',
          );
        }
        message.text = text;
        if (typeof p.parse_mode === 'string') message.parse_mode = p.parse_mode;
        else delete message.parse_mode;
        if (markup) message.reply_markup = markup;
        else delete message.reply_markup;
        return message;
      }
      case 'editMessageCaption':
      case 'editMessageReplyMarkup': {
        const key = `${Number(p.chat_id)}/${Number(p.message_id)}`;
        const message = this.messages.get(key);
        if (!message || message.from?.id !== this.bot.id) {
          throw new ApiError(400, 'Bad Request: message to edit not found');
        }
        if (method === 'editMessageCaption') {
          if (!message.photo && !message.document) {
            throw new ApiError(400, 'Bad Request: there is no caption in the message to edit');
          }
          message.caption = checkText(p.caption, p.parse_mode, CAPTION_LIMIT, 'caption');
        }
        const markup = p.reply_markup ?? undefined;
        if (markup) message.reply_markup = markup;
        else delete message.reply_markup;
        return message;
      }
      case 'sendPhoto':
      case 'sendDocument': {
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        const upload = this.resolveMedia(p[field], files, field, field);
        const caption =
          p.caption === undefined ? undefined : checkText(p.caption, p.parse_mode, CAPTION_LIMIT, 'caption');
        const stored = upload.stored ?? this.addFile(upload.bytes, { kind: field });
        const media = await mediaFields(field, stored, upload);
        return this.botMessage(
          Number(p.chat_id),
          { ...media, ...(caption === undefined ? {} : { caption, ...parseMode(p) }) },
          p,
        );
      }
      case 'sendMediaGroup': {
        const media = p.media;
        if (!Array.isArray(media) || media.length < 2 || media.length > 10) {
          throw new ApiError(400, 'Bad Request: wrong number of media in the album: must be 2-10');
        }
        const group = `${Date.now()}${this.nextMediaGroup++}`;
        const out: TgMessage[] = [];
        for (const item of media as Record<string, unknown>[]) {
          if (item.type !== 'photo' && item.type !== 'document') {
            throw new ApiError(
              400,
              `Bad Request: unsupported media type ${String(item.type)} in this test server`,
            );
          }
          if (item.type !== (media[0] as Record<string, unknown>).type) {
            throw new ApiError(
              400,
              'Bad Request: documents can be sent in a media group only with documents',
            );
          }
          const upload = this.resolveMedia(item.media, files, 'media', item.type);
          const caption =
            item.caption === undefined
              ? undefined
              : checkText(item.caption, item.parse_mode, CAPTION_LIMIT, 'caption');
          const stored = upload.stored ?? this.addFile(upload.bytes, { kind: item.type });
          const body = await mediaFields(item.type, stored, upload);
          out.push(
            this.botMessage(
              Number(p.chat_id),
              {
                ...body,
                media_group_id: group,
                ...(caption === undefined ? {} : { caption }),
              },
              p,
            ),
          );
        }
        return out;
      }
      default:
        throw new ApiError(404, 'Not Found: method not found');
    }
  }

  /**
   * An uploaded part (`attach://name` or the field itself) or, as Telegram allows, the id of a file it
   * already holds, which resends the same file without an upload (and only as the kind it was sent as).
   */
  private resolveMedia(
    value: unknown,
    files: readonly UploadedFile[],
    field: string,
    kind: 'photo' | 'document',
  ): UploadedFile & { stored?: StoredFile } {
    if (typeof value === 'string' && !value.startsWith('attach://')) {
      const stored = this.files.get(value);
      if (!stored?.bytes) throw new ApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
      if (stored.kind !== kind) throw new ApiError(400, 'Bad Request: type of file mismatch');
      return {
        field,
        filename: stored.file_path.split('/').pop() ?? 'file',
        mimeType: 'image/jpeg',
        bytes: stored.bytes,
        stored,
      };
    }
    return resolveMedia(value, files, field);
  }

  /** A method, not the field: the field's value changes while a long poll waits. */
  private isClosed(): boolean {
    return this.closed;
  }

  private async getUpdates(p: Record<string, unknown>, req: IncomingMessage): Promise<unknown[]> {
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const timeoutS = Number(p.timeout ?? 0);
    // An offset confirms every update before it: Telegram forgets them.
    if (offset > 0) {
      while (this.pending.length > 0 && (this.pending[0]?.update_id ?? 0) < offset) this.pending.shift();
    }
    if (this.pending.length > 0 || timeoutS <= 0 || this.closed) return this.pending.slice(0, limit);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off('update', done);
        req.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutS * 1000);
      this.events.on('update', done);
      req.on('close', done);
    });
    return this.isClosed() ? [] : this.pending.slice(0, limit);
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers.

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function describeCall(c: ApiCall): string {
  const text =
    typeof c.params.text === 'string'
      ? c.params.text
      : typeof c.params.caption === 'string'
        ? c.params.caption
        : '';
  return `#${c.seq} ${c.method}${c.ok ? '' : ` FAILED ${c.description ?? ''}`} ${text.slice(0, 120).replace(/\n/g, ' ')}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function parseMode(p: Record<string, unknown>): { parse_mode?: string } {
  return typeof p.parse_mode === 'string' ? { parse_mode: p.parse_mode } : {};
}

function replyTarget(p: Record<string, unknown>): number | null {
  const rp = p.reply_parameters as { message_id?: number } | undefined;
  if (rp?.message_id !== undefined) return rp.message_id;
  return p.reply_to_message_id === undefined ? null : Number(p.reply_to_message_id);
}

/** bot_command entities, as Telegram marks every /command at the start of a word. */
export function commandEntities(text: string): TgEntity[] {
  const out: TgEntity[] = [];
  for (const m of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)/g)) {
    const lead = m[1] ?? '';
    out.push({ type: 'bot_command', offset: m.index + lead.length, length: (m[2] ?? '').length });
  }
  return out;
}

/** Tags Telegram accepts in parse_mode HTML (core.telegram.org/bots/api#html-style). */
const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

/**
 * The text as the user will see it: checks it is non-empty, that HTML is well formed (known tags,
 * properly nested, every `&` an entity, no stray `<` or `>`), and that the visible text is within the
 * limit, which Telegram counts after entity parsing.
 */
function checkText(value: unknown, mode: unknown, limit: number, what: string): string {
  if (typeof value !== 'string') throw new ApiError(400, `Bad Request: ${what} must be a string`);
  let visible = value;
  if (mode === 'HTML') visible = parseHtml(value);
  else if (mode !== undefined)
    throw new ApiError(
      400,
      `Bad Request: unsupported parse_mode ${JSON.stringify(mode)} in this test server`,
    );
  if (visible.trim().length === 0) throw new ApiError(400, `Bad Request: ${what} is empty`);
  if (visible.length > limit) {
    throw new ApiError(
      400,
      what === 'caption' ? 'Bad Request: message caption is too long' : 'Bad Request: message is too long',
    );
  }
  return value;
}

function parseHtml(html: string): string {
  const stack: string[] = [];
  let visible = '';
  let i = 0;
  const fail = (why: string): never => {
    throw new ApiError(400, `Bad Request: can't parse entities: ${why} at byte offset ${i}`);
  };
  while (i < html.length) {
    const ch = html[i] ?? '';
    if (ch === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) fail('unclosed start tag');
      const tag = html.slice(i + 1, end);
      const closing = tag.startsWith('/');
      const name = (closing ? tag.slice(1) : tag).split(/\s/)[0]?.toLowerCase() ?? '';
      if (!HTML_TAGS.has(name)) fail(`unsupported start tag "${name}"`);
      if (closing) {
        if (stack.pop() !== name) fail(`unmatched end tag "${name}"`);
      } else stack.push(name);
      i = end + 1;
    } else if (ch === '>') {
      fail('unexpected ">"');
    } else if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/.exec(html.slice(i));
      if (!m) fail('unescaped "&"');
      const entity = m?.[1] ?? '';
      visible +=
        entity === 'lt'
          ? '<'
          : entity === 'gt'
            ? '>'
            : entity === 'amp'
              ? '&'
              : entity === 'quot'
                ? '"'
                : '?';
      i += m?.[0].length ?? 1;
    } else {
      visible += ch;
      i++;
    }
  }
  if (stack.length > 0) fail(`unclosed tag "${stack.at(-1) ?? ''}"`);
  return visible;
}

function resolveMedia(value: unknown, files: readonly UploadedFile[], field: string): UploadedFile {
  if (typeof value === 'string' && value.startsWith('attach://')) {
    const name = value.slice('attach://'.length);
    const file = files.find((f) => f.field === name);
    if (!file) throw new ApiError(400, `Bad Request: file ${name} not found in the request`);
    return file;
  }
  const direct = files.find((f) => f.field === field);
  if (direct) return direct;
  throw new ApiError(400, `Bad Request: ${field} must be an uploaded file in this test server`);
}

/** The message fields of a sent photo (its size) or file (its document). */
async function mediaFields(
  kind: 'photo' | 'document',
  stored: StoredFile,
  upload: UploadedFile,
): Promise<Partial<TgMessage>> {
  if (kind === 'photo') return { photo: [await photoSize(stored, upload.bytes)] };
  return {
    document: {
      file_id: stored.file_id,
      file_unique_id: stored.file_unique_id,
      file_name: upload.filename,
      mime_type: upload.mimeType,
      file_size: stored.size,
    },
  };
}

/** The text or caption a call sent ('' for none). */
export function callText(c: ApiCall): string {
  const { text, caption } = c.params;
  return typeof text === 'string' ? text : typeof caption === 'string' ? caption : '';
}

/** The inline buttons a call sent, row by row flattened. */
export function callButtons(c: ApiCall): { text: string; callback_data: string }[] {
  const markup = c.params.reply_markup as
    { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
  return (markup?.inline_keyboard ?? []).flat();
}

async function photoSize(file: StoredFile, bytes: Buffer): Promise<TgPhotoSize> {
  const meta = await sharp(bytes)
    .metadata()
    .catch(() => {
      throw new ApiError(400, 'Bad Request: IMAGE_PROCESS_FAILED');
    });
  return {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    width: meta.width,
    height: meta.height,
    file_size: file.size,
  };
}

/** Fields that keep their text as sent; every other form field is JSON (grammY serializes so). */
const STRING_FIELDS = new Set(['text', 'caption', 'file_id', 'data', 'description']);

function fieldValue(name: string, raw: string): unknown {
  if (STRING_FIELDS.has(name)) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

async function readBody(
  req: IncomingMessage,
  url: URL,
): Promise<{ params: Record<string, unknown>; files: UploadedFile[] }> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = fieldValue(k, v);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) return readMultipart(req, params);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (body.length === 0) return { params, files: [] };
  if (type.startsWith('application/json')) {
    return { params: { ...params, ...(JSON.parse(body) as Record<string, unknown>) }, files: [] };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) params[k] = fieldValue(k, v);
    return { params, files: [] };
  }
  throw new Error(`unsupported content type ${type}`);
}

function readMultipart(
  req: IncomingMessage,
  params: Record<string, unknown>,
): Promise<{ params: Record<string, unknown>; files: UploadedFile[] }> {
  return new Promise((resolve, reject) => {
    const files: UploadedFile[] = [];
    const pendingFiles: Promise<void>[] = [];
    const parser = busboy({ headers: req.headers });
    parser.on('field', (name, value) => {
      params[name] = fieldValue(name, value);
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      pendingFiles.push(
        new Promise<void>((done, fail) => {
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            files.push({
              field,
              filename: info.filename,
              mimeType: info.mimeType,
              bytes: Buffer.concat(chunks),
            });
            done();
          });
        }),
      );
    });
    parser.on('error', reject);
    parser.on('close', () => {
      Promise.all(pendingFiles).then(() => {
        resolve({ params, files });
      }, reject);
    });
    req.pipe(parser);
  });
}
