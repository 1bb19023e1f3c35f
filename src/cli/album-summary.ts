import type { AlbumResult } from '../core/album.js';
import { personLabel } from '../blog/person-id-label.js';

/** A short Markdown account of an album: counts, who is in which photo, what failed and why. */
export function renderAlbumSummary(album: AlbumResult): string {
  const faces = album.photos.reduce((n, p) => n + p.faces.length, 0);
  const lines = [
    '# Album summary',
    '',
    `${album.photos.length} photo${album.photos.length === 1 ? '' : 's'}, ${faces} face${faces === 1 ? '' : 's'}, ` +
      `${album.people.length} ${album.people.length === 1 ? 'person' : 'people'}` +
      (album.failures.length ? `, ${album.failures.length} failed` : '') +
      ` (model pack \`${album.pack}\`).`,
    '',
  ];
  if (album.people.length > 0) {
    lines.push('## People', '');
    for (const person of album.people) {
      // The folder has no chat handles: people are "Person 3", as in its blog post and page.
      const label = person.name ?? personLabel(person.id);
      lines.push(`- **${label}**: ${person.photos.map((p) => `\`${p}\``).join(', ')}`);
    }
    lines.push('');
  }
  const duplicates = album.photos.filter((p) => p.duplicateOf);
  if (duplicates.length > 0) {
    lines.push('## Repeats', '');
    for (const p of duplicates) lines.push(`- \`${p.path}\` repeats \`${p.duplicateOf ?? ''}\``);
    lines.push('');
  }
  if (album.failures.length > 0) {
    lines.push('## Could not read', '');
    for (const f of album.failures) lines.push(`- \`${f.path}\`: ${f.message} (${f.code})`);
    lines.push('');
  }
  return lines.join('\n');
}
