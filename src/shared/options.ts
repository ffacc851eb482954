/**
 * Options of `shared.open` and the store address.
 *
 * @module
 */
import type { TableType } from '../engines/types.js';
import { fail } from '../errors.js';
import { show } from '../term/types.js';

/** Which log store a shared table lives in. */
export type SharedStoreKind = 'sqlite' | 'postgres';

/** A store address: `sqlite:<file>` or a PostgreSQL URL (`postgres://...`, `postgresql://...`). */
export type SharedStore = `sqlite:${string}` | `postgres://${string}` | `postgresql://${string}`;

/** Options of {@link shared.open}. */
export interface SharedOpenOptions<S extends SharedStore = SharedStore> {
  /** Where the log lives: `sqlite:/path/to/file.db` (one machine) or `postgres://user@host:5432/db` (many machines). */
  store: S;
  /** Table type. Required when the table is created; checked against the store's otherwise (default: the store's, or `'set'`). */
  type?: TableType;
  /** 1-based key position; as `type` (default: the store's, or 1). */
  keypos?: number;
  /** Register the table under its name in this thread, so the name can be used instead of the handle (default true). */
  named?: boolean;
  /**
   * How often (ms) the replica looks for other participants' writes without
   * being asked. SQLite: a `PRAGMA data_version` check (default 5).
   * PostgreSQL: a safety net behind LISTEN/NOTIFY (default 1000).
   */
  pollInterval?: number;
  /**
   * SQLite: `'process'` (default): every acknowledged write survives a crash
   * or SIGKILL of any participant (WAL, `synchronous=NORMAL`, and the batch
   * file of group commit); `'power'`: it also survives power loss
   * (`synchronous=FULL`, a commit and an fsync per write).
   * PostgreSQL: the server's `synchronous_commit` decides.
   */
  durability?: 'process' | 'power';
  /**
   * SQLite: commit several writes at once (default true). The writes a
   * participant makes in one synchronous run of code go into one SQLite
   * transaction, committed when the run ends or after 2 ms or 1,024 writes;
   * each is also written to the store's batch file (`<file>-termstore-batch`)
   * before its call returns, so it survives a SIGKILL all the same. While a
   * batch is open this participant holds the write lock: a long synchronous
   * computation after a write delays other participants' writes (never their
   * reads) until it ends. `false`: a commit per write. Off with
   * `durability: 'power'`. PostgreSQL batches in any case.
   */
  groupCommit?: boolean;
  /**
   * A snapshot is written (and the log trimmed behind it) once this many
   * entries follow the last one. Default `'auto'`: the larger of 10,000 and
   * a quarter of the table's rows, so a joiner reads one snapshot and at
   * most a quarter table's worth of entries.
   */
  snapshotEvery?: number | 'auto';
  /**
   * PostgreSQL: how long (ms) a write keeps retrying through a lost
   * connection before it rejects with `SHARED_UNAVAILABLE` (default 30,000).
   * SQLite: how long a write waits for the write lock (default 30,000).
   */
  writeTimeout?: number;
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  kind: SharedStoreKind;
  /** The file (SQLite) or URL (PostgreSQL). */
  address: string;
  type: TableType | undefined;
  keypos: number | undefined;
  named: boolean;
  pollInterval: number;
  durability: 'process' | 'power';
  groupCommit: boolean;
  snapshotEvery: number | 'auto';
  writeTimeout: number;
}

const TYPES: readonly TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
const KNOWN = new Set(['store', 'type', 'keypos', 'named', 'pollInterval', 'durability', 'groupCommit', 'snapshotEvery', 'writeTimeout']);

function positive(v: unknown, what: string, fn: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail('ETS_BADARG', `${fn}: ${what} must be a positive number, got ${show(v)} (argument 2)`, { position: 2, option: what });
  return v;
}

/** Validates `shared.open`'s options. */
export function resolveOptions(options: unknown, fn: string): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('ETS_BADARG', `${fn}: options must be an object with a store, got ${show(options)} (argument 2)`, { position: 2 });
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) fail('ETS_BADARG', `${fn}: unknown option ${JSON.stringify(k)} (argument 2)`, { position: 2, option: k });
  const store = o.store;
  if (typeof store !== 'string') fail('SHARED_STORE', `${fn}: the store must be 'sqlite:<file>' or a postgres:// URL, got ${show(store)}`, { position: 2, option: 'store' });
  let kind: SharedStoreKind;
  let address: string;
  if (store.startsWith('sqlite:')) {
    kind = 'sqlite';
    address = store.slice('sqlite:'.length);
    if (address.startsWith('//')) address = address.slice(2);
    if (address === '' || address === ':memory:') fail('SHARED_STORE', `${fn}: a shared SQLite store needs a file that other processes can open, got ${JSON.stringify(store)}`, { position: 2, option: 'store' });
  } else if (store.startsWith('postgres://') || store.startsWith('postgresql://')) {
    kind = 'postgres';
    address = store;
  } else {
    return fail('SHARED_STORE', `${fn}: unknown store ${JSON.stringify(redact(store))}: use 'sqlite:<file>' or 'postgres://user@host:port/db'`, { position: 2, option: 'store' });
  }
  const type = o.type;
  if (type !== undefined && !TYPES.includes(type as TableType)) fail('ETS_BADARG', `${fn}: type must be one of ${TYPES.join(', ')}, got ${show(type)}`, { position: 2, option: 'type' });
  const keypos = o.keypos;
  if (keypos !== undefined && (typeof keypos !== 'number' || !Number.isInteger(keypos) || keypos < 1)) fail('ETS_BADARG', `${fn}: keypos must be an integer >= 1, got ${show(keypos)}`, { position: 2, option: 'keypos' });
  const named = o.named ?? true;
  if (typeof named !== 'boolean') fail('ETS_BADARG', `${fn}: named must be a boolean, got ${show(named)}`, { position: 2, option: 'named' });
  const durability = o.durability ?? 'process';
  if (durability !== 'process' && durability !== 'power') fail('ETS_BADARG', `${fn}: durability must be 'process' or 'power', got ${show(durability)}`, { position: 2, option: 'durability' });
  const groupCommit = o.groupCommit ?? true;
  if (typeof groupCommit !== 'boolean') fail('ETS_BADARG', `${fn}: groupCommit must be a boolean, got ${show(groupCommit)}`, { position: 2, option: 'groupCommit' });
  const snapshotEvery = o.snapshotEvery ?? 'auto';
  if (snapshotEvery !== 'auto') positive(snapshotEvery, 'snapshotEvery', fn);
  return {
    kind,
    address,
    type: type as TableType | undefined,
    keypos: keypos as number | undefined,
    named,
    pollInterval: o.pollInterval === undefined ? (kind === 'sqlite' ? 5 : 1000) : positive(o.pollInterval, 'pollInterval', fn),
    durability,
    groupCommit,
    snapshotEvery: snapshotEvery as number | 'auto',
    writeTimeout: o.writeTimeout === undefined ? 30_000 : positive(o.writeTimeout, 'writeTimeout', fn),
  };
}

/** A store address without its password, for messages and `info`. */
export function redact(store: string): string {
  return store.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

/** Entries after the last snapshot that trigger the next one. */
export function snapshotThreshold(every: number | 'auto', rows: number): number {
  return every === 'auto' ? Math.max(10_000, Math.floor(rows / 4)) : every;
}
