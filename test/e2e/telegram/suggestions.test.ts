/**
 * "Is this Lance?" after an album, end to end against the real bot and worker processes and the local
 * Bot API emulator: two photos of Lance Armstrong (LFW 0014 and 0017, cosine 0.41 with the `local`
 * pack) are kept apart by the grouping but fall in the search's "unsure" band, so once the first is
 * named, the second album asks with both faces. Yes (admins) merges with Undo; No (any member) is
 * remembered: the next album with the same unnamed person asks nothing.
 */
import { readFile } from 'node:fs/promises';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FR } from '../../support/albums.js';
import { fixture } from '../../support/fixtures.js';
import {
  type ApiCall,
  type BotApiEmulator,
  callButtons,
  callText,
  type TgChat,
  type TgMessage,
  type TgUser,
} from './bot-api-emulator.js';
import type { Proc } from './support/processes.js';
import { type BotStack, startBotStack } from './support/bot-stack.js';

const LANCE = 'lfw/Lance_Armstrong/Lance_Armstrong_';
const group: TgChat = { id: -1001234567891, type: 'supergroup', title: 'Race day' };
const alice: TgUser = { id: 601, is_bot: false, first_name: 'Alice' };
const bob: TgUser = { id: 602, is_bot: false, first_name: 'Bob' };

const bytesOf = async (p: string) => readFile(fixture(p));
const text = callText;
const inGroup = (c: ApiCall) => Number(c.params.chat_id) === group.id;
const buttons = callButtons;

describe('"Is this Anna?" after an album, end to end', () => {
  let stack: BotStack;
  let emu: BotApiEmulator;
  let bot: Proc;
  let worker: Proc;

  const reply = (after: number, pattern: RegExp, timeoutMs = 30_000) =>
    emu.waitForCall((c) => c.ok && inGroup(c) && pattern.test(text(c)), { after, timeoutMs });

  /** Sends photos as one album; resolves with the album's first message. */
  async function sendAlbum(from: TgUser, photos: readonly string[]): Promise<TgMessage> {
    const mediaGroupId = emu.mediaGroupId();
    const sent: TgMessage[] = [];
    for (const p of photos)
      sent.push(await emu.photoMessage(group, from, await bytesOf(p), { mediaGroupId }));
    return sent[0]!;
  }

  beforeAll(async () => {
    stack = await startBotStack((e) => {
      e.setMember(group.id, alice.id, 'creator');
    });
    ({ emu, bot, worker } = stack);
  }, 120_000);

  afterAll(async () => {
    const codes = await stack.stop();
    expect(codes, `${bot.output()}\n${worker.output()}`).toEqual([0, 0]);
  }, 60_000);

  it('asks with both faces; Yes merges for an admin with Undo, No is remembered', async () => {
    // Album 1: Lance and Obama; Lance (photo 1) is named.
    let start = emu.lastSeq;
    await sendAlbum(alice, [`${LANCE}0014.jpg`, `${FR}/obama.jpg`]);
    const sheet = await emu.waitForCall((c) => c.method === 'sendPhoto' && inGroup(c), {
      after: start,
      timeoutMs: 90_000,
    });
    const lance = Number(/<b>#(\d+)<\/b>: photo 1(\n|$)/.exec(text(sheet))?.[1]);
    expect(lance).toBeGreaterThan(0);
    // Nobody was named yet, so nobody was suggested.
    expect(emu.calls.filter((c) => c.seq > start && /^Is this/.test(text(c)))).toEqual([]);
    start = emu.lastSeq;
    emu.textMessage(group, alice, `/name ${lance} Lance`);
    await reply(start, /is now <b>Lance<\/b>/);

    // Album 2: the other photo of Lance, and Biden. One question, threaded to the album, both faces.
    start = emu.lastSeq;
    const first = await sendAlbum(bob, [`${LANCE}0017.jpg`, `${FR}/biden.jpg`]);
    const question = await reply(start, /^Is this Lance\?/, 90_000);
    expect(question.method).toBe('sendPhoto');
    expect((question.result as TgMessage).reply_to_message?.message_id).toBe(first.message_id);
    const other = Number(/^Is this Lance\? <b>#(\d+)<\/b> from this album/.exec(text(question))?.[1]);
    expect(text(question)).toBe(
      `Is this Lance? <b>#${other}</b> from this album (left) looks like <b>Lance</b> (#${lance}) (right).`,
    );
    const image = await sharp(question.files[0]!.bytes).metadata();
    // Two 160 px tiles with 12 px gaps (src/blog/contact-sheet.ts).
    expect(image.width).toBe(12 + 2 * (160 + 12));
    const [yes, no] = buttons(question);
    expect([yes?.text, no?.text]).toEqual(['Yes', 'No']);
    expect(yes!.callback_data).toMatch(/^sg:y:p[0-9a-f]{20}:p[0-9a-f]{20}$/);
    const asked = emu.calls.filter((c) => c.seq > start && /^Is this/.test(text(c)));
    expect(asked).toHaveLength(1);
    const message = question.result as TgMessage;

    // A member may not merge; the admin may, and may undo it.
    start = emu.lastSeq;
    emu.pressButton(group, bob, message, yes!.callback_data);
    const refused = await emu.waitForCall((c) => c.method === 'answerCallbackQuery', { after: start });
    expect(refused.params).toMatchObject({ show_alert: true, text: 'Only the group’s admins can do that.' });
    start = emu.lastSeq;
    emu.pressButton(group, alice, message, yes!.callback_data);
    const merged = await emu.waitForCall((c) => c.method === 'editMessageCaption', { after: start });
    expect(text(merged)).toBe(`Yes: <b>#${other}</b> is now <b>Lance</b> (#${lance}).`);
    const undo = buttons(merged);
    expect(undo.map((b) => b.text)).toEqual(['Undo']);
    start = emu.lastSeq;
    emu.textMessage(group, bob, `/person ${other}`);
    await reply(start, new RegExp(`^<b>Lance</b> \\(#${lance}\\): 2 photos`));
    start = emu.lastSeq;
    emu.pressButton(group, alice, message, undo[0]!.callback_data);
    await emu.waitForCall(
      (c) => c.method === 'editMessageCaption' && text(c).startsWith(`Undone: <b>#${other}</b>`),
      { after: start },
    );

    // No, from a member: kept apart, and the next album of that person asks nothing.
    start = emu.lastSeq;
    emu.pressButton(group, bob, message, no!.callback_data);
    const kept = await emu.waitForCall((c) => c.method === 'editMessageCaption', { after: start });
    expect(text(kept)).toBe(
      `Not Lance: <b>#${other}</b> and <b>Lance</b> (#${lance}) stay apart, and I will not ask again.`,
    );
    expect(buttons(kept)).toEqual([]);
    start = emu.lastSeq;
    await sendAlbum(bob, [`${LANCE}0018.jpg`, `${FR}/obama2.jpg`]);
    const sheet3 = await emu.waitForCall((c) => c.method === 'sendPhoto' && inGroup(c), {
      after: start,
      timeoutMs: 90_000,
    });
    // The same unnamed person, in photo 1 again.
    expect(text(sheet3)).toMatch(new RegExp(`<b>#${other}</b>: photo 1(\\n|$)`));
    // Questions follow the sheet at once; give them a moment, then check none came.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(emu.calls.filter((c) => c.seq > start && /^Is this/.test(text(c)))).toEqual([]);
  }, 300_000);
});
