/** Command arguments that name people: chat numbers as /people shows them ("3"), or person ids. */
import type { PersonSummary } from '../../services/people-service.js';

/** The person a number or id means now, or null. */
export function pickPerson<P extends Pick<PersonSummary, 'id'>>(people: readonly P[], arg: string): P | null {
  const text = arg.trim().replace(/^#/, '');
  if (/^\d{1,6}$/.test(text)) return people[Number(text) - 1] ?? null;
  return people.find((p) => p.id === text) ?? null;
}

/** "/name 3 Anna Maria" → ["3", "Anna Maria"]. */
export function splitFirst(text: string): [string, string] {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space < 0 ? [trimmed, ''] : [trimmed.slice(0, space), trimmed.slice(space + 1).trim()];
}
