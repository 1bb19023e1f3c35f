/** Command arguments that name people: "/name 7 Anna Maria" is the person ("7", "#7", "Anna") and the rest. */

/** "/name 3 Anna Maria" → ["3", "Anna Maria"]. */
export function splitFirst(text: string): [string, string] {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space < 0 ? [trimmed, ''] : [trimmed.slice(0, space), trimmed.slice(space + 1).trim()];
}
