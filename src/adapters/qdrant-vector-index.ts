/**
 * VectorIndex on Qdrant: one collection per (name, dimension), `faces_<dim>` by default, cosine
 * distance, tenants in the payload with a keyword index marked `is_tenant` (Qdrant's multitenancy
 * guide: one collection, tenant-aware storage). Every read, write and delete carries a `must` filter on
 * the tenant; writes wait until applied. The constructor does no I/O: the collection is created on
 * first use (or by `ensureCollection()` at startup).
 */
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';

import { AppError, ErrorCode } from '../core/errors.js';
import { assertTenant, isPointId } from '../core/keys.js';
import {
  checkIds,
  checkPoint,
  checkSearch,
  checkVector,
  parsePayload,
  type FaceFilter,
  type FaceMatch,
  type FacePoint,
  type PersonCount,
  type SearchOptions,
  type StoredFace,
  type VectorIndex,
} from '../ports/vector-index.js';

export interface QdrantVectorIndexOptions {
  /** e.g. `http://127.0.0.1:6333`. */
  readonly url: string;
  readonly apiKey?: string;
  /** Embedding dimension of the model pack (1152 for `local`, 512 for ArcFace packs). */
  readonly dimension: number;
  /** Base name of the collection; default `faces`. The dimension is appended. */
  readonly collection?: string;
  /** Request timeout in seconds; default 30 (the client's default is 300). */
  readonly timeoutSeconds?: number;
}

type Filter = Schemas['Filter'];
type Condition = Schemas['FieldCondition'] | Schemas['HasIdCondition'];

/** Points per upsert request: bounded bodies (512 × 1152 floats as JSON is about 10 MB). */
const UPSERT_BATCH = 512;
/** Points per scroll page of `list`, for the same reason. */
const LIST_PAGE = 512;

function match(key: string, value: string): Schemas['FieldCondition'] {
  return { key, match: { value } };
}

export class QdrantVectorIndex implements VectorIndex {
  readonly dimension: number;
  private readonly client: QdrantClient;
  private readonly collection: string;
  private ready: Promise<void> | undefined;

  constructor(options: QdrantVectorIndexOptions) {
    const base = options.collection ?? 'faces';
    if (!/^[a-z][a-z0-9_]{0,31}$/.test(base)) {
      throw new AppError(ErrorCode.BadConfig, 'invalid collection name', { collection: base });
    }
    if (!Number.isSafeInteger(options.dimension) || options.dimension < 1) {
      throw new AppError(ErrorCode.BadConfig, 'invalid embedding dimension', {
        dimension: options.dimension,
      });
    }
    this.dimension = options.dimension;
    this.collection = `${base}_${options.dimension}`;
    // checkCompatibility: false, or the constructor asks the server for its version.
    this.client = new QdrantClient({
      url: options.url,
      apiKey: options.apiKey,
      timeout: (options.timeoutSeconds ?? 30) * 1000,
      checkCompatibility: false,
    });
  }

  /** Creates the collection and its payload indexes when missing; checks the dimension when present. */
  ensureCollection(): Promise<void> {
    this.ready ??= this.createCollection().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async createCollection(): Promise<void> {
    try {
      const { exists } = await this.client.collectionExists(this.collection);
      if (exists) {
        const info = await this.client.getCollection(this.collection);
        const vectors = info.config.params.vectors as Schemas['VectorParams'] | undefined;
        if (vectors?.size !== this.dimension || vectors.distance !== 'Cosine') {
          throw new AppError(ErrorCode.BadConfig, 'Qdrant collection has another vector shape', {
            collection: this.collection,
            expected: { size: this.dimension, distance: 'Cosine' },
            got: vectors,
          });
        }
      } else {
        try {
          await this.client.createCollection(this.collection, {
            vectors: { size: this.dimension, distance: 'Cosine' },
            // Qdrant's multitenancy guide: no global HNSW graph (m: 0), one graph per tenant (payload_m).
            hnsw_config: { m: 0, payload_m: 16 },
          });
        } catch (error) {
          // Another worker created it first.
          if ((error as { status?: number } | null)?.status !== 409) throw error;
        }
      }
      // On every start, not only for a new collection: a collection created by hand or by an older
      // version may lack them, and without the tenant index every search filters the whole collection.
      // Creating an index that exists is a no-op in Qdrant.
      await this.client.createPayloadIndex(this.collection, {
        field_name: 'tenant',
        field_schema: { type: 'keyword', is_tenant: true },
        wait: true,
      });
      for (const field of ['person', 'photo', 'pack']) {
        await this.client.createPayloadIndex(this.collection, {
          field_name: field,
          field_schema: 'keyword',
          wait: true,
        });
      }
    } catch (error) {
      throw this.wrap('ensureCollection', error);
    }
  }

  private wrap(what: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    return new AppError(ErrorCode.Io, `vector index: ${what} failed`, { collection: this.collection }, error);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    await this.ensureCollection();
    try {
      return await fn();
    } catch (error) {
      throw this.wrap(what, error);
    }
  }

  /** Qdrant answers 400 to ids that are not UUIDs; such ids cannot name a point, so they match nothing. */
  private byIds(tenant: string, ids: readonly string[]): Filter | null {
    checkIds(ids);
    const valid = ids.filter(isPointId);
    const filter = this.filter(tenant, { has_id: valid });
    return valid.length === 0 ? null : filter;
  }

  private filter(tenant: string, ...conditions: Condition[]): Filter {
    assertTenant(tenant);
    return { must: [match('tenant', tenant), ...conditions] };
  }

  async upsert(points: readonly FacePoint[]): Promise<void> {
    for (const point of points) checkPoint(point, this.dimension);
    await this.call('upsert', async () => {
      for (let i = 0; i < points.length; i += UPSERT_BATCH) {
        const batch = points.slice(i, i + UPSERT_BATCH);
        await this.client.upsert(this.collection, {
          wait: true,
          points: batch.map((p) => ({
            id: p.id,
            vector: Array.from(p.vector),
            payload: { ...p.payload, tenant: p.tenant },
          })),
        });
      }
    });
  }

  async search(tenant: string, vector: Float32Array, options: SearchOptions): Promise<FaceMatch[]> {
    checkVector(vector, this.dimension);
    checkSearch(options);
    const filter = this.filter(tenant, match('pack', options.pack));
    const response = await this.call('search', () =>
      this.client.query(this.collection, {
        query: Array.from(vector),
        filter,
        limit: options.limit,
        ...(options.minScore === undefined ? {} : { score_threshold: options.minScore }),
        with_payload: true,
        // Exact scan of the tenant's points, like the embedded index: no HNSW recall loss.
        params: { exact: true },
      }),
    );
    return response.points.map((p) => ({
      id: String(p.id),
      score: p.score,
      payload: parsePayload(p.payload),
    }));
  }

  async get(
    tenant: string,
    ids: readonly string[],
    options?: { withVectors?: boolean },
  ): Promise<StoredFace[]> {
    // Scroll with a tenant filter, not `retrieve`: retrieve by id alone would cross tenants.
    const filter = this.byIds(tenant, ids);
    if (filter === null) return [];
    const withVectors = options?.withVectors === true;
    const response = await this.call('get', () =>
      this.client.scroll(this.collection, {
        filter,
        limit: ids.length,
        with_payload: true,
        with_vector: withVectors,
      }),
    );
    const byId = new Map(response.points.map((p) => [String(p.id), p]));
    const faces: StoredFace[] = [];
    for (const id of ids) {
      const point = byId.get(id);
      if (!point) continue;
      const payload = parsePayload(point.payload);
      if (withVectors && Array.isArray(point.vector)) {
        faces.push({ id, payload, vector: Float32Array.from(point.vector as number[]) });
      } else {
        faces.push({ id, payload });
      }
    }
    return faces;
  }

  async list(filter: FaceFilter, options?: { withVectors?: boolean }): Promise<StoredFace[]> {
    const qfilter = this.faceFilter(filter);
    const withVectors = options?.withVectors === true;
    const faces: StoredFace[] = [];
    // Scroll pages until Qdrant says there is no next one; points come in id order.
    let offset: string | number | undefined;
    do {
      const page = await this.call('list', () =>
        this.client.scroll(this.collection, {
          filter: qfilter,
          limit: LIST_PAGE,
          with_payload: true,
          with_vector: withVectors,
          ...(offset === undefined ? {} : { offset }),
        }),
      );
      for (const p of page.points) {
        const payload = parsePayload(p.payload);
        const id = String(p.id);
        if (withVectors && Array.isArray(p.vector)) {
          faces.push({ id, payload, vector: Float32Array.from(p.vector as number[]) });
        } else {
          faces.push({ id, payload });
        }
      }
      const next = page.next_page_offset;
      offset = typeof next === 'string' || typeof next === 'number' ? next : undefined;
    } while (offset !== undefined);
    return faces.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async setPerson(tenant: string, ids: readonly string[], person: string | null): Promise<void> {
    const filter = this.byIds(tenant, ids);
    if (filter === null) return;
    await this.call('setPerson', () =>
      this.client.setPayload(this.collection, { payload: { person }, filter, wait: true }),
    );
  }

  async deleteByIds(tenant: string, ids: readonly string[]): Promise<void> {
    const filter = this.byIds(tenant, ids);
    if (filter === null) return;
    await this.call('deleteByIds', () => this.client.delete(this.collection, { filter, wait: true }));
  }

  async deleteWhere(filter: FaceFilter): Promise<void> {
    const qfilter = this.faceFilter(filter);
    await this.call('deleteWhere', () =>
      this.client.delete(this.collection, { filter: qfilter, wait: true }),
    );
  }

  async count(filter: FaceFilter): Promise<number> {
    const qfilter = this.faceFilter(filter);
    const result = await this.call('count', () =>
      this.client.count(this.collection, { filter: qfilter, exact: true }),
    );
    return result.count;
  }

  async personCounts(tenant: string): Promise<PersonCount[]> {
    // Qdrant's facet counts points per value but not distinct photos: scroll the two payload fields.
    const faces = new Map<string, number>();
    const photos = new Map<string, Set<string>>();
    let offset: string | number | undefined;
    do {
      const page = await this.call('personCounts', () =>
        this.client.scroll(this.collection, {
          filter: this.filter(tenant),
          limit: LIST_PAGE,
          with_payload: ['person', 'photo'],
          with_vector: false,
          ...(offset === undefined ? {} : { offset }),
        }),
      );
      for (const p of page.points) {
        const person = p.payload?.person;
        const photo = p.payload?.photo;
        if (typeof person !== 'string' || typeof photo !== 'string') continue;
        faces.set(person, (faces.get(person) ?? 0) + 1);
        const seen = photos.get(person) ?? new Set<string>();
        seen.add(photo);
        photos.set(person, seen);
      }
      const next = page.next_page_offset;
      offset = typeof next === 'string' || typeof next === 'number' ? next : undefined;
    } while (offset !== undefined);
    return [...faces]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([person, n]) => ({ person, faces: n, photos: photos.get(person)?.size ?? 0 }));
  }

  close(): Promise<void> {
    // The REST client holds no connection of its own.
    return Promise.resolve();
  }

  private faceFilter(filter: FaceFilter): Filter {
    const conditions: Condition[] = [];
    if (filter.person !== undefined) conditions.push(match('person', filter.person));
    if (filter.photo !== undefined) conditions.push(match('photo', filter.photo));
    return this.filter(filter.tenant, ...conditions);
  }
}
