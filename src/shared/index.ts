/**
 * The `shared` facade: one table read and written by many Node processes,
 * worker threads and machines, with ETS's API and semantics.
 *
 * Mnesia's `disc_copies`, on termstore's engines: every participant keeps a
 * full replica (an ordinary ets table), so reads are local, synchronous and
 * at ets speed; every write is an entry of one totally ordered, durable log
 * that each replica applies in order. The log lives in SQLite (one machine:
 * writes are synchronous and return ETS's results) or PostgreSQL (many
 * machines: writes return promises of them). See `docs/shared.md`.
 *
 * @module
 */
import type { EndOfTable } from '../engines/types.js';
import { END_OF_TABLE } from '../engines/types.js';
import { TermstoreError, fail } from '../errors.js';
import type { Chunk, CounterOp, TableInfo } from '../ets/index.js';
import * as ops from '../ets/ops.js';
import * as sel from '../ets/select.js';
import { Continuation } from '../ets/select.js';
import type { TableImpl } from '../ets/table.js';
import type { Row, Term } from '../term/types.js';
import { show } from '../term/types.js';
import * as path from 'node:path';
import { redact, resolveOptions, type ResolvedOptions, type SharedStore, type SharedOpenOptions, type SharedStoreKind } from './options.js';
import type { Participant } from './participant.js';
import { openSqlite } from './sqlite.js';
import {
  SharedTable,
  allOpen,
  byNameLookup,
  checkNameFree,
  findOpen,
  nameOf,
  register,
  resolveShared,
  unregister,
  type SharedTableLike,
} from './table.js';

/** What a write returns on a table of store kind `S`: the result itself (SQLite) or a promise of it (PostgreSQL). */
export type SharedResult<T, R> = T extends SharedTable<infer S> ? (SharedStoreKind extends S ? R | Promise<R> : S extends 'sqlite' ? R : Promise<R>) : R | Promise<R>;

/** The store kind an address names. */
export type StoreKindOf<S extends SharedStore> = S extends `sqlite:${string}` ? 'sqlite' : 'postgres';

/** Everything `shared.info(t)` reports: ETS's items plus the replica's place in the log. */
export interface SharedTableInfo extends TableInfo {
  /** The store address (without a password). */
  store: string;
  /** `'sqlite'` or `'postgres'`. */
  storeKind: SharedStoreKind;
  /** Position of the last log entry this replica applied. */
  position: number;
  /** Position of the newest snapshot this participant knows of (0: none). */
  snapshotPosition: number;
  /** This participant's id (op ids start with it). */
  participant: string;
}

/** One item of {@link SharedTableInfo}. */
export type SharedInfoItem = keyof SharedTableInfo;

/** Opens in progress in this thread, so that two concurrent opens of one table share one replica. */
const opening = new Map<string, Promise<SharedTable>>();

async function openFn<S extends SharedStore>(name: string | symbol, options: SharedOpenOptions<S>): Promise<SharedTable<StoreKindOf<S>>> {
  const fn = 'shared.open';
  const n = nameOf(name, fn);
  const o = resolveOptions(options, fn);
  const storeKey = o.kind === 'sqlite' ? `sqlite:${path.resolve(o.address)}` : redact(o.address);
  const key = `${storeKey}\u0000${n}`;
  for (;;) {
    const pending = opening.get(key);
    if (pending === undefined) break;
    await pending.catch(() => undefined);
  }
  const existing = findOpen(storeKey, n);
  if (existing !== undefined && existing.impl.alive) {
    existing.opens++;
    return existing as SharedTable<StoreKindOf<S>>;
  }
  checkNameFree(n, o.named, fn);
  const p = openNew(n, o);
  opening.set(key, p);
  try {
    return (await p) as SharedTable<StoreKindOf<S>>;
  } finally {
    opening.delete(key);
  }
}

async function openNew(n: string, o: ResolvedOptions): Promise<SharedTable> {
  let p: Participant;
  if (o.kind === 'sqlite') {
    p = await openSqlite(n, o);
  } else {
    const { openPostgres } = await import('./postgres.js');
    p = await openPostgres(n, o);
  }
  const t = new SharedTable(p);
  register(t);
  return t;
}

async function closeFn(tab: SharedTableLike): Promise<true> {
  const t = resolveShared(tab, 'shared.close');
  if (--t.opens > 0) return true;
  unregister(t);
  await t.p.close();
  return true;
}

/** Runs a write; on a PostgreSQL table, failures to even start become rejections. */
function write(tab: SharedTableLike, fn: string, args: readonly unknown[]): never {
  let t: SharedTable;
  try {
    t = resolveShared(tab, `shared.${fn}`);
  } catch (e) {
    if (tab instanceof SharedTable && tab.p.kind === 'postgres') return Promise.reject(e) as never;
    throw e;
  }
  return t.p.write(fn, args) as never;
}

function read(tab: SharedTableLike, fn: string): TableImpl {
  if (tab instanceof SharedTable) {
    const t = tab.impl;
    if (t.alive) return t;
  }
  return resolveShared(tab, fn).impl;
}

function deleteFn(tab: SharedTableLike, ...key: [] | [unknown]): unknown {
  if (key.length === 1) return write(tab, 'delete', key);
  const t = resolveShared(tab, 'shared.delete');
  return t.p.drop();
}

function info(tab: SharedTableLike): SharedTableInfo | undefined;
function info<K extends SharedInfoItem>(tab: SharedTableLike, item: K): SharedTableInfo[K] | undefined;
function info(tab: SharedTableLike, item?: SharedInfoItem): unknown {
  let t: SharedTable;
  try {
    t = resolveShared(tab, 'shared.info');
  } catch (e) {
    if (e instanceof TermstoreError && e.code === 'ETS_NO_TABLE') return undefined;
    throw e;
  }
  const i = t.impl;
  const f = t.p.facts();
  const all: SharedTableInfo = {
    id: i.id,
    name: i.name,
    named: i.named,
    type: i.type,
    keypos: i.keypos,
    protection: 'public',
    owner: i.owner,
    heir: 'none',
    fixed: false,
    safeFixed: false,
    size: i.engine.size(),
    memory: i.engine.memoryBytes(),
    onDisk: true,
    store: t.p.store,
    storeKind: t.p.kind,
    position: f.position,
    snapshotPosition: f.snapshotPosition,
    participant: f.participant,
  };
  if (item === undefined) return all;
  if (!(item in all)) fail('ETS_BADARG', `shared.info: unknown item ${show(item)} (argument 2)`, { position: 2 });
  return all[item];
}

function continued(tab: unknown, spec: unknown): boolean {
  return tab instanceof Continuation || (spec === undefined && tab === END_OF_TABLE);
}

function selectFn(tab: SharedTableLike | Continuation, spec?: unknown, limit?: number): unknown {
  if (continued(tab, spec)) return sel.continueSelect(tab, 'shared.select');
  return sel.select(read(tab as SharedTableLike, 'shared.select'), spec, limit, false, 'shared.select');
}

function selectReverseFn(tab: SharedTableLike | Continuation, spec?: unknown, limit?: number): unknown {
  if (continued(tab, spec)) return sel.continueSelect(tab, 'shared.selectReverse');
  return sel.select(read(tab as SharedTableLike, 'shared.selectReverse'), spec, limit, true, 'shared.selectReverse');
}

function matchFn(tab: SharedTableLike | Continuation, pattern?: unknown, limit?: number): unknown {
  if (continued(tab, pattern)) return sel.continueSelect(tab, 'shared.match');
  return sel.match(read(tab as SharedTableLike, 'shared.match'), pattern, limit, false, 'shared.match');
}

function matchObjectFn(tab: SharedTableLike | Continuation, pattern?: unknown, limit?: number): unknown {
  if (continued(tab, pattern)) return sel.continueSelect(tab, 'shared.matchObject');
  return sel.match(read(tab as SharedTableLike, 'shared.matchObject'), pattern, limit, true, 'shared.matchObject');
}

/** `updateCounter` on shared tables, with ETS's overloads. */
export interface SharedUpdateCounter {
  <T extends SharedTableLike>(tab: T, key: unknown, op: CounterOp, dflt?: readonly unknown[]): SharedResult<T, number | bigint>;
  <T extends SharedTableLike>(tab: T, key: unknown, ops: ReadonlyArray<Exclude<CounterOp, number | bigint>>, dflt?: readonly unknown[]): SharedResult<T, Array<number | bigint>>;
}

/** The select family on shared tables: without limit, with limit, or continuing. */
export interface SharedSelectFunction {
  (tab: SharedTableLike, spec: unknown): unknown[];
  (tab: SharedTableLike, spec: unknown, limit: number): Chunk<unknown>;
  (cont: Continuation | EndOfTable): Chunk<unknown>;
}

/**
 * The shared-table API. Every ETS table operation, with ETS's arguments,
 * results and error codes; reads are synchronous and local; writes are
 * synchronous on SQLite and return promises on PostgreSQL (see
 * {@link SharedResult}). Each member's doc names the ETS function.
 */
export const shared = Object.freeze({
  /** The marker `first`/`next`/... and continuations return at the end. */
  END_OF_TABLE,

  /**
   * Opens (creating if needed) the shared table `name` in `options.store`:
   * loads the newest snapshot and the log after it into a local replica,
   * then follows the log. Opening the same table again in this thread
   * returns the same handle (close it as many times).
   */
  open: openFn,
  /** Stops following the table and frees the replica; the table stays in the store for the other participants. */
  close: closeFn,
  /** Resolves once this replica has applied every write committed (by anyone) before the call: a read after it is linearizable. */
  sync: async (tab: SharedTableLike): Promise<true> => {
    await resolveShared(tab, 'shared.sync').p.sync();
    return true;
  },

  /** `ets:insert/2` (one object). */
  insert: <T extends SharedTableLike>(tab: T, row: readonly unknown[]): SharedResult<T, true> => write(tab, 'insert', [row]),
  /** `ets:insert/2` with a list: all rows, atomically (one log entry). */
  insertMany: <T extends SharedTableLike>(tab: T, rows: readonly (readonly unknown[])[]): SharedResult<T, true> => write(tab, 'insertMany', [rows]),
  /** `ets:insert_new/2` (one object): inserts only if the key is absent, decided by log order. */
  insertNew: <T extends SharedTableLike>(tab: T, row: readonly unknown[]): SharedResult<T, boolean> => write(tab, 'insertNew', [row]),
  /** `ets:insert_new/2` with a list: all or nothing. */
  insertNewMany: <T extends SharedTableLike>(tab: T, rows: readonly (readonly unknown[])[]): SharedResult<T, boolean> => write(tab, 'insertNewMany', [rows]),
  /** `ets:take/2`: removes and returns the rows with this key. */
  take: <T extends SharedTableLike>(tab: T, key: unknown): SharedResult<T, Row[]> => write(tab, 'take', [key]),
  /**
   * `ets:delete/1,2`: `delete(t, key)` deletes the rows with `key`;
   * `delete(t)` deletes the table from the store, for every participant.
   */
  delete: deleteFn as {
    <T extends SharedTableLike>(tab: T): SharedResult<T, true>;
    <T extends SharedTableLike>(tab: T, key: unknown): SharedResult<T, true>;
  },
  /** `ets:delete_object/2`. */
  deleteObject: <T extends SharedTableLike>(tab: T, row: readonly unknown[]): SharedResult<T, true> => write(tab, 'deleteObject', [row]),
  /** `ets:delete_all_objects/1`. */
  deleteAllObjects: <T extends SharedTableLike>(tab: T): SharedResult<T, true> => write(tab, 'deleteAllObjects', []),
  /** `ets:update_counter/3,4`, decided by log order on every replica. */
  updateCounter: ((tab: SharedTableLike, key: unknown, op: unknown, ...dflt: [] | [readonly unknown[]]) => write(tab, 'updateCounter', [key, op, ...dflt])) as unknown as SharedUpdateCounter,
  /** `ets:update_element/3`. */
  updateElement: <T extends SharedTableLike>(tab: T, key: unknown, spec: readonly [number, unknown] | ReadonlyArray<readonly [number, unknown]>): SharedResult<T, boolean> =>
    write(tab, 'updateElement', [key, spec]),
  /** `ets:select_delete/2`. On PostgreSQL the spec must be a match spec (a JS function cannot be put in the log). */
  selectDelete: <T extends SharedTableLike>(tab: T, spec: unknown): SharedResult<T, number> => write(tab, 'selectDelete', [spec]),
  /** `ets:select_replace/2`. On PostgreSQL the spec must be a match spec. */
  selectReplace: <T extends SharedTableLike>(tab: T, spec: unknown): SharedResult<T, number> => write(tab, 'selectReplace', [spec]),
  /** `ets:match_delete/2`. */
  matchDelete: <T extends SharedTableLike>(tab: T, pattern: unknown): SharedResult<T, true> => write(tab, 'matchDelete', [pattern]),
  /** `ets:rename/2`: renames the table in the store, for every participant. */
  rename: <T extends SharedTableLike>(tab: T, name: string | symbol): SharedResult<T, T> => {
    const t = resolveShared(tab, 'shared.rename');
    const n = nameOf(name, 'shared.rename');
    const r = t.p.rename(n);
    return (r instanceof Promise ? r.then(() => t) : t) as never;
  },

  /** `ets:lookup/2`: the rows with this key, from the local replica. */
  lookup: (tab: SharedTableLike, key: unknown): Row[] => ops.lookup(read(tab, 'shared.lookup'), key, 'shared.lookup'),
  /** `ets:lookup_element/3,4`. */
  lookupElement: (tab: SharedTableLike, key: unknown, pos: number, ...dflt: [] | [unknown]): Term | Term[] =>
    ops.lookupElement(read(tab, 'shared.lookupElement'), key, pos, dflt.length === 0 ? ops.NO_DEFAULT : dflt[0], 'shared.lookupElement'),
  /** `ets:member/2`. */
  member: (tab: SharedTableLike, key: unknown): boolean => ops.member(read(tab, 'shared.member'), key),
  /** `ets:first/1`. */
  first: (tab: SharedTableLike): Term | EndOfTable => ops.first(read(tab, 'shared.first')),
  /** `ets:last/1`. */
  last: (tab: SharedTableLike): Term | EndOfTable => ops.last(read(tab, 'shared.last')),
  /** `ets:next/2`. */
  next: (tab: SharedTableLike, key: unknown): Term | EndOfTable => ops.next(read(tab, 'shared.next'), key, 'shared.next'),
  /** `ets:prev/2`. */
  prev: (tab: SharedTableLike, key: unknown): Term | EndOfTable => ops.prev(read(tab, 'shared.prev'), key, 'shared.prev'),
  /** `ets:foldl/3`. */
  foldl: <A>(tab: SharedTableLike, f: (row: Row, acc: A) => A, acc: A): A => ops.foldl(read(tab, 'shared.foldl'), f, acc, false, 'shared.foldl'),
  /** `ets:foldr/3`. */
  foldr: <A>(tab: SharedTableLike, f: (row: Row, acc: A) => A, acc: A): A => ops.foldl(read(tab, 'shared.foldr'), f, acc, true, 'shared.foldr'),
  /** `ets:tab2list/1`. */
  tab2list: (tab: SharedTableLike): Row[] => ops.tab2list(read(tab, 'shared.tab2list')),
  /** `ets:select/1,2,3`. */
  select: selectFn as SharedSelectFunction,
  /** `ets:select_reverse/1,2,3`. */
  selectReverse: selectReverseFn as SharedSelectFunction,
  /** `ets:select_count/2`. */
  selectCount: (tab: SharedTableLike, spec: unknown): number => sel.selectCount(read(tab, 'shared.selectCount'), spec, 'shared.selectCount'),
  /** `ets:match/1,2,3`. */
  match: matchFn as {
    (tab: SharedTableLike, pattern: unknown): Term[][];
    (tab: SharedTableLike, pattern: unknown, limit: number): Chunk<Term[]>;
    (cont: Continuation | EndOfTable): Chunk<Term[]>;
  },
  /** `ets:match_object/1,2,3`. */
  matchObject: matchObjectFn as {
    (tab: SharedTableLike, pattern: unknown): Row[];
    (tab: SharedTableLike, pattern: unknown, limit: number): Chunk<Row>;
    (cont: Continuation | EndOfTable): Chunk<Row>;
  },

  /** `ets:info/1,2`: ETS's items plus the replica's position in the log; `undefined` for a closed or deleted table. */
  info,
  /** `ets:all/0`: the shared tables open in this thread. */
  all: (): SharedTable[] => allOpen(),
  /** `ets:whereis/1`: the open, named shared table called `name`, or undefined. */
  whereis: (name: string | symbol): SharedTable | undefined => byNameLookup(nameOf(name, 'shared.whereis')),
});

export { SharedTable } from './table.js';
export type { SharedTableLike } from './table.js';
export type { SharedOpenOptions, SharedStore, SharedStoreKind } from './options.js';
