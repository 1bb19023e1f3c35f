import type { ApiDeps, ApiLimits } from './deps.js';

/** What every route module gets from the server. */
export interface RouteContext {
  readonly deps: ApiDeps;
  readonly limits: ApiLimits;
}

/** Where a client polls an album. */
export function statusUrl(albumId: string): string {
  return `/api/v1/albums/${albumId}`;
}
