/**
 * Whole Telegram conversations against the real bot and worker processes: the bot talks to a local Bot
 * API emulator (TELEGRAM_API_ROOT), both processes share real Redis under a queue prefix of their own
 * and a temp data dir, and photos are analyzed by the real `local` model pack.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FR, KNN, PEOPLE_ALBUM } from '../../support/albums.js';
import { fixture, mirrorDir } from '../../support/fixtures.js';
import { obliterate, REDIS_URL } from '../../jobs/support/harness.js';
import {
  type ApiCall,
  BotApiEmulator,
  type TgChat,
  type TgMessage,
  type TgUser,
} from './bot-api-emulator.js';
import { type Proc, startProcess } from './support/processes.js';

/** Photos 1-3 Obama, 4-5 Biden, 6-7 Kit Harington, 8 nobody: sent as one album, in this order. */
const ALBUM = PEOPLE_ALBUM;
/** Selfies that are not in the album. */
const OBAMA_SELFIE = `${KNN}/test/obama1.jpg`;
const KIT_SELFIE = `${KNN}/test/johnsnow_test1.jpg`;
const ABSENT_SELFIE = `${FR}/lin-manuel-miranda.png`;

const group: TgChat = { id: -1001234567890, type: 'supergroup', title: 'Summer trip' };
const alice: TgUser = { id: 501, is_bot: false, first_name: 'Alice' };
const bob: TgUser = { id: 502, is_bot: false, first_name: 'Bob' };

const bytesOf = async (p: string) => readFile(fixture(p));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const text = (c: ApiCall): string => {
  const { text: body, caption } = c.params;
  return typeof body === 'string' ? body : typeof caption === 'string' ? caption : '';
};
const inGroup = (c: ApiCall) => Number(c.params.chat_id) === group.id;

describe('the Telegram bot, end to end', () => {
  let emu: BotApiEmulator;
  let bot: Proc;
  let worker: Proc;
  let dataDir: string;
  let prefix: string;
  /** The chat numbers the bot gave the album's people. */
  const num: { obama?: number; biden?: number; kit?: number } = {};
  /** The album's photo messages as the group saw them. */
  const albumMessages: TgMessage[] = [];

  /** The next bot message in the group after `after` whose text matches. */
  const reply = (after: number, pattern: RegExp, timeoutMs = 30_000) =>
    emu.waitForCall((c) => c.ok && inGroup(c) && pattern.test(text(c)), { after, timeoutMs });

  beforeAll(async () => {
    emu = await BotApiEmulator.start();
    emu.setMember(group.id, alice.id, 'creator');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-tg-'));
    prefix = `tg${randomBytes(5).toString('hex')}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TELEGRAM_BOT_TOKEN: emu.token,
      TELEGRAM_API_ROOT: emu.apiRoot,
      // The emulator does not rate-limit; Telegram's 20 messages a minute per group would make this
      // test wait for minutes.
      TELEGRAM_THROTTLE: 'off',
      TELEGRAM_ALBUM_DEBOUNCE_MS: '800',
      REDIS_URL,
      FACEBLOG_QUEUE_PREFIX: prefix,
      FACEBLOG_DATA_DIR: dataDir,
      FACEBLOG_MODEL_MIRROR: mirrorDir,
      FACEBLOG_MODEL_PACK: 'local',
      FACEBLOG_OFFLINE: '1',
    };
    worker = startProcess('worker', 'src/main-worker.ts', env);
    bot = startProcess('bot', 'src/main-bot.ts', env);
    await emu
      .waitForCall((c) => c.method === 'setMyCommands', { timeoutMs: 90_000 })
      .catch((error: unknown) => {
        throw new Error(`the bot did not start: ${String(error)}\n${bot.output()}`);
      });
  }, 120_000);

  afterAll(async () => {
    const codes = await Promise.all([bot.stop(), worker.stop()]);
    await emu.close();
    await obliterate(prefix);
    await rm(dataDir, { recursive: true, force: true });
    // A clean shutdown exits 0 on SIGTERM.
    expect(codes, `${bot.output()}\n${worker.output()}`).toEqual([0, 0]);
  }, 60_000);

  it('registers its commands', () => {
    const call = emu.callsOf('setMyCommands')[0];
    const names = (call?.params.commands as { command: string }[]).map((c) => c.command);
    expect(names).toEqual(['start', 'help', 'blog', 'people', 'name', 'merge', 'find', 'forget', 'stats']);
  });

  it('turns an album of 8 photos into one edited status message, a post and the people', async () => {
    const start = emu.lastSeq;
    const mediaGroupId = emu.mediaGroupId();
    const sent = albumMessages;
    for (const p of ALBUM)
      sent.push(await emu.photoMessage(group, alice, await bytesOf(p), { mediaGroupId }));

    const sheet = await emu.waitForCall((c) => c.method === 'sendPhoto' && inGroup(c), {
      after: start,
      timeoutMs: 90_000,
    });
    const calls = emu.calls.filter((c) => c.seq > start && c.seq <= sheet.seq && inGroup(c));
    const refused = calls.filter((c) => !c.ok).map((c) => `${c.method}: ${c.description ?? ''}`);
    expect(refused.join('\n')).toBe('');

    // One status message, replying to the album, edited from "Processing 0/8" to "Done".
    const statusCalls = calls.filter(
      (c) => c.method === 'sendMessage' && /photos/.test(text(c)) && !c.params.parse_mode,
    );
    expect(statusCalls.map(text)).toEqual(['Got 8 photos. Downloading…']);
    const status = statusCalls[0]!.result as TgMessage;
    expect(status.reply_to_message?.message_id).toBe(sent[0]!.message_id);
    const edits = calls.filter((c) => c.method === 'editMessageText');
    expect(edits.every((c) => Number(c.params.message_id) === status.message_id)).toBe(true);
    const editTexts = edits.map(text);
    expect(editTexts[0]).toBe('Processing 0/8 photos…');
    expect(editTexts.at(-1)).toBe('Done: 8 photos, 3 people.');
    const counts = editTexts.flatMap((t) => /^Processing (\d+)\/8/.exec(t)?.[1] ?? []).map(Number);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(emu.botMessages(group.id).find((m) => m.message_id === status.message_id)?.text).toBe(
      'Done: 8 photos, 3 people.',
    );

    // The post: HTML messages between the status and the contact sheet.
    const post = calls.filter((c) => c.method === 'sendMessage' && c.params.parse_mode === 'HTML');
    expect(post.length).toBeGreaterThan(0);
    expect(post.every((c) => text(c).length <= 4096)).toBe(true);

    // The contact sheet: three faces, and who is in which photo with the chat's numbers.
    const caption = text(sheet);
    const line = (photos: string) => {
      const m = new RegExp(`(\\d+)\\. <b>Person \\d+</b>: ${photos}(\\n|$)`).exec(caption);
      expect(m, caption).not.toBeNull();
      return Number(m![1]);
    };
    num.obama = line('photo 1, photo 2, photo 3');
    num.biden = line('photo 4, photo 5');
    num.kit = line('photo 6, photo 7');
    expect(new Set(Object.values(num))).toEqual(new Set([1, 2, 3]));
    expect(caption).toContain('Nobody recognised: photo 8');
    const image = await sharp(sheet.files[0]!.bytes).metadata();
    expect(image.format).toBe('jpeg');
    // Three 160 px tiles with 12 px gaps (src/blog/contact-sheet.ts).
    expect(image.width).toBe(12 + 3 * (160 + 12));
  });

  it('names a person and lists the people', async () => {
    let start = emu.lastSeq;
    emu.textMessage(group, alice, `/name ${num.obama} Barack <Obama>`);
    await reply(start, /is now <b>Barack &lt;Obama&gt;<\/b>/);

    start = emu.lastSeq;
    emu.textMessage(group, alice, `/name ${num.obama} Barack Obama`);
    await reply(start, /is now <b>Barack Obama<\/b>/);

    start = emu.lastSeq;
    emu.textMessage(group, bob, '/people');
    const people = await reply(start, /Barack Obama/);
    expect(people.method).toBe('sendPhoto');
    expect(text(people)).toMatch(new RegExp(`${num.obama}\\. <b>Barack Obama</b>: 3 photos`));
  });

  it('finds the person of a selfie sent with /find as its caption', async () => {
    const start = emu.lastSeq;
    await emu.photoMessage(group, bob, await bytesOf(OBAMA_SELFIE), { caption: '/find' });
    await reply(start, /^Found <b>Barack Obama<\/b> in 3 photos\.$/);
    const photos = await emu.waitForCall((c) => c.method === 'sendMediaGroup' && inGroup(c), {
      after: start,
    });
    const expected = await Promise.all(ALBUM.slice(0, 3).map(async (p) => `${sha(await bytesOf(p))}.jpg`));
    expect(photos.files.map((f) => f.filename).sort()).toEqual(expected.sort());
  });

  it('finds the person of a photo that /find replies to, and of the photo sent after /find', async () => {
    // Reply to Biden's photo in the album (photo 4).
    let start = emu.lastSeq;
    emu.textMessage(group, bob, '/find', { replyTo: albumMessages[3]! });
    await reply(start, new RegExp(`^Found <b>Person ${num.biden}</b> in 2 photos\\.$`));

    start = emu.lastSeq;
    emu.textMessage(group, alice, '/find');
    await reply(start, /^Send me a selfie/);
    await emu.photoMessage(group, alice, await bytesOf(KIT_SELFIE));
    await reply(start, new RegExp(`^Found <b>Person ${num.kit}</b> in 2 photos\\.$`));
  });

  it('says "no match" for someone who is not in the photos', async () => {
    const start = emu.lastSeq;
    await emu.photoMessage(group, alice, await bytesOf(ABSENT_SELFIE), { caption: '/find' });
    await reply(start, /^No match/);
  });

  it('asks which face when a selfie shows two people, and only the sender may choose', async () => {
    let start = emu.lastSeq;
    await emu.photoMessage(group, alice, await bytesOf(`${KNN}/test/kit_with_rose.jpg`), {
      caption: '/find',
    });
    const question = await reply(start, /^I see 2 faces and none is clearly the main one/);
    expect(question.method).toBe('sendPhoto');
    const buttons = (
      question.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }
    ).inline_keyboard.flat();
    expect(buttons.map((b) => b.text)).toEqual(['1', '2']);

    start = emu.lastSeq;
    emu.pressButton(group, bob, question.result as TgMessage, buttons[1]!.callback_data);
    const refused = await emu.waitForCall((c) => c.method === 'answerCallbackQuery', { after: start });
    expect(refused.params.text).toMatch(/Only the person who sent the selfie/);

    // The right-hand face is Kit Harington, who is in the album.
    start = emu.lastSeq;
    emu.pressButton(group, alice, question.result as TgMessage, buttons[1]!.callback_data);
    await reply(start, new RegExp(`^Found <b>Person ${num.kit}</b> in 2 photos\\.$`));
  });

  it('processes an album of files with a corrupt one and names it in the failures', async () => {
    const start = emu.lastSeq;
    const mediaGroupId = emu.mediaGroupId();
    emu.documentMessage(group, alice, await bytesOf('compreface/001_A.jpg'), {
      fileName: 'IMG_0001.JPG',
      mimeType: 'image/jpeg',
      mediaGroupId,
    });
    emu.documentMessage(group, alice, await bytesOf('heic/nokiatech/bothie_1440x960.heic'), {
      fileName: 'IMG_0002.HEIC',
      mimeType: 'image/heic',
      mediaGroupId,
    });
    emu.documentMessage(group, alice, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]), {
      fileName: 'broken.jpg',
      mimeType: 'image/jpeg',
      mediaGroupId,
    });
    const failures = await reply(start, /Could not read 1 photo/, 90_000);
    expect(text(failures)).toContain('• broken.jpg: the file is damaged or not an image (CORRUPT_IMAGE)');
    const edits = emu.callsOf('editMessageText', start).filter(inGroup).map(text);
    expect(edits.at(-1)).toMatch(/^Done: 2 photos, \d+ (person|people), 1 could not be read\.$/);
  });

  it('tells the sender that a file over 20 MB cannot be downloaded', async () => {
    const start = emu.lastSeq;
    emu.documentMessage(group, alice, null, {
      fileName: 'huge.heic',
      mimeType: 'image/heic',
      size: 25 * 1024 * 1024,
    });
    const answer = await reply(
      start,
      /huge\.heic<\/b> is 25\.0 MB; bots can only download files up to 20 MB/,
    );
    expect(answer.params.parse_mode).toBe('HTML');
  });

  it('asks "same person?" before merging, and writes the post again with /blog', async () => {
    let start = emu.lastSeq;
    emu.textMessage(group, alice, `/merge ${num.biden} ${num.kit}`);
    const question = await reply(start, /the same person\?$/);
    start = emu.lastSeq;
    emu.pressButton(group, alice, question.result as TgMessage, 'merge:no');
    await emu.waitForCall((c) => c.method === 'editMessageText' && text(c) === 'Kept apart.', {
      after: start,
    });

    start = emu.lastSeq;
    emu.textMessage(group, bob, '/stats');
    await reply(start, /^2 albums, \d+ photos\n\d+ people \(1 named\)/);

    start = emu.lastSeq;
    emu.textMessage(group, bob, '/blog');
    const post = await reply(start, /<b>/);
    expect(post.params.parse_mode).toBe('HTML');
  });

  it('forgets the chat only for an admin, after the confirm button, and then finds nothing', async () => {
    let start = emu.lastSeq;
    emu.textMessage(group, bob, '/forget all');
    await reply(start, /^Only the group’s admins can do that\.$/);

    start = emu.lastSeq;
    emu.textMessage(group, alice, '/forget all');
    const confirm = await reply(start, /Forget <b>everything<\/b>/);
    const keyboard = (confirm.params.reply_markup as { inline_keyboard: { callback_data: string }[][] })
      .inline_keyboard;
    expect(keyboard.flat().map((b) => b.callback_data)).toEqual(['forget:all', 'forget:cancel']);

    start = emu.lastSeq;
    emu.pressButton(group, bob, confirm.result as TgMessage, 'forget:all');
    const refused = await emu.waitForCall((c) => c.method === 'answerCallbackQuery', { after: start });
    expect(refused.params).toMatchObject({ show_alert: true });

    start = emu.lastSeq;
    emu.pressButton(group, alice, confirm.result as TgMessage, 'forget:all');
    await emu.waitForCall((c) => c.method === 'editMessageText' && /^Done: I forgot every/.test(text(c)), {
      after: start,
    });

    start = emu.lastSeq;
    await emu.photoMessage(group, bob, await bytesOf(OBAMA_SELFIE), { caption: '/find' });
    await reply(start, /^No match/);
    emu.textMessage(group, bob, '/people');
    await reply(start, /^No people yet/);

    // Of both albums, only the one with the broken file got a failure message.
    const failureMessages = emu.calls.filter((c) => /Could not read/.test(text(c)));
    expect(failureMessages).toHaveLength(1);
  });
});
