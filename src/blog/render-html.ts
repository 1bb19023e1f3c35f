import { escapeHtml } from './split-telegram.js';
import type { AlbumFacts, BlogPost } from './types.js';

export interface HtmlAssets {
  /** Relative URL of a photo's web JPEG, by photo id. */
  readonly photo: (id: string) => string;
  /** Relative URL of a person's face crop, by person id; null when there is none. */
  readonly face: (personId: string) => string | null;
  readonly contactSheet: string | null;
}

const attr = (s: string): string => escapeHtml(s).replace(/"/g, '&quot;');

/** A standalone page: no scripts, no remote resources; fits a 390 px phone without sideways scroll. */
export function renderHtml(
  post: BlogPost,
  facts: AlbumFacts,
  assets: HtmlAssets,
  generatedAt?: Date,
): string {
  const people = facts.people.filter((p) => p.photoIds.length > 0);
  const sections = post.sections
    .map((s) => {
      const figures = s.photos
        .map((id) => {
          const cap = s.captions[id] ?? '';
          return `<figure><img src="${attr(assets.photo(id))}" alt="${attr(cap || id)}" loading="lazy" data-photo="${attr(id)}">${cap ? `<figcaption>${escapeHtml(cap)}</figcaption>` : ''}</figure>`;
        })
        .join('\n');
      return `<section><h2>${escapeHtml(s.heading)}</h2>\n<p>${escapeHtml(s.text)}</p>\n<div class="photos">\n${figures}\n</div></section>`;
    })
    .join('\n');
  const gallery = people
    .map((p) => {
      const face = assets.face(p.id);
      const img = face ? `<img src="${attr(face)}" alt="${attr(p.label)}" data-face="${attr(p.id)}">` : '';
      return `<li>${img}<span>${escapeHtml(p.label)}</span><small>${p.photoIds.length} photo${p.photoIds.length === 1 ? '' : 's'}: ${escapeHtml(p.photoIds.join(', '))}</small></li>`;
    })
    .join('\n');
  const sheet = assets.contactSheet
    ? `<figure class="sheet"><img src="${attr(assets.contactSheet)}" alt="Who appears in this album"></figure>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(post.title)}</title>
<style>
*{box-sizing:border-box}
body{margin:0 auto;max-width:52rem;padding:1rem;font:1.05rem/1.6 Georgia,serif;color:#222;background:#fdfcf9;overflow-wrap:anywhere}
h1{font-size:2rem;line-height:1.2}
h2{margin-top:2.5rem;font-size:1.4rem}
.photos{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,15rem),1fr));gap:.75rem}
figure{margin:0}
img{display:block;max-width:100%;height:auto;border-radius:4px}
figcaption{font:.85rem/1.4 system-ui,sans-serif;color:#555;margin-top:.25rem}
.people{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(7rem,1fr));gap:1rem}
.people li{text-align:center;font:.9rem/1.3 system-ui,sans-serif}
.people img{width:100%;aspect-ratio:1;object-fit:cover;border-radius:50%}
.people span{display:block;font-weight:600;margin-top:.3rem}
.people small{color:#666}
footer{margin-top:3rem;font:.8rem system-ui,sans-serif;color:#888}
</style>
</head>
<body>
<article>
<h1>${escapeHtml(post.title)}</h1>
<p class="intro">${escapeHtml(post.intro)}</p>
${sections}
<p class="closing">${escapeHtml(post.closing)}</p>
</article>
${people.length > 0 ? `<section class="gallery"><h2>People</h2>\n<ul class="people">\n${gallery}\n</ul>\n${sheet}</section>` : ''}
<footer>${post.writer === 'model' ? 'Written with a language model from the album facts' : 'Written offline from the album facts'}${generatedAt ? ` · ${escapeHtml(generatedAt.toISOString().slice(0, 10))}` : ''}</footer>
</body>
</html>
`;
}
