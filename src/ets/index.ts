/**
 * The `ets` facade: ETS's API over termstore's engines.
 *
 * Every function resolves its table argument (a {@link Table} or the name of
 * a named table), checks the running process's access (`protected`: only the
 * owner writes; `private`: only the owner reads or writes; `public`: anyone),
 * and then calls the shared operation in `ops.ts`/`select.ts`. Names are
 * ETS's, in camelCase; ETS's name is given beside each.
 *
 * @module
 */
import type { TableType } from '../engines/types.js';
import { END_OF_TABLE, type EndOfTable } from '../engines/types.js';
import { fail } from '../errors.js';
import type { Head, MatchSpec } from '../match-spec/types.js';
import { currentProc, isAlive } from '../process/index.js';
import type { Pid, Row, Term } from '../term/types.js';
import { show } from '../term/types.js';
import * as ops from './ops.js';
import { checkOwner, checkRead, checkWrite, giveAway as giveAwayImpl, heirIn, watchOwner } from './owner.js';
import { etsCheck, iterate as iterateImpl, type IterateOptions } from './iterate.js';
import * as sel from './select.js';
import { Continuation } from './select.js';
import { isFixed, safeFixedInfo, safeFixtable, type SafeFixed } from './fixtable.js';
import { slot } from './slot.js';
import { isCompiledMs, matchSpecCompile, matchSpecRun, testMs, type TestMsResult } from './ms-run.js';
import type { CompiledMatchSpec } from '../match-spec/index.js';
import {
  TableImpl,
  allTables,
  lookupName,
  nameKey,
  register,
  renameTable,
  resolve,
  unregister,
  type Access,
  type Heir,
  type KeyArg,
  type KeyOf,
  type RowArg,
  type RowOf,
  Table,
  type TableLike,
  type TableName,
} from './table.js';

/** Options of {@link ets.new}, as ETS's option list. */
export interface NewOptions {
  /** Table type (default `'set'`). */
  type?: TableType;
  /** 1-based position of the key in each row (default 1). */
  keypos?: number;
  /** Who may read/write (default `'protected'`). */
  access?: Access;
  /** Register the table under its name, so the name can be used instead of the handle (default false). */
  named?: boolean;
  /** Who inherits the table when its owner ends: `{ pid, data }`, or `'none'` (default). */
  heir?: Heir | 'none';
}

/** Everything `ets.info(t)` reports. */
export interface TableInfo {
  id: number;
  name: string;
  named: boolean;
  type: TableType;
  keypos: number;
  protection: Access;
  owner: Pid;
  heir: Pid | 'none';
  size: number;
  /** Approximate bytes used by the table (ETS reports words). */
  memory: number;
  /** Whether writes are journaled to a file (true for dets tables). */
  onDisk: boolean;
  /** True while some process has the table fixed with `safeFixtable` (ETS `fixed`). */
  fixed: boolean;
  /** `false`, or when the table was first fixed and by whom, how many times (ETS `safe_fixed`). */
  safeFixed: SafeFixed | false;
}

/** One item of {@link TableInfo}. ETS's snake_case names (`'safe_fixed'`) are accepted too. */
export type InfoItem = keyof TableInfo;

/**
 * A select/match result with a limit: a chunk and how to go on (a
 * continuation, or END_OF_TABLE when the chunk reached the end of the table
 * first, as ETS), or END_OF_TABLE when nothing is left.
 */
export type Chunk<T> = [T[], Continuation<T> | EndOfTable] | EndOfTable;

const TYPES: readonly TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
const ACCESS: readonly Access[] = ['public', 'protected', 'private'];

function newTable<R extends Row = Row>(name: TableName, options: NewOptions = {}): Table<R> {
  const fn = 'ets.new';
  const n = nameKey(name, fn);
  if (typeof options !== 'object' || options === null) fail('ETS_BADARG', `${fn}: options must be an object, got ${show(options)} (argument 2)`, { position: 2 });
  const known = new Set(['type', 'keypos', 'access', 'named', 'heir']);
  for (const k of Object.keys(options)) if (!known.has(k)) fail('ETS_BADARG', `${fn}: unknown option ${JSON.stringify(k)} (argument 2)`, { position: 2 });
  const type = options.type ?? 'set';
  if (!TYPES.includes(type)) fail('ETS_BADARG', `${fn}: type must be one of ${TYPES.join(', ')}, got ${show(type)}`, { position: 2 });
  const keypos = options.keypos ?? 1;
  if (typeof keypos !== 'number' || !Number.isInteger(keypos) || keypos < 1) fail('ETS_BADARG', `${fn}: keypos must be an integer >= 1, got ${show(keypos)}`, { position: 2 });
  const access = options.access ?? 'protected';
  if (!ACCESS.includes(access)) fail('ETS_BADARG', `${fn}: access must be one of ${ACCESS.join(', ')}, got ${show(access)}`, { position: 2 });
  const named = options.named ?? false;
  if (typeof named !== 'boolean') fail('ETS_BADARG', `${fn}: named must be a boolean, got ${show(named)}`, { position: 2 });
  const heir = heirIn(options.heir, fn);
  const owner = currentProc().pid;
  // Code can still run in the context of a process that has ended (a timer it
  // set, say); a table it created would be owned by nobody and never deleted.
  if (!isAlive(owner)) fail('ETS_NO_PROCESS', `${fn}: the calling process ${owner} has ended; it cannot own a table`, { position: 0 });
  const t = new TableImpl(n, named, type, keypos, access, owner, heir);
  register(t);
  watchOwner(owner);
  return t.ref as Table<R>;
}

function read(tab: TableLike, fn: string): TableImpl {
  // Fast path: a live handle to a table anyone may read.
  if (tab instanceof Table) {
    const t = tab.impl;
    if (t.alive && t.access !== 'private') return t;
  }
  const t = resolve(tab, fn);
  checkRead(t, fn);
  return t;
}

function write(tab: TableLike, fn: string): TableImpl {
  // Fast path: a live handle to a public table.
  if (tab instanceof Table) {
    const t = tab.impl;
    if (t.alive && t.access === 'public') return t;
  }
  const t = resolve(tab, fn);
  checkWrite(t, fn);
  return t;
}

function deleteFn(tab: TableLike, ...key: [] | [unknown]): true {
  if (key.length === 0) {
    const t = write(tab, 'ets.delete');
    unregister(t);
    return true;
  }
  return ops.deleteKey(write(tab, 'ets.delete'), key[0], 'ets.delete');
}

/** ETS's name of an info item, to termstore's (`safe_fixed` is `safeFixed`, `named_table` is `named`). */
function camelItem(item: string): string {
  return item === 'named_table' ? 'named' : item.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function info(tab: TableLike): TableInfo | undefined;
function info<K extends InfoItem>(tab: TableLike, item: K): TableInfo[K] | undefined;
function info(tab: TableLike, item: 'safe_fixed'): SafeFixed | false | undefined;
function info(tab: TableLike, item?: InfoItem | 'safe_fixed'): unknown {
  let t: TableImpl;
  try {
    t = resolve(tab, 'ets.info');
  } catch (e) {
    if ((e as { code?: string }).code === 'ETS_NO_TABLE') return undefined;
    throw e;
  }
  const all: TableInfo = {
    id: t.id,
    name: t.name,
    named: t.named,
    type: t.type,
    keypos: t.keypos,
    protection: t.access,
    owner: t.owner,
    heir: t.heir?.pid ?? 'none',
    size: t.engine.size(),
    memory: t.engine.memoryBytes(),
    onDisk: t.sink !== undefined,
    fixed: isFixed(t),
    safeFixed: safeFixedInfo(t),
  };
  if (item === undefined) return all;
  const key = typeof item === 'string' ? camelItem(item) : item;
  if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(all, key)) fail('ETS_BADARG', `ets.info: unknown item ${show(item)} (argument 2)`, { position: 2 });
  return all[key as InfoItem];
}

function selectFn(tab: TableLike | Continuation, spec?: unknown, limit?: number): unknown {
  if (tab instanceof Continuation || (spec === undefined && tab === END_OF_TABLE)) return sel.continueSelect(tab, 'ets.select');
  return sel.select(read(tab, 'ets.select'), spec, limit, false, 'ets.select');
}

function selectReverseFn(tab: TableLike | Continuation, spec?: unknown, limit?: number): unknown {
  if (tab instanceof Continuation || (spec === undefined && tab === END_OF_TABLE)) return sel.continueSelect(tab, 'ets.selectReverse');
  return sel.select(read(tab, 'ets.selectReverse'), spec, limit, true, 'ets.selectReverse');
}

function matchFn(tab: TableLike | Continuation, pattern?: unknown, limit?: number): unknown {
  if (tab instanceof Continuation || (pattern === undefined && tab === END_OF_TABLE)) return sel.continueSelect(tab, 'ets.match');
  return sel.match(read(tab, 'ets.match'), pattern, limit, false, 'ets.match');
}

function matchObjectFn(tab: TableLike | Continuation, pattern?: unknown, limit?: number): unknown {
  if (tab instanceof Continuation || (pattern === undefined && tab === END_OF_TABLE)) return sel.continueSelect(tab, 'ets.matchObject');
  return sel.match(read(tab, 'ets.matchObject'), pattern, limit, true, 'ets.matchObject');
}

/** One `updateCounter` operation: an increment, `[pos, incr]` or `[pos, incr, threshold, setValue]`. */
export type CounterOp = number | bigint | readonly [number, number | bigint] | readonly [number, number | bigint, number | bigint, number | bigint];

/** The overloads of `updateCounter`, for table arguments of type `Tab` (shared by ets and dets). */
export interface UpdateCounterFunction<Tab = TableLike> {
  <T extends Tab>(tab: T, key: KeyArg<T>, op: CounterOp, dflt?: RowArg<T>): number | bigint;
  <T extends Tab>(tab: T, key: KeyArg<T>, ops: ReadonlyArray<Exclude<CounterOp, number | bigint>>, dflt?: RowArg<T>): Array<number | bigint>;
}

/**
 * What a JS select function's result `V` selects from a row of type `R`:
 * `true` the row itself, `false`/`undefined` nothing, any other value that
 * value.
 */
export type Selected<R, V> = V extends true ? R : V extends false | undefined ? never : V;

/**
 * Overloads of `select`/`selectReverse` (shared by ets and dets): with a JS
 * function (its row argument is typed by the table), with a match spec (the
 * results are terms; name their type with `select<V>(...)`), with a limit,
 * or continuing.
 */
export interface SelectFunction<Tab = TableLike> {
  <T extends Tab, V>(tab: T, fn: (row: RowOf<T>) => V): Array<Selected<RowOf<T>, V>>;
  <T extends Tab, V>(tab: T, fn: (row: RowOf<T>) => V, limit: number): Chunk<Selected<RowOf<T>, V>>;
  <V = Term>(tab: Tab, spec: MatchSpec): V[];
  <V = Term>(tab: Tab, spec: MatchSpec, limit: number): Chunk<V>;
  <V>(cont: Continuation<V> | EndOfTable): Chunk<V>;
}

/** Overloads of `match` (shared by ets and dets): the bindings of each matching row, in variable-number order. */
export interface MatchFunction<Tab = TableLike> {
  (tab: Tab, pattern: Head): Term[][];
  (tab: Tab, pattern: Head, limit: number): Chunk<Term[]>;
  (cont: Continuation<Term[]> | EndOfTable): Chunk<Term[]>;
}

/** Overloads of `matchObject` (shared by ets and dets): the matching rows. */
export interface MatchObjectFunction<Tab = TableLike> {
  <T extends Tab>(tab: T, pattern: Head): Array<RowOf<T>>;
  <T extends Tab>(tab: T, pattern: Head, limit: number): Chunk<RowOf<T>>;
  <R extends Row>(cont: Continuation<R> | EndOfTable): Chunk<R>;
}

/**
 * Overloads of `iterate` (shared by ets and dets): the rows in table order,
 * or what a match spec or JS function selects, one at a time without
 * collecting them.
 */
export interface IterateFunction<Tab = TableLike> {
  <T extends Tab>(tab: T, options?: IterateOptions): IterableIterator<RowOf<T>>;
  <T extends Tab, V>(tab: T, fn: (row: RowOf<T>) => V, options?: IterateOptions): IterableIterator<Selected<RowOf<T>, V>>;
  <V = Term>(tab: Tab, spec: MatchSpec, options?: IterateOptions): IterableIterator<V>;
}

/** A match spec, or a JS function over the rows of table argument `T` (for selectCount/selectDelete/selectReplace). */
export type SpecOrFn<T> = MatchSpec | ((row: RowOf<T>) => unknown);

/**
 * The ETS API. Each member's doc names the ETS function it mirrors.
 *
 * Rows are arrays; the key is at `keypos` (1-based). Absence is a value:
 * `lookup` returns `[]`. Errors are {@link TermstoreError}s with a stable
 * `code`; a call that throws changed nothing.
 */
export const ets = Object.freeze({
  /** The marker `first`/`next`/... and continuations return at the end: the atom `'$end_of_table'`. */
  END_OF_TABLE,

  /** `ets:new/2`: creates a table owned by the running process. Returns its handle. */
  new: newTable,

  /** `ets:insert/2` (one object): inserts or replaces (`set`), adds (`bag`: unless an equal row is there; `duplicate_bag`: always). */
  insert: <T extends TableLike>(tab: T, row: RowArg<T>): true => ops.insert(write(tab, 'ets.insert'), row, 'ets.insert'),
  /**
   * `ets:insert/2` with a list: inserts all rows, atomically (all or, on a
   * bad row, none). A separate name because a JS array cannot tell a row
   * from a list of rows.
   */
  insertMany: <T extends TableLike>(tab: T, rows: ReadonlyArray<RowArg<T>>): true => ops.insertMany(write(tab, 'ets.insertMany'), rows, 'ets.insertMany'),
  /** `ets:insert_new/2` (one object): inserts only if the key is absent; returns whether it did. */
  insertNew: <T extends TableLike>(tab: T, row: RowArg<T>): boolean => ops.insertNew(write(tab, 'ets.insertNew'), row, 'ets.insertNew'),
  /** `ets:insert_new/2` with a list: inserts all rows only if none of their keys is present (all or nothing). */
  insertNewMany: <T extends TableLike>(tab: T, rows: ReadonlyArray<RowArg<T>>): boolean => ops.insertNewMany(write(tab, 'ets.insertNewMany'), rows, 'ets.insertNewMany'),

  /** `ets:lookup/2`: the rows with this key (`[]` if none). */
  lookup: <T extends TableLike>(tab: T, key: KeyArg<T>): Array<RowOf<T>> => ops.lookup(read(tab, 'ets.lookup'), key, 'ets.lookup') as Array<RowOf<T>>,
  /**
   * `ets:lookup_element/3,4`: element `pos` of the row with this key (a list
   * of elements for bags). Without `dflt`, an absent key throws `ETS_NO_KEY`.
   */
  lookupElement: <T extends TableLike, D = never>(tab: T, key: KeyArg<T>, pos: number, ...dflt: [] | [D]): KeyOf<T> | Array<KeyOf<T>> | D =>
    ops.lookupElement(read(tab, 'ets.lookupElement'), key, pos, dflt.length === 0 ? ops.NO_DEFAULT : dflt[0], 'ets.lookupElement') as KeyOf<T> | Array<KeyOf<T>> | D,
  /** `ets:member/2`. */
  member: <T extends TableLike>(tab: T, key: KeyArg<T>): boolean => ops.member(read(tab, 'ets.member'), key),
  /** `ets:take/2`: removes and returns the rows with this key. */
  take: <T extends TableLike>(tab: T, key: KeyArg<T>): Array<RowOf<T>> => ops.take(write(tab, 'ets.take'), key, 'ets.take') as Array<RowOf<T>>,

  /** `ets:delete/1,2`: `delete(t)` deletes the table; `delete(t, key)` the rows with `key`. */
  delete: deleteFn as {
    (tab: TableLike): true;
    <T extends TableLike>(tab: T, key: KeyArg<T>): true;
  },
  /** `ets:delete_object/2`: deletes rows exactly equal to `row` (all copies in a duplicate_bag). */
  deleteObject: <T extends TableLike>(tab: T, row: RowArg<T>): true => ops.deleteObject(write(tab, 'ets.deleteObject'), row, 'ets.deleteObject'),
  /** `ets:delete_all_objects/1`. */
  deleteAllObjects: (tab: TableLike): true => ops.deleteAllObjects(write(tab, 'ets.deleteAllObjects')),

  /**
   * `ets:update_counter/3,4`. `op` is an increment (at keypos + 1), `[pos, incr]`,
   * `[pos, incr, threshold, setValue]`, or a list of those (returns a list).
   * `dflt` is inserted (with its key replaced by `key`) when the key is absent.
   */
  updateCounter: ((tab: TableLike, key: unknown, op: unknown, ...dflt: [] | [readonly unknown[]]) =>
    ops.updateCounter(write(tab, 'ets.updateCounter'), key, op, dflt.length === 0 ? ops.NO_DEFAULT : dflt[0], 'ets.updateCounter')) as UpdateCounterFunction,
  /** `ets:update_element/3`: sets `[pos, value]` (or a list of them) in the row with `key`; false if absent. */
  updateElement: <T extends TableLike>(tab: T, key: KeyArg<T>, spec: readonly [number, unknown] | ReadonlyArray<readonly [number, unknown]>): boolean =>
    ops.updateElement(write(tab, 'ets.updateElement'), key, spec, 'ets.updateElement'),

  /** `ets:first/1`: the first key, or END_OF_TABLE. */
  first: <T extends TableLike>(tab: T): KeyOf<T> | EndOfTable => ops.first(read(tab, 'ets.first')) as KeyOf<T> | EndOfTable,
  /** `ets:last/1` (on hash tables, as `first`). */
  last: <T extends TableLike>(tab: T): KeyOf<T> | EndOfTable => ops.last(read(tab, 'ets.last')) as KeyOf<T> | EndOfTable,
  /** `ets:next/2`: the key after `key` (ordered_set: after where `key` would be; hash tables: `key` must exist). */
  next: <T extends TableLike>(tab: T, key: KeyArg<T>): KeyOf<T> | EndOfTable => ops.next(read(tab, 'ets.next'), key, 'ets.next') as KeyOf<T> | EndOfTable,
  /** `ets:prev/2` (on hash tables, as `next`). */
  prev: <T extends TableLike>(tab: T, key: KeyArg<T>): KeyOf<T> | EndOfTable => ops.prev(read(tab, 'ets.prev'), key, 'ets.prev') as KeyOf<T> | EndOfTable,
  /** `ets:foldl/3`: folds over rows in table order. */
  foldl: <T extends TableLike, A>(tab: T, f: (row: RowOf<T>, acc: A) => A, acc: A): A => ops.foldl(read(tab, 'ets.foldl'), f as (row: Row, acc: A) => A, acc, false, 'ets.foldl'),
  /** `ets:foldr/3`: folds in reverse table order (ordered_set; hash tables as foldl). */
  foldr: <T extends TableLike, A>(tab: T, f: (row: RowOf<T>, acc: A) => A, acc: A): A => ops.foldl(read(tab, 'ets.foldr'), f as (row: Row, acc: A) => A, acc, true, 'ets.foldr'),
  /** `ets:tab2list/1`: all rows in table order. */
  tab2list: <T extends TableLike>(tab: T): Array<RowOf<T>> => ops.tab2list(read(tab, 'ets.tab2list')) as Array<RowOf<T>>,

  /** `ets:select/1,2,3`: rows (or values) a match spec or JS function selects; with `limit`, in chunks. */
  select: selectFn as SelectFunction,
  /** `ets:select_reverse/1,2,3`: as select, in reverse key order on ordered_set. */
  selectReverse: selectReverseFn as SelectFunction,
  /** `ets:select_count/2`: how many rows the spec returns `true` for. */
  selectCount: <T extends TableLike>(tab: T, spec: SpecOrFn<T>): number => sel.selectCount(read(tab, 'ets.selectCount'), spec, 'ets.selectCount'),
  /** `ets:select_delete/2`: deletes the rows the spec returns `true` for; returns how many. */
  selectDelete: <T extends TableLike>(tab: T, spec: SpecOrFn<T>): number => sel.selectDelete(write(tab, 'ets.selectDelete'), spec, 'ets.selectDelete'),
  /** `ets:select_replace/2`: replaces each matched row by the spec's result (same key); returns how many. */
  selectReplace: <T extends TableLike>(tab: T, spec: SpecOrFn<T>): number => sel.selectReplace(write(tab, 'ets.selectReplace'), spec, 'ets.selectReplace'),
  /**
   * The rows in table order (as `for (const row of t)`), or the results a
   * match spec or JS function selects (as `select`), one at a time: nothing
   * is collected. Rows come from a cursor, so writes made while iterating
   * are seen as by `first`/`next`; spec results are computed a chunk
   * (`options.chunk`, default 256) at a time, each when reached. Not in ETS.
   */
  iterate: ((tab: TableLike, a?: unknown, b?: unknown) => iterateImpl(read(tab, 'ets.iterate'), a, b, etsCheck('ets.iterate'), 'ets.iterate')) as IterateFunction,

  /** `ets:match/1,2,3`: for each matching row, the list of its `$N` bindings in N order. */
  match: matchFn as MatchFunction,
  /** `ets:match_object/1,2,3`: the rows matching a pattern. */
  matchObject: matchObjectFn as MatchObjectFunction,
  /** `ets:match_delete/2`: deletes the rows matching a pattern. */
  matchDelete: (tab: TableLike, pattern: Head): true => sel.matchDelete(write(tab, 'ets.matchDelete'), pattern, 'ets.matchDelete'),
  /**
   * `ets:slot/2`: the rows of slot `i` (0-based): on an `ordered_set` the
   * `i`-th row, on a hash table the rows of the `i`-th key; END_OF_TABLE
   * just past the last slot, `ETS_BADARG` beyond. O(i) per call.
   */
  slot: (tab: TableLike, i: number): Row[] | EndOfTable => slot(read(tab, 'ets.slot'), i, 'ets.slot'),
  /**
   * `ets:safe_fixtable/2`: fixes (`true`) or releases (`false`) the table for
   * the running process; fixations nest and end with the process. On a fixed
   * hash table, `next` of a key deleted during a walk continues the walk.
   */
  safeFixtable: (tab: TableLike, fix: boolean): true => {
    if (typeof fix !== 'boolean') fail('ETS_BADARG', `ets.safeFixtable: expected true or false, got ${show(fix)} (argument 2)`, { position: 2 });
    return safeFixtable(read(tab, 'ets.safeFixtable'), fix);
  },
  /** `ets:match_spec_compile/1`: a compiled spec for `matchSpecRun` (`ETS_BAD_MATCH_SPEC` if it breaks the grammar). */
  matchSpecCompile: (spec: MatchSpec): CompiledMatchSpec => matchSpecCompile(spec),
  /** `ets:match_spec_run/2`: the results of a compiled spec (or a spec) for each row (an array) of `rows` it matches. */
  matchSpecRun: (rows: readonly (readonly unknown[])[], compiled: CompiledMatchSpec | MatchSpec): Term[] => matchSpecRun(rows, compiled),
  /** `ets:test_ms/2`: runs a spec over one row: `{ ok: true, result, matched }`, or `{ ok: false, errors }` for a spec that breaks the grammar. */
  testMs: (row: readonly unknown[], spec: MatchSpec): TestMsResult => testMs(row, spec),
  /** `ets:is_compiled_ms/1`: true for what `matchSpecCompile` returns. */
  isCompiledMs: (x: unknown): boolean => isCompiledMs(x),

  /** `ets:info/1,2`: facts about a table; `undefined` if it does not exist. */
  info,
  /** `ets:rename/2`: renames a table (a named table moves to its new name). */
  rename: <T extends TableLike>(tab: T, name: TableName): Table<RowOf<T>> => {
    const t = write(tab, 'ets.rename');
    renameTable(t, nameKey(name, 'ets.rename'));
    return t.ref as Table<RowOf<T>>;
  },
  /** `ets:setopts/2`: sets the heir (`{ pid, data }` or `'none'`); owner only. */
  setopts: (tab: TableLike, options: { heir: Heir | 'none' }): true => {
    const t = resolve(tab, 'ets.setopts');
    checkOwner(t, 'ets.setopts');
    if (typeof options !== 'object' || options === null || !('heir' in options)) {
      fail('ETS_BADARG', `ets.setopts: expected { heir }, got ${show(options)} (argument 2)`, { position: 2 });
    }
    t.heir = heirIn(options.heir, 'ets.setopts');
    return true;
  },
  /** `ets:give_away/3`: makes `pid` the owner; it receives an `ETS-TRANSFER` notice with `data`. */
  giveAway: (tab: TableLike, pid: Pid, data: unknown): true => giveAwayImpl(resolve(tab, 'ets.giveAway'), pid, data, 'ets.giveAway'),
  /** `ets:all/0`: handles of all live ets tables. */
  all: (): Table[] => allTables().map((t) => t.ref),
  /** `ets:whereis/1`: the handle of the named table `name`, or undefined. */
  whereis: (name: TableName): Table | undefined => lookupName(nameKey(name, 'ets.whereis'))?.ref,
});

export { Continuation } from './select.js';
export type { SafeFixed } from './fixtable.js';
export type { TestMsResult } from './ms-run.js';
export type { SelectFn } from './select.js';
export type { KeyArg, KeyOf, RowArg, RowOf, RowTyped } from './table.js';
export type { IterateOptions } from './iterate.js';
export { Table } from './table.js';
export type { Access, Heir, TableLike, TableName } from './table.js';
export { isEtsTransfer, type EtsTransfer } from './owner.js';
