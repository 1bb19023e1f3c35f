import type { AlbumFacts, BlogPost } from './types.js';

/** Markdown for chats and blog.md; photos are linked by their album paths (or `photoUrl`). */
export function renderMarkdown(post: BlogPost, facts: AlbumFacts, photoUrl?: (id: string) => string): string {
  const pathOf = new Map(facts.photos.map((p) => [p.id, p.path]));
  const url = photoUrl ?? ((id: string) => encodeURI(pathOf.get(id) ?? id));
  const out: string[] = [`# ${post.title}`, '', post.intro, ''];
  for (const s of post.sections) {
    out.push(`## ${s.heading}`, '', s.text, '');
    for (const id of s.photos) out.push(`![${(s.captions[id] ?? id).replace(/[[\]]/g, '')}](${url(id)})`);
    out.push('');
  }
  out.push(post.closing, '');
  return out.join('\n');
}
