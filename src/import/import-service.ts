/**
 * Import from a link as a use case the API and the bots share: crawl the page, then submit the images as
 * one album through the photo service, so they run the same flow, with the same idempotency, as photos
 * sent in a chat.
 */
import { AppError, ErrorCode } from '../core/errors.js';
import { MAX_ALBUM_PHOTOS, type PhotoService, type SubmittedAlbum } from '../services/photo-service.js';
import { type AddressPolicy, STRICT_POLICY } from './address-policy.js';
import { crawl, type CrawlLimits, type Skipped } from './crawl.js';
import type { Resolver } from './safe-fetch.js';

export interface ImportServiceDeps {
  readonly photos: Pick<PhotoService, 'submitAlbum'>;
  /** Default STRICT_POLICY: no loopback, no private or metadata address. */
  readonly policy?: AddressPolicy;
  /** Limits for every import; a request may lower them, never raise them. */
  readonly limits?: Partial<CrawlLimits>;
  readonly resolver?: Resolver;
}

export interface ImportRequest {
  readonly url: string;
  readonly maxDepth?: number;
  readonly maxImages?: number;
  readonly albumId?: string;
}

export interface ImportOutcome extends SubmittedAlbum {
  readonly pages: readonly string[];
  /** Image URLs submitted, in page order. */
  readonly images: readonly string[];
  readonly skipped: readonly Skipped[];
  readonly bytes: number;
}

export function createImportService(deps: ImportServiceDeps) {
  return {
    async importFromUrl(tenant: string, request: ImportRequest): Promise<ImportOutcome> {
      const base = deps.limits ?? {};
      const lower = (asked: number | undefined, cap: number | undefined) =>
        asked === undefined ? cap : cap === undefined ? asked : Math.min(asked, cap);
      const maxDepth = lower(request.maxDepth, base.maxDepth);
      const maxImages = lower(request.maxImages, base.maxImages ?? MAX_ALBUM_PHOTOS);
      const result = await crawl(request.url, {
        policy: deps.policy ?? STRICT_POLICY,
        limits: {
          ...base,
          ...(maxDepth === undefined ? {} : { maxDepth }),
          ...(maxImages === undefined ? {} : { maxImages: Math.min(maxImages, MAX_ALBUM_PHOTOS) }),
        },
        ...(deps.resolver ? { resolver: deps.resolver } : {}),
      });
      if (result.images.length === 0) {
        throw new AppError(ErrorCode.BadArguments, 'no usable images on that page', {
          url: request.url,
          pages: result.pages.length,
          skipped: result.skipped.length,
          importRefusal: 'no usable images',
        });
      }
      const submitted = await deps.photos.submitAlbum(
        tenant,
        result.images.map((image) => ({ name: image.url, bytes: image.bytes })),
        request.albumId === undefined ? {} : { albumId: request.albumId },
      );
      return {
        ...submitted,
        pages: result.pages,
        images: result.images.map((i) => i.url),
        skipped: result.skipped,
        bytes: result.bytes,
      };
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
