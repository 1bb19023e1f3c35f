import { describe, expect, it } from 'vitest';

import { distanceKm, groupMoments, orderByTime, timeValue } from '../../src/blog/moments.js';

describe('moments', () => {
  it('reads ISO times with and without an offset', () => {
    expect(timeValue('2022-08-14T14:12:31+03:00')).toBe(Date.UTC(2022, 7, 14, 11, 12, 31));
    expect(timeValue('2008-10-22T16:28:39')).toBe(Date.UTC(2008, 9, 22, 16, 28, 39));
    expect(timeValue(null)).toBeNull();
    expect(timeValue('not a time')).toBeNull();
  });

  it('orders by instant: an offset moves a photo across one taken "later" on another clock', () => {
    const items = [
      { id: 'helsinki', at: timeValue('2022-08-14T14:12:00+03:00'), gps: null }, // 11:12 UTC
      { id: 'untimed', at: null, gps: null },
      { id: 'london', at: timeValue('2022-08-14T12:00:00+01:00'), gps: null }, // 11:00 UTC
    ];
    expect(orderByTime(items).map((i) => i.id)).toEqual(['london', 'helsinki', 'untimed']);
  });

  it('splits on a 45-minute gap or a 1 km jump, and keeps untimed photos apart', () => {
    const at = (hm: string) => timeValue(`2020-01-01T${hm}:00Z`);
    const here = { lat: 43.4674, lon: 11.8851 };
    const near = { lat: 43.4684, lon: 11.8816 }; // ≈ 0.3 km away
    const far = { lat: 43.4, lon: 11.9 }; // ≈ 7.6 km away
    const groups = groupMoments([
      { id: 'a', at: at('10:00'), gps: here },
      { id: 'b', at: at('10:20'), gps: near },
      { id: 'c', at: at('10:40'), gps: null },
      { id: 'd', at: at('11:30'), gps: near }, // 50 min gap
      { id: 'e', at: at('11:35'), gps: far }, // jump
      { id: 'f', at: null, gps: null },
    ]);
    expect(groups).toEqual([['a', 'b', 'c'], ['d'], ['e'], ['f']]);
    expect(distanceKm(here, near)).toBeCloseTo(0.31, 1);
  });
});
