import type { AlbumFace, AlbumPhoto, AlbumResult } from '../core/album.js';
import { groupMoments, orderByTime, timeValue } from './moments.js';
import { reverseGeocode, type Geocoder } from './places.js';
import type { AlbumFacts, Companions, FactPerson, FactPhoto, Moment, Place } from './types.js';

/** A photo with this many faces or more is a group photo (more than a couple). */
const GROUP_FACES = 3;

export interface FactsOptions {
  /** When each photo was sent (ISO), for photos whose EXIF has no time. Keyed by album path. */
  readonly messageTimes?: Readonly<Record<string, string>>;
  readonly geocode?: Geocoder;
}

/** Album facts: the only material the writers get. Pure apart from the geocoder's bundled data. */
export function buildAlbumFacts(album: AlbumResult, opts: FactsOptions = {}): AlbumFacts {
  const geocode = opts.geocode ?? reverseGeocode;
  const timed = album.photos.map((photo) => {
    const sent = opts.messageTimes?.[photo.path] ?? null;
    const time = photo.takenAt ?? sent;
    const timeSource: FactPhoto['timeSource'] = photo.takenAt ? 'exif' : sent ? 'message' : 'none';
    return { id: photo.path, at: timeValue(time), gps: photo.gps, photo, time, timeSource };
  });
  const ordered = orderByTime(timed).map((t, i) => ({ ...t, id: `p${i + 1}` }));
  const idOf = new Map(ordered.map((t) => [t.photo.path, t.id]));
  /** Paths come from the album, so every one has an id; '' only for a path outside it. */
  const idFor = (p: string): string => idOf.get(p) ?? '';
  const bestOf = burstBest(album.photos);

  const photos: FactPhoto[] = ordered.map((t) => {
    const people = peopleLeftToRight(t.photo.faces);
    return {
      id: t.id,
      path: t.photo.path,
      time: t.time,
      timeSource: t.timeSource,
      gps: t.photo.gps,
      place: t.photo.gps ? geocode(t.photo.gps) : null,
      people,
      strangerFaces: t.photo.faces.filter((f) => f.personId === null).length,
      group: t.photo.faces.length >= GROUP_FACES,
      bestOfBurst: idOf.get(bestOf.get(t.photo.path) ?? '') ?? t.id,
    };
  });
  const byId = new Map(photos.map((p) => [p.id, p]));

  const people: FactPerson[] = album.people.map((person) => {
    const ids = photos.filter((p) => p.people.includes(person.id)).map((p) => p.id);
    return {
      id: person.id,
      label: person.name?.trim() || personLabel(person.id),
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
    };
  });

  const allTimes = photos.map((p) => p.time).filter((t): t is string => t !== null);
  return {
    photos,
    moments,
    people,
    together: companions(photos),
    failures: album.failures.map((f) => ({ path: f.path, code: f.code, message: f.message })),
    span: { start: allTimes[0] ?? null, end: allTimes.at(-1) ?? null },
  };
}

/** "person-3" → "Person 3"; any other id keeps its own text. */
export function personLabel(id: string): string {
  const m = /^person-(\d+)$/.exec(id);
  return m ? `Person ${m[1]}` : id;
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
