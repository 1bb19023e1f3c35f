/**
 * How a chat calls a person: their name, else their handle "#7", given once when the person first
 * appeared and never reused (src/services/people-service.ts), the number the people commands take. The
 * chats' posts use the same wording, so "#7" in a post is "#7" in /people. Pure.
 */

/** "#7". */
export function handleText(handle: number): string {
  return `#${handle}`;
}

/** "Barack Obama" or "#3"; "Someone" for a person the chat does not list (any more). */
export function personLabel(handle: number | null | undefined, name: string | null): string {
  const clean = name?.trim();
  if (clean) return clean;
  return handle === undefined || handle === null || handle === 0 ? 'Someone' : handleText(handle);
}

/** "#3 · Barack Obama" for a contact-sheet tile; "#3" when unnamed. */
export function tileLabel(handle: number, name: string | null): string {
  const clean = name?.trim();
  return clean ? `${handleText(handle)} · ${clean}` : handleText(handle);
}

/** The id a person has in a chat's album facts: `person-<handle>`. */
export function handleId(handle: number): string {
  return `person-${handle}`;
}

/**
 * The post's label of an unnamed person from their facts id (`handleId`): "#7", as the chat says it.
 * Any other id is kept as it is.
 */
export function postLabel(id: string): string {
  const m = /^person-(\d+)$/.exec(id);
  return m ? handleText(Number(m[1])) : id;
}
