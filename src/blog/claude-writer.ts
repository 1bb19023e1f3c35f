import {
  TextWriterError,
  type TextWriter,
  type TextWriterImage,
  type TextWriterRequest,
} from '../ports/text-writer.js';
import { writeOfflinePost } from './offline-writer.js';
import { placeLabel } from './places.js';
import type { AlbumFacts, BlogPost } from './types.js';
import { POST_SCHEMA, validatePost } from './validate.js';

/**
 * The post from a language model: facts plus downscaled photos in, a structured post out, validated
 * against the facts. A bad answer is retried once with the problems listed, then repaired where only
 * citations are wrong; anything else (timeouts, rate limits, API errors, inventions) falls back to the
 * offline writer and says so in `notice` for the user.
 */
export interface ModelPostOptions {
  readonly writer: TextWriter;
  readonly images?: readonly TextWriterImage[];
  /** Attempts at a valid answer (1 + retries after a rejected answer). */
  readonly attempts?: number;
  /** 4096 tokens: a post of a dozen sections with captions stays well under it. */
  readonly maxTokens?: number;
}

export interface WrittenPost {
  readonly post: BlogPost;
  /** Said to the user when the post is not what they asked for (the offline fallback). */
  readonly notice?: string;
  /** Why each rejected attempt was rejected, for logs. */
  readonly rejections: readonly string[][];
}

const SYSTEM = [
  'You write a short, warm blog post about a photo album, the kind a person shares with friends.',
  'Use only the facts given: places, times, people labels and photo ids. Never invent names, places,',
  'events or feelings the photos and facts do not show; describe what is visible in the images.',
  'Refer to people only by their labels exactly as given (a name, "Person N" or "#N").',
  "Weave the captions (the chat's own words, quote or paraphrase them faithfully), who sent the photos,",
  'times, places and the scene objects the facts list into sentences a person would write; never list',
  'statistics ("9 photos", "3 people appear"). Objects are named only as the facts name them.',
  'A photo marked clockOff has a wrong camera date: do not date the album by it.',
  'An album of one or two photos gets a single short section of one sentence.',
  "Write one section per moment, in the moments' order, citing that moment's photo ids; prefer the",
  'photos marked best of their burst. List in "people" every label the section text mentions.',
  'Return the post with the write_post tool.',
].join(' ');

export function buildPostRequest(
  facts: AlbumFacts,
  images: readonly TextWriterImage[],
  maxTokens = 4096,
): TextWriterRequest {
  return {
    system: `${SYSTEM} Write everything (title, headings, text, captions) in ${languageName(facts.language)}.`,
    text: `Album facts (JSON):\n${JSON.stringify(factsForModel(facts))}\n\nThe photos follow, each after its id.`,
    images,
    schema: POST_SCHEMA,
    schemaName: 'write_post',
    maxTokens,
  };
}

/** The facts in the compact shape the prompt shows: ids, local times, place labels, people labels. */
export function factsForModel(facts: AlbumFacts): unknown {
  const label = new Map(facts.people.map((p) => [p.id, p.label]));
  return {
    moments: facts.moments.map((m) => ({
      id: m.id,
      start: m.start,
      end: m.end,
      place: m.place ? placeLabel(m.place) : null,
      people: m.people.map((id) => label.get(id)),
      objects: m.objects.map((o) => ({ object: o.label, photos: o.count })),
      photos: m.photoIds,
    })),
    photos: facts.photos.map((p) => ({
      id: p.id,
      time: p.time,
      place: p.place ? placeLabel(p.place) : null,
      people: p.people.map((id) => label.get(id)),
      unnamedFaces: p.strangerFaces,
      groupPhoto: p.group,
      bestOfBurst: p.bestOfBurst === p.id,
      objects: p.objects.map((o) => (o.count === 1 ? o.label : `${o.count} × ${o.label}`)),
      ...(p.figures > 0 ? { bodiesSeen: p.figures } : {}),
      ...(p.caption ? { caption: p.caption } : {}),
      ...(p.sender ? { sentBy: p.sender } : {}),
      ...(p.sentAt ? { sentAt: p.sentAt } : {}),
      ...(p.cameraTime ? { cameraTime: p.cameraTime } : {}),
      ...(p.clockOff ? { clockOff: true } : {}),
    })),
    people: facts.people.map((p) => ({ label: p.label, named: p.named, photos: p.photoIds })),
    together: facts.together.map((t) => ({ people: [label.get(t.a), label.get(t.b)], photos: t.photoIds })),
    unreadableFiles: facts.failures.length,
    dates: facts.span,
    senders: facts.senders,
    audience: facts.audience === 'chat' ? 'the chat the photos were sent to' : 'a reader of a web page',
  };
}

/** "de" → "German" for the prompt; an unknown tag is passed as it is (the model knows BCP 47). */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

const FALLBACK_NOTICE: Record<string, string> = {
  timeout: 'The writing service took too long, so this post was written offline from the album facts.',
  'rate-limited': 'The writing service is busy right now (rate limit), so this post was written offline.',
  overloaded: 'The writing service is overloaded right now, so this post was written offline.',
  'api-error': 'The writing service failed, so this post was written offline from the album facts.',
  'bad-output':
    'The written post did not match the photos, so this one was written offline from the album facts.',
};

export async function writeModelPost(facts: AlbumFacts, opts: ModelPostOptions): Promise<WrittenPost> {
  const attempts = Math.max(1, opts.attempts ?? 2);
  const base = buildPostRequest(facts, opts.images ?? [], opts.maxTokens);
  const rejections: string[][] = [];
  let request = base;
  for (let i = 0; i < attempts; i++) {
    let output: unknown;
    try {
      output = (await opts.writer.write(request)).output;
    } catch (error) {
      const reason = error instanceof TextWriterError ? error.reason : 'api-error';
      return { post: writeOfflinePost(facts), notice: FALLBACK_NOTICE[reason], rejections };
    }
    const v = validatePost(output, facts);
    if (v.post && v.errors.length === 0 && v.repairable.length === 0) return { post: v.post, rejections };
    const problems = [...v.errors, ...v.repairable];
    rejections.push(problems);
    // Last attempt: a post whose only faults are citations of missing photos is repaired (they were
    // dropped in validation); a post that invents people is never used.
    if (i === attempts - 1 && v.post && v.errors.length === 0 && v.post.sections.length > 0) {
      return { post: v.post, rejections };
    }
    request = {
      ...base,
      text: `${base.text}\n\nYour previous answer was rejected:\n- ${problems.join('\n- ')}\nWrite it again using only the facts.`,
    };
  }
  return { post: writeOfflinePost(facts), notice: FALLBACK_NOTICE['bad-output'], rejections };
}
