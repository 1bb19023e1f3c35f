import { z } from 'zod';

import type { AlbumFacts, BlogPost, BlogSection } from './types.js';

/** What the model is asked to return (JSON Schema for the request, zod for the answer). */
export const POST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'intro', 'sections', 'closing'],
  properties: {
    title: { type: 'string', description: 'Short post title' },
    intro: { type: 'string' },
    sections: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['moment', 'heading', 'text', 'photos', 'people', 'captions'],
        properties: {
          moment: { type: 'string', description: 'Moment id from the facts, e.g. m1' },
          heading: { type: 'string' },
          text: { type: 'string' },
          photos: {
            type: 'array',
            items: { type: 'string' },
            description: 'Photo ids from the facts, e.g. p3',
          },
          people: {
            type: 'array',
            items: { type: 'string' },
            description: 'Labels of people the text mentions',
          },
          captions: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['photo', 'caption'],
              properties: { photo: { type: 'string' }, caption: { type: 'string' } },
            },
          },
        },
      },
    },
    closing: { type: 'string' },
  },
} as const;

const answerSchema = z.object({
  title: z.string().min(1),
  intro: z.string(),
  sections: z
    .array(
      z.object({
        moment: z.string().optional(),
        heading: z.string(),
        text: z.string(),
        photos: z.array(z.string()),
        people: z.array(z.string()).default([]),
        captions: z.array(z.object({ photo: z.string(), caption: z.string() })).default([]),
      }),
    )
    .min(1),
  closing: z.string(),
});

export interface Validation {
  readonly post: BlogPost | null;
  /** Problems that make the answer unusable as it is (said back to the model on a retry). */
  readonly errors: readonly string[];
  /** Problems a repair can fix by dropping the offending citation. */
  readonly repairable: readonly string[];
}

/**
 * "Person 12" (the page) and "#12" (a chat's handle) style labels anywhere in the text must be people
 * of the album.
 */
const PERSON_LABEL = /\bPerson \d+\b|(?<![\p{L}\p{N}#])#\d+(?!\p{N})/gu;

export function validatePost(output: unknown, facts: AlbumFacts): Validation {
  const parsed = answerSchema.safeParse(output);
  if (!parsed.success) {
    return {
      post: null,
      errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`),
      repairable: [],
    };
  }
  const a = parsed.data;
  const photoIds = new Set(facts.photos.map((p) => p.id));
  const labels = new Set(facts.people.map((p) => p.label));
  const errors: string[] = [];
  const repairable: string[] = [];
  a.sections.forEach((s, i) => {
    for (const id of s.photos)
      if (!photoIds.has(id)) repairable.push(`sections[${i}] cites photo ${id}, which does not exist`);
    for (const c of s.captions)
      if (!photoIds.has(c.photo))
        repairable.push(`sections[${i}] captions photo ${c.photo}, which does not exist`);
    for (const name of s.people)
      if (!labels.has(name)) errors.push(`sections[${i}] names "${name}", who is not in the facts`);
    if (s.photos.filter((id) => photoIds.has(id)).length === 0)
      repairable.push(`sections[${i}] cites no real photo`);
  });
  const texts = [
    a.title,
    a.intro,
    a.closing,
    ...a.sections.flatMap((s) => [s.heading, s.text, ...s.captions.map((c) => c.caption)]),
  ];
  for (const t of texts)
    for (const m of t.matchAll(PERSON_LABEL))
      if (!labels.has(m[0])) errors.push(`the text names "${m[0]}", who is not in the facts`);
  // A chat-given name may only appear where the facts give it; a section naming someone absent from
  // its own photos is misattributing them.
  const byLabel = new Map(facts.people.map((p) => [p.label, p]));
  a.sections.forEach((s, i) => {
    // Labels the section lists, plus any known label its text or captions spell out without listing.
    const spoken = new Set(s.people);
    const body = [s.heading, s.text, ...s.captions.map((c) => c.caption)].join('\n');
    for (const label of byLabel.keys()) if (mentions(body, label)) spoken.add(label);
    for (const name of spoken) {
      const person = byLabel.get(name);
      if (person && !s.photos.some((id) => person.photoIds.includes(id)))
        errors.push(`sections[${i}] names "${name}", who is in none of its photos`);
    }
  });
  const post = toPost(a, photoIds, facts);
  return { post, errors: [...new Set(errors)], repairable: [...new Set(repairable)] };
}

/** Whole-word, case-sensitive: "Ann" is not mentioned by "Anna" or "annual". */
function mentions(text: string, label: string): boolean {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(text);
}

/** Drops citations of photos that do not exist and sections left with none; keeps time order. */
function toPost(a: z.infer<typeof answerSchema>, photoIds: ReadonlySet<string>, facts: AlbumFacts): BlogPost {
  const order = new Map(facts.photos.map((p, i) => [p.id, i]));
  const rank = (id: string): number => order.get(id) ?? Infinity;
  const sections: BlogSection[] = a.sections
    .map((s) => {
      const photos = [...new Set(s.photos.filter((id) => photoIds.has(id)))];
      photos.sort((x, y) => rank(x) - rank(y));
      const captions: Record<string, string> = {};
      for (const c of s.captions) if (photos.includes(c.photo)) captions[c.photo] = c.caption;
      return { heading: s.heading, text: s.text, photos, people: s.people, captions };
    })
    .filter((s) => s.photos.length > 0)
    .sort((x, y) => rank(x.photos[0] ?? '') - rank(y.photos[0] ?? ''));
  return { title: a.title, intro: a.intro, sections, closing: a.closing, writer: 'model' };
}
