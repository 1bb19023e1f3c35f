import { pathKm } from './moments.js';
import { german } from './phrases-de.js';
import { english } from './phrases-en.js';
import { localTime, sameDay, type Cast, type MomentText, type Phrasebook } from './phrases.js';
import { placeLabel } from './places.js';
import type { AlbumFacts, BlogPost, BlogSection, FactPhoto, Moment, ObjectCount, Place } from './types.js';

/** Languages the offline writer writes whole; any other falls back to English (a model writes all). */
export const OFFLINE_LANGUAGES: Readonly<Record<string, Phrasebook>> = { en: english, de: german };

/** Names one sentence lists before it says "and 3 others". */
const MAX_NAMES = 4;
/** Scene objects the lead sentence names: more turns a sentence into an inventory. */
const MAX_OBJECTS = 2;
/** Albums this small get one line, not a post. */
const ONE_LINE_PHOTOS = 2;
/** 100 m: below the spread of consumer GPS fixes between shots taken standing still. */
const MIN_ROUTE_KM = 0.1;
/** Beyond this the nearest town is only "near": the photo is outside it. */
const NEAR_KM = 5;

export function offlineLanguage(language: string): Phrasebook {
  return OFFLINE_LANGUAGES[language] ?? english;
}

/**
 * The writer without a model: every sentence comes from a fact (places, times, people, captions, scene
 * objects), in the chat's language where the writer has it. Sentence shapes rotate by the moment's
 * position, so the same album always gives the same post and no two moments read alike.
 */
export function writeOfflinePost(facts: AlbumFacts): BlogPost {
  const book = offlineLanguage(facts.language);
  const label = labeller(facts);
  const shownIds = facts.photos.filter((p) => p.bestOfBurst === p.id).map((p) => p.id);
  const distinct = distinctPlaces(facts.moments);
  // One place is named in full ("Arezzo, Italy"); several by their towns, or the list turns to soup.
  const places =
    distinct.length === 1
      ? distinct.map((p) => placeName(p, book))
      : distinct.map((p) => p.city || book.country(p.countryCode, p.country));
  const named = peopleOrder(
    facts,
    facts.people.map((p) => p.id),
  ).map(label);
  const title = book.title(
    distinctPlaces(facts.moments).map((p) => p.city || book.country(p.countryCode, p.country)),
    localTime(facts.span.start),
    localTime(facts.span.end),
    named,
  );

  if (shownIds.length <= ONE_LINE_PHOTOS) {
    const all: Moment = {
      id: 'm1',
      photoIds: facts.photos.map((p) => p.id),
      start: facts.span.start,
      end: facts.span.end,
      place: facts.moments.find((m) => m.place)?.place ?? null,
      people: [...new Set(facts.moments.flatMap((m) => m.people))],
      objects: mergeCounts(facts.moments.map((m) => m.objects)),
    };
    const text = momentText(facts, all, label, book);
    return {
      title,
      intro: book.oneLine(text),
      sections: [section(facts, all, '', '', label, book)],
      closing: closing(facts, label, book),
      writer: 'offline',
      short: true,
    };
  }

  const people = peopleOrder(
    facts,
    facts.people.filter((p) => p.photoIds.length > 0).map((p) => p.id),
  ).map(label);
  const intro = book.intro({
    start: localTime(facts.span.start),
    end: localTime(facts.span.end),
    moments: facts.moments.length,
    places,
    people: people.slice(0, MAX_NAMES),
    more: Math.max(0, people.length - MAX_NAMES),
    senders: facts.audience === 'chat' ? facts.senders : [],
  });
  const sections = facts.moments.map((m, i) => {
    const text = momentText(facts, m, label, book);
    return section(facts, m, book.heading(text, i), book.moment(text, i), label, book);
  });
  return { title, intro, sections, closing: closing(facts, label, book), writer: 'offline' };
}

type Labeller = (personId: string) => string;

function labeller(facts: AlbumFacts): Labeller {
  const map = new Map(facts.people.map((p) => [p.id, p.label]));
  return (id) => map.get(id) ?? id;
}

/** Named people first, then by how many photos they are in, then first appearance. */
function peopleOrder(facts: AlbumFacts, ids: readonly string[], within?: readonly FactPhoto[]): string[] {
  const person = new Map(facts.people.map((p) => [p.id, p]));
  const seen = (id: string): number =>
    within ? within.filter((m) => m.people.includes(id)).length : (person.get(id)?.photoIds.length ?? 0);
  return ids
    .map((id, i) => ({ id, i }))
    .sort(
      (a, b) =>
        Number(person.get(b.id)?.named ?? false) - Number(person.get(a.id)?.named ?? false) ||
        seen(b.id) - seen(a.id) ||
        a.i - b.i,
    )
    .map(({ id }) => id);
}

function momentText(facts: AlbumFacts, moment: Moment, label: Labeller, book: Phrasebook): MomentText {
  const members = facts.photos.filter((p) => moment.photoIds.includes(p.id));
  const shown = members.filter((p) => p.bestOfBurst === p.id);
  const people = peopleOrder(facts, moment.people, members).map(label);
  const figures = Math.max(0, ...members.map((m) => m.figures));
  // The lead names what appears most; a kind of object seen in several photos gets its own sentence.
  const objects = moment.objects.slice(0, MAX_OBJECTS).map((o) => ({
    label: o.label,
    count: Math.max(...members.map((m) => m.objects.find((x) => x.label === o.label)?.count ?? 0)),
  }));
  const recurring = moment.objects.find((o) => o.count >= 2 && shown.length > 2) ?? null;
  const track = members.map((m) => m.gps).filter((g): g is NonNullable<typeof g> => g !== null);
  const route = track.length >= 2 ? pathKm(track) : 0;
  const cast: Cast = {
    people: people.slice(0, MAX_NAMES),
    more: Math.max(0, people.length - MAX_NAMES),
    objects,
    figures: people.length > 0 ? 0 : figures,
  };
  return {
    start: localTime(moment.start),
    end: localTime(moment.end),
    place: moment.place
      ? {
          name: moment.place.district
            ? `${moment.place.district}, ${moment.place.city}`
            : moment.place.city || book.country(moment.place.countryCode, moment.place.country),
          near: moment.place.district === null && moment.place.distanceKm >= NEAR_KM,
        }
      : null,
    cast,
    captions: captionsOf(members),
    recurring,
    routeKm: route >= MIN_ROUTE_KM ? route : null,
    photos: shown.length,
    dated: !sameDay(localTime(facts.span.start), localTime(facts.span.end)),
  };
}

/** Each distinct caption once, with its sender: an album caption repeated on every photo is said once. */
function captionsOf(members: readonly FactPhoto[]): { text: string; sender: string | null }[] {
  const out: { text: string; sender: string | null }[] = [];
  for (const m of members)
    if (m.caption && !out.some((c) => c.text === m.caption)) out.push({ text: m.caption, sender: m.sender });
  return out;
}

function section(
  facts: AlbumFacts,
  moment: Moment,
  heading: string,
  text: string,
  label: Labeller,
  book: Phrasebook,
): BlogSection {
  const members = facts.photos.filter((p) => moment.photoIds.includes(p.id));
  const shown = members.filter((p) => p.bestOfBurst === p.id);
  const captions: Record<string, string> = {};
  for (const p of shown) captions[p.id] = photoCaption(p, label, book);
  return {
    heading,
    text,
    photos: shown.map((p) => p.id),
    people: peopleOrder(facts, moment.people, members).map(label),
    captions,
  };
}

function photoCaption(p: FactPhoto, label: Labeller, book: Phrasebook): string {
  const where = p.place
    ? (p.place.district ?? (p.place.city || book.country(p.place.countryCode, p.place.country)))
    : null;
  const text = book.caption(p.people.map(label), p.objects.slice(0, MAX_OBJECTS), where, localTime(p.time));
  return text || baseName(p.path);
}

function closing(facts: AlbumFacts, label: Labeller, book: Phrasebook): string {
  return book.closing({
    audience: facts.audience,
    unnamed: facts.people.filter((p) => !p.named && p.photoIds.length > 0).map((p) => label(p.id)),
    clockOff: facts.photos.flatMap((p) => {
      const camera = p.clockOff ? localTime(p.cameraTime) : null;
      return camera ? [{ camera }] : [];
    }),
    unreadable: facts.failures.map((f) => baseName(f.path)),
    undated: facts.photos.filter((p) => p.timeSource === 'none').length,
  });
}

function distinctPlaces(moments: readonly Moment[]): Place[] {
  const out: Place[] = [];
  for (const m of moments)
    if (m.place && !out.some((p) => p.city === m.place?.city && p.countryCode === m.place.countryCode))
      out.push(m.place);
  return out;
}

/** "Arezzo, Italien" in German: the country in the post's language. */
function placeName(place: Place, book: Phrasebook): string {
  return placeLabel({ ...place, country: book.country(place.countryCode, place.country) });
}

function mergeCounts(lists: readonly (readonly ObjectCount[])[]): ObjectCount[] {
  const counts = new Map<string, number>();
  for (const l of lists) for (const o of l) counts.set(o.label, (counts.get(o.label) ?? 0) + o.count);
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count);
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
