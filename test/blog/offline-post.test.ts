import { beforeAll, describe, expect, it } from 'vitest';

import { buildAlbumFacts } from '../../src/blog/facts.js';
import { writeOfflinePost } from '../../src/blog/offline-writer.js';
import { renderMarkdown } from '../../src/blog/render-markdown.js';
import type { AlbumFacts, BlogPost } from '../../src/blog/types.js';
import { validatePost } from '../../src/blog/validate.js';
import type { AlbumResult } from '../../src/core/album.js';
import { hasFixtures } from '../support/fixtures.js';
import {
  BIDEN,
  buildFixtureAlbum,
  HEIC,
  HELSINKI,
  JOLLA,
  KIT_WITH_ROSE,
  MESSAGE_TIMES,
  OBAMA,
  OBAMA_480,
  OBAMA_AND_BIDEN,
  TRIP,
} from './album-fixture.js';

describe.skipIf(!hasFixtures())('offline post of the fixture album', () => {
  let album: AlbumResult;
  let facts: AlbumFacts;
  let post: BlogPost;
  const idOf = (path: string): string => facts.photos.find((p) => p.path === path)!.id;
  const momentOf = (path: string) => facts.moments.find((m) => m.photoIds.includes(idOf(path)))!;
  const sectionOf = (path: string) =>
    post.sections.find((s) => s.photos.includes(facts.photos.find((p) => p.path === path)!.bestOfBurst))!;

  beforeAll(async () => {
    album = await buildFixtureAlbum();
    facts = buildAlbumFacts(album, { messageTimes: MESSAGE_TIMES });
    post = writeOfflinePost(facts);
    console.log(renderMarkdown(post, facts));
  });

  it('orders photos by EXIF time with offset, then message time', () => {
    const order = facts.photos.map((p) => p.path);
    expect(order.slice(0, 9)).toEqual(TRIP); // 2008-10-22 16:28 … 17:00
    // biden.jpg and obama.jpg carry their own EXIF times (2010-05-10, 2012-12-06): EXIF wins.
    expect(order.slice(9, 14)).toEqual([BIDEN, OBAMA, JOLLA, HEIC, HELSINKI]);
    expect(facts.photos.find((p) => p.path === HEIC)!.time).toBe('2021-04-11T15:47:53-05:00');
    expect(facts.photos.find((p) => p.path === OBAMA_AND_BIDEN)!.timeSource).toBe('message');
    expect(facts.photos.map((p) => p.id)).toEqual(facts.photos.map((_, i) => `p${i + 1}`));
  });

  it('groups the walk into one moment and splits at day and place changes', () => {
    expect(momentOf(TRIP[0]!).photoIds).toEqual(TRIP.map(idOf));
    expect(
      new Set(
        [BIDEN, OBAMA, JOLLA, HEIC, HELSINKI, OBAMA_AND_BIDEN, KIT_WITH_ROSE].map((p) => momentOf(p).id),
      ).size,
    ).toBe(7);
    // The re-sent obama-480p.jpg (message time 18:02) joins the evening of obama_and_biden.jpg (18:09).
    expect(momentOf(OBAMA_480).id).toBe(momentOf(OBAMA_AND_BIDEN).id);
    expect(facts.moments).toHaveLength(8);
  });

  it('names the right place for each moment', () => {
    expect(momentOf(TRIP[0]!).place).toMatchObject({ city: 'Arezzo', country: 'Italy' });
    expect(momentOf(HEIC).place).toMatchObject({ city: 'Blue Springs', countryCode: 'US' });
    expect(momentOf(HELSINKI).place).toMatchObject({ city: 'Helsinki', district: 'Lauttasaari' });
    expect(momentOf(JOLLA).place).toBeNull();
    expect(sectionOf(TRIP[0]!).text).toContain('Arezzo');
    expect(post.intro).toMatch(/Arezzo, Blue Springs and Helsinki/);
    expect(sectionOf(HEIC).text).toContain('Blue Springs');
    expect(sectionOf(HELSINKI).text).toContain('Helsinki');
    expect(post.title).toContain('Arezzo');
  });

  it('names the right people for each moment, from real detections', () => {
    const label = (id: string) => facts.people.find((p) => p.id === id)!.label;
    expect(momentOf(OBAMA_AND_BIDEN).people.map(label).sort()).toEqual(['Barack Obama', 'Joe Biden']);
    expect(momentOf(KIT_WITH_ROSE).people.map(label).sort()).toEqual(['Person 3', 'Person 4']);
    expect([...sectionOf(OBAMA_AND_BIDEN).people].sort()).toEqual(['Barack Obama', 'Joe Biden']);
    expect(sectionOf(KIT_WITH_ROSE).text).toMatch(/Person 3 and Person 4|Person 4 and Person 3/);
    for (const s of post.sections.filter((x) =>
      x.photos.every((id) => facts.photos.find((p) => p.id === id)!.people.length === 0),
    ))
      expect(s.people).toEqual([]);
    // The third face of obama_and_biden.jpg is a stranger in the back: counted, never named.
    const group = facts.photos.find((p) => p.path === OBAMA_AND_BIDEN)!;
    expect(group).toMatchObject({ group: true, strangerFaces: 1 });
    expect(facts.together.map((t) => [label(t.a), label(t.b)].sort())).toContainEqual([
      'Barack Obama',
      'Joe Biden',
    ]);
  });

  it('shows the best shot of a burst only', () => {
    const dup = facts.photos.find((p) => p.path === OBAMA_480)!;
    expect(dup.bestOfBurst).not.toBe(dup.id);
    expect(post.sections.flatMap((s) => s.photos)).not.toContain(dup.id);
  });

  it('cites only real photos, keeps time order and passes the validator it imposes on models', () => {
    const cited = post.sections.flatMap((s) => s.photos);
    const real = new Set(facts.photos.map((p) => p.id));
    expect(cited.every((id) => real.has(id))).toBe(true);
    const index = cited.map((id) => facts.photos.findIndex((p) => p.id === id));
    expect(index).toEqual([...index].sort((a, b) => a - b));
    const asAnswer = {
      ...post,
      sections: post.sections.map((s) => ({
        ...s,
        captions: Object.entries(s.captions).map(([photo, caption]) => ({ photo, caption })),
      })),
    };
    const v = validatePost(asAnswer, facts);
    expect(v.errors).toEqual([]);
    expect(v.repairable).toEqual([]);
  });

  it('reads like prose, not one template line per photo', () => {
    const openings = post.sections.map((s) => s.text.split(' ').slice(0, 3).join(' '));
    expect(new Set(openings).size).toBeGreaterThanOrEqual(3);
    expect(post.sections.length).toBeLessThan(facts.photos.length);
    expect(post.closing).toMatch(/One file could not be read: voice-note.ogg/);
  });

  it('is the same post for the same album', () => {
    expect(writeOfflinePost(buildAlbumFacts(album, { messageTimes: MESSAGE_TIMES }))).toEqual(post);
  });
});

describe.skipIf(!hasFixtures())('offline post of the GPS walk alone', () => {
  it('tells the walk as one afternoon in Arezzo, every photo in time order', async () => {
    const album = await buildFixtureAlbum();
    const trip: AlbumResult = {
      ...album,
      photos: album.photos.filter((p) => TRIP.includes(p.path)),
      people: [],
      failures: [],
    };
    const facts = buildAlbumFacts(trip);
    const post = writeOfflinePost(facts);
    console.log(renderMarkdown(post, facts));
    expect(post.title).toBe('Arezzo, October 2008');
    expect(post.intro).toBe('A Wednesday afternoon in Arezzo, Italy, on 22 October 2008.');
    expect(post.intro).toContain('Arezzo, Italy');
    expect(post.sections).toHaveLength(1);
    expect(post.sections[0]!.photos.map((id) => facts.photos.find((p) => p.id === id)!.path)).toEqual(TRIP);
    expect(post.sections[0]!.text).toMatch(/From 16:28 to 17:00/);
  });
});
