import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { RenderedImages } from '../blog/write-site.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';
import type { TextWriter } from '../ports/text-writer.js';
import { analyzeAlbum } from '../services/analyze-album.js';
import { albumEmbeddings, EMBEDDINGS_FILE } from './album-embeddings.js';
import { renderAlbumSummary } from './album-summary.js';
import { createProgress } from './progress.js';
import { readAlbumDir } from './read-album-dir.js';

export interface AlbumCommandOptions {
  readonly albumDir: string;
  readonly outDir: string;
  readonly concurrency: number;
  /** Claude when configured; the offline writer otherwise. */
  readonly writer?: TextWriter;
  /** FACEBLOG_LANGUAGE; default English (a folder carries no chat language). */
  readonly language?: string | null;
  readonly log: (line: string) => void;
}

/** `faceblog album <dir> --out <dir>`: album.json, summary.md (and the blog) from a folder of photos. */
/**
 * `openAnalyzer` is called once the folder is known to hold photos: an empty or mistyped folder is said
 * at once, not after the models have loaded (about 1.5 s). The caller closes the analyzer.
 */
export async function runAlbumCommand(
  openAnalyzer: () => Promise<PhotoAnalyzer>,
  opts: AlbumCommandOptions,
): Promise<number> {
  const { inputs, skipped } = await readAlbumDir(opts.albumDir, [opts.outDir]);
  if (skipped.length > 0) opts.log(`skipping ${skipped.length} file(s) that are not photos`);
  if (inputs.length === 0) {
    opts.log(`no photos found in ${opts.albumDir}`);
    return 1;
  }
  // The site's modules (the writers, the geocoder's data: about 0.3 s) load on this thread while the
  // analyzer thread opens the models, instead of before it.
  const [analyzer, { writeAlbumSite }] = await Promise.all([openAnalyzer(), import('../blog/write-site.js')]);
  const progress = createProgress(process.stderr, 'faces');
  const started = performance.now();
  await mkdir(path.join(opts.outDir, 'thumbs'), { recursive: true });
  // The analyzer threads render the site's images from the pixels they decoded; here they are only
  // written, while the next photos are analysed. Crops (≈ 15 kB each) wait for the people to be known.
  const web = new Map<string, string>();
  const model = new Map<string, Uint8Array>();
  const crops = new Map<string, readonly Uint8Array[]>();
  const { result, faces } = await analyzeAlbum(inputs, analyzer, {
    concurrency: opts.concurrency,
    renders: { web: true },
    handOver: true,
    onRenders: async (input, analysis, renders) => {
      // Named by content: stable across runs, and a photo sent twice is one file.
      const rel = `thumbs/${analysis.photo.sha256.slice(0, 16)}.jpg`;
      if (renders.web) await writeFile(path.join(opts.outDir, rel), renders.web);
      web.set(input.path, rel);
      if (opts.writer) model.set(input.path, renders.thumb);
      crops.set(input.path, renders.crops);
    },
    onProgress: ({ done, total, path: p }) => {
      progress.update(done, total, p);
    },
  });
  progress.stop();
  const seconds = (performance.now() - started) / 1000;

  const files = {
    album: path.join(opts.outDir, 'album.json'),
    summary: path.join(opts.outDir, 'summary.md'),
  };
  await writeFile(files.album, JSON.stringify(result, null, 2) + '\n');
  await writeFile(files.summary, renderAlbumSummary(result));
  // What `faceblog find` answers from (cli/find-command.ts).
  await writeFile(
    path.join(opts.outDir, EMBEDDINGS_FILE),
    JSON.stringify(albumEmbeddings(result, faces, analyzer.pack)),
  );
  const site = await writeAlbumSite(result, {
    albumDir: opts.albumDir,
    outDir: opts.outDir,
    writer: opts.writer,
    language: opts.language ?? null,
    rendered: { web, model, crop: (p, i) => crops.get(p)?.[i] } satisfies RenderedImages,
  });
  if (site.notice) opts.log(site.notice);
  opts.log(
    `${result.photos.length} photos, ${result.people.length} people, ${result.failures.length} failed ` +
      `in ${seconds.toFixed(1)} s (${(inputs.length / seconds).toFixed(2)} photos/s)`,
  );
  for (const f of result.failures) opts.log(`  failed: ${f.path}: ${f.message} (${f.code})`);
  opts.log(
    `wrote ${Object.values(files).join(', ')}, blog.md, index.html and ${site.files.length - 2 + web.size} images`,
  );
  return 0;
}
