import { escapeHtml } from './split-telegram.js';
import type { AlbumFacts, BlogPost, FactPerson } from './types.js';

export interface HtmlAssets {
  /** Relative URL of a photo's web JPEG, by photo id. */
  readonly photo: (id: string) => string;
  /** Relative URL of a person's face crop, by person id; null when there is none. */
  readonly face: (personId: string) => string | null;
  readonly contactSheet: string | null;
}

const attr = (s: string): string => escapeHtml(s).replace(/"/g, '&quot;');
/** Ids become fragment names: person ids and photo ids are [a-z0-9-], anything else is replaced. */
const slug = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The page's own words, per language of the post; English where a language has none. */
type UiText = Record<'people' | 'everyone' | 'similar' | 'offline' | 'model' | 'photos' | 'close', string>;
const ENGLISH_UI: UiText = {
  people: 'People',
  everyone: 'Everyone',
  similar: 'similar shots',
  offline: 'Written offline from the album facts',
  model: 'Written with a language model from the album facts',
  photos: 'photos',
  close: 'Close',
};
const UI: Readonly<Record<string, UiText>> = {
  en: ENGLISH_UI,
  de: {
    people: 'Personen',
    everyone: 'Alle',
    similar: 'ähnliche Aufnahmen',
    offline: 'Offline aus den Fakten des Albums geschrieben',
    model: 'Mit einem Sprachmodell aus den Fakten des Albums geschrieben',
    photos: 'Fotos',
    close: 'Schließen',
  },
};

/**
 * A standalone page to browse by face: tap a face to see only that person's photos, tap a photo to see
 * it large, near-duplicates folded under their best shot. No server and no remote resources: it works
 * opened from the folder and on a phone (390 px without sideways scroll). Without JavaScript every photo
 * shows and links open the large JPEGs.
 */
export function renderHtml(
  post: BlogPost,
  facts: AlbumFacts,
  assets: HtmlAssets,
  generatedAt?: Date,
): string {
  const ui = UI[facts.language] ?? ENGLISH_UI;
  const people = facts.people.filter((p) => p.photoIds.length > 0);
  const labelOf = new Map(people.map((p) => [p.id, p]));
  const photoOf = new Map(facts.photos.map((p) => [p.id, p]));
  const burstOf = (id: string): string[] =>
    facts.photos.filter((p) => p.bestOfBurst === id && p.id !== id && assets.photo(p.id)).map((p) => p.id);
  const personLink = (p: FactPerson): string =>
    `<a href="#person-${attr(slug(p.id))}" data-person="${attr(p.id)}">${escapeHtml(p.label)}</a>`;

  const figure = (id: string, caption: string): string => {
    const photo = photoOf.get(id);
    // The burst's people count too: a face may be sharp only in a folded shot.
    const ids = [id, ...burstOf(id)];
    const inIt = [...new Set(ids.flatMap((x) => photoOf.get(x)?.people ?? []))];
    const who = inIt.flatMap((pid) => {
      const p = labelOf.get(pid);
      return p ? [personLink(p)] : [];
    });
    const src = assets.photo(id);
    const alt = caption || photo?.path || id;
    const folded = burstOf(id);
    const burst =
      folded.length > 0
        ? `<details class="burst"><summary>+${folded.length} ${escapeHtml(ui.similar)}</summary>${folded
            .map(
              (b) =>
                `<a class="open" href="${attr(assets.photo(b))}"><img src="${attr(assets.photo(b))}" alt="${attr(alt)}" loading="lazy"></a>`,
            )
            .join('')}</details>`
        : '';
    return `<figure id="${attr(slug(id))}" data-people="${attr(inIt.join(' '))}"><a class="open" href="${attr(src)}"><img src="${attr(src)}" alt="${attr(alt)}" loading="lazy" data-photo="${attr(id)}"></a><figcaption>${caption ? escapeHtml(caption) : ''}${who.length > 0 ? `<span class="who">${who.join(' ')}</span>` : ''}</figcaption>${burst}</figure>`;
  };

  const sections = post.sections
    .map((s) => {
      const figures = s.photos.map((id) => figure(id, s.captions[id] ?? '')).join('\n');
      const head = s.heading ? `<h2>${escapeHtml(s.heading)}</h2>\n` : '';
      const text = s.text ? `<p>${escapeHtml(s.text)}</p>\n` : '';
      return `<section>${head}${text}<div class="photos">\n${figures}\n</div></section>`;
    })
    .join('\n');

  const faces = people
    .map((p) => {
      const face = assets.face(p.id);
      const img = face ? `<img src="${attr(face)}" alt="" loading="lazy" data-face="${attr(p.id)}">` : '';
      const photos = p.photoIds
        .map((id) => `<a href="#${attr(slug(photoOf.get(id)?.bestOfBurst ?? id))}">${escapeHtml(id)}</a>`)
        .join(' ');
      return `<li id="person-${attr(slug(p.id))}"><button type="button" class="face" data-person="${attr(p.id)}" aria-pressed="false">${img}<span>${escapeHtml(p.label)}</span></button><small>${p.photoIds.length} ${escapeHtml(ui.photos)}: ${photos}</small></li>`;
    })
    .join('\n');
  const peopleNav =
    people.length > 0
      ? `<nav class="people" aria-label="${attr(ui.people)}"><h2>${escapeHtml(ui.people)}</h2>\n<ul>\n<li><button type="button" class="face all" data-person="" aria-pressed="true"><span>${escapeHtml(ui.everyone)}</span></button></li>\n${faces}\n</ul></nav>`
      : '';
  const sheet = assets.contactSheet
    ? `<figure class="sheet"><img src="${attr(assets.contactSheet)}" alt="${attr(ui.people)}" loading="lazy"></figure>`
    : '';
  const description = (post.intro || post.sections[0]?.text || post.title).slice(0, 200);
  return `<!doctype html>
<html lang="${attr(facts.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(post.title)}</title>
<meta name="description" content="${attr(description)}">
<meta property="og:title" content="${attr(post.title)}">
<meta property="og:description" content="${attr(description)}">
<style>
*{box-sizing:border-box}
body{margin:0 auto;max-width:60rem;padding:1rem;font:1.05rem/1.6 Georgia,serif;color:#222;background:#fdfcf9;overflow-wrap:anywhere}
h1{font-size:2rem;line-height:1.2}
h2{margin-top:2.5rem;font-size:1.4rem}
.photos{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,16rem),1fr));gap:.75rem}
figure{margin:0;min-width:0}
figure[hidden],section[hidden]{display:none}
img{display:block;max-width:100%;height:auto;border-radius:4px}
figcaption{font:.85rem/1.4 system-ui,sans-serif;color:#555;margin-top:.25rem}
.who a{margin-right:.4rem;color:#2a5d8f}
.burst summary{font:.8rem system-ui,sans-serif;color:#666;cursor:pointer}
.burst img{margin-top:.4rem}
.people{position:sticky;top:0;background:#fdfcf9;z-index:1;padding:.25rem 0;border-bottom:1px solid #eee}
.people h2{margin:.25rem 0;font-size:1rem}
.people ul{list-style:none;margin:0;padding:0 0 .25rem;display:flex;gap:.75rem;overflow-x:auto}
.people li{flex:0 0 5.5rem;text-align:center;font:.8rem/1.3 system-ui,sans-serif}
.people small{display:none}
.face{all:unset;cursor:pointer;display:block;width:100%;border-radius:.5rem;padding:.2rem}
.face img{width:4.5rem;height:4.5rem;margin:0 auto;object-fit:cover;border-radius:50%;border:3px solid transparent}
.face.all{height:4.9rem;display:flex;align-items:center;justify-content:center;background:#eee;border-radius:50%;width:4.9rem;margin:0 auto}
.face[aria-pressed=true] img{border-color:#2a5d8f}
.face[aria-pressed=true] span{font-weight:700;color:#2a5d8f}
.face span{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
dialog{padding:0;border:0;max-width:100vw;max-height:100vh;background:#000}
dialog img{max-width:100vw;max-height:92vh;margin:auto;border-radius:0}
dialog button{width:100%;padding:.6rem;font:1rem system-ui,sans-serif}
.sheet{margin-top:2rem}
footer{margin-top:3rem;font:.8rem system-ui,sans-serif;color:#888}
</style>
</head>
<body>
<header>
${post.short ? '' : `<h1>${escapeHtml(post.title)}</h1>\n`}<p class="intro">${escapeHtml(post.intro)}</p>
</header>
${peopleNav}
<article>
${sections}
${post.closing ? `<p class="closing">${escapeHtml(post.closing)}</p>` : ''}
</article>
${sheet}
<dialog id="large"><form method="dialog"><button>${escapeHtml(ui.close)}</button></form></dialog>
<footer>${escapeHtml(post.writer === 'model' ? ui.model : ui.offline)}${generatedAt ? ` · ${escapeHtml(generatedAt.toISOString().slice(0, 10))}` : ''}</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/**
 * The face filter and the large view. Plain DOM, no modules: file:// pages cannot load module scripts
 * in every browser, and the page must work straight from the folder. The filter is kept in the URL
 * fragment (#person-…), so a link to one person's photos can be shared and the back button undoes it.
 */
const SCRIPT = `
(function () {
  var figures = [].slice.call(document.querySelectorAll('figure[data-people]'));
  var buttons = [].slice.call(document.querySelectorAll('button.face'));
  function show(id) {
    figures.forEach(function (f) {
      f.hidden = id !== '' && f.getAttribute('data-people').split(' ').indexOf(id) < 0;
    });
    [].slice.call(document.querySelectorAll('article section')).forEach(function (s) {
      s.hidden = id !== '' && !s.querySelector('figure[data-people]:not([hidden])');
    });
    buttons.forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-person') === id));
    });
    document.body.setAttribute('data-filter', id);
  }
  function fromHash() {
    var m = /^#person-(.+)$/.exec(location.hash);
    var b = m && document.querySelector('#person-' + CSS.escape(decodeURIComponent(m[1])) + ' button.face');
    show(b ? b.getAttribute('data-person') : '');
  }
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      var id = b.getAttribute('data-person');
      var next = document.body.getAttribute('data-filter') === id ? '' : id;
      history.replaceState(null, '', next ? '#' + b.parentNode.id : location.pathname + location.search);
      show(next);
    });
  });
  [].slice.call(document.querySelectorAll('.who a[data-person]')).forEach(function (a) {
    a.addEventListener('click', function (e) {
      e.preventDefault();
      var li = document.getElementById(a.getAttribute('href').slice(1));
      var b = li && li.querySelector('button.face');
      if (b) b.click();
      window.scrollTo(0, 0);
    });
  });
  var dialog = document.getElementById('large');
  if (dialog && dialog.showModal) {
    [].slice.call(document.querySelectorAll('a.open')).forEach(function (a) {
      a.addEventListener('click', function (e) {
        e.preventDefault();
        var img = dialog.querySelector('img');
        if (!img) {
          img = document.createElement('img');
          dialog.insertBefore(img, dialog.firstChild);
        }
        img.src = a.getAttribute('href');
        img.alt = (a.querySelector('img') || {}).alt || '';
        dialog.showModal();
      });
    });
    dialog.addEventListener('click', function (e) {
      if (e.target === dialog) dialog.close();
    });
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
`;
