/**
 * The ports as seen by a holder of the chat's lock: every write first checks the fence (the lock is
 * still ours, no later holder took a larger token), so a holder that stalled past its lease (a long GC
 * pause, a lost Redis renewal) cannot overwrite what the next holder wrote. Reads pass straight through.
 */
import type { Fence } from '../ports/tenant-guard.js';
import type { ServiceDeps } from './deps.js';

/** Every writing method of BlobStore, VectorIndex and MetadataStore. */
const WRITES: ReadonlySet<string | symbol> = new Set([
  'put',
  'delete',
  'deletePrefix',
  'upsert',
  'setPerson',
  'deleteByIds',
  'deleteWhere',
  'createAlbum',
  'setAlbumStatus',
  'markPhotoProcessed',
  'upsertPhoto',
  'recordFailure',
  'savePerson',
  'namePerson',
  'mergePeople',
  'deletePerson',
  'addCannotLink',
  'dropMerge',
  'setHidden',
  'chooseCover',
  'saveSearchAnswer',
  'forgetTenant',
]);

function fenced<T extends object>(target: T, fence: Fence): T {
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!WRITES.has(prop)) return fn.bind(t);
      return async (...args: unknown[]) => {
        await fence.check();
        return fn.apply(t, args);
      };
    },
  });
}

export function fencedDeps<D extends ServiceDeps>(deps: D, fence: Fence): D {
  return {
    ...deps,
    blobs: fenced(deps.blobs, fence),
    index: fenced(deps.index, fence),
    metadata: fenced(deps.metadata, fence),
  };
}
