/**
 * Iteration over tables, shared by ets and dets: `for (const row of table)`,
 * `ets.iterate(t, spec)` and the async iteration of dets tables.
 *
 * Rows come in table order (key order on `ordered_set`, insertion order on
 * hash tables), one at a time from an engine cursor, so iteration has the
 * write tolerance of `first`/`next`: a row deleted before the iteration
 * reaches it is not returned, a row updated before it is reached is returned
 * as it is then, and nothing is ever returned twice. The results of a match
 * spec (or JS function) are computed a chunk at a time, each when reached, as
 * `select` continuations are. A table deleted (or a dets table closed) during
 * the iteration ends it with `ETS_NO_TABLE` (`DETS_CLOSED`); a private table
 * is read only by its owner (`ETS_ACCESS`), checked at each step.
 *
 * The handle of a table deleted (closed) before its iteration starts
 * iterates as empty (`[...t]` is `[]`), so tools that compare iterables
 * (test runners' deep equality) can compare handles; `ets.iterate(t)` on it
 * throws, as every `ets.*` call does.
 *
 * @module
 */
import { END_OF_TABLE } from '../engines/types.js';
import { fail } from '../errors.js';
import { rowOut } from '../term/copy.js';
import { show, type Row } from '../term/types.js';
import { limitIn } from './args.js';
import { checkRead } from './owner.js';
import * as sel from './select.js';
import type { TableImpl } from './table.js';

/** Options of `ets.iterate`/`dets.iterate`. */
export interface IterateOptions {
  /** Backwards (key order on `ordered_set`; hash tables have one order, as `selectReverse`). Default `false`. */
  reverse?: boolean;
  /** Results computed per chunk for a match spec or function (default 256). */
  chunk?: number;
}

/** How many results of a spec are computed at a time. */
const CHUNK = 256;

/** Throws unless `t` is alive and readable by the running process; `closed` builds the error for a dead table. */
export type StepCheck = (t: TableImpl) => void;

/** The ets check: the table exists and the running process may read it. */
export function etsCheck(fn: string): StepCheck {
  return (t) => {
    if (!t.alive) fail('ETS_NO_TABLE', `${fn}: table ${t.name} was deleted during the iteration`, { position: 1 });
    checkRead(t, fn);
  };
}

/** Rows of `t` in table order (or backwards), one at a time, copied out. With `deadIsEmpty`, a table already deleted gives no rows. */
export function* tableRows(t: TableImpl, reverse: boolean, check: StepCheck, deadIsEmpty = false): Generator<Row, void, undefined> {
  if (deadIsEmpty && !t.alive) return;
  check(t);
  const c = t.engine.cursor(reverse && t.engine.caps.ordered);
  for (;;) {
    // One row per step: what the loop body writes is seen by the next step, as with first/next.
    const [row] = t.engine.take(c, 1);
    if (row === undefined) return;
    yield rowOut(row);
    check(t);
  }
}

/** The rest of a select with a limit, from its first result: each chunk computed when reached. */
function* selectResults(first: [unknown[], sel.Continuation | typeof END_OF_TABLE] | typeof END_OF_TABLE, t: TableImpl, check: StepCheck, fn: string): Generator<unknown, void, undefined> {
  let r = first;
  while (r !== END_OF_TABLE) {
    yield* r[0];
    check(t);
    // A chunk that reached the end comes with END_OF_TABLE instead of a continuation (as ETS).
    if (r[1] === END_OF_TABLE) return;
    r = sel.continueSelect(r[1], fn);
  }
}

/** Splits `iterate`'s optional arguments: `(tab)`, `(tab, options)`, `(tab, specOrFn)`, `(tab, specOrFn, options)`. */
export function iterateArgs(a: unknown, b: unknown, fn: string): { spec: unknown; reverse: boolean; chunk: number } {
  const isOptions = (x: unknown): boolean => typeof x === 'object' && x !== null && !Array.isArray(x);
  const [spec, options] = a === undefined || isOptions(a) ? [undefined, a] : [a, b];
  if (options !== undefined && !isOptions(options)) fail('ETS_BADARG', `${fn}: options must be an object, got ${show(options)}`, { position: 3 });
  const o = (options ?? {}) as IterateOptions;
  for (const k of Object.keys(o)) if (k !== 'reverse' && k !== 'chunk') fail('ETS_BADARG', `${fn}: unknown option ${JSON.stringify(k)}`, { position: 3 });
  if (o.reverse !== undefined && typeof o.reverse !== 'boolean') fail('ETS_BADARG', `${fn}: option reverse must be a boolean, got ${show(o.reverse)}`, { position: 3 });
  return { spec, reverse: o.reverse === true, chunk: o.chunk === undefined ? CHUNK : limitIn(o.chunk, fn, 3) };
}

/**
 * `iterate` over a resolved table: its rows, or what a spec selects. The
 * arguments (and the spec) are checked at the call, and a spec's first
 * chunk computed, not at the first `next()`.
 */
export function iterate(t: TableImpl, a: unknown, b: unknown, check: StepCheck, fn: string): IterableIterator<unknown> {
  const { spec, reverse, chunk } = iterateArgs(a, b, fn);
  check(t);
  if (spec === undefined) return tableRows(t, reverse, check);
  const first = sel.select(t, spec, chunk, reverse, fn) as [unknown[], sel.Continuation] | typeof END_OF_TABLE;
  return selectResults(first, t, check, fn);
}
