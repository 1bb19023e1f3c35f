import type { AlbumFace, AlbumPhoto, AlbumResult, PhotoMessage } from '../core/album.js';
import { cleanCaption } from './captions.js';
import { personLabel } from './person-id-label.js';
import { groupMoments, orderByTime, timeValue } from './moments.js';
import { reverseGeocode, type Geocoder } from './places.js';
import type { AlbumFacts, Companions, FactPerson, FactPhoto, Moment, ObjectCount, Place } from './types.js';

/** A photo with this many faces or more is a group photo (more than a couple). */
const GROUP_FACES = 3;
/**
 * Scene objects a post may name: score ≥ 0.4. Below it CenterNet's small objects are hit and miss and
 * look-alikes occur (a bollard called a fire hydrant at 0.84 shows even this is not perfect), per the
 * measurements in shared/models/README.md; the manifest's mentionThreshold says the same.
 */
export const OBJECT_MENTION_SCORE = 0.4;
/**
 * Classes a post never names: CenterNet calls street bollards fire hydrants with high scores (0.84 on
 * the Arezzo walk, shared/models/README.md), and a post must not invent what is not there.
 */
const LOOKALIKES: ReadonlySet<string> = new Set(['fire hydrant']);
/**
 * A camera time this far from the album's send times is a wrong clock (a reset camera says 2008), not a
 * photo taken then: 300 days, so a photo from last season still counts as taken when it says.
 */
const CLOCK_OFF_MS = 300 * 24 * 3600_000;

export interface FactsOptions {
  /** When each photo was sent (ISO), for photos whose EXIF has no time. Keyed by album path. */
  readonly messageTimes?: Readonly<Record<string, string>>;
  /** The chat messages that carried the photos, keyed by album path (default: each photo's `message`). */
  readonly messages?: Readonly<Record<string, PhotoMessage>>;
  /** The language to write in (FACEBLOG_LANGUAGE); default: the senders' most common language, else en. */
  readonly language?: string | null;
  /** Default 'chat' when photos came with messages, else 'reader'. */
  readonly audience?: 'chat' | 'reader';
  /** Minimum score of an object the post may name (default OBJECT_MENTION_SCORE). */
  readonly objectScore?: number;
  readonly geocode?: Geocoder;
  /**
   * What an unnamed person is called, from their id (default `personLabel`: "person-3" → "Person 3").
   * The chats pass their handle wording ("#3", src/chat/person-label.ts) so the post and the chat agree.
   */
  readonly unnamedLabel?: (personId: string) => string;
}

/** Album facts: the only material the writers get. Pure apart from the geocoder's bundled data. */
export function buildAlbumFacts(album: AlbumResult, opts: FactsOptions = {}): AlbumFacts {
  const geocode = opts.geocode ?? reverseGeocode;
  const minScore = opts.objectScore ?? OBJECT_MENTION_SCORE;
  const messageOf = (photo: AlbumPhoto): PhotoMessage | null => {
    const m = opts.messages?.[photo.path] ?? photo.message ?? null;
    const sentAt = opts.messageTimes?.[photo.path] ?? m?.sentAt ?? null;
    if (!m && !sentAt) return null;
    return { ...m, sentAt: sentAt ?? '' };
  };
  const messages = new Map(album.photos.map((p) => [p.path, messageOf(p)]));
  const clockOff = wrongClocks(album.photos, (p) => messages.get(p.path)?.sentAt || null);
  const timed = album.photos.map((photo) => {
    const sent = messages.get(photo.path)?.sentAt || null;
    const camera = clockOff.has(photo.path) ? null : photo.takenAt;
    const time = camera ?? sent;
    const timeSource: FactPhoto['timeSource'] = camera ? 'exif' : sent ? 'message' : 'none';
    return { id: photo.path, at: timeValue(time), gps: photo.gps, photo, time, timeSource };
  });
  const ordered = orderByTime(timed).map((t, i) => ({ ...t, id: `p${i + 1}` }));
  const idOf = new Map(ordered.map((t) => [t.photo.path, t.id]));
  /** Paths come from the album, so every one has an id; '' only for a path outside it. */
  const idFor = (p: string): string => idOf.get(p) ?? '';
  const bestOf = burstBest(album.photos);

  const photos: FactPhoto[] = ordered.map((t) => {
    const people = peopleLeftToRight(t.photo.faces);
    const message = messages.get(t.photo.path) ?? null;
    const seen = (t.photo.objects ?? []).filter((o) => o.score >= minScore && !LOOKALIKES.has(o.label));
    return {
      id: t.id,
      path: t.photo.path,
      time: t.time,
      timeSource: t.timeSource,
      cameraTime: t.photo.takenAt,
      clockOff: clockOff.has(t.photo.path),
      sentAt: message?.sentAt || null,
      sender: message?.sender?.trim() || null,
      caption: message?.caption ? cleanCaption(message.caption) : null,
      objects: countLabels(seen.filter((o) => o.label !== 'person').map((o) => o.label)),
      figures: seen.filter((o) => o.label === 'person').length,
      gps: t.photo.gps,
      place: t.photo.gps ? geocode(t.photo.gps) : null,
      people,
      strangerFaces: t.photo.faces.filter((f) => f.personId === null).length,
      group: t.photo.faces.length >= GROUP_FACES,
      bestOfBurst: idOf.get(bestOf.get(t.photo.path) ?? '') ?? t.id,
    };
  });
  const byId = new Map(photos.map((p) => [p.id, p]));

  const unnamed = opts.unnamedLabel ?? personLabel;
  const people: FactPerson[] = album.people.map((person) => {
    const ids = photos.filter((p) => p.people.includes(person.id)).map((p) => p.id);
    return {
      id: person.id,
      label: person.name?.trim() || unnamed(person.id),
      named: Boolean(person.name?.trim()),
      photoIds: ids,
      faceCount: person.faceCount,
      representative: {
        photoId: idFor(person.representative.photo),
        box: person.representative.box,
      },
    };
  });

  const moments: Moment[] = groupMoments(ordered).map((ids, i) => {
    const members = ids.flatMap((id) => byId.get(id) ?? []);
    const times = members.map((m) => m.time).filter((t): t is string => t !== null);
    const seen = new Set<string>();
    for (const m of members) for (const p of m.people) seen.add(p);
    return {
      id: `m${i + 1}`,
      photoIds: ids,
      start: times[0] ?? null,
      end: times.at(-1) ?? null,
      place: commonPlace(members.map((m) => m.place)),
      people: [...seen],
      // Per class, the number of photos that show it: "a dog in 3 photos".
      objects: countLabels(members.flatMap((m) => m.objects.map((o) => o.label))),
    };
  });

  // Send times never stretch the dates when a camera dated any photo: "2008–2026" said nothing.
  const cameraTimes = photos.filter((p) => p.timeSource === 'exif').map((p) => p.time);
  const spanTimes = (cameraTimes.length > 0 ? cameraTimes : photos.map((p) => p.time))
    .filter((t): t is string => t !== null)
    .sort((a, b) => (timeValue(a) ?? 0) - (timeValue(b) ?? 0));
  const anyMessage = [...messages.values()].some((m) => m !== null);
  return {
    photos,
    moments,
    people,
    together: companions(photos),
    failures: album.failures.map((f) => ({ path: f.path, code: f.code, message: f.message })),
    span: { start: spanTimes[0] ?? null, end: spanTimes.at(-1) ?? null },
    senders: countLabels(photos.flatMap((p) => (p.sender ? [p.sender] : []))).map((c) => c.label),
    language: chatLanguage(opts.language, [...messages.values()]),
    audience: opts.audience ?? (anyMessage ? 'chat' : 'reader'),
  };
}

/** "de-CH" → "de"; the option wins, else the senders' most common language, else English. */
function chatLanguage(option: string | null | undefined, messages: readonly (PhotoMessage | null)[]): string {
  const primary = (tag: string): string => tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (option && /^[a-z]{2,3}/i.test(option.trim())) return primary(option);
  const langs = messages.flatMap((m) => (m?.language ? [primary(m.language)] : [])).filter(Boolean);
  return countLabels(langs)[0]?.label ?? 'en';
}

/**
 * Photos whose camera time is years away from the album's send times, when the photos that agree with
 * those send times (undated ones, or camera times within the window) are at least as many: a reset
 * clock. When most camera times agree with each other instead (old photos shared today), they stand.
 */
function wrongClocks(photos: readonly AlbumPhoto[], sentAt: (p: AlbumPhoto) => string | null): Set<string> {
  const sent = photos.map((p) => timeValue(sentAt(p))).filter((v): v is number => v !== null);
  if (sent.length === 0) return new Set();
  const reference = [...sent].sort((a, b) => a - b)[Math.floor(sent.length / 2)] ?? 0;
  const far: string[] = [];
  let agree = 0;
  for (const p of photos) {
    const camera = timeValue(p.takenAt);
    if (camera !== null && Math.abs(camera - reference) > CLOCK_OFF_MS) far.push(p.path);
    else agree++;
  }
  return far.length > 0 && agree >= far.length ? new Set(far) : new Set();
}

/** Labels with their counts, most frequent first, then first seen. */
function countLabels(labels: readonly string[]): ObjectCount[] {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count);
}

function peopleLeftToRight(faces: readonly AlbumFace[]): string[] {
  const ids: string[] = [];
  for (const f of [...faces].sort((a, b) => a.box[0] - b.box[0])) {
    if (f.personId !== null && !ids.includes(f.personId)) ids.push(f.personId);
  }
  return ids;
}

/** Burst = a photo and those marked duplicateOf it; the best has the best faces, then the most pixels. */
function burstBest(photos: readonly AlbumPhoto[]): Map<string, string> {
  const root = (p: AlbumPhoto): string => p.duplicateOf ?? p.path;
  const bursts = new Map<string, AlbumPhoto[]>();
  for (const p of photos) bursts.set(root(p), [...(bursts.get(root(p)) ?? []), p]);
  const score = (p: AlbumPhoto): number => p.faces.reduce((s, f) => s + f.quality, 0);
  const best = new Map<string, string>();
  for (const members of bursts.values()) {
    const [top] = [...members].sort((a, b) => score(b) - score(a) || b.width * b.height - a.width * a.height);
    if (top) for (const m of members) best.set(m.path, top.path);
  }
  return best;
}

function commonPlace(places: readonly (Place | null)[]): Place | null {
  const counts = new Map<string, { place: Place; n: number }>();
  for (const p of places) {
    if (!p) continue;
    const key = `${p.city}|${p.countryCode}`;
    const e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { place: p, n: 1 });
  }
  let best: { place: Place; n: number } | null = null;
  for (const e of counts.values()) if (!best || e.n > best.n) best = e;
  return best?.place ?? null;
}

function companions(photos: readonly FactPhoto[]): Companions[] {
  const pairs = new Map<string, Companions & { photoIds: string[] }>();
  for (const photo of photos) {
    const ids = [...photo.people].sort();
    ids.forEach((a, i) => {
      for (const b of ids.slice(i + 1)) {
        const key = `${a}|${b}`;
        const e = pairs.get(key) ?? { a, b, photoIds: [] };
        e.photoIds.push(photo.id);
        pairs.set(key, e);
      }
    });
  }
  return [...pairs.values()].sort((x, y) => y.photoIds.length - x.photoIds.length);
}
