/**
 * The contract between the `ets` facade and a table engine.
 *
 * Engines store rows and answer questions about them; they never validate
 * arguments, check access or build user-facing errors (the facade does, as
 * Level's `get()` / `_get()` split). Rows handed to an engine are already
 * copied, with their nested parts frozen (see `term/copy.ts`); the engine
 * takes them over and freezes the row arrays too (`shareRow`). Rows an
 * engine returns are the stored ones: the facade hands them out as they are
 * while {@link Engine.readsCopy} is false, else through `rowOut`. A stored
 * row never changes; the only exception is a *private* row, which
 * `addToElement` makes (copy-on-write) and then changes in place.
 *
 * Keys: `set`, `bag`, `duplicate_bag` engines match keys by exact equality
 * (`hashKey`); the `ordered_set` engine by the term order (`compareTerms`,
 * so `1` and `1n` are one key).
 *
 * @module
 */
import type { Row, Term } from '../term/types.js';

/** The four ETS table types. */
export type TableType = 'set' | 'ordered_set' | 'bag' | 'duplicate_bag';

/** What an engine can do; read by the facade and tests instead of switching on the type. */
export interface EngineCaps {
  /** Keys iterate in term order, `next`/`prev` accept absent keys, and range scans are supported. */
  readonly ordered: boolean;
  /** `'none'`: one row per key; `'bag'`: distinct rows per key; `'duplicate'`: any rows per key. */
  readonly duplicates: 'none' | 'bag' | 'duplicate';
  /** The engine has {@link Engine.bulkLoad}: filling an empty table in one pass. */
  readonly bulkLoad: boolean;
}

/** The end-of-table marker engines return from `first`/`next`/... (the facade re-exports it). */
export const END_OF_TABLE: unique symbol = Symbol.for('$end_of_table') as never;
export type EndOfTable = typeof END_OF_TABLE;

/**
 * A position in a traversal that survives concurrent writes: following it
 * after the row it points at was deleted continues with the next live row.
 * Opaque to the facade.
 */
export interface Cursor {
  readonly __cursor: true;
}

/** A key range for ordered scans. Bounds are terms compared by `compareTerms`. */
export interface KeyRange {
  /** Lower bound; absent means from the first key. */
  lo?: { key: Term; inclusive: boolean };
  /** Upper bound; absent means to the last key. */
  hi?: { key: Term; inclusive: boolean };
}

export interface Engine {
  readonly type: TableType;
  readonly caps: EngineCaps;
  /** 0-based index of the key in a row (`keypos - 1`). */
  readonly keyIndex: number;

  /**
   * False while every stored row can be handed out as it is (frozen, no
   * binaries, not private). True once the engine has stored a row that
   * reads must copy (`rowOut`): one holding a `Uint8Array`, or a private
   * row made by {@link Engine.addToElement}; it goes back to false on
   * `clear`. Read on every lookup, so it is a plain field.
   */
  readonly readsCopy: boolean;

  /** Number of rows. */
  size(): number;
  /** Rows with this key, in insertion order for bags; an empty array if none. A fresh array the caller may keep (the rows in it are the stored ones). */
  lookup(key: Term): Row[];
  /** True if at least one row has this key. */
  member(key: Term): boolean;
  /**
   * Inserts one row with the table type's rules: `set`/`ordered_set` replace
   * the row with the same key; `bag` ignores an exactly equal row already
   * there; `duplicate_bag` always appends.
   */
  insert(row: Row): void;
  /**
   * Fills an empty engine with `rows`, as inserting them one by one in
   * order would (a `set` keeps the last row of a key, a `bag` drops exact
   * duplicates), but in one pass: the way file2tab, `fromEts`, an insert of
   * many rows into an empty table and a disk table's load fill an engine.
   * Takes the rows over as `insert` does. Present when `caps.bulkLoad`.
   * Throws (a plain Error: a caller's bug) if the engine is not empty.
   */
  bulkLoad?(rows: readonly Row[]): void;
  /** Removes every row with this key and returns them (insertion order). */
  deleteKey(key: Term): readonly Row[];
  /** Removes every row exactly equal to `row` (all copies in a duplicate_bag); returns how many. */
  deleteObject(row: Row): number;
  /**
   * Replaces one specific stored row (same key) by `next`, keeping its place.
   * `old` must be a row object returned by this engine.
   */
  replace(old: Row, next: Row): void;
  /** Removes all rows. */
  clear(): void;

  /** First key in table order, or END_OF_TABLE. */
  first(): Term | EndOfTable;
  last(): Term | EndOfTable;
  /**
   * Key after `key`. Ordered engines accept an absent key (the next greater
   * one). Hash engines return `undefined` for an absent key (the facade
   * raises badarg, as ETS), unless `fixed` (the table is fixed by
   * `safeFixtable`) and a walk that returned the key before it was deleted
   * can go on.
   */
  next(key: Term, fixed?: boolean): Term | EndOfTable | undefined;
  prev(key: Term, fixed?: boolean): Term | EndOfTable | undefined;

  /** A cursor before the first row (`reverse`: after the last). */
  cursor(reverse: boolean, range?: KeyRange): Cursor;
  /**
   * Up to `max` rows from the cursor, advancing it. Returns an empty array at
   * the end. Rows deleted after the cursor passed them are not returned;
   * rows inserted behind it are not seen.
   */
  take(cursor: Cursor, max: number): Row[];

  /** All rows in table order (reverse: backwards). */
  rows(reverse?: boolean): IterableIterator<Row>;

  /**
   * Optional one-probe fast path for `updateCounter` on tables without a
   * journal: adds `incr` to element `index` of the row of `key` when that
   * element is a safe integer and so is the sum, and returns the sum; else
   * returns undefined and changes nothing (the caller takes the general
   * path: a new row through `replace`). A shared row is first replaced by a
   * private copy (`privateRow`, copy-on-write: whoever holds the old row
   * keeps seeing it as it was); a private row is changed in place. Only for
   * single-row engines; the caller has checked that `index` is not the
   * key's.
   */
  addToElement?(key: Term, index: number, incr: number): number | undefined;

  /** Approximate memory in bytes (reported by `info`). */
  memoryBytes(): number;
  /** Throws if an internal invariant is broken (for tests). */
  checkInvariants(): void;
}

/**
 * A logical write, as the facade applies it to an engine and as a disk
 * table journals it. Replaying a sequence of ops with {@link applyOp}
 * reproduces the table.
 */
export type WriteOp =
  | { readonly op: 'insert'; readonly rows: readonly Row[] }
  | { readonly op: 'delete'; readonly key: Term }
  | { readonly op: 'deleteObject'; readonly row: Row }
  /** Replace the one stored row exactly equal to `old` by `row` (same key). */
  | { readonly op: 'replace'; readonly old: Row; readonly row: Row }
  | { readonly op: 'clear' };

/**
 * Where a table sends its writes before they are applied (a disk table's
 * journal). `append` may throw a `TermstoreError` to veto the write: then
 * the facade changes nothing.
 */
export interface WriteSink {
  append(ops: readonly WriteOp[]): void;
}
