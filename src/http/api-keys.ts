/**
 * Per-tenant API keys, hashed at rest in `<FACEBLOG_DATA_DIR>/api-keys.json` (mode 0600). A key is
 * `fbk_<id>_<secret>`: the id finds the entry, the secret is 32 random bytes. Only the SHA-256 of the
 * whole key is stored; a plain hash is enough because the secret has 256 bits of entropy (slow hashes
 * such as scrypt protect guessable passwords, not random keys) and it keeps every request cheap.
 * The file is re-read when it changes, so a key created by `faceblog api-key create` while the server
 * runs works at once.
 *
 * Every change reads, edits and writes the file under a lock file (`api-keys.json.lock`, created with
 * O_EXCL, so the CLI and the server exclude each other too) and an in-process queue; the new file is
 * fsynced before the rename and the directory after it, so a crash leaves the old file or the new one.
 * Without the lock, 10 concurrent creates kept 1 key.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

import { AppError, ErrorCode } from '../core/errors.js';
import { tenantId } from '../core/keys.js';

export const API_KEYS_FILE = 'api-keys.json';

export interface ApiKeyEntry {
  readonly id: string;
  readonly tenant: string;
  /** Hex SHA-256 of the whole key. */
  readonly sha256: string;
  readonly createdAt: string;
  readonly label: string | null;
}

interface KeyFile {
  readonly version: 1;
  readonly keys: readonly ApiKeyEntry[];
}

const KEY_RE = /^fbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface ApiKeyStore {
  /** Creates a key for the tenant; the key itself is returned once and never stored. */
  create(tenant: string, label?: string): Promise<{ id: string; key: string }>;
  /** The tenant of a valid key, or null. */
  verify(key: string): Promise<{ id: string; tenant: string } | null>;
  list(tenant?: string): Promise<Array<Omit<ApiKeyEntry, 'sha256'>>>;
  /** Returns whether a key was removed. */
  revoke(id: string): Promise<boolean>;
  /** Removes every key of the tenant (when the tenant is forgotten). */
  revokeTenant(tenant: string): Promise<number>;
}

export function apiKeyStore(dataDir: string): ApiKeyStore {
  const file = path.join(dataDir, API_KEYS_FILE);
  let cache: { mtimeMs: number; size: number; keys: readonly ApiKeyEntry[] } | null = null;

  async function load(): Promise<readonly ApiKeyEntry[]> {
    let info;
    try {
      info = await stat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new AppError(ErrorCode.Io, 'cannot read the API key file', { file }, error);
    }
    if (cache && cache.mtimeMs === info.mtimeMs && cache.size === info.size) return cache.keys;
    let parsed: Partial<KeyFile> | null;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<KeyFile> | null;
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'the API key file cannot be read', { file }, error);
    }
    if (parsed?.version !== 1 || !Array.isArray(parsed.keys)) {
      throw new AppError(ErrorCode.BadConfig, 'unknown API key file format', { file });
    }
    const keys: readonly ApiKeyEntry[] = parsed.keys;
    cache = { mtimeMs: info.mtimeMs, size: info.size, keys };
    return keys;
  }

  async function save(keys: readonly ApiKeyEntry[]): Promise<void> {
    await mkdir(dataDir, { recursive: true });
    const body: KeyFile = { version: 1, keys };
    // Write then rename: a reader sees the old file or the new one, never half of one.
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    const dir = await open(dataDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    cache = null;
  }

  // One change at a time in this process; the lock file keeps other processes out.
  let tail: Promise<unknown> = Promise.resolve();
  function change<T>(fn: (keys: readonly ApiKeyEntry[]) => Promise<T>): Promise<T> {
    const run = tail.then(() => withLockFile(`${file}.lock`, async () => fn(await load())));
    tail = run.catch(() => undefined);
    return run;
  }

  return {
    async create(tenant, label) {
      tenantId(tenant);
      const id = randomBytes(8).toString('hex');
      const key = `fbk_${id}_${randomBytes(32).toString('base64url')}`;
      const entry: ApiKeyEntry = {
        id,
        tenant,
        sha256: hashKey(key),
        createdAt: new Date().toISOString(),
        label: label ?? null,
      };
      await change((keys) => save([...keys, entry]));
      return { id, key };
    },

    async verify(key) {
      const m = KEY_RE.exec(key);
      if (!m) return null;
      const entry = (await load()).find((e) => e.id === m[1]);
      if (!entry) return null;
      const expected = Buffer.from(entry.sha256, 'hex');
      const actual = Buffer.from(hashKey(key), 'hex');
      return expected.length === actual.length && timingSafeEqual(expected, actual)
        ? { id: entry.id, tenant: entry.tenant }
        : null;
    },

    async list(tenant) {
      return (await load())
        .filter((e) => tenant === undefined || e.tenant === tenant)
        .map(({ sha256: _hash, ...rest }) => rest);
    },

    async revoke(id) {
      return change(async (keys) => {
        const kept = keys.filter((e) => e.id !== id);
        if (kept.length === keys.length) return false;
        await save(kept);
        return true;
      });
    },

    async revokeTenant(tenant) {
      return change(async (keys) => {
        const kept = keys.filter((e) => e.tenant !== tenant);
        if (kept.length !== keys.length) await save(kept);
        return keys.length - kept.length;
      });
    },
  };
}

/**
 * A lock file held for the duration of `fn`. A lock older than STALE_LOCK_MS belongs to a process that
 * died holding it (a change takes milliseconds) and is broken.
 */
const STALE_LOCK_MS = 10_000;
async function withLockFile<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 2 * STALE_LOCK_MS;
  for (;;) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await unlink(lock).catch(() => undefined);
      else if (Date.now() > deadline) {
        throw new AppError(ErrorCode.Io, 'the API key file stays locked', { lock });
      } else await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/**
 * `faceblog api-key create <tenant> [label]`, `faceblog api-key list [tenant]`,
 * `faceblog api-key revoke <id>`: prints the new key once (stdout), everything else to `log`.
 */
export async function runApiKeyCommand(
  args: readonly string[],
  dataDir: string,
  out: (line: string) => void,
): Promise<number> {
  const store = apiKeyStore(dataDir);
  const [action, arg, label] = args;
  switch (action) {
    case 'create': {
      if (!arg) throw new AppError(ErrorCode.BadArguments, 'usage: faceblog api-key create <tenant> [label]');
      const { id, key } = await store.create(arg, label);
      out(key);
      out(`# id ${id} for tenant ${arg}; the key is shown only now`);
      return 0;
    }
    case 'list':
      for (const e of await store.list(arg)) out(`${e.id}\t${e.tenant}\t${e.createdAt}\t${e.label ?? ''}`);
      return 0;
    case 'revoke': {
      if (!arg) throw new AppError(ErrorCode.BadArguments, 'usage: faceblog api-key revoke <id>');
      const removed = await store.revoke(arg);
      out(removed ? `revoked ${arg}` : `no key ${arg}`);
      return removed ? 0 : 1;
    }
    default:
      throw new AppError(ErrorCode.BadArguments, 'usage: faceblog api-key create|list|revoke');
  }
}
