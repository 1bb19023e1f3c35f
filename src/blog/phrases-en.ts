import {
  distance,
  pick,
  sameDay,
  type Cast,
  type ClosingText,
  type LocalTime,
  type MomentText,
  type Phrasebook,
} from './phrases.js';
import type { ObjectCount } from './types.js';

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
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const NUMBERS = [
  'no',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
];

/** COCO names as a sentence says them: [singular, plural] where the class name is not it. */
const NOUNS: Record<string, [string, string]> = {
  person: ['person', 'people'],
  bus: ['bus', 'buses'],
  bench: ['bench', 'benches'],
  couch: ['couch', 'couches'],
  sandwich: ['sandwich', 'sandwiches'],
  knife: ['knife', 'knives'],
  sheep: ['sheep', 'sheep'],
  mouse: ['computer mouse', 'computer mice'],
  skis: ['pair of skis', 'pairs of skis'],
  scissors: ['pair of scissors', 'pairs of scissors'],
  'wine glass': ['wine glass', 'wine glasses'],
  toothbrush: ['toothbrush', 'toothbrushes'],
  tv: ['TV', 'TVs'],
  'cell phone': ['phone', 'phones'],
  'dining table': ['table', 'tables'],
  'sports ball': ['ball', 'balls'],
  'hair drier': ['hair dryer', 'hair dryers'],
  broccoli: ['head of broccoli', 'heads of broccoli'],
  remote: ['remote control', 'remote controls'],
};

const number = (n: number): string => NUMBERS[n] ?? String(n);
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function noun(label: string, n: number): string {
  const [one, many] = NOUNS[label] ?? [label, `${label}s`];
  if (n === 1) return `${/^[aeiou]/i.test(one) ? 'an' : 'a'} ${one}`;
  return `${number(n)} ${many}`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0] ?? ''} and ${items[1] ?? ''}`;
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

function date(t: LocalTime): string {
  return `${t.day} ${MONTHS[t.month - 1] ?? ''} ${t.year}`;
}

function when(t: LocalTime): string {
  return `${WEEKDAYS[t.weekday] ?? ''} ${t.part}`;
}

/** "Marco, Sofia and a dog"; "Marco, Sofia and two others, with a dog"; null when there is nothing to name. */
function castPhrase(c: Cast): string | null {
  const who = [...c.people];
  if (c.more > 0) who.push(`${number(c.more)} ${c.more === 1 ? 'other' : 'others'}`);
  if (who.length === 0 && c.figures > 0) who.push(noun('person', c.figures));
  const what = c.objects.map((o) => noun(o.label, o.count));
  if (who.length === 0) return what.length > 0 ? list(what) : null;
  if (what.length === 0) return list(who);
  return c.more > 0 || who.length > 2 ? `${list(who)}, with ${list(what)}` : list([...who, ...what]);
}

function period(start: LocalTime | null, end: LocalTime | null): string | null {
  if (!start || !end) return null;
  if (start.year !== end.year) return `${start.year}–${end.year}`;
  if (start.month !== end.month) return String(start.year);
  return `${MONTHS[start.month - 1] ?? ''} ${start.year}`;
}

function placeIn(p: MomentText['place']): string | null {
  return p ? `${p.near ? 'near' : 'in'} ${p.name}` : null;
}

function quote(c: { text: string; sender: string | null }, seed: number): string {
  const text = /[.!?…]$/.test(c.text) ? c.text : `${c.text}.`;
  if (!c.sender) return pick([`The caption says: “${text}”`, `“${text}”`], seed);
  return pick([`${c.sender} wrote: “${text}”`, `In ${c.sender}'s words: “${text}”`], seed);
}

function objectsIn(o: ObjectCount): string {
  const [one] = NOUNS[o.label] ?? [o.label];
  return `${capital(noun(o.label, 1).replace(/^an? /, /^[aeiou]/i.test(one) ? 'An ' : 'A '))} turns up in ${number(o.count)} of the photos.`;
}

export const english: Phrasebook = {
  language: 'en',
  list,
  country: (_code, fallback) => fallback,

  title(places, start, end, people) {
    const what =
      places.length > 0
        ? list(places.slice(0, 3))
        : people.length > 0
          ? `With ${list(people.slice(0, 3))}`
          : null;
    const span = period(start, end);
    if (what && span) return `${what}, ${span}`;
    return what ?? span ?? 'Photos';
  },

  intro(t) {
    const out: string[] = [];
    const where = t.places.length > 0 ? list(t.places) : null;
    if (t.start && t.end && sameDay(t.start, t.end)) {
      if (t.moments === 1 && where) out.push(`A ${when(t.start)} in ${where}, on ${date(t.start)}.`);
      else if (where) out.push(`One day in ${where}: ${WEEKDAYS[t.start.weekday] ?? ''}, ${date(t.start)}.`);
      else out.push(`${WEEKDAYS[t.start.weekday] ?? ''}, ${date(t.start)}.`);
    } else if (t.start && t.end) {
      const from =
        t.start.year === t.end.year && t.start.month === t.end.month ? String(t.start.day) : date(t.start);
      out.push(`From ${from} to ${date(t.end)}${where ? `, in ${where}` : ''}.`);
    } else if (where) out.push(`Photos from ${where}.`);
    if (t.people.length > 0)
      out.push(`With ${castPhrase({ people: t.people, more: t.more, objects: [], figures: 0 }) ?? ''}.`);
    if (t.senders.length > 0) out.push(`Sent by ${list(t.senders)}.`);
    return out.join(' ');
  },

  heading(m, seed) {
    const place = m.place?.name ?? null;
    if (place && m.start)
      return m.dated
        ? `${place}, ${date(m.start)}`
        : pick([`${when(m.start)} in ${place}`, `${place}, ${m.start.hm}`], seed);
    if (place) return place;
    if (m.start) return `${when(m.start)}, ${date(m.start)}`;
    return 'Without a date';
  },

  moment(m, seed) {
    const s: string[] = [];
    const cast = castPhrase(m.cast);
    const where = placeIn(m.place);
    const time = m.start ? when(m.start) : null;
    if (time && where) {
      s.push(
        cast
          ? pick(
              [
                `${time} ${where}: ${cast}.`,
                `${capital(cast)}, ${where}, on ${time}.`,
                `${capital(where)}, the camera finds ${cast} on ${time}.`,
              ],
              seed,
            )
          : pick([`${time} ${where}.`, `${capital(where)}, on ${time}.`], seed),
      );
    } else if (where) {
      s.push(cast ? `${capital(where)}: ${cast}.` : `${capital(where)}, with no clock to say when.`);
    } else if (time) {
      s.push(
        cast
          ? `${time}: ${cast}.`
          : `${m.photos === 1 ? 'A single photo' : 'Photos'} from ${time}, with no place or face to go by.`,
      );
    } else if (cast) {
      s.push(`In these photos: ${cast}.`);
    }
    m.captions.forEach((c, i) => s.push(quote(c, seed + i)));
    if (m.recurring) s.push(objectsIn(m.recurring));
    if (m.start && m.end && m.start.hm !== m.end.hm && sameDay(m.start, m.end))
      s.push(
        m.routeKm !== null
          ? pick(
              [
                `From ${m.start.hm} to ${m.end.hm} the photos follow a route of about ${distance(m.routeKm, '.')}.`,
                `Between ${m.start.hm} and ${m.end.hm} the route covers some ${distance(m.routeKm, '.')}.`,
              ],
              seed,
            )
          : `The photos were taken between ${m.start.hm} and ${m.end.hm}.`,
      );
    else if (m.routeKm !== null) s.push(`The photos follow a route of about ${distance(m.routeKm, '.')}.`);
    return s.join(' ');
  },

  oneLine(m) {
    const cast = castPhrase(m.cast);
    const where = placeIn(m.place);
    const bits = [
      cast ? capital(cast) : null,
      where,
      m.start ? `${when(m.start)}, ${date(m.start)}` : null,
    ].filter((b): b is string => b !== null);
    const line =
      bits.length > 0 ? `${capital(bits.join(', '))}.` : m.photos === 1 ? 'One photo.' : 'Two photos.';
    const c = m.captions[0];
    return c ? `${line} ${quote(c, 0)}` : line;
  },

  caption(people, objects, place, time) {
    const who = castPhrase({ people, more: 0, objects, figures: 0 });
    return [who ? capital(who) : null, place, time?.hm ?? null]
      .filter((b): b is string => b !== null)
      .join(' · ');
  },

  closing(c: ClosingText) {
    const out: string[] = [];
    if (c.audience === 'chat' && c.unnamed.length > 0) {
      const shown = c.unnamed.slice(0, 3);
      const rest = c.unnamed.length - shown.length;
      const who = rest > 0 ? `${shown.join(', ')} and ${number(rest)} more` : list(shown);
      out.push(
        c.unnamed.length === 1
          ? `Who is ${who}? Name them with /name and the next post will use the name.`
          : `Who are ${who}? Name them with /name and the next post will use the names.`,
      );
    }
    const [off] = c.clockOff;
    if (off)
      out.push(
        c.clockOff.length === 1
          ? `One camera clock was off (it said ${date(off.camera)}), so that photo is placed by when it was sent.`
          : `${capital(number(c.clockOff.length))} photos had a camera clock that was off (one said ${date(off.camera)}); they are placed by when they were sent.`,
      );
    if (c.undated > 0)
      out.push(
        c.undated === 1
          ? 'One photo has no date and comes last.'
          : `${capital(number(c.undated))} photos have no date and come last.`,
      );
    if (c.unreadable.length > 0)
      out.push(
        `${c.unreadable.length === 1 ? 'One file' : `${capital(number(c.unreadable.length))} files`} could not be read: ${list(c.unreadable)}.`,
      );
    return out.join(' ');
  },
};
