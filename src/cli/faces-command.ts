import { readFile } from 'node:fs/promises';

import { describeError } from '../core/errors.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';

const round = (v: number, digits: number) => Number(v.toFixed(digits));

export interface FacesResult {
  readonly pack: string;
  readonly matchThreshold: number;
  readonly images: ReadonlyArray<{
    readonly path: string;
    readonly faces: ReadonlyArray<{
      readonly box: number[];
      readonly score: number;
      readonly landmarks: number[][];
      readonly quality: number;
      readonly qualityReasons: readonly string[];
      readonly embedding: number[];
    }>;
    readonly error: { code: string; message: string } | null;
  }>;
}

/**
 * `faceblog faces <image...> --json`: one JSON document with every face and its embedding. Two faces are
 * the same person when the cosine of their embeddings is at least `matchThreshold`.
 */
export async function runFacesCommand(
  analyzer: PhotoAnalyzer,
  files: readonly string[],
): Promise<FacesResult> {
  const images: Array<FacesResult['images'][number]> = [];
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

/** `faceblog faces` without --json: a line per photo and per face, for a person at a terminal. */
export function facesAsText(result: FacesResult): string[] {
  const lines: string[] = [];
  for (const image of result.images) {
    if (image.error) {
      lines.push(`${image.path}: ${image.error.code}: ${image.error.message}`);
      continue;
    }
    lines.push(`${image.path}: ${image.faces.length} face(s)`);
    for (const f of image.faces) {
      const [x = 0, y = 0, w = 0, h = 0] = f.box;
      const reasons = f.qualityReasons.length > 0 ? ` (${f.qualityReasons.join(', ')})` : '';
      lines.push(`  box ${x},${y} ${w}x${h}  score ${f.score}  quality ${f.quality}${reasons}`);
    }
  }
  return lines;
}
