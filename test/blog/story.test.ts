import { readFile } from 'node:fs/promises';

import { beforeAll, describe, expect, it } from 'vitest';

import { buildAlbumFacts } from '../../src/blog/facts.js';
import { writeOfflinePost } from '../../src/blog/offline-writer.js';
import { renderMarkdown } from '../../src/blog/render-markdown.js';
import { validatePost } from '../../src/blog/validate.js';
import type { AlbumResult, PhotoMessage } from '../../src/core/album.js';
import { inProcessAnalyzer } from '../../src/pipeline/analyze-photo.js';
import { analyzeAlbum } from '../../src/services/analyze-album.js';
import { fixture, hasFixtures } from '../support/fixtures.js';
import { loadTestPack } from '../support/models.js';
import { TRIP } from './album-fixture.js';

/**
 * The story a chat gets for a trip: the nine GPS photos of the Arezzo walk (2008-10-22 16:28–17:00) run
 * through the real pipeline (faces and scene objects), sent as two messages with captions the same
 * evening, the way a Telegram album arrives.
 */
const SENT = '2008-10-22T19:12:00+02:00';
const MESSAGES: Record<string, PhotoMessage> = {
  [TRIP[0]!]: {
    sentAt: SENT,
    sender: 'Giulia',
    caption: 'Afternoon walk through Arezzo before dinner #arezzo',
    language: 'en',
  },
  [TRIP[5]!]: {
    sentAt: '2008-10-22T19:14:00+02:00',
    sender: 'Tom',
    caption: '/blog@faceblog_bot Marco lost his hat again near the car park https://example.org/x',
    language: 'en-GB',
  },
};

const GERMAN_CAPTIONS: Record<string, { caption: string }> = {
  [TRIP[0]!]: { caption: 'Nachmittags durch Arezzo, bevor es zum Essen ging' },
  [TRIP[5]!]: { caption: 'Marco hat schon wieder seinen Hut verloren!' },
};

async function analyzeFixtures(paths: readonly string[]): Promise<AlbumResult> {
  const analyzer = inProcessAnalyzer(await loadTestPack());
  const { result } = await analyzeAlbum(
    paths.map((p) => ({ path: p, read: async () => new Uint8Array(await readFile(fixture(p))) })),
    analyzer,
    { concurrency: 1, now: () => new Date('2026-12-02T10:00:00Z') },
  );
  return result;
}

describe.skipIf(!hasFixtures())('the story of a trip album', () => {
  let trip: AlbumResult;
  beforeAll(async () => {
    const analyzed = await analyzeFixtures(TRIP);
    trip = {
      ...analyzed,
      photos: analyzed.photos.map((p) => ({
        ...p,
        message: MESSAGES[p.path] ?? { sentAt: SENT, sender: 'Giulia', language: 'en' },
      })),
    };
  }, 120_000);

  it('tells the walk in English with the captions, the senders and what is in the photos', () => {
    const facts = buildAlbumFacts(trip);
    const post = writeOfflinePost(facts);
    console.log(renderMarkdown(post, facts));
    expect(facts.language).toBe('en');
    expect(facts.audience).toBe('chat');
    const all = [post.intro, ...post.sections.map((s) => s.text), post.closing].join(' ');
    expect(all).toContain('Afternoon walk through Arezzo before dinner');
    expect(all).toContain('Marco lost his hat again near the car park');
    expect(all).not.toMatch(/\/blog|https?:|arezzo|fire hydrant/);
    expect(all).toMatch(/Giulia/);
    expect(all).toMatch(/car|bench/);
    expect(post.title).toBe('Arezzo, October 2008');
    expect(all).not.toMatch(/\d+ photos|told in|turns up most often|appear;/);
    expect(validatePost(toAnswer(post), facts).errors).toEqual([]);
  });

  it('writes a whole post in German for a German chat', () => {
    const german: AlbumResult = {
      ...trip,
      photos: trip.photos.map((p) => ({
        ...p,
        message: { ...p.message!, language: 'de', ...(GERMAN_CAPTIONS[p.path] ?? {}) },
      })),
    };
    const facts = buildAlbumFacts(german);
    const post = writeOfflinePost(facts);
    console.log(renderMarkdown(post, facts));
    expect(facts.language).toBe('de');
    expect(post.title).toBe('Arezzo, Oktober 2008');
    const all = [post.intro, ...post.sections.map((s) => s.text), post.closing].join(' ');
    expect(all).toMatch(/Mittwochnachmittag/);
    expect(all).toMatch(/Italien/);
    expect(all).toMatch(/Autos?|Bank/);
    expect(all).toContain('„Marco hat schon wieder seinen Hut verloren!“');
    // No English sentence glue left in the German post.
    expect(all).not.toMatch(/\b(the|and|with|photos|from|wrote|turns up)\b/);
  });

  it('follows FACEBLOG_LANGUAGE over the senders’ language', () => {
    expect(buildAlbumFacts(trip, { language: 'de-AT' }).language).toBe('de');
  });
});

describe.skipIf(!hasFixtures())('short and mixed albums', () => {
  const MORNING = '2026-12-02T09:14:00+01:00';
  const sent = (sender: string) => ({ sentAt: MORNING, sender, language: 'en' });

  it('gives one photo one line, with what is in it', async () => {
    const album = await analyzeFixtures(['dlib/dogs.jpg']);
    const facts = buildAlbumFacts({
      ...album,
      photos: album.photos.map((p) => ({ ...p, message: { ...sent('Ana'), caption: 'Walkies!' } })),
    });
    const post = writeOfflinePost(facts);
    const md = renderMarkdown(post, facts);
    console.log(md);
    expect(post.short).toBe(true);
    expect(post.intro).toMatch(
      /^(Two|Three|Four) dogs, Wednesday morning, 2 December 2026\. Ana wrote: “Walkies!”$/,
    );
    expect(post.sections.every((s) => s.text === '' && s.heading === '')).toBe(true);
    expect(md).not.toContain('#');
    expect(md.trim().split('\n')[0]).toBe(post.intro);
  }, 60_000);

  it('never heads an album with a range of years, and says once that a camera clock was off', async () => {
    // Two walk photos with their 2008 camera time, three without any, all sent on one morning in 2026.
    const paths = [TRIP[0]!, TRIP[1]!, 'compreface/000_5.jpg', 'dlib/dogs.jpg', 'compreface/017_0.jpg'];
    const album = await analyzeFixtures(paths);
    expect(album.photos.filter((p) => p.takenAt !== null).map((p) => p.path)).toEqual([TRIP[0], TRIP[1]]);
    // The chat named the person on the right of the group photo, the last of five found there.
    const group = album.photos.find((p) => p.path === 'compreface/000_5.jpg')!;
    const rightmost = [...group.faces].sort((a, b) => b.box[0] - a.box[0])[0]!.personId!;
    const named: AlbumResult = {
      ...album,
      people: album.people.map((p) => (p.id === rightmost ? { ...p, name: 'Sofia' } : p)),
      photos: album.photos.map((p) => ({ ...p, message: sent('Ana') })),
    };
    const facts = buildAlbumFacts(named);
    const post = writeOfflinePost(facts);
    console.log(renderMarkdown(post, facts));
    expect(facts.photos.filter((p) => p.clockOff)).toHaveLength(2);
    expect(post.title).not.toMatch(/2008/);
    expect(post.title).toMatch(/December 2026/);
    expect(post.intro).not.toMatch(/2008/);
    const all = [post.title, post.intro, ...post.sections.map((s) => s.text), post.closing].join('\n');
    expect(all.match(/22 October 2008/g)).toHaveLength(1);
    expect(post.closing).toMatch(/camera clock/);

    // Named people before "Person N" and before "and … others".
    const section = post.sections.find((s) => s.people.includes('Sofia'))!;
    expect(section.people[0]).toBe('Sofia');
    expect(section.text.indexOf('Sofia')).toBeLessThan(section.text.search(/Person \d|other/));
    expect(section.text).toMatch(/and (one|two|\w+) others?/);
    expect(post.closing).toMatch(/Who are Person \d+/);
    expect(post.closing).not.toMatch(/Sofia/);
  }, 120_000);

  it('speaks to a reader, not a chat, without chat messages (the CLI page)', async () => {
    const album = await analyzeFixtures(['compreface/000_5.jpg', 'compreface/010_2.jpg', 'dlib/dogs.jpg']);
    const facts = buildAlbumFacts(album);
    const post = writeOfflinePost(facts);
    expect(facts.audience).toBe('reader');
    expect(JSON.stringify(post)).not.toMatch(/\/name|Sent by/);
  }, 120_000);
});

function toAnswer(post: ReturnType<typeof writeOfflinePost>): unknown {
  return {
    title: post.title,
    intro: post.intro,
    closing: post.closing,
    sections: post.sections.map((s) => ({
      heading: s.heading,
      text: s.text,
      photos: s.photos,
      people: s.people,
      captions: Object.entries(s.captions).map(([photo, caption]) => ({ photo, caption })),
    })),
  };
}
