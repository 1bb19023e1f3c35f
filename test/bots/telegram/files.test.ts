import type { Message } from 'grammy/types';
import { describe, expect, it } from 'vitest';

import { mediaOf } from '../../../src/bots/telegram/files.js';

describe('mediaOf', () => {
  it('keeps what the post tells from the message: caption, first name, language_code, time', () => {
    const msg = {
      message_id: 7,
      date: 1_796_202_840,
      chat: { id: -1001, type: 'supergroup', title: 'Trip' },
      from: { id: 42, is_bot: false, first_name: 'Giulia', language_code: 'it' },
      caption: 'Day 2 in Siena: gelato, the Campo, and Marco lost his hat again',
      media_group_id: 'g1',
      photo: [
        { file_id: 'small', file_unique_id: 's', width: 90, height: 60 },
        { file_id: 'large', file_unique_id: 'l', width: 1280, height: 853, file_size: 200_000 },
      ],
    } as unknown as Message;
    expect(mediaOf(msg)).toEqual({
      kind: 'photo',
      fileId: 'large',
      fileSize: 200_000,
      fileName: null,
      messageId: 7,
      date: 1_796_202_840,
      caption: 'Day 2 in Siena: gelato, the Campo, and Marco lost his hat again',
      sender: 'Giulia',
      language: 'it',
    });
  });

  it('leaves them out when the message has none', () => {
    const msg = {
      message_id: 8,
      date: 1,
      chat: { id: 1, type: 'private', first_name: 'A' },
      photo: [{ file_id: 'only', file_unique_id: 'o', width: 10, height: 10 }],
    } as unknown as Message;
    const media = mediaOf(msg)!;
    expect('caption' in media || 'sender' in media || 'language' in media).toBe(false);
  });
});
