/**
 * The bot's handlers through grammY itself: `new Bot(token, { botInfo })` + handleUpdate, with the Bot
 * API calls captured by a transformer and the services replaced at their interfaces. The whole flow
 * on the real services, Redis and models is in test/e2e/telegram.
 */
import type { Update, UserFromGetMe } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';

import { parseConfig } from '../../../src/config.js';
import { createTelegramBot } from '../../../src/bots/telegram/create-bot.js';
import type { TelegramBotDeps } from '../../../src/bots/telegram/deps.js';
import { sendSuggestions } from '../../../src/bots/telegram/features/suggest.js';
import { MediaGroupCollector } from '../../../src/bots/telegram/media-group.js';
import { AppError, ErrorCode } from '../../../src/core/errors.js';
import type { PersonSummary } from '../../../src/services/people-service.js';
import type { Suggestion } from '../../../src/services/suggestions.js';

const TOKEN = '123:test-token-abcdefgh';
const PA = `p${'a'.repeat(20)}`;
const PB = `p${'b'.repeat(20)}`;
const PC = `p${'c'.repeat(20)}`;
const NOBODY = { name: null, hidden: false, coverKey: null, coverFace: null } as const;
const botInfo = (canRead: boolean): UserFromGetMe => ({
  id: 123,
  is_bot: true,
  first_name: 'Faceblog',
  username: 'faceblog_bot',
  can_join_groups: true,
  can_read_all_group_messages: canRead,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
});
const GROUP = { id: -100777, type: 'supergroup' as const, title: 'Trip' };
const PRIVATE = { id: 42, type: 'private' as const, first_name: 'Ann' };
const ANN = { id: 42, is_bot: false, first_name: 'Ann' };

interface Sent {
  method: string;
  payload: Record<string, unknown>;
}

function setup(opts: { canRead?: boolean; member?: string; people?: PersonSummary[] } = {}) {
  const people: PersonSummary[] = opts.people ?? [
    { ...NOBODY, id: PA, handle: 3, faceCount: 3, photoCount: 3 },
    { ...NOBODY, id: PB, handle: 7, faceCount: 2, photoCount: 2 },
    { ...NOBODY, id: PC, handle: 9, faceCount: 1, photoCount: 1 },
  ];
  const find = (ref: string) => {
    const r = ref.trim().replace(/^#/, '').toLowerCase();
    return people.find((p) => String(p.handle) === r || p.id === r || p.name?.toLowerCase() === r) ?? null;
  };
  const deps = {
    photos: { submitAlbum: vi.fn(), albumStatus: vi.fn(), albumResult: vi.fn() },
    people: {
      listPeople: vi.fn(() => Promise.resolve(people)),
      findPerson: vi.fn((_t: string, ref: string) => Promise.resolve(find(ref))),
      namePerson: vi.fn((_t: string, id: string, name: string | null) => {
        const i = people.findIndex((p) => p.id === id);
        people[i] = { ...people[i]!, name };
        return Promise.resolve(id);
      }),
      mergePeople: vi.fn((_t: string, from: string, into: string) =>
        Promise.resolve({ kept: into, merged: from }),
      ),
      undoMerge: vi.fn((_t: string, from: string) => Promise.resolve(from)),
      hidePerson: vi.fn((_t: string, id: string) => Promise.resolve(id)),
      splitFace: vi.fn(() => Promise.resolve({ personId: null })),
      personFaces: vi.fn(() => Promise.resolve([])),
      photosOf: vi.fn(() => Promise.resolve([])),
      faceCropKey: vi.fn(() => Promise.resolve(null)),
      chooseCover: vi.fn(),
      suggestions: vi.fn((): Promise<Suggestion[]> => Promise.resolve([])),
      answerSuggestion: vi.fn((_t: string, a: { personId: string; candidateId: string; yes: boolean }) =>
        Promise.resolve(
          a.yes
            ? { answer: 'merged' as const, merge: { kept: a.candidateId, merged: a.personId } }
            : { answer: 'kept-apart' as const, personId: a.personId, candidateId: a.candidateId },
        ),
      ),
    },
    search: { findBySelfie: vi.fn(), answer: vi.fn(), photosOf: vi.fn(() => Promise.resolve([])) },
    privacy: { forgetPerson: vi.fn(), forgetTenant: vi.fn(() => Promise.resolve()) },
    albums: { latestAlbumId: vi.fn(() => Promise.resolve(null)), stats: vi.fn() },
    blobs: { get: vi.fn(() => Promise.resolve(null)) },
    progress: { watch: () => () => undefined },
    writer: null,
    log: vi.fn(),
  } satisfies TelegramBotDeps;
  const { bot } = createTelegramBot(deps, {
    token: TOKEN,
    apiRoot: 'http://127.0.0.1:9',
    throttle: false,
    botInfo: botInfo(opts.canRead ?? false),
    download: () => Promise.resolve(new Uint8Array([1])),
  });
  const sent: Sent[] = [];
  let messageId = 100;
  bot.api.config.use((_prev, method, payload) => {
    sent.push({ method, payload: payload });
    const result =
      method === 'getChatMember'
        ? { status: opts.member ?? 'member', user: ANN }
        : method.startsWith('send')
          ? { message_id: ++messageId, date: 0, chat: GROUP }
          : true;
    return Promise.resolve({ ok: true, result } as never);
  });
  let updateId = 1;
  const message = (chat: typeof GROUP | typeof PRIVATE, fields: Record<string, unknown>): Update => ({
    update_id: updateId++,
    message: { message_id: updateId, date: 0, chat, from: ANN, ...fields },
  });
  const command = (chat: typeof GROUP | typeof PRIVATE, text: string): Update => {
    const length = text.split(' ')[0]?.length ?? 0;
    return message(chat, { text, entities: [{ type: 'bot_command', offset: 0, length }] });
  };
  const texts = () => sent.filter((s) => s.method.startsWith('send')).map((s) => String(s.payload.text));
  return { bot, deps, sent, texts, message, command, nextId: () => updateId++ };
}

describe('the Telegram bot', () => {
  it('explains privacy mode in a group where it cannot see photos', async () => {
    const t = setup({ canRead: false });
    await t.bot.handleUpdate(t.command(GROUP, '/help'));
    expect(t.texts()[0]).toContain('/setprivacy');
    const open = setup({ canRead: true });
    await open.bot.handleUpdate(open.command(GROUP, '/help'));
    await open.bot.handleUpdate(open.command(PRIVATE, '/start'));
    expect(open.texts().some((s) => s.includes('/setprivacy'))).toBe(false);
  });

  it('says hello with the privacy explanation when added to a group', async () => {
    const t = setup({ canRead: false });
    await t.bot.handleUpdate({
      update_id: 1,
      my_chat_member: {
        chat: GROUP,
        from: ANN,
        date: 0,
        old_chat_member: { status: 'left', user: botInfo(false) },
        new_chat_member: { status: 'member', user: botInfo(false) },
      },
    });
    expect(t.texts()[0]).toMatch(/Send me a photo album[\s\S]*BotFather/);
  });

  it('names a person by handle and escapes the name', async () => {
    const t = setup();
    await t.bot.handleUpdate(t.command(GROUP, '/name 7 <Bo> & Co'));
    expect(t.deps.people.namePerson).toHaveBeenCalledWith('tg--100777', PB, '<Bo> & Co');
    expect(t.texts()).toEqual(['#7 is now <b>&lt;Bo&gt; &amp; Co</b> (#7).']);
    await t.bot.handleUpdate(t.command(GROUP, '/name'));
    await t.bot.handleUpdate(t.command(GROUP, '/name 2 Zed'));
    expect(t.texts().slice(1)).toEqual([
      'Usage: /name <who> <name>, e.g. /name 7 Anna. /people shows who I know.',
      'I know no 2 here. /people shows who I know.',
    ]);
  });

  it('names by button: asks with ForceReply and takes the reply as the name', async () => {
    const t = setup();
    await t.bot.handleUpdate({
      update_id: t.nextId(),
      callback_query: {
        id: 'cb1',
        from: ANN,
        chat_instance: 'x',
        data: `nm:${PA}`,
        message: { message_id: 5, date: 0, chat: GROUP, text: 'sheet' },
      },
    });
    const ask = t.sent.find((s) => s.method === 'sendMessage');
    expect(ask?.payload).toMatchObject({
      text: 'Who is #3? Reply to this message with their name.',
      reply_markup: { force_reply: true },
    });
    await t.bot.handleUpdate(
      t.message(GROUP, {
        text: 'Marta',
        reply_to_message: {
          message_id: 101,
          date: 0,
          chat: GROUP,
          from: { id: 123, is_bot: true, first_name: 'Faceblog' },
          text: String(ask?.payload.text),
        },
      }),
    );
    expect(t.deps.people.namePerson).toHaveBeenCalledWith('tg--100777', PA, 'Marta');
    expect(t.texts().at(-1)).toBe('#3 is now <b>Marta</b> (#3).');
  });

  it('folds people seen once and hidden people out of /people', async () => {
    const t = setup();
    await t.bot.handleUpdate(t.command(GROUP, '/people'));
    expect(t.texts()[0]).toContain(
      '<b>#3</b>: 3 photos\n<b>#7</b>: 2 photos\n+1 person seen once (/people all)',
    );
    await t.bot.handleUpdate(t.command(GROUP, '/people all'));
    expect(t.texts()[1]).toContain('<b>#9</b>: 1 photo');
  });

  it('checks merge, undo and hide buttons for the member who presses them', async () => {
    const press = async (t: ReturnType<typeof setup>, data: string) =>
      t.bot.handleUpdate({
        update_id: t.nextId(),
        callback_query: {
          id: 'cb',
          from: ANN,
          chat_instance: 'x',
          data,
          message: { message_id: 5, date: 0, chat: GROUP, text: 'Same person?' },
        },
      });
    const member = setup({ member: 'member' });
    for (const data of [`mg:${PA}:${PB}`, `um:${PA}`, `hd:${PA}`]) await press(member, data);
    const alerts = member.sent.filter((s) => s.method === 'answerCallbackQuery');
    expect(alerts.map((a) => a.payload.text)).toEqual(Array(3).fill('Only the group’s admins can do that.'));
    expect(member.deps.people.mergePeople).not.toHaveBeenCalled();
    expect(member.deps.people.hidePerson).not.toHaveBeenCalled();

    const admin = setup({ member: 'administrator' });
    await press(admin, `mg:${PA}:${PB}`);
    expect(admin.deps.people.mergePeople).toHaveBeenCalledWith('tg--100777', PA, PB);
    const edit = admin.sent.find((s) => s.method === 'editMessageText');
    expect(edit?.payload.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Undo', callback_data: `um:${PA}` }]],
    });
    await press(admin, `um:${PA}`);
    expect(admin.deps.people.undoMerge).toHaveBeenCalledWith('tg--100777', PA);
  });

  it('answers "Is this Anna?": Yes only for admins (a merge, with Undo), No for any member', async () => {
    const people = [
      { ...NOBODY, id: PA, handle: 3, name: 'Anna', faceCount: 3, photoCount: 3 },
      { ...NOBODY, id: PB, handle: 7, faceCount: 2, photoCount: 2 },
    ];
    const press = async (t: ReturnType<typeof setup>, data: string) =>
      t.bot.handleUpdate({
        update_id: t.nextId(),
        callback_query: {
          id: 'cb',
          from: ANN,
          chat_instance: 'x',
          data,
          message: { message_id: 5, date: 0, chat: GROUP, text: 'Is this Anna?' },
        },
      });
    const member = setup({ member: 'member', people: people.map((p) => ({ ...p })) });
    await press(member, `sg:y:${PB}:${PA}`);
    expect(member.sent.find((s) => s.method === 'answerCallbackQuery')?.payload.text).toBe(
      'Only the group’s admins can do that.',
    );
    expect(member.deps.people.answerSuggestion).not.toHaveBeenCalled();
    await press(member, `sg:n:${PB}:${PA}`);
    expect(member.deps.people.answerSuggestion).toHaveBeenCalledWith('tg--100777', {
      personId: PB,
      candidateId: PA,
      yes: false,
    });
    const no = member.sent.find((s) => s.method === 'editMessageText');
    expect(no?.payload.text).toBe(
      'Not Anna: <b>#7</b> and <b>Anna</b> (#3) stay apart, and I will not ask again.',
    );
    expect(no?.payload.reply_markup).toBeUndefined();

    const admin = setup({ member: 'administrator', people: people.map((p) => ({ ...p })) });
    await press(admin, `sg:y:${PB}:${PA}`);
    expect(admin.deps.people.answerSuggestion).toHaveBeenCalledWith('tg--100777', {
      personId: PB,
      candidateId: PA,
      yes: true,
    });
    const yes = admin.sent.find((s) => s.method === 'editMessageText');
    expect(yes?.payload.text).toBe('Yes: <b>#7</b> is now <b>Anna</b> (#3).');
    expect(yes?.payload.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Undo', callback_data: `um:${PB}` }]],
    });
  });

  it('asks without a picture when a face crop is missing, and logs (never fails the album) on errors', async () => {
    const t = setup({
      people: [
        { ...NOBODY, id: PA, handle: 3, name: 'Anna', faceCount: 3, photoCount: 3 },
        { ...NOBODY, id: PB, handle: 7, faceCount: 2, photoCount: 2 },
      ],
    });
    const album = {
      version: 1 as const,
      pack: 'local',
      pipelineVersion: 1,
      createdAt: '2026-01-01T00:00:00Z',
      photos: [],
      people: [],
      failures: [],
    };
    t.deps.people.suggestions.mockResolvedValueOnce([
      {
        personId: PB,
        candidateId: PA,
        candidateName: 'Anna',
        score: 0.44,
        faceKey: 'k1',
        candidateFaceKey: null,
      },
    ]);
    expect(await sendSuggestions(t.bot.api, GROUP.id, 'tg--100777', album, t.deps)).toBe(1);
    const asked = t.sent.find((s) => s.method === 'sendMessage');
    expect(asked?.payload.text).toBe(
      'Is this Anna? <b>#7</b> from this album (left) looks like <b>Anna</b> (#3) (right).',
    );
    expect(asked?.payload.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: 'Yes', callback_data: `sg:y:${PB}:${PA}` },
          { text: 'No', callback_data: `sg:n:${PB}:${PA}` },
        ],
      ],
    });

    t.deps.people.suggestions.mockRejectedValueOnce(new Error('store down'));
    expect(await sendSuggestions(t.bot.api, GROUP.id, 'tg--100777', album, t.deps)).toBe(0);
    expect(t.deps.log).toHaveBeenCalledWith(
      'telegram: album questions failed: INTERNAL: store down',
      expect.objectContaining({ level: 'error', tenant: 'tg--100777' }),
    );
  });

  it('shows input errors from the services and apologises for the rest', async () => {
    const t = setup();
    t.deps.people.namePerson.mockRejectedValueOnce(
      new AppError(ErrorCode.BadArguments, 'a name has 1..64 characters'),
    );
    await t.bot.handleUpdate(t.command(GROUP, '/name 3 x'));
    t.deps.people.namePerson.mockRejectedValueOnce(new Error('disk on fire at /var/lib/x'));
    await t.bot.handleUpdate(t.command(GROUP, '/name 3 y'));
    expect(t.texts()).toEqual([
      'Sorry: a name has 1..64 characters.',
      'Sorry, something went wrong on my side. Please try again in a moment.',
    ]);
    expect(t.deps.log).toHaveBeenCalledWith(
      expect.stringContaining('disk on fire'),
      expect.objectContaining({
        level: 'error',
        tenant: expect.stringMatching(/^tg-/) as unknown,
        updateId: 2,
      }),
    );
  });

  it('keeps /forget and /merge for group admins, asks before forgetting, and rechecks the button', async () => {
    const member = setup({ member: 'member' });
    await member.bot.handleUpdate(member.command(GROUP, '/forget all'));
    await member.bot.handleUpdate(member.command(GROUP, '/merge 3 7'));
    expect(member.texts()).toEqual([
      'Only the group’s admins can do that.',
      'Only the group’s admins can do that.',
    ]);
    await member.bot.handleUpdate({
      update_id: member.nextId(),
      callback_query: {
        id: 'cb1',
        from: ANN,
        chat_instance: 'x',
        data: 'forget:all',
        message: { message_id: 5, date: 0, chat: GROUP, text: 'Forget everything?' },
      },
    });
    expect(member.sent.at(-1)).toMatchObject({
      method: 'answerCallbackQuery',
      payload: { show_alert: true, text: 'Only the group’s admins can do that.' },
    });
    expect(member.deps.privacy.forgetTenant).not.toHaveBeenCalled();

    const admin = setup({ member: 'administrator' });
    await admin.bot.handleUpdate(admin.command(GROUP, '/forget 7'));
    const ask = admin.sent.find((s) => s.method === 'sendMessage');
    expect(ask?.payload.text).toBe('Forget <b>#7</b>? Their 2 faces are deleted; the photos stay.');
    expect(ask?.payload.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: 'Forget', callback_data: `forget:p:${PB}` },
          { text: 'Cancel', callback_data: 'forget:cancel' },
        ],
      ],
    });
  });

  it('asks what to forget, and lets anyone forget all in a private chat without asking who is admin', async () => {
    const t = setup({ member: 'member' });
    await t.bot.handleUpdate(t.command(PRIVATE, '/forget'));
    expect(t.texts()[0]).toMatch(/^What should I forget\?/);
    await t.bot.handleUpdate(t.command(PRIVATE, '/forget all'));
    expect(t.sent.map((s) => s.method)).toEqual(['sendMessage', 'sendMessage']);
    expect(t.texts()[1]).toMatch(/^Forget <b>everything<\/b>/);
  });

  it('welcomes on /start, explains with examples on /help, hints in private chats', async () => {
    const t = setup({ canRead: true });
    await t.bot.handleUpdate(t.command(PRIVATE, '/start'));
    await t.bot.handleUpdate(t.command(PRIVATE, '/help'));
    await t.bot.handleUpdate(t.message(PRIVATE, { text: 'hello?' }));
    await t.bot.handleUpdate(t.message(GROUP, { text: 'nice trip!' }));
    const [start, help, hint, ...rest] = t.texts();
    expect(start).toMatch(/^Hi! Send me a photo album/);
    expect(help).toContain('/name 7 Anna');
    expect(hint).toMatch(/^Send me photos/);
    expect(rest).toEqual([]);
  });

  it('mentions skipped videos once per album, and in private chats', async () => {
    const t = setup();
    const video = { file_id: 'v', file_unique_id: 'vu', width: 9, height: 9, duration: 3 };
    await t.bot.handleUpdate(t.message(GROUP, { video, media_group_id: 'g1' }));
    await t.bot.handleUpdate(t.message(GROUP, { video, media_group_id: 'g1' }));
    await t.bot.handleUpdate(t.message(GROUP, { video }));
    await t.bot.handleUpdate(t.message(PRIVATE, { video }));
    expect(t.texts()).toEqual([
      'I skip videos: the photos of this album are in the post, the videos are not.',
      'I skip videos: send photos and I will make a post of them.',
    ]);
  });

  it('answers another chat at once while one chat waits on a slow /find', async () => {
    const t = setup();
    let release: (value: unknown) => void = () => undefined;
    t.deps.search.findBySelfie.mockReturnValue(new Promise((resolve) => (release = resolve)));
    const slow = t.bot.handleUpdate(
      t.message(GROUP, {
        photo: [{ file_id: 'f', file_unique_id: 'u', width: 9, height: 9 }],
        caption: '/find',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.deps.search.findBySelfie).toHaveBeenCalled();
    // The other chat's /people is answered while the first chat's /find still waits.
    await t.bot.handleUpdate(t.command(PRIVATE, '/people'));
    expect(
      t.sent.filter((s) => s.method === 'sendMessage' && Number(s.payload.chat_id) === PRIVATE.id),
    ).toHaveLength(1);
    release({ status: 'no-match' });
    await slow;
    expect(t.texts().at(-1)).toMatch(/^No match/);
  });

  it('answers files over 20 MB and non-image files', async () => {
    const t = setup();
    await t.bot.handleUpdate(
      t.message(PRIVATE, {
        document: {
          file_id: 'f',
          file_unique_id: 'u',
          file_name: 'big.heic',
          mime_type: 'image/heic',
          file_size: 21 * 1024 * 1024,
        },
      }),
    );
    await t.bot.handleUpdate(
      t.message(PRIVATE, {
        document: {
          file_id: 'g',
          file_unique_id: 'v',
          file_name: 'notes.pdf',
          mime_type: 'application/pdf',
          file_size: 10,
        },
      }),
    );
    expect(t.texts()).toEqual([
      expect.stringMatching(/^<b>big\.heic<\/b> is 21\.0 MB; bots can only download files up to 20 MB/),
      'I only read photos and image files (JPEG, PNG, WebP, HEIC).',
    ]);
    expect(t.deps.photos.submitAlbum).not.toHaveBeenCalled();
  });
});

describe('collecting an album', () => {
  it('hands over the items of one key together, keys apart, and a full group at once', async () => {
    const groups: [string, number[]][] = [];
    const collector = new MediaGroupCollector<number>(
      { debounceMs: 50, maxItems: 3 },
      (key, items) => {
        groups.push([key, items]);
        return Promise.resolve();
      },
      () => undefined,
    );
    collector.add('a', 1);
    collector.add('b', 10);
    collector.add('a', 2);
    collector.add('c', 1);
    collector.add('c', 2);
    collector.add('c', 3);
    expect(groups).toEqual([['c', [1, 2, 3]]]);
    await collector.drain();
    expect(groups).toEqual([
      ['c', [1, 2, 3]],
      ['a', [1, 2]],
      ['b', [10]],
    ]);
    expect(collector.pending).toBe(0);
  });
});

describe('configuration', () => {
  const parseTelegramConfig = (env: Record<string, string>) => parseConfig(env, '/app').telegram;
  const token = '123456:ABCDEFGHIJKLMNOPQRSTUV';
  it('reads the Telegram variables with defaults', () => {
    expect(parseTelegramConfig({ TELEGRAM_BOT_TOKEN: token })).toEqual({
      token,
      apiRoot: 'https://api.telegram.org',
      webhookUrl: null,
      webhookPort: 8080,
      webhookSecret: null,
      throttle: true,
      albumDebounceMs: 1500,
    });
    expect(
      parseTelegramConfig({
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
        TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/tg',
        TELEGRAM_WEBHOOK_SECRET: 's3cret',
        TELEGRAM_THROTTLE: 'off',
      }),
    ).toMatchObject({
      apiRoot: 'http://127.0.0.1:8081',
      webhookUrl: 'https://bot.example.org/tg',
      throttle: false,
    });
  });

  it('names a bad variable without echoing a secret', () => {
    expect(parseTelegramConfig({})).toBeNull();
    expect(() => parseTelegramConfig({ TELEGRAM_BOT_TOKEN: 'nope-secret' })).toThrow(
      /^invalid environment variables: TELEGRAM_BOT_TOKEN \(<digits>:<secret> from @BotFather\)$/,
    );
    expect(() => parseTelegramConfig({ TELEGRAM_BOT_TOKEN: 'nope-secret' })).not.toThrow(/nope-secret/);
    expect(() =>
      parseTelegramConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_URL: 'http://x.org' }),
    ).toThrow(/TELEGRAM_WEBHOOK_URL/);
  });

  it("refuses webhook mode without a secret (forged updates could press an admin's buttons)", () => {
    expect(() =>
      parseTelegramConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/tg' }),
    ).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
});
