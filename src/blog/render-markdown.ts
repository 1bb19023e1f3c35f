import type { AlbumFacts, BlogPost } from './types.js';

/** Markdown for chats and blog.md; photos are linked by their album paths (or `photoUrl`). */
export function renderMarkdown(post: BlogPost, facts: AlbumFacts, photoUrl?: (id: string) => string): string {
  const pathOf = new Map(facts.photos.map((p) => [p.id, p.path]));
  const url = photoUrl ?? ((id: string) => encodeURI(pathOf.get(id) ?? id));
  // A one-line post (1–2 photos) is its line and its photos, without a title.
  const out: string[] = post.short ? [post.intro, ''] : [`# ${post.title}`, '', post.intro, ''];
  for (const s of post.sections) {
    if (s.heading) out.push(`## ${s.heading}`, '');
    if (s.text) out.push(s.text, '');
    for (const id of s.photos) out.push(`![${(s.captions[id] ?? id).replace(/[[\]]/g, '')}](${url(id)})`);
    out.push('');
  }
  if (post.closing) out.push(post.closing, '');
  return out.join('\n');
}
