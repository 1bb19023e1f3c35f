/**
 * "Is this Anna?" after an album as data, the same for every chat: the service's suggestions
 * (services/suggestions.ts) with both people as the chat knows them and one picture of the two faces
 * side by side (the album's unnamed person left, the named person right). The bots only word it and add
 * their buttons.
 */
import { renderContactSheet, type SheetEntry } from '../blog/contact-sheet.js';
import type { AlbumResult } from '../core/album.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { PeopleService, PersonSummary } from '../services/people-service.js';
import type { Suggestion } from '../services/suggestions.js';
import { tileLabel } from './person-label.js';

export interface SuggestionQuestion {
  readonly suggestion: Suggestion;
  /** The album's unnamed person. */
  readonly person: PersonSummary;
  /** The named person they look like. */
  readonly candidate: PersonSummary;
  /**
   * Both faces as one JPEG, or null: a question about one face alone would show only half of what is
   * asked, so it goes as text.
   */
  readonly picture: Buffer | null;
}

export async function suggestionQuestions(
  people: Pick<PeopleService, 'suggestions' | 'listPeople'>,
  blobs: Pick<BlobStore, 'get'>,
  tenant: string,
  result: AlbumResult,
): Promise<SuggestionQuestion[]> {
  const suggestions = await people.suggestions(tenant, result);
  if (suggestions.length === 0) return [];
  const byId = new Map((await people.listPeople(tenant)).map((p) => [p.id, p]));
  const out: SuggestionQuestion[] = [];
  for (const suggestion of suggestions) {
    const person = byId.get(suggestion.personId);
    const candidate = byId.get(suggestion.candidateId);
    if (!person || !candidate) continue;
    const tiles: SheetEntry[] = [];
    for (const [key, p] of [
      [suggestion.faceKey, person],
      [suggestion.candidateFaceKey, candidate],
    ] as const) {
      const face = key ? await blobs.get(key) : null;
      if (face) tiles.push({ label: tileLabel(p.handle, p.name), face: Buffer.from(face) });
    }
    const picture = tiles.length === 2 ? await renderContactSheet(tiles, 2) : null;
    out.push({ suggestion, person, candidate, picture });
  }
  return out;
}
