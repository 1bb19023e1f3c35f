import { readFile } from 'node:fs/promises';

import { describeError } from '../core/errors.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * `faceblog faces <image...> --json`: one JSON document with every face and its embedding. Two faces are
 * the same person when the cosine of their embeddings is at least `matchThreshold`.
 */
export async function runFacesCommand(analyzer: PhotoAnalyzer, files: readonly string[]): Promise<unknown> {
  const images = [];
  for (const file of files) {
    try {
      const { faces } = await analyzer.analyze(new Uint8Array(await readFile(file)));
      images.push({
        path: file,
        faces: faces.map((f) => ({
          box: f.box.map((v) => round(v, 1)),
          score: round(f.score, 4),
          landmarks: f.landmarks.map(([x, y]) => [round(x, 1), round(y, 1)]),
          quality: round(f.quality.score, 3),
          qualityReasons: f.quality.reasons,
          embedding: Array.from(f.embedding, (v) => round(v, 6)),
        })),
        error: null,
      });
    } catch (error) {
      images.push({ path: file, faces: [], error: describeError(error) });
    }
  }
  return { pack: analyzer.pack.name, matchThreshold: analyzer.pack.spec.thresholds.match, images };
}
