import {
  distance,
  pick,
  regionName,
  sameDay,
  type Cast,
  type ClosingText,
  type IntroText,
  type LocalTime,
  type MomentText,
  type Phrasebook,
} from './phrases.js';
import type { ObjectCount } from './types.js';

const MONTHS = [
  'Januar',
  'Februar',
  'März',
  'April',
  'Mai',
  'Juni',
  'Juli',
  'August',
  'September',
  'Oktober',
  'November',
  'Dezember',
];
const WEEKDAYS = ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'];
const PARTS = { night: 'nacht', morning: 'vormittag', afternoon: 'nachmittag', evening: 'abend' } as const;
const NUMBERS = [
  'kein',
  'ein',
  'zwei',
  'drei',
  'vier',
  'fünf',
  'sechs',
  'sieben',
  'acht',
  'neun',
  'zehn',
  'elf',
  'zwölf',
];

type Gender = 'm' | 'f' | 'n';
/** COCO classes in German: grammatical gender, singular, plural. */
const NOUNS: Record<string, [Gender, string, string]> = {
  person: ['f', 'Person', 'Personen'],
  bicycle: ['n', 'Fahrrad', 'Fahrräder'],
  car: ['n', 'Auto', 'Autos'],
  motorcycle: ['n', 'Motorrad', 'Motorräder'],
  airplane: ['n', 'Flugzeug', 'Flugzeuge'],
  bus: ['m', 'Bus', 'Busse'],
  train: ['m', 'Zug', 'Züge'],
  truck: ['m', 'Lastwagen', 'Lastwagen'],
  boat: ['n', 'Boot', 'Boote'],
  'traffic light': ['f', 'Ampel', 'Ampeln'],
  'fire hydrant': ['m', 'Hydrant', 'Hydranten'],
  'stop sign': ['n', 'Stoppschild', 'Stoppschilder'],
  'parking meter': ['f', 'Parkuhr', 'Parkuhren'],
  bench: ['f', 'Bank', 'Bänke'],
  bird: ['m', 'Vogel', 'Vögel'],
  cat: ['f', 'Katze', 'Katzen'],
  dog: ['m', 'Hund', 'Hunde'],
  horse: ['n', 'Pferd', 'Pferde'],
  sheep: ['n', 'Schaf', 'Schafe'],
  cow: ['f', 'Kuh', 'Kühe'],
  elephant: ['m', 'Elefant', 'Elefanten'],
  bear: ['m', 'Bär', 'Bären'],
  zebra: ['n', 'Zebra', 'Zebras'],
  giraffe: ['f', 'Giraffe', 'Giraffen'],
  backpack: ['m', 'Rucksack', 'Rucksäcke'],
  umbrella: ['m', 'Schirm', 'Schirme'],
  handbag: ['f', 'Handtasche', 'Handtaschen'],
  tie: ['f', 'Krawatte', 'Krawatten'],
  suitcase: ['m', 'Koffer', 'Koffer'],
  frisbee: ['n', 'Frisbee', 'Frisbees'],
  skis: ['n', 'Paar Ski', 'Paar Ski'],
  snowboard: ['n', 'Snowboard', 'Snowboards'],
  'sports ball': ['m', 'Ball', 'Bälle'],
  kite: ['m', 'Drachen', 'Drachen'],
  'baseball bat': ['m', 'Baseballschläger', 'Baseballschläger'],
  'baseball glove': ['m', 'Baseballhandschuh', 'Baseballhandschuhe'],
  skateboard: ['n', 'Skateboard', 'Skateboards'],
  surfboard: ['n', 'Surfbrett', 'Surfbretter'],
  'tennis racket': ['m', 'Tennisschläger', 'Tennisschläger'],
  bottle: ['f', 'Flasche', 'Flaschen'],
  'wine glass': ['n', 'Weinglas', 'Weingläser'],
  cup: ['f', 'Tasse', 'Tassen'],
  fork: ['f', 'Gabel', 'Gabeln'],
  knife: ['n', 'Messer', 'Messer'],
  spoon: ['m', 'Löffel', 'Löffel'],
  bowl: ['f', 'Schüssel', 'Schüsseln'],
  banana: ['f', 'Banane', 'Bananen'],
  apple: ['m', 'Apfel', 'Äpfel'],
  sandwich: ['n', 'Sandwich', 'Sandwiches'],
  orange: ['f', 'Orange', 'Orangen'],
  broccoli: ['m', 'Brokkoli', 'Brokkoli'],
  carrot: ['f', 'Karotte', 'Karotten'],
  'hot dog': ['m', 'Hotdog', 'Hotdogs'],
  pizza: ['f', 'Pizza', 'Pizzas'],
  donut: ['m', 'Donut', 'Donuts'],
  cake: ['m', 'Kuchen', 'Kuchen'],
  chair: ['m', 'Stuhl', 'Stühle'],
  couch: ['n', 'Sofa', 'Sofas'],
  'potted plant': ['f', 'Topfpflanze', 'Topfpflanzen'],
  bed: ['n', 'Bett', 'Betten'],
  'dining table': ['m', 'Tisch', 'Tische'],
  toilet: ['f', 'Toilette', 'Toiletten'],
  tv: ['m', 'Fernseher', 'Fernseher'],
  laptop: ['m', 'Laptop', 'Laptops'],
  mouse: ['f', 'Computermaus', 'Computermäuse'],
  remote: ['f', 'Fernbedienung', 'Fernbedienungen'],
  keyboard: ['f', 'Tastatur', 'Tastaturen'],
  'cell phone': ['n', 'Handy', 'Handys'],
  microwave: ['f', 'Mikrowelle', 'Mikrowellen'],
  oven: ['m', 'Ofen', 'Öfen'],
  toaster: ['m', 'Toaster', 'Toaster'],
  sink: ['n', 'Waschbecken', 'Waschbecken'],
  refrigerator: ['m', 'Kühlschrank', 'Kühlschränke'],
  book: ['n', 'Buch', 'Bücher'],
  clock: ['f', 'Uhr', 'Uhren'],
  vase: ['f', 'Vase', 'Vasen'],
  scissors: ['f', 'Schere', 'Scheren'],
  'teddy bear': ['m', 'Teddybär', 'Teddybären'],
  'hair drier': ['m', 'Föhn', 'Föhne'],
  toothbrush: ['f', 'Zahnbürste', 'Zahnbürsten'],
};

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const number = (n: number): string => NUMBERS[n] ?? String(n);

/** Nominative with the indefinite article: "ein Hund", "eine Bank", "zwei Boote". */
function noun(label: string, n: number): string {
  const [gender, one, many] = NOUNS[label] ?? ['n', label, label];
  if (n === 1) return `${gender === 'f' ? 'eine' : 'ein'} ${one}`;
  return `${number(n)} ${many}`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} und ${items.at(-1) ?? ''}`;
}

function date(t: LocalTime): string {
  return `${t.day}. ${MONTHS[t.month - 1] ?? ''} ${t.year}`;
}

/** "Mittwochnachmittag": weekday and part of the day are one word in German. */
function when(t: LocalTime): string {
  return `${WEEKDAYS[t.weekday] ?? ''}${PARTS[t.part]}`;
}

/** "Marco, Sofia und ein Hund"; "Marco, Sofia und zwei weitere, dazu ein Hund" (all nominative). */
function castPhrase(c: Cast): string | null {
  const who = [...c.people];
  if (c.more > 0) who.push(c.more === 1 ? 'eine weitere Person' : `${number(c.more)} weitere`);
  if (who.length === 0 && c.figures > 0) who.push(noun('person', c.figures));
  const what = c.objects.map((o) => noun(o.label, o.count));
  if (who.length === 0) return what.length > 0 ? list(what) : null;
  if (what.length === 0) return list(who);
  return c.more > 0 || who.length > 2 ? `${list(who)}, dazu ${list(what)}` : list([...who, ...what]);
}

function period(start: LocalTime | null, end: LocalTime | null): string | null {
  if (!start || !end) return null;
  if (start.year !== end.year) return `${start.year}–${end.year}`;
  if (start.month !== end.month) return String(start.year);
  return `${MONTHS[start.month - 1] ?? ''} ${start.year}`;
}

function placeIn(p: MomentText['place']): string | null {
  return p ? `${p.near ? 'bei' : 'in'} ${p.name}` : null;
}

function quote(c: { text: string; sender: string | null }, seed: number): string {
  const full = /[.!?…]$/.test(c.text) ? c.text : `${c.text}.`;
  const bare = c.text.replace(/\.$/, '');
  if (!c.sender) return pick([`Dazu die Bildunterschrift: „${full}“`, `„${full}“`], seed);
  return pick([`${c.sender} schrieb dazu: „${full}“`, `„${bare}“, schrieb ${c.sender}.`], seed);
}

function recurring(o: ObjectCount): string {
  return `${capital(noun(o.label, 1))} ist auf ${number(o.count)} der Fotos zu sehen.`;
}

function intro(t: IntroText): string {
  const out: string[] = [];
  const where = t.places.length > 0 ? list(t.places) : null;
  if (t.start && t.end && sameDay(t.start, t.end)) {
    if (t.moments === 1 && where) out.push(`Ein ${when(t.start)} in ${where}, am ${date(t.start)}.`);
    else if (where)
      out.push(`Ein Tag in ${where}: ${WEEKDAYS[t.start.weekday] ?? ''}, der ${date(t.start)}.`);
    else out.push(`${WEEKDAYS[t.start.weekday] ?? ''}, ${date(t.start)}.`);
  } else if (t.start && t.end) {
    const from =
      t.start.year === t.end.year && t.start.month === t.end.month ? `${t.start.day}.` : date(t.start);
    out.push(`Vom ${from} bis zum ${date(t.end)}${where ? ` in ${where}` : ''}.`);
  } else if (where) out.push(`Fotos aus ${where}.`);
  if (t.people.length > 0)
    out.push(`Mit dabei: ${castPhrase({ people: t.people, more: t.more, objects: [], figures: 0 }) ?? ''}.`);
  if (t.senders.length > 0) out.push(`Die Fotos kamen von ${list(t.senders)}.`);
  return out.join(' ');
}

export const german: Phrasebook = {
  language: 'de',
  list,
  country: (code, fallback) => regionName('de', code, fallback),

  title(places, start, end, people) {
    const what =
      places.length > 0
        ? list(places.slice(0, 3))
        : people.length > 0
          ? `Mit ${list(people.slice(0, 3))}`
          : null;
    const span = period(start, end);
    if (what && span) return `${what}, ${span}`;
    return what ?? span ?? 'Fotos';
  },

  intro,

  heading(m, seed) {
    const place = m.place?.name ?? null;
    if (place && m.start)
      return m.dated
        ? `${place}, ${date(m.start)}`
        : pick([`${when(m.start)} in ${place}`, `${place}, ${m.start.hm} Uhr`], seed);
    if (place) return place;
    if (m.start) return `${when(m.start)}, ${date(m.start)}`;
    return 'Ohne Datum';
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
                `Am ${time} ${where} zu sehen: ${cast}.`,
                `Schauplatz am ${time}: ${m.place?.name ?? ''}. Auf den Bildern: ${cast}.`,
              ],
              seed,
            )
          : pick([`${time} ${where}.`, `${capital(where)}, am ${time}.`], seed),
      );
    } else if (where) {
      s.push(cast ? `${capital(where)}: ${cast}.` : `${capital(where)}, ohne Uhrzeit.`);
    } else if (time) {
      s.push(
        cast
          ? `${time}: ${cast}.`
          : `${m.photos === 1 ? 'Ein einzelnes Foto' : 'Fotos'} vom ${time}, ohne Ort und ohne Gesicht.`,
      );
    } else if (cast) {
      s.push(`Auf diesen Fotos: ${cast}.`);
    }
    m.captions.forEach((c, i) => s.push(quote(c, seed + i)));
    if (m.recurring) s.push(recurring(m.recurring));
    if (m.start && m.end && m.start.hm !== m.end.hm && sameDay(m.start, m.end))
      s.push(
        m.routeKm !== null
          ? pick(
              [
                `Von ${m.start.hm} bis ${m.end.hm} Uhr folgen die Fotos einer Strecke von etwa ${distance(m.routeKm, ',')}.`,
                `Zwischen ${m.start.hm} und ${m.end.hm} Uhr kommen so rund ${distance(m.routeKm, ',')} zusammen.`,
              ],
              seed,
            )
          : `Die Fotos entstanden zwischen ${m.start.hm} und ${m.end.hm} Uhr.`,
      );
    else if (m.routeKm !== null)
      s.push(`Die Fotos folgen einer Strecke von etwa ${distance(m.routeKm, ',')}.`);
    return s.join(' ');
  },

  oneLine(m) {
    const cast = castPhrase(m.cast);
    const where = placeIn(m.place);
    const bits = [
      cast ? capital(cast) : null,
      where,
      m.start ? `am ${when(m.start)}, ${date(m.start)}` : null,
    ].filter((b): b is string => b !== null);
    const line =
      bits.length > 0 ? `${capital(bits.join(', '))}.` : m.photos === 1 ? 'Ein Foto.' : 'Zwei Fotos.';
    const c = m.captions[0];
    return c ? `${line} ${quote(c, 0)}` : line;
  },

  caption(people, objects, place, time) {
    const who = castPhrase({ people, more: 0, objects, figures: 0 });
    return [who ? capital(who) : null, place, time ? `${time.hm} Uhr` : null]
      .filter((b): b is string => b !== null)
      .join(' · ');
  },

  closing(c: ClosingText) {
    const out: string[] = [];
    if (c.audience === 'chat' && c.unnamed.length > 0) {
      const shown = c.unnamed.slice(0, 3);
      const rest = c.unnamed.length - shown.length;
      const who = rest > 0 ? `${shown.join(', ')} und ${number(rest)} weitere` : list(shown);
      out.push(
        c.unnamed.length === 1
          ? `Wer ist ${who}? Mit /name bekommt ${who} einen Namen, und der nächste Beitrag verwendet ihn.`
          : `Wer sind ${who}? Mit /name bekommen sie Namen, und der nächste Beitrag verwendet sie.`,
      );
    }
    const [off] = c.clockOff;
    if (off)
      out.push(
        c.clockOff.length === 1
          ? `Eine Kamerauhr ging falsch (sie zeigte den ${date(off.camera)}), darum steht dieses Foto dort, wo es geschickt wurde.`
          : `Bei ${number(c.clockOff.length)} Fotos ging die Kamerauhr falsch (eine zeigte den ${date(off.camera)}); sie stehen dort, wo sie geschickt wurden.`,
      );
    if (c.undated > 0)
      out.push(
        c.undated === 1
          ? 'Ein Foto hat kein Datum und steht am Ende.'
          : `${capital(number(c.undated))} Fotos haben kein Datum und stehen am Ende.`,
      );
    if (c.unreadable.length > 0)
      out.push(
        `${c.unreadable.length === 1 ? 'Eine Datei konnte' : `${capital(number(c.unreadable.length))} Dateien konnten`} nicht gelesen werden: ${list(c.unreadable)}.`,
      );
    return out.join(' ');
  },
};
