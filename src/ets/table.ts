/**
 * Tables: the public handle, the internal record, and the name registry.
 *
 * @module
 */
import { createEngine, type Engine, type SingleRowLookup, type TableType, type WriteSink } from '../engines/index.js';
import { fail } from '../errors.js';
import { Pid, atomName, show, type Row } from '../term/types.js';
import { etsCheck, tableRows } from './iterate.js';

/** Who may read and write a table (ETS `protection`). */
export type Access = 'public' | 'protected' | 'private';

/** A table's heir: who inherits it when the owner ends, and the data they receive. */
export interface Heir {
  pid: Pid;
  data: unknown;
}

/** A table name: a string, or an atom (`Symbol.for(name)`, which is the same name). */
export type TableName = string | symbol;

let nextTableId = 1;

/** The key of the property that carries a handle's row type. Types only: the property is never set. */
export const rowType: unique symbol = Symbol('termstore.rowType');

/** A handle that carries a row type: a {@link Table} or a `DetsTable`. */
export interface RowTyped<R extends Row = Row> {
  /** The row type, for the type checker only (never set at run time). */
  readonly [rowType]?: R;
}

/** The row type of a table argument: `R` for a `Table<R>` or `DetsTable<R>`, {@link Row} for a table name. */
export type RowOf<T> = T extends RowTyped<infer R> ? R : Row;

/**
 * What a write accepts for a table argument `T`: its row type, or for an
 * untyped table (rows of {@link Row}) any array, whose elements are checked
 * at run time (`ETS_BAD_TERM`).
 */
export type RowArg<T> = Row extends RowOf<T> ? readonly unknown[] : RowOf<T>;

/** What a key argument accepts: an element type of the rows of a typed table; anything for an untyped one (checked at run time). */
export type KeyArg<T> = Row extends RowOf<T> ? unknown : RowOf<T>[number];

/** A key as reads return it (`first`, `next`, ...): an element type of the rows. */
export type KeyOf<T> = RowOf<T>[number];

/**
 * A reference to a table (ETS's table identifier, `tid()`). Pass it, or the
 * name of a named table, to every `ets.*` function. It stays valid after
 * `rename` and `giveAway`; after the table is deleted every call with it
 * throws `ETS_NO_TABLE`.
 *
 * `R` is the type of the table's rows (`ets.new<[string, number]>(...)`):
 * reads return it and writes require it. It defaults to {@link Row}, any
 * term array.
 */
export class Table<R extends Row = Row> implements RowTyped<R> {
  declare readonly [rowType]?: R;
  /** @internal */
  readonly impl: TableImpl;
  /** @internal */
  constructor(impl: TableImpl) {
    this.impl = impl;
    Object.freeze(this);
  }
  /** A number unique to this table within the Node process. */
  get id(): number {
    return this.impl.id;
  }
  /** The table's current name. */
  get name(): string {
    return this.impl.name;
  }
  toString(): string {
    return `#Table<${this.impl.id}:${this.impl.name}>`;
  }
  /**
   * The rows in table order, one at a time (`for (const row of table)`),
   * with the write tolerance of `first`/`next`; see `ets.iterate`. A
   * deleted table has no rows; deleting it during the loop ends the loop
   * with `ETS_NO_TABLE`.
   */
  [Symbol.iterator](): IterableIterator<R> {
    return tableRows(this.impl, false, etsCheck('ets: for...of'), true) as IterableIterator<R>;
  }
}

/** Internal: Everything about one table. */
export class TableImpl {
  readonly id = nextTableId++;
  readonly engine: Engine & SingleRowLookup;
  /** At most one row per key (`set`, `ordered_set`); read on hot paths instead of `engine.caps`. */
  readonly single: boolean;
  readonly ref: Table;
  alive = true;
  /** Where writes are journaled (disk tables); undefined for plain ets tables. */
  sink: WriteSink | undefined;
  /** `'dets'` tables skip process access control, as DETS has none. */
  kind: 'ets' | 'dets' = 'ets';

  constructor(
    public name: string,
    readonly named: boolean,
    readonly type: TableType,
    /** 1-based key position. */
    readonly keypos: number,
    public access: Access,
    public owner: Pid,
    public heir: Heir | undefined,
  ) {
    this.engine = createEngine(type, keypos - 1);
    this.single = this.engine.caps.duplicates === 'none';
    this.ref = new Table(this);
  }
}

/** Live named tables by name. */
const byName = new Map<string, TableImpl>();
/** All live ets tables, in creation order. */
const live = new Set<TableImpl>();

/** Internal: Normalises a table name (string or atom) to a string. */
export function nameKey(name: unknown, fn: string): string {
  if (typeof name === 'string') return name;
  if (typeof name === 'symbol') {
    const n = atomName(name);
    if (n !== undefined) return n;
  }
  return fail('ETS_BADARG', `${fn}: a table name must be a string or an atom (Symbol.for), got ${show(name)}`, { position: 1 });
}

/** Internal: Adds a table to the registry (throws if the name is taken). */
export function register(t: TableImpl): void {
  if (t.named) {
    if (byName.has(t.name)) fail('ETS_NAME_TAKEN', `ets.new: a named table called ${JSON.stringify(t.name)} already exists`, { position: 1 });
    byName.set(t.name, t);
  }
  live.add(t);
}

/** Internal: Removes a table from the registry and marks it dead. */
export function unregister(t: TableImpl): void {
  if (t.named && byName.get(t.name) === t) byName.delete(t.name);
  live.delete(t);
  t.alive = false;
  t.engine.clear();
}

/** Internal: Renames a table; named tables move in the registry. */
export function renameTable(t: TableImpl, name: string): void {
  if (t.named) {
    const other = byName.get(name);
    if (other !== undefined && other !== t) fail('ETS_NAME_TAKEN', `ets.rename: a named table called ${JSON.stringify(name)} already exists`, { position: 2 });
    byName.delete(t.name);
    byName.set(name, t);
  }
  t.name = name;
}

/** Internal: The named table with this name, if any. */
export function lookupName(name: string): TableImpl | undefined {
  return byName.get(name);
}

/** Internal: All live ets tables. */
export function allTables(): TableImpl[] {
  return [...live];
}

/** What every `ets.*` function accepts as its table argument: a handle (of any row type) or the name of a named table. */
export type TableLike = Table<Row> | TableName;

/**
 * Internal: resolves a table argument to a live table, or throws
 * `ETS_NO_TABLE` / `ETS_BADARG`.
 */
export function resolve(tab: unknown, fn: string): TableImpl {
  if (tab instanceof Table) {
    const t = tab.impl;
    if (!t.alive) fail('ETS_NO_TABLE', `${fn}: table ${tab} no longer exists`, { position: 1 });
    return t;
  }
  if (typeof tab === 'string' || typeof tab === 'symbol') {
    const name = nameKey(tab, fn);
    const t = byName.get(name);
    if (t === undefined) fail('ETS_NO_TABLE', `${fn}: no named table called ${JSON.stringify(name)}`, { position: 1 });
    return t;
  }
  return fail('ETS_BADARG', `${fn}: expected a table or a table name, got ${show(tab)}`, { position: 1 });
}
