import { readFile } from 'node:fs/promises';

import type { Box, Point } from '../../src/core/types.js';
import { fixture } from './fixtures.js';

/** One image of a dlib imglab dataset (training.xml, testing.xml and their `_with_face_landmarks`). */
export interface DlibImage {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly faces: readonly DlibFace[];
}

export interface DlibFace {
  /** [x, y, w, h] from the `top`, `left`, `width`, `height` attributes. */
  readonly box: Box;
  /** Named parts (`00`..`67` in the landmark files), empty in the plain files. */
  readonly parts: Readonly<Record<string, Point>>;
  /** `ignore='1'` boxes mark faces a detector may find or miss. */
  readonly ignore: boolean;
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/(\w+)\s*=\s*(['"])(.*?)\2/g)) out[m[1]!] = m[3]!;
  return out;
}

function num(a: Record<string, string>, key: string, where: string): number {
  const v = Number(a[key]);
  if (a[key] === undefined || !Number.isFinite(v)) throw new Error(`${where}: missing or bad ${key}`);
  return v;
}

/**
 * Parses dlib's imglab XML. The files are small and regular (one element per tag, attributes in
 * quotes), so a tag scanner suffices and keeps the tests free of an XML dependency.
 */
export function parseDlibXml(xml: string): DlibImage[] {
  const images: DlibImage[] = [];
  for (const m of xml.matchAll(/<image\b([^>]*)>([\s\S]*?)<\/image>/g)) {
    const a = attrs(m[1]!);
    const file = a.file ?? '';
    const faces: DlibFace[] = [];
    for (const b of m[2]!.matchAll(/<box\b([^>]*?)(?:\/>|>([\s\S]*?)<\/box>)/g)) {
      const ba = attrs(b[1]!);
      const parts: Record<string, Point> = {};
      for (const p of (b[2] ?? '').matchAll(/<part\b([^>]*)\/>/g)) {
        const pa = attrs(p[1]!);
        parts[pa.name ?? String(Object.keys(parts).length)] = [num(pa, 'x', file), num(pa, 'y', file)];
      }
      faces.push({
        box: [num(ba, 'left', file), num(ba, 'top', file), num(ba, 'width', file), num(ba, 'height', file)],
        parts,
        ignore: ba.ignore === '1',
      });
    }
    images.push({
      file,
      width: a.width === undefined ? Number.NaN : Number(a.width),
      height: a.height === undefined ? Number.NaN : Number(a.height),
      faces,
    });
  }
  return images;
}

/** A dlib dataset file from ../shared/fixtures/dlib, e.g. `training.xml`. */
export async function loadDlibDataset(name: string): Promise<DlibImage[]> {
  return parseDlibXml(await readFile(fixture('dlib', name), 'latin1'));
}

/** ../shared/fixtures/compreface/annotations.json */
export interface CompreFaceAnnotations {
  /** Per image file: how many faces, and one nose-tip point per face. */
  readonly faces: Readonly<Record<string, { readonly count: number; readonly noses: readonly Point[] }>>;
  /** Identity label → the files showing that person alone. */
  readonly identities: Readonly<Record<string, readonly string[]>>;
}

export function parseCompreFaceAnnotations(json: unknown): CompreFaceAnnotations {
  const root = json as { faces?: unknown; identities?: unknown };
  if (typeof root.faces !== 'object' || root.faces === null) throw new Error('annotations: no "faces"');
  const faces: Record<string, { count: number; noses: Point[] }> = {};
  for (const [file, v] of Object.entries(root.faces as Record<string, unknown>)) {
    const e = v as { count?: unknown; noses?: unknown };
    if (typeof e.count !== 'number' || !Array.isArray(e.noses)) throw new Error(`annotations: bad ${file}`);
    const noses = (e.noses as unknown[]).map((p) => {
      if (!Array.isArray(p) || p.length !== 2 || !p.every((c) => typeof c === 'number')) {
        throw new Error(`annotations: bad nose point in ${file}`);
      }
      return [p[0], p[1]] as Point;
    });
    faces[file] = { count: e.count, noses };
  }
  const identities: Record<string, string[]> = {};
  if (typeof root.identities === 'object' && root.identities !== null) {
    for (const [id, files] of Object.entries(root.identities as Record<string, unknown>)) {
      if (Array.isArray(files)) identities[id] = files.filter((f): f is string => typeof f === 'string');
    }
  }
  return { faces, identities };
}

export async function loadCompreFaceAnnotations(): Promise<CompreFaceAnnotations> {
  return parseCompreFaceAnnotations(
    JSON.parse(await readFile(fixture('compreface', 'annotations.json'), 'utf8')),
  );
}

/**
 * Greedy one-to-one matching of annotated boxes to detected boxes by IoU (best pairs first). Returns,
 * per annotation, the index of its detection (or -1) and the IoU, plus the detections left unmatched.
 */
export function matchBoxes(
  truth: readonly Box[],
  found: readonly Box[],
  minIou: number,
): { match: number[]; ious: number[]; unmatched: number[] } {
  const pairs: { t: number; f: number; v: number }[] = [];
  truth.forEach((t, ti) => {
    found.forEach((f, fi) => {
      const v = boxIou(t, f);
      if (v > minIou) pairs.push({ t: ti, f: fi, v });
    });
  });
  pairs.sort((a, b) => b.v - a.v);
  const match = truth.map(() => -1);
  const ious = truth.map(() => 0);
  const used = new Set<number>();
  for (const p of pairs) {
    if (match[p.t] !== -1 || used.has(p.f)) continue;
    match[p.t] = p.f;
    ious[p.t] = p.v;
    used.add(p.f);
  }
  return { match, ious, unmatched: found.map((_, i) => i).filter((i) => !used.has(i)) };
}

function boxIou(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a[2] * a[3] + b[2] * b[3] - w * h);
}
