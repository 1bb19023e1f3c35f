/**
 * BlobStore on MinIO (or any S3 API) through the minio client: one bucket, tenants as key prefixes.
 * The constructor does no I/O; the bucket is created on first use (or by `ensureBucket()` at startup).
 */
import { Client, type ClientOptions } from 'minio';

import { AppError, ErrorCode } from '../core/errors.js';
import { assertBlobKey, assertBlobPrefix } from '../core/keys.js';
import {
  checkPutOptions,
  checkUrlOptions,
  type BlobHead,
  type BlobInfo,
  type BlobStore,
  type PutOptions,
  type UrlOptions,
} from '../ports/blob-store.js';

export interface MinioBlobStoreOptions {
  readonly bucket: string;
  /** Passed to the minio client: endPoint, port, useSSL, accessKey, secretKey, region, pathStyle. */
  readonly client: ClientOptions;
}

/** DeleteObjects takes at most 1000 keys per request (S3 API limit). */
const DELETE_BATCH = 1000;

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchObject';
}

export class MinioBlobStore implements BlobStore {
  private readonly client: Client;
  private readonly bucket: string;
  private bucketReady: Promise<void> | undefined;

  constructor(options: MinioBlobStoreOptions) {
    this.client = new Client(options.client);
    this.bucket = options.bucket;
  }

  /** Creates the bucket when missing; safe to call many times and concurrently. */
  ensureBucket(): Promise<void> {
    this.bucketReady ??= this.createBucket().catch((error: unknown) => {
      this.bucketReady = undefined; // let the next call retry
      throw error;
    });
    return this.bucketReady;
  }

  private async createBucket(): Promise<void> {
    try {
      if (await this.client.bucketExists(this.bucket)) return;
      await this.client.makeBucket(this.bucket);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') return;
      throw this.wrap('could not create bucket', {}, error);
    }
  }

  private wrap(message: string, context: Record<string, unknown>, cause: unknown): AppError {
    return new AppError(ErrorCode.Io, message, { bucket: this.bucket, ...context }, cause);
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    assertBlobKey(key);
    checkPutOptions(key, options);
    await this.ensureBucket();
    try {
      // S3 PUT is atomic: readers see the old object or the new one.
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      await this.client.putObject(this.bucket, key, buffer, buffer.length, {
        'Content-Type': options.contentType,
      });
    } catch (error) {
      throw this.wrap('could not write blob', { key }, error);
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    assertBlobKey(key);
    await this.ensureBucket();
    try {
      const stream = await this.client.getObject(this.bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const buffer = Buffer.concat(chunks);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.wrap('could not read blob', { key }, error);
    }
  }

  async head(key: string): Promise<BlobHead | null> {
    assertBlobKey(key);
    await this.ensureBucket();
    try {
      const stat = await this.client.statObject(this.bucket, key);
      const type: unknown = stat.metaData['content-type'];
      return {
        key,
        size: stat.size,
        contentType: typeof type === 'string' ? type : 'application/octet-stream',
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.wrap('could not stat blob', { key }, error);
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.ensureBucket();
    try {
      await this.client.removeObject(this.bucket, key);
    } catch (error) {
      if (!isNotFound(error)) throw this.wrap('could not delete blob', { key }, error);
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertBlobPrefix(prefix);
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const names = batch;
      batch = [];
      let results;
      try {
        results = await this.client.removeObjects(this.bucket, names);
      } catch (error) {
        throw this.wrap('could not delete blobs', { prefix }, error);
      }
      const failed = results.filter((r) => r?.Error !== undefined && !isNotFound({ code: r.Error.Code }));
      if (failed.length > 0) {
        throw this.wrap('could not delete some blobs', { prefix, failed: failed.slice(0, 5) }, undefined);
      }
    };
    // Collect first, then delete: deleting while a listing pages through the same keys can skip some.
    const keys: string[] = [];
    for await (const blob of this.list(prefix)) keys.push(blob.key);
    for (const key of keys) {
      batch.push(key);
      if (batch.length === DELETE_BATCH) await flush();
    }
    await flush();
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    assertBlobPrefix(prefix);
    await this.ensureBucket();
    const stream = this.client.listObjectsV2(this.bucket, prefix, true);
    try {
      for await (const item of stream) {
        const entry = item as { name?: string; size?: number };
        if (entry.name !== undefined) yield { key: entry.name, size: entry.size ?? 0 };
      }
    } catch (error) {
      throw this.wrap('could not list blobs', { prefix }, error);
    }
  }

  async url(key: string, options: UrlOptions): Promise<string> {
    assertBlobKey(key);
    checkUrlOptions(options);
    const seconds = Math.floor(options.expiresInSeconds);
    // Presigning is local computation, but the client looks up the bucket region first.
    await this.ensureBucket();
    try {
      return await this.client.presignedGetObject(this.bucket, key, seconds);
    } catch (error) {
      throw this.wrap('could not presign URL', { key }, error);
    }
  }
}
