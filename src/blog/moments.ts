import type { GpsPoint } from '../core/types.js';

/**
 * Moments: consecutive photos (in time order) stay together until the gap in time or in space says
 * the day moved on. 45 minutes is the gap photo apps commonly use to cut events within a day (a
 * meal, a visit); 1 km is farther than one spot of a walk (the fixture walk spans ≈ 0.6 km in 32
 * minutes with gaps up to 8.5 minutes and stays one moment).
 */
export const MOMENT_GAP_MS = 45 * 60_000;
export const MOMENT_DISTANCE_KM = 1;

export interface TimedItem {
  readonly id: string;
  /** Milliseconds for ordering, or null when the photo has no time at all. */
  readonly at: number | null;
  readonly gps: GpsPoint | null;
}

/** Milliseconds since the epoch; a time without an offset is read as if it were UTC (see factsTime). */
export function timeValue(iso: string | null): number | null {
  if (!iso) return null;
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(iso);
  const ms = Date.parse(hasZone ? iso : `${iso}Z`);
  return Number.isFinite(ms) ? ms : null;
}

/** Stable time order; photos without a time keep their album order after the timed ones. */
export function orderByTime<T extends TimedItem>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((x, y) => {
      const a = x.item.at;
      const b = y.item.at;
      if (a === null && b === null) return x.i - y.i;
      if (a === null) return 1;
      if (b === null) return -1;
      return a - b || x.i - y.i;
    })
    .map(({ item }) => item);
}

/** Haversine distance in km (mean Earth radius 6371 km). */
export function distanceKm(a: GpsPoint, b: GpsPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Splits time-ordered items into runs; ids in, id groups out. */
export function groupMoments(
  ordered: readonly TimedItem[],
  opts: { gapMs?: number; distanceKm?: number } = {},
): string[][] {
  const gapMs = opts.gapMs ?? MOMENT_GAP_MS;
  const maxKm = opts.distanceKm ?? MOMENT_DISTANCE_KM;
  const groups: string[][] = [];
  let current: string[] = [];
  let lastAt: number | null = null;
  let lastGps: GpsPoint | null = null;
  let lastTimed = true;
  for (const item of ordered) {
    const timed = item.at !== null;
    let split = current.length > 0 && timed !== lastTimed;
    if (!split && current.length > 0 && item.at !== null && lastAt !== null && item.at - lastAt > gapMs)
      split = true;
    if (!split && current.length > 0 && item.gps && lastGps && distanceKm(item.gps, lastGps) > maxKm)
      split = true;
    if (split) {
      groups.push(current);
      current = [];
    }
    current.push(item.id);
    if (item.at !== null) lastAt = item.at;
    if (item.gps) lastGps = item.gps;
    lastTimed = timed;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Length of the path through the points, km. */
export function pathKm(points: readonly GpsPoint[]): number {
  let total = 0;
  points.forEach((p, i) => {
    const prev = points[i - 1];
    if (prev) total += distanceKm(prev, p);
  });
  return total;
}
