/** Longest caption a post quotes: a chat caption can run to 1024 characters; a post wants a line. */
const MAX_CAPTION = 240;

/**
 * A caption as a post may quote it: without bot commands (/find, /blog@bot), links, @mentions and the
 * leading # of hashtags, whitespace collapsed, cut at a word near MAX_CAPTION. Null when nothing is left.
 */
export function cleanCaption(raw: string): string | null {
  let text = raw
    .replace(/(^|\s)\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/g, ' ')
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .replace(/\bwww\.\S+/gi, ' ')
    .replace(/(^|\s)@[A-Za-z0-9_]{3,}/g, ' ')
    // Hashtags at the end are tags, not words; one inside a sentence keeps its word.
    .replace(/(\s*#\p{L}[\p{L}\p{N}_]*)+\s*$/u, '')
    .replace(/(^|\s)#(\p{L}[\p{L}\p{N}_]*)/gu, '$1$2')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^["'“”«»„]+|["'“”«»„]+$/g, '')
    .trim();
  if (text.length > MAX_CAPTION) {
    const cut = text.slice(0, MAX_CAPTION);
    const space = cut.lastIndexOf(' ');
    text = `${(space > MAX_CAPTION / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
  }
  return /[\p{L}\p{N}]/u.test(text) ? text : null;
}
