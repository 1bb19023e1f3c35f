import type { ApiDeps, ApiLimits } from './deps.js';

/** What every route module gets from the server. */
export interface RouteContext {
  readonly deps: ApiDeps;
  readonly limits: ApiLimits;
  /** The bounded queue of selfie searches (503 when full). */
  readonly searchGate: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Imports running per tenant (429 past the limit). */
  readonly importSlots: <T>(tenant: string, fn: () => Promise<T>) => Promise<T>;
}

/**
 * The URL an answer gives for a blob: the store's own (presigned S3, or the fs store's public base
 * URL), or, where that would be a `file://` URL naming the server's data path, the API's blob route.
 */
export async function blobUrl(deps: ApiDeps, key: string, expiresInSeconds: number): Promise<string> {
  const url = await deps.stores.blobs.url(key, { expiresInSeconds });
  return url.startsWith('file:') ? `/api/v1/blobs/${key}` : url;
}

/** Where a client polls an album. */
export function statusUrl(albumId: string): string {
  return `/api/v1/albums/${albumId}`;
}
