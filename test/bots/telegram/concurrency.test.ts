/**
 * Updates run through @grammyjs/runner against the local Bot API emulator, as in production: a long
 * /find in one chat does not hold another chat's /people, while one chat's own updates stay in order.
 * And a bot that can no longer poll (409 Conflict, revoked token) ends its process non-zero.
 */
import { run } from '@grammyjs/runner';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { runUntilSignal, type StopService } from '../../../src/app/run-until-signal.js';
import { createTelegramBot } from '../../../src/bots/telegram/create-bot.js';
import type { TelegramBotDeps } from '../../../src/bots/telegram/deps.js';
import type { SelfieOutcome } from '../../../src/services/search-service.js';
import { BotApiEmulator, type TgChat, type TgUser } from '../../e2e/telegram/bot-api-emulator.js';
import { fixture } from '../../support/fixtures.js';

const groupA: TgChat = { id: -1001, type: 'supergroup', title: 'Slow chat' };
const groupB: TgChat = { id: -1002, type: 'supergroup', title: 'Other chat' };
const ann: TgUser = { id: 11, is_bot: false, first_name: 'Ann' };
const ben: TgUser = { id: 12, is_bot: false, first_name: 'Ben' };

describe('updates of several chats', () => {
  let emu: BotApiEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
  });

  it("answers another chat's /people while one chat's /find is still running, and keeps one chat in order", async () => {
    emu = await BotApiEmulator.start();
    let release: (outcome: SelfieOutcome) => void = () => undefined;
    const findBySelfie = vi.fn(
      () =>
        new Promise<SelfieOutcome>((resolve) => {
          release = resolve;
        }),
    );
    const deps: TelegramBotDeps = {
      photos: { submitAlbum: vi.fn(), albumStatus: vi.fn(), albumResult: vi.fn() },
      people: {
        listPeople: () => Promise.resolve([]),
        findPerson: () => Promise.resolve(null),
        namePerson: vi.fn(),
        mergePeople: vi.fn(),
        undoMerge: vi.fn(),
        hidePerson: vi.fn(),
        splitFace: vi.fn(),
        personFaces: vi.fn(),
        photosOf: vi.fn(),
        faceCropKey: vi.fn(),
        chooseCover: vi.fn(),
        suggestions: () => Promise.resolve([]),
        answerSuggestion: vi.fn(),
      },
      search: { findBySelfie, answer: vi.fn(), photosOf: vi.fn(() => Promise.resolve([])) },
      privacy: { forgetPerson: vi.fn(), forgetTenant: vi.fn() },
      albums: { latestAlbumId: () => Promise.resolve(null), stats: vi.fn() },
      blobs: { get: () => Promise.resolve(null) },
      progress: { watch: () => () => undefined },
      writer: null,
      log: () => undefined,
    };
    const { bot } = createTelegramBot(deps, { token: emu.token, apiRoot: emu.apiRoot, throttle: false });
    await bot.init();
    const runner = run(bot, { runner: { fetch: { allowed_updates: ['message', 'callback_query'] } } });
    try {
      const start = emu.lastSeq;
      const selfie = await readFile(fixture('face_recognition/examples/obama.jpg'));
      await emu.photoMessage(groupA, ann, selfie, { caption: '/find' });
      await vi.waitFor(
        () => {
          expect(findBySelfie).toHaveBeenCalled();
        },
        { timeout: 10_000 },
      );
      // Chat A waits on its /find; its next command queues behind it, chat B is answered at once.
      emu.textMessage(groupA, ann, '/people');
      emu.textMessage(groupB, ben, '/people');
      const answerB = await emu.waitForCall(
        (c) => c.method === 'sendMessage' && Number(c.params.chat_id) === groupB.id,
        { after: start, timeoutMs: 10_000 },
      );
      expect(String(answerB.params.text)).toMatch(/^No people yet/);
      const inA = () =>
        emu!.calls.filter(
          (c) => c.seq > start && c.method === 'sendMessage' && Number(c.params.chat_id) === groupA.id,
        );
      expect(inA()).toEqual([]);

      release({
        status: 'no-match',
        selfie: {
          sha256: 'a'.repeat(64),
          face: { index: 0, box: [0, 0, 1, 1], quality: 1, crop: new Uint8Array() },
        },
      });
      await emu.waitForCall(
        (c) =>
          c.method === 'sendMessage' &&
          Number(c.params.chat_id) === groupA.id &&
          /^No people yet/.test(String(c.params.text)),
        { after: start, timeoutMs: 10_000 },
      );
      expect(inA().map((c) => String(c.params.text).slice(0, 14))).toEqual([
        'No match: nobo',
        'No people yet.',
      ]);
    } finally {
      if (runner.isRunning()) await runner.stop();
    }
  }, 30_000);
});

describe('a service that dies on its own', () => {
  it('ends the process with exit code 2 after a clean stop', async () => {
    const stopped = vi.fn(() => Promise.resolve());
    const stop: StopService = Object.assign(stopped, {
      fatal: Promise.reject(new Error('409: Conflict: terminated by other getUpdates request')),
    });
    const lines: string[] = [];
    const code = await runUntilSignal(
      'bot',
      () => Promise.resolve(stop),
      (line) => lines.push(line),
    );
    expect(code).toBe(2);
    expect(stopped).toHaveBeenCalledOnce();
    expect(lines.join('\n')).toContain('cannot go on: 409: Conflict');
  });
});
