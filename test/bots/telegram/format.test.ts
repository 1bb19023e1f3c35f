import { describe, expect, it } from 'vitest';

import type { AlbumResult } from '../../../src/core/album.js';
import { TELEGRAM_CAPTION_LIMIT } from '../../../src/blog/split-telegram.js';
import { photoNames } from '../../../src/bots/telegram/features/album.js';
import { isFindCaption } from '../../../src/bots/telegram/features/find.js';
import {
  doneText,
  failuresText,
  peopleText,
  progressText,
  selfieText,
  chooseFaceText,
  tooLargeText,
  whoAppearsText,
} from '../../../src/bots/telegram/format.js';
import { splitFirst } from '../../../src/bots/telegram/people-args.js';
import { quietText } from '../../../src/bots/telegram/album-replies.js';
import { peopleToAsk } from '../../../src/chat/who-is-this.js';
import { postMessages } from '../../../src/bots/telegram/post.js';
import { withHandles, writeAlbumPost } from '../../../src/chat/album-post.js';
import { summarizeAlbum } from '../../../src/chat/album-report.js';
import { BOT_API_DOWNLOAD_LIMIT } from '../../../src/bots/telegram/files.js';

const SHA = (n: number) => n.toString(16).padStart(64, '0');

/** An album result as the services return it: tenant-wide person ids, photo names as sent. */
function album(people: { id: string; name: string | null; photos: number[] }[], photos: number): AlbumResult {
  const face = (personId: string | null) => ({
    box: [10, 10, 50, 50] as [number, number, number, number],
    landmarks: [
      [20, 20],
      [40, 20],
      [30, 30],
      [22, 45],
      [38, 45],
    ] as unknown as AlbumResult['photos'][number]['faces'][number]['landmarks'],
    score: 0.9,
    quality: 0.8,
    qualityReasons: [],
    personId,
  });
  return {
    version: 1,
    pack: 'local',
    pipelineVersion: 1,
    createdAt: '2026-01-01T00:00:00Z',
    photos: Array.from({ length: photos }, (_, i) => ({
      path: `photo ${i + 1}`,
      sha256: SHA(i + 1),
      format: 'jpeg',
      width: 100,
      height: 100,
      takenAt: `2026-01-0${1 + (i % 5)}T12:00:00+02:00`,
      gps: null,
      faces: people.filter((p) => p.photos.includes(i + 1)).map((p) => face(p.id)),
      duplicateOf: null,
    })),
    people: people.map((p) => ({
      id: p.id,
      name: p.name,
      photos: p.photos.map((n) => `photo ${n}`),
      faceCount: p.photos.length,
      representative: { photo: `photo ${p.photos[0]}`, faceIndex: 0, box: [10, 10, 50, 50] },
    })),
    failures: [],
  };
}

/** The album's report (src/chat/album-report.ts) with the chat's handles, by person id. */
function report(result: AlbumResult, handles: Record<string, number>) {
  const people = Object.entries(handles).map(([id, handle]) => ({ id, handle }));
  return summarizeAlbum({ tenant: 'tg-1', result, people });
}

/** Telegram HTML is well formed when every tag closes in order. */
function balanced(html: string): boolean {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2] ?? '');
  }
  return stack.length === 0 && !/<(?!\/?(b|code)>)/.test(html.replace(/<\/?(b|code)>/g, ''));
}

describe('who is in which photo', () => {
  it('lists people by chat number with their photos in natural order, escaped', () => {
    const result = album(
      [
        { id: 'pa', name: null, photos: [10, 2] },
        { id: 'pb', name: 'Ann <& Bo>', photos: [1] },
      ],
      11,
    );
    const [text, ...more] = whoAppearsText(report(result, { pa: 3, pb: 1 }));
    expect(more).toEqual([]);
    expect(text).toBe(
      [
        '<b>Who is in which photo</b>',
        '<b>Ann &lt;&amp; Bo&gt;</b> (#1): photo 1',
        '<b>#3</b>: photo 2, photo 10',
        'Nobody recognised: photo 3, photo 4, photo 5, photo 6, photo 7, photo 8, photo 9, photo 11',
        'Tap a button below to name someone.',
      ].join('\n'),
    );
  });

  it('splits a long list into captions under 1024 characters without cutting a tag', () => {
    const photos = Array.from({ length: 400 }, (_, i) => i + 1);
    const result = album([{ id: 'pa', name: 'A'.repeat(40), photos }], 400);
    const parts = whoAppearsText(report(result, { pa: 1 }));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(TELEGRAM_CAPTION_LIMIT);
      expect(balanced(part), part).toBe(true);
    }
    expect(parts.join('\n')).toContain('photo 400');
  });

  it('says so when the album has no faces', () => {
    expect(whoAppearsText(report(album([], 2), {}))[0]).toMatch(/^No faces found in this album\./);
  });
});

describe('status and replies', () => {
  it('counts photos and people', () => {
    expect(progressText(7, 12)).toBe('Processing 7/12 photos…');
    expect(progressText(1, 1)).toBe('Processing 1/1 photo…');
    expect(doneText(8, 3, 0)).toBe('Done: 8 photos, 3 people.');
    expect(doneText(1, 1, 2)).toBe('Done: 1 photo, 1 person, 2 could not be read.');
  });

  it('names every failure with a reason a person understands', () => {
    const [text] = failuresText([
      { path: 'photo 10', code: 'TOO_MANY_PIXELS', message: 'x' },
      { path: 'b<roken>.jpg', code: 'CORRUPT_IMAGE', message: 'bad bytes' },
      { path: 'photo 2', code: 'SOMETHING_NEW', message: 'an odd & rare failure' },
    ]);
    expect(text).toBe(
      [
        '<b>Could not read 3 photos</b>',
        '• b&lt;roken&gt;.jpg: the file is damaged or not an image',
        '• photo 2: an odd &amp; rare failure',
        '• photo 10: the image is too large to process',
      ].join('\n'),
    );
    expect(failuresText([])).toEqual([]);
  });

  it('explains the 20 MB download limit', () => {
    expect(tooLargeText('IMG_1.HEIC', 25 * 1024 * 1024, BOT_API_DOWNLOAD_LIMIT)).toBe(
      '<b>IMG_1.HEIC</b> is 25.0 MB; bots can only download files up to 20 MB. Send it as a photo (Telegram compresses it) or a smaller copy.',
    );
  });

  it('answers every selfie outcome', () => {
    const selfie = {
      sha256: SHA(99),
      face: {
        index: 0,
        box: [0, 0, 1, 1] as [number, number, number, number],
        quality: 0.9,
        crop: new Uint8Array(),
      },
    };
    const person = { id: 'pa', name: null, handle: null, faceKey: null };
    const found = {
      status: 'found' as const,
      person,
      score: 0.7,
      confirmed: false,
      selfie,
      photos: Array.from({ length: 12 }, (_, i) => ({
        sha256: SHA(i),
        blobKey: 'k',
        thumbKey: 't',
        similarity: 0.5,
      })),
    };
    expect(selfieText(found, 4, 10)).toBe('Found <b>#4</b> in 12 photos. Here are the best 10.');
    expect(
      selfieText({ status: 'unsure', person: { ...person, name: '<Ann>' }, score: 0.42, selfie }, 4, 0),
    ).toMatch(/^Is this <b>&lt;Ann&gt;<\/b>\?.*not sure/);
    expect(selfieText({ status: 'no-match', selfie }, undefined, 0)).toMatch(/^No match/);
    expect(selfieText({ status: 'no-face' }, undefined, 0)).toMatch(/could not find a face/);
    expect(chooseFaceText(3)).toMatch(/3 faces/);
    expect(selfieText({ status: 'poor-quality', reasons: ['blurry', '<tiny>'] }, undefined, 0)).toContain(
      '(it is blurred, &lt;tiny&gt;)',
    );
  });

  it('lists the people by handle, folds people seen once and hidden ones, and hints', () => {
    const base = { hidden: false, coverKey: null, coverFace: null };
    const [text] = peopleText(
      [
        { ...base, id: 'pa', handle: 4, name: 'Ann', faceCount: 3, photoCount: 2 },
        { ...base, id: 'pb', handle: 9, name: null, faceCount: 2, photoCount: 2 },
      ],
      { once: 24, hidden: 1 },
    );
    expect(text).toMatch(
      /^<b>Ann<\/b> \(#4\): 2 photos\n<b>#9<\/b>: 2 photos\n\+24 people seen once, 1 hidden \(\/people all\)\n/,
    );
    expect(peopleText([])[0]).toMatch(/^No people yet/);
  });
});

describe('after an album', () => {
  it('asks about unnamed people seen twice or as a main face, never about named ones', () => {
    const result = album(
      [
        { id: 'twice', name: null, photos: [1, 2] },
        { id: 'named', name: 'Ann', photos: [1, 3] },
        { id: 'main', name: null, photos: [4] },
      ],
      4,
    );
    // Faces are 50 px wide in 100 px photos: main faces. A 5 px face in one photo is a passer-by.
    expect(peopleToAsk(result)).toEqual(['twice', 'main']);
    const small = {
      ...result,
      people: result.people.map((p) =>
        p.id === 'main'
          ? {
              ...p,
              representative: { ...p.representative, box: [1, 1, 5, 5] as [number, number, number, number] },
            }
          : p,
      ),
    };
    expect(peopleToAsk(small)).toEqual(['twice']);
  });

  it('acknowledges a single photo quietly, by name or handle', () => {
    const one = album(
      [
        { id: 'pa', name: null, photos: [1] },
        { id: 'pb', name: 'Bo <3', photos: [1] },
      ],
      1,
    );
    expect(quietText(report(one, { pa: 4 }), 'I had seen this before.')).toBe(
      'Saved 1 photo: #4, Bo &lt;3. I had seen this before.',
    );
  });
});

describe('command arguments', () => {
  it('splits the person from the rest (handles and names resolve in the people service)', () => {
    expect(splitFirst('  2   Anna  Maria ')).toEqual(['2', 'Anna  Maria']);
    expect(splitFirst('2')).toEqual(['2', '']);
  });

  it('recognises /find captions addressed to this bot only', () => {
    expect(isFindCaption('/find', 'faceblog_bot')).toBe(true);
    expect(isFindCaption('/FIND@Faceblog_Bot me', 'faceblog_bot')).toBe(true);
    expect(isFindCaption('/find@other_bot', 'faceblog_bot')).toBe(false);
    expect(isFindCaption('/finder', 'faceblog_bot')).toBe(false);
    expect(isFindCaption('look /find', 'faceblog_bot')).toBe(false);
    expect(isFindCaption(undefined, 'faceblog_bot')).toBe(false);
  });

  it('names photos as the chat knows them, uniquely', () => {
    expect(
      photoNames([{ fileName: null }, { fileName: 'a.jpg' }, { fileName: 'a.jpg' }, { fileName: ' ' }]),
    ).toEqual(['photo 1', 'a.jpg', 'a.jpg (3)', 'photo 4']);
  });
});

describe('the post', () => {
  const result = album(
    [
      { id: 'p9f00', name: 'Barack <Obama>', photos: [1, 2] },
      { id: 'p1a00', name: null, photos: [2, 3] },
    ],
    3,
  );

  it('calls unnamed people by their chat handle', () => {
    const relabelled = withHandles(result, [
      { id: 'p9f00', handle: 1 },
      { id: 'p1a00', handle: 2 },
    ]);
    expect(relabelled.people.map((p) => p.id)).toEqual(['person-1', 'person-2']);
    expect(relabelled.photos[1]?.faces.map((f) => f.personId)).toEqual(['person-1', 'person-2']);
  });

  it('is HTML messages under 4096 characters naming the people as the chat does ("#2")', async () => {
    const written = await writeAlbumPost(
      { writer: null, blobs: { get: () => Promise.resolve(null) }, log: () => undefined },
      {
        tenant: 'tg-1',
        result,
        people: [
          { id: 'p9f00', handle: 1 },
          { id: 'p1a00', handle: 2 },
        ],
      },
    );
    expect(written.notice).toBeNull();
    const messages = postMessages(written);
    const all = messages.join('\n');
    expect(all).toContain('Barack &lt;Obama&gt;');
    expect(all).toContain('#2');
    expect(all).not.toContain('Person 2');
    expect(all).not.toMatch(/p9f00|p1a00/);
    for (const m of messages) {
      expect(m.length).toBeLessThanOrEqual(4096);
      expect(balanced(m), m).toBe(true);
    }
  });
});
