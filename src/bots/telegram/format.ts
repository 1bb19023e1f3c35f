/**
 * Chat text for the Telegram bot, as HTML for parse_mode HTML: every piece of user or photo data is
 * escaped here, and every message stays under Telegram's limits (4096 characters of text, 1024 of a
 * caption). Pure functions, unit-tested in test/bots/telegram/format.test.ts.
 */
import type { AlbumFailure } from '../../core/album.js';
import {
  escapeHtml,
  packMessages,
  TELEGRAM_CAPTION_LIMIT,
  TELEGRAM_TEXT_LIMIT,
} from '../../blog/split-telegram.js';
import type { PersonSummary } from '../../services/people-service.js';
import type { SelfieOutcome } from '../../services/search-service.js';
import { byName, type AlbumSummary } from '../../chat/album-report.js';
import { failureWords } from '../../chat/failure-words.js';
import { handleText, personLabel } from '../../chat/person-label.js';
import { qualityWords } from '../../chat/selfie-words.js';

export { escapeHtml, personLabel };

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The status message while an album runs. */
export function progressText(processed: number, total: number): string {
  return `Processing ${Math.min(processed, total)}/${total} ${total === 1 ? 'photo' : 'photos'}…`;
}

export function receivedText(count: number): string {
  return `Got ${plural(count, 'photo')}. Downloading…`;
}

export function doneText(photos: number, people: number, failures: number): string {
  const parts = [`Done: ${plural(photos, 'photo')}`, plural(people, 'person', 'people')];
  if (failures > 0) parts.push(`${failures} could not be read`);
  return `${parts.join(', ')}.`;
}

/**
 * "Who appears in which photo": one line per person of the album with the chat-wide handle (the one
 * /name, /merge and /forget take), then the photos where nobody was recognised (the album's report,
 * src/chat/album-report.ts). HTML, one string per message.
 */
export function whoAppearsText(report: AlbumSummary, limit = TELEGRAM_CAPTION_LIMIT): string[] {
  const { people } = report;
  // Each line is a block of plain text with its markup added by `render`, so that a line too long
  // for one message is split between photo names, never inside a tag.
  const blocks: Block[] = [
    {
      text: people.length === 0 ? 'No faces found in this album.' : 'Who is in which photo',
      render: (s) => (people.length === 0 ? escapeHtml(s) : `<b>${escapeHtml(s)}</b>`),
    },
  ];
  for (const person of people) {
    const handle = person.handle === null ? '#?' : handleText(person.handle);
    const head = person.name ? `<b>${escapeHtml(person.name)}</b> (${handle}): ` : `<b>${handle}</b>: `;
    blocks.push({ text: person.photos.join(', '), render: (s) => head + escapeHtml(s) });
  }
  if (report.nobody.length > 0) {
    blocks.push({ text: report.nobody.join(', '), render: (s) => `Nobody recognised: ${escapeHtml(s)}` });
  }
  if (people.length > 0) {
    blocks.push({ text: 'Tap a button below to name someone.', render: (s) => escapeHtml(s) });
  }
  return packMessages(blocks, limit, '\n');
}

type Block = { readonly text: string; readonly render: (plain: string) => string };

/** Telegram's own download failures; the pipeline's codes are worded in src/chat/failure-words.ts. */
const DOWNLOAD_FAILURE: Readonly<Record<string, string>> = {
  FILE_TOO_LARGE: 'the file is over the 20 MB download limit for bots',
  DOWNLOAD_FAILED: 'Telegram did not let me download it',
};

/** What a failure means to the person who sent the photo. */
export function failureReason(failure: Pick<AlbumFailure, 'code' | 'message'>): string {
  return DOWNLOAD_FAILURE[failure.code] ?? failureWords(failure);
}

/** "Could not read 2 photos:" with one line per photo and its reason; [] when nothing failed. */
export function failuresText(failures: readonly AlbumFailure[]): string[] {
  if (failures.length === 0) return [];
  const blocks: Block[] = [
    { text: `Could not read ${plural(failures.length, 'photo')}`, render: (s) => `<b>${escapeHtml(s)}</b>` },
  ];
  for (const f of [...failures].sort((x, y) => byName(x.path, y.path))) {
    blocks.push({
      text: `${f.path}: ${failureReason(f)}`,
      render: (s) => `• ${escapeHtml(s)}`,
    });
  }
  return packMessages(blocks, TELEGRAM_TEXT_LIMIT, '\n');
}

/** "12.3 MB": megabytes as Telegram shows them (MiB). */
export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function tooLargeText(name: string, bytes: number, limitBytes: number): string {
  return (
    `<b>${escapeHtml(name)}</b> is ${megabytes(bytes)}; bots can only download files up to ` +
    `${megabytes(limitBytes).replace('.0', '')}. Send it as a photo (Telegram compresses it) or a smaller copy.`
  );
}

/** The answer to a selfie, without the photos themselves (they follow as a media group). */
/** The answer to a selfie, for every outcome but "choose a face" (which is a question with buttons). */
export function selfieText(
  outcome: Exclude<SelfieOutcome, { status: 'choose-face' }>,
  num: number | undefined,
  shown: number,
): string {
  switch (outcome.status) {
    case 'found': {
      const who = personLabel(num, outcome.person.name);
      const count = outcome.photos.length;
      const more = count > shown ? ` Here are the best ${shown}.` : '';
      return `Found <b>${escapeHtml(who)}</b> in ${plural(count, 'photo')}.${more}`;
    }
    case 'unsure':
      return `Is this <b>${escapeHtml(personLabel(num, outcome.person.name))}</b>? Your selfie is on the left. I am not sure, so I am asking before I show any photos.`;
    case 'no-match':
      return 'No match: nobody in this chat’s photos looks like the person in that selfie.';
    case 'no-face':
      return 'I could not find a face in that photo. Send a selfie with the face clearly visible.';
    case 'poor-quality':
      return `The face is too hard to read (${escapeHtml(qualityWords(outcome.reasons))}). Try a sharper, frontal selfie.`;
  }
}

/** "Which face?" when a selfie shows several faces and none is clearly the main one. */
export function chooseFaceText(faces: number): string {
  return `I see ${faces} faces and none is clearly the main one. Which one should I look for? (left to right)`;
}

/** Who the people list shows by default: named people and people seen in two photos or more. */
export function isRegular(p: Pick<PersonSummary, 'name' | 'photoCount' | 'hidden'>): boolean {
  return !p.hidden && (p.name !== null || p.photoCount >= 2);
}

/**
 * The people list under the contact sheet: `shown` one line each; the rest folded into one line
 * ("+24 people seen once"), as photo apps do with faces seen once.
 */
export function peopleText(
  shown: readonly PersonSummary[],
  folded: { readonly once: number; readonly hidden: number } = { once: 0, hidden: 0 },
): string[] {
  if (shown.length === 0 && folded.once === 0 && folded.hidden === 0)
    return ['No people yet. Send an album of photos and I will find the faces.'];
  const blocks: Block[] = shown.map((p) => {
    const head = p.name?.trim()
      ? `<b>${escapeHtml(p.name.trim())}</b> (#${p.handle}): `
      : `<b>#${p.handle}</b>: `;
    return { text: plural(p.photoCount, 'photo'), render: (s) => head + escapeHtml(s) };
  });
  const fold: string[] = [];
  if (folded.once > 0) fold.push(`+${plural(folded.once, 'person', 'people')} seen once`);
  if (folded.hidden > 0) fold.push(`${folded.hidden} hidden`);
  if (fold.length > 0)
    blocks.push({ text: `${fold.join(', ')} (/people all)`, render: (s) => escapeHtml(s) });
  blocks.push({
    text: '/person 2 shows someone with buttons to name, hide or correct them; /photos Anna shows their photos.',
    render: (s) => escapeHtml(s),
  });
  return packMessages(blocks, TELEGRAM_CAPTION_LIMIT, '\n');
}
