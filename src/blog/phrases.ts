/**
 * What the offline writer needs from a language: whole sentences built from structured facts. Each
 * language writes its own sentences (word order, cases, plurals, dates); nothing is glued from English.
 */
import type { ObjectCount } from './types.js';

export type PartOfDay = 'night' | 'morning' | 'afternoon' | 'evening';

/** A local time read from the ISO text (the place's own wall clock). */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** 0 = Sunday. */
  readonly weekday: number;
  readonly hm: string;
  readonly part: PartOfDay;
}

/** Who and what a moment shows, as the lead sentence lists them. */
export interface Cast {
  /** Labels, named people first. */
  readonly people: readonly string[];
  /** People beyond those listed ("and 3 others"). */
  readonly more: number;
  /** Scene objects to list after the people. */
  readonly objects: readonly ObjectCount[];
  /** Bodies the object detector saw where no face was recognised (0 when people are listed). */
  readonly figures: number;
}

export interface MomentText {
  readonly start: LocalTime | null;
  readonly end: LocalTime | null;
  /** City or district, and whether the photos are only near it (≥ 5 km away). */
  readonly place: { readonly name: string; readonly near: boolean } | null;
  readonly cast: Cast;
  /** Captions in the chat's words with who wrote them. */
  readonly captions: readonly { readonly text: string; readonly sender: string | null }[];
  /** An object seen in several photos of the moment, for a sentence of its own. */
  readonly recurring: ObjectCount | null;
  /** Length of the GPS track, km, when the photos moved. */
  readonly routeKm: number | null;
  /** Shown photos in the moment. */
  readonly photos: number;
  /** The album spans several days, so headings carry the date. */
  readonly dated: boolean;
}

export interface IntroText {
  readonly start: LocalTime | null;
  readonly end: LocalTime | null;
  readonly moments: number;
  /** Full place labels ("Arezzo, Italy"), in the language's country names. */
  readonly places: readonly string[];
  readonly people: readonly string[];
  readonly more: number;
  readonly senders: readonly string[];
}

export interface ClosingText {
  readonly audience: 'chat' | 'reader';
  /** Unnamed people of the album (chat only asks about them). */
  readonly unnamed: readonly string[];
  readonly clockOff: readonly { readonly camera: LocalTime }[];
  readonly unreadable: readonly string[];
  readonly undated: number;
}

export interface Phrasebook {
  readonly language: string;
  /** "A, B and C". */
  list(items: readonly string[]): string;
  /** A place's country in this language, from its ISO code (falls back to `fallback`). */
  country(code: string, fallback: string): string;
  title(
    places: readonly string[],
    start: LocalTime | null,
    end: LocalTime | null,
    people: readonly string[],
  ): string;
  intro(t: IntroText): string;
  heading(m: MomentText, seed: number): string;
  /** The moment's paragraph. `seed` varies the sentence shapes between moments. */
  moment(m: MomentText, seed: number): string;
  /** A post of 1–2 photos: one line. */
  oneLine(m: MomentText): string;
  caption(
    people: readonly string[],
    objects: readonly ObjectCount[],
    place: string | null,
    time: LocalTime | null,
  ): string;
  closing(c: ClosingText): string;
}

export function pick<T>(options: readonly T[], seed: number): T {
  const item = options[((seed % options.length) + options.length) % options.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Local wall-clock parts read straight from the ISO text, so the place's own time is kept. */
export function localTime(iso: string | null): LocalTime | null {
  if (!iso) return null;
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(iso);
  if (!m) return null;
  const [year, month, day, hour] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    hm: `${m[4]}:${m[5]}`,
    part: partOfDay(hour),
  };
}

function partOfDay(hour: number): PartOfDay {
  if (hour < 5) return 'night';
  if (hour < 12) return 'morning';
  if (hour < 17) return 'afternoon';
  if (hour < 22) return 'evening';
  return 'night';
}

export function sameDay(a: LocalTime | null, b: LocalTime | null): boolean {
  return a !== null && b !== null && a.year === b.year && a.month === b.month && a.day === b.day;
}

/** Kilometres for a sentence: "600 m", "2.4 km" (decimal mark per language). */
export function distance(km: number, decimal: string): string {
  return km < 1
    ? `${Math.max(100, Math.round(km * 10) * 100)} m`
    : `${km.toFixed(1).replace('.', decimal)} km`;
}

/** Country names in a language from ICU (Node ships full ICU). */
export function regionName(language: string, code: string, fallback: string): string {
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(code) ?? fallback;
  } catch {
    return fallback;
  }
}
