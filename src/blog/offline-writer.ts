import { distanceKm, pathKm } from './moments.js';
import { placeLabel, samePlace } from './places.js';
import type { AlbumFacts, BlogPost, BlogSection, FactPhoto, Moment } from './types.js';

/**
 * The writer without a model: every sentence comes from a fact. Phrasings rotate by a seed taken from
 * the moment's position so that a post does not repeat one template line per photo, and the same album
 * always gives the same post.
 */
export function writeOfflinePost(facts: AlbumFacts): BlogPost {
  const label = labeller(facts);
  const sections = facts.moments.map((m, i) => writeSection(facts, m, i, label));
  return {
    title: title(facts),
    intro: intro(facts, label),
    sections,
    closing: closing(facts, label),
    writer: 'offline',
  };
}

type Labeller = (personId: string) => string;

function labeller(facts: AlbumFacts): Labeller {
  const map = new Map(facts.people.map((p) => [p.id, p.label]));
  return (id) => map.get(id) ?? id;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Local wall-clock parts read straight from the ISO text, so the place's own time is kept. */
export function localParts(iso: string): { date: string; day: string; hm: string; hour: number } | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(iso);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m;
  return {
    date: `${Number(d)} ${MONTHS[Number(mo) - 1] ?? mo} ${y}`,
    day: `${y}-${mo}-${d}`,
    hm: `${h}:${mi}`,
    hour: Number(h),
  };
}

function partOfDay(hour: number): string {
  if (hour < 5) return 'night';
  if (hour < 12) return 'morning';
  if (hour < 17) return 'afternoon';
  if (hour < 21) return 'evening';
  return 'night';
}

/**
 * "A, B and C"; past `max` items, "A, B, C and 7 others", so a crowd does not turn a sentence into a
 * roll call.
 */
/** Names one sentence lists before it says "and N others". */
const MAX_NAMES = 5;

export function listPhrase(items: readonly string[], max = Infinity): string {
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} others`;
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function pick(options: readonly string[], seed: number): string {
  return options[seed % options.length] ?? '';
}

function title(facts: AlbumFacts): string {
  const places = distinctPlaces(facts.moments);
  const named = facts.people.filter((p) => p.named).map((p) => p.label);
  const when = periodLabel(facts.span.start, facts.span.end);
  let what = 'An album';
  if (places.length > 0)
    what =
      places.length <= 3 ? listPhrase(places.map((p) => p.city || p.country)) : `${places.length} places`;
  else if (named.length > 0) what = `Photos with ${listPhrase(named.slice(0, 3))}`;
  return when ? `${what}, ${when}` : what;
}

/** "October 2008", "2008", or "2008–2023": the whole span, never just its start. */
function periodLabel(start: string | null, end: string | null): string | null {
  const s = start ? localParts(start) : null;
  const e = end ? localParts(end) : null;
  if (!s || !e) return null;
  const sy = s.day.slice(0, 4);
  const ey = e.day.slice(0, 4);
  if (s.day.slice(0, 7) === e.day.slice(0, 7)) return s.date.replace(/^\d+ /, '');
  return sy === ey ? sy : `${sy}–${ey}`;
}

function distinctPlaces(moments: readonly Moment[]): NonNullable<Moment['place']>[] {
  const out: NonNullable<Moment['place']>[] = [];
  for (const m of moments) if (m.place && !out.some((p) => samePlace(p, m.place))) out.push(m.place);
  return out;
}

function intro(facts: AlbumFacts, label: Labeller): string {
  const n = facts.photos.length;
  const parts: string[] = [];
  const s = facts.span.start ? localParts(facts.span.start) : null;
  const e = facts.span.end ? localParts(facts.span.end) : null;
  const moments = facts.moments.length;
  const momentWord = moments === 1 ? 'one moment' : `${moments} moments`;
  if (s && e && s.day === e.day)
    parts.push(`${n} ${plural(n, 'photo')} from ${s.date}, told in ${momentWord}.`);
  else if (s && e)
    parts.push(`${n} ${plural(n, 'photo')} taken between ${s.date} and ${e.date}, told in ${momentWord}.`);
  else parts.push(`${n} ${plural(n, 'photo')}, told in ${momentWord}.`);
  const places = distinctPlaces(facts.moments);
  const [only] = places;
  if (only && places.length === 1) parts.push(`Everything happens in and around ${placeLabel(only)}.`);
  else if (places.length > 1) parts.push(`The trail runs through ${listPhrase(places.map(placeLabel))}.`);
  const people = facts.people.filter((p) => p.photoIds.length > 0);
  const [top] = [...people].sort((a, b) => b.photoIds.length - a.photoIds.length);
  if (top) {
    parts.push(
      people.length === 1
        ? `One face comes back: ${top.label}.`
        : `${people.length} people appear; ${top.label} turns up most often (${top.photoIds.length} ${plural(top.photoIds.length, 'photo')}).`,
    );
  }
  const pair = facts.together[0];
  if (pair && pair.photoIds.length > 1)
    parts.push(`${label(pair.a)} and ${label(pair.b)} share ${pair.photoIds.length} frames.`);
  return parts.join(' ');
}

function writeSection(facts: AlbumFacts, moment: Moment, seed: number, label: Labeller): BlogSection {
  const members = facts.photos.filter((p) => moment.photoIds.includes(p.id));
  const shown = members.filter((p) => p.bestOfBurst === p.id);
  const s = moment.start ? localParts(moment.start) : null;
  const e = moment.end ? localParts(moment.end) : null;
  const where = moment.place ? placeLabel(moment.place) : null;
  const sentences: string[] = [];

  // When and where.
  if (s && e && where) {
    const span = s.hm === e.hm ? `at ${s.hm}` : `from ${s.hm} to ${e.hm}`;
    sentences.push(
      pick(
        [
          `On ${s.date}, ${span}, the camera was in ${where}.`,
          `${where}, ${s.date}: ${members.length === 1 ? 'a single frame' : `${members.length} frames`} ${span}.`,
          `The ${partOfDay(s.hour)} of ${s.date} finds us in ${where}, ${span}.`,
        ],
        seed,
      ),
    );
  } else if (s && e) {
    const span = s.hm === e.hm ? `at ${s.hm}` : `between ${s.hm} and ${e.hm}`;
    sentences.push(
      pick(
        [
          `${s.date}, ${span}.`,
          `This part was taken on ${s.date}, ${span}.`,
          `${capital(partOfDay(s.hour))}, ${s.date}, ${span}.`,
        ],
        seed,
      ),
    );
  } else if (where) {
    sentences.push(`These photos carry no time, but their GPS puts them in ${where}.`);
  } else {
    sentences.push(
      pick(
        [`These photos came without a time or a place.`, `No clock and no GPS here: just the pictures.`],
        seed,
      ),
    );
  }

  // Movement, from the GPS track.
  const track = members.map((m) => m.gps).filter((g): g is NonNullable<typeof g> => g !== null);
  const first = track[0];
  const last = track.at(-1);
  if (first && last && track.length >= 2) {
    const walked = pathKm(track);
    const reach = distanceKm(first, last);
    // 100 m: below the spread of consumer GPS fixes between shots taken standing still.
    if (walked >= 0.1) {
      sentences.push(
        pick(
          [
            `Along the way the GPS traces about ${km(walked)}, ending ${km(reach)} from where it started.`,
            `The route covers roughly ${km(walked)} between the first and the last shot.`,
            `Step by step it adds up to some ${km(walked)} on foot or wheel.`,
          ],
          seed + 1,
        ),
      );
    } else sentences.push(`All of it within a few steps of one spot.`);
  }
  if (moment.place && moment.place.district === null && moment.place.distanceKm >= 5) {
    sentences.push(`The nearest town, ${moment.place.city}, is about ${km(moment.place.distanceKm)} away.`);
  }

  // Who: at most five names per sentence, the people seen most in this moment first.
  const seen = (id: string) => members.filter((m) => m.people.includes(id)).length;
  const people = [...moment.people].sort((a, b) => seen(b) - seen(a)).map(label);
  const groups = members.filter((m) => m.group).length;
  const [one] = people;
  if (one !== undefined && people.length === 1) {
    sentences.push(
      pick([`${one} is in the picture.`, `${one} shows up here.`, `The face here is ${one}.`], seed + 2),
    );
  } else if (people.length > 1) {
    sentences.push(
      pick(
        [
          `With ${listPhrase(people, MAX_NAMES)}.`,
          `${listPhrase(people, MAX_NAMES)} are in these frames.`,
          `Faces in this part: ${listPhrase(people, MAX_NAMES)}.`,
        ],
        seed + 2,
      ),
    );
  } else if (members.every((m) => m.people.length === 0 && m.strangerFaces === 0)) {
    sentences.push(
      pick(
        [
          `No faces were found here; the scenery does the talking.`,
          `No one was found in front of the lens this time.`,
          `Only the view here: no faces were found.`,
        ],
        seed + 2,
      ),
    );
  }
  if (groups > 0)
    sentences.push(groups === 1 ? `One of them is a group photo.` : `${groups} of them are group photos.`);
  const strangers = members.reduce((n, m) => n + m.strangerFaces, 0);
  if (strangers > 0)
    sentences.push(
      `${strangers} more ${plural(strangers, 'face')} in the background ${strangers === 1 ? 'stays' : 'stay'} unnamed.`,
    );
  const hidden = members.length - shown.length;
  if (hidden > 0)
    sentences.push(
      `${hidden} near-identical ${plural(hidden, 'shot')} (a burst or a re-send) ${hidden === 1 ? 'is' : 'are'} left out in favour of the best one.`,
    );

  const captions: Record<string, string> = {};
  for (const p of shown) captions[p.id] = caption(p, label);
  return {
    heading: heading(moment, s, seed),
    text: sentences.join(' '),
    photos: shown.map((p) => p.id),
    people,
    captions,
  };
}

function heading(moment: Moment, s: ReturnType<typeof localParts>, seed: number): string {
  const city = moment.place ? (moment.place.district ?? moment.place.city) : null;
  if (city && s)
    return pick([`${capital(partOfDay(s.hour))} in ${city}`, `${city}, ${s.hm}`, `${city} at ${s.hm}`], seed);
  if (city) return city;
  if (s) return `${capital(partOfDay(s.hour))}, ${s.date}`;
  return `Moment ${moment.id.slice(1)}`;
}

function caption(p: FactPhoto, label: Labeller): string {
  const parts: string[] = [];
  if (p.people.length > 0) parts.push(listPhrase(p.people.map(label)));
  if (p.place) parts.push(p.place.district ?? (p.place.city || p.place.country));
  if (p.time) {
    const t = localParts(p.time);
    if (t) parts.push(t.hm);
  }
  return parts.join(' · ') || baseName(p.path);
}

function closing(facts: AlbumFacts, label: Labeller): string {
  const parts: string[] = [];
  const unnamed = facts.people.filter((p) => !p.named && p.photoIds.length > 0);
  if (unnamed.length > 0)
    parts.push(
      `${listPhrase(unnamed.slice(0, 4).map((p) => p.label))}${unnamed.length > 4 ? ` and ${unnamed.length - 4} more` : ''} still ${unnamed.length === 1 ? 'has' : 'have'} no name: name them with /name and the next post will use it.`,
    );
  const pair = facts.together[0];
  if (pair && facts.together.length > 0 && pair.photoIds.length === 1)
    parts.push(`${label(pair.a)} and ${label(pair.b)} appear together once.`);
  if (facts.failures.length > 0)
    parts.push(
      `${facts.failures.length} ${plural(facts.failures.length, 'file')} could not be read (${listPhrase(facts.failures.map((f) => baseName(f.path)))}) and ${facts.failures.length === 1 ? 'is' : 'are'} not in this post.`,
    );
  const noTime = facts.photos.filter((p) => p.timeSource === 'none').length;
  if (noTime > 0)
    parts.push(
      `${noTime} ${plural(noTime, 'photo')} had no time and ${noTime === 1 ? 'sits' : 'sit'} at the end.`,
    );
  parts.push(
    pick([`That's the album.`, `Thanks for sharing it.`, `End of the story, for now.`], facts.photos.length),
  );
  return parts.join(' ');
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function km(v: number): string {
  return v < 1 ? `${Math.round(v * 100) * 10} m` : `${v.toFixed(1)} km`;
}
