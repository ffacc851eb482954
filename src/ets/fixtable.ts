/**
 * `ets:safe_fixtable/2` and the `safe_fixed`/`fixed` info items.
 *
 * A process fixes a table to make a `first`/`next` traversal safe while it
 * writes to the table. termstore's traversals already survive concurrent
 * writes (cursors and remembered walks are `Map` iterators or keys, see the
 * engines), so fixing a table adds one thing: on a fixed hash table,
 * `next(t, key)` may be called with a key deleted since the walk returned
 * it, and continues the walk, as in ETS. Otherwise it is bookkeeping, as in
 * ETS: who fixed the table how many times, and since when. A process's
 * fixations end when it does.
 *
 * @module
 */
import { currentProc, onProcessExit, procOf, type Proc } from '../process/index.js';
import type { Pid } from '../term/types.js';
import type { TableImpl } from './table.js';

/** Who fixed a table (`ets.info(t, 'safeFixed')`, ETS's `safe_fixed`): when first, and each process's count. */
export interface SafeFixed {
  /** When the table was first fixed (ms since the epoch, as `Date.now()`); ETS gives `erlang:timestamp()`. */
  readonly time: number;
  /** Each process that has the table fixed, with how many times. */
  readonly fixers: ReadonlyArray<{ readonly pid: Pid; readonly count: number }>;
}

interface Fix {
  time: number;
  counts: Map<number, { pid: Pid; count: number }>;
}

const fixes = new WeakMap<TableImpl, Fix>();
const watched = new WeakSet<Proc>();
/** Tables each process has fixed, to release them when it ends. */
const byProc = new WeakMap<Proc, Set<TableImpl>>();

/** `ets:safe_fixtable(T, true | false)` for the running process. Unfixing a table not fixed does nothing. */
export function safeFixtable(t: TableImpl, fix: boolean): true {
  const p = currentProc();
  if (fix) {
    let f = fixes.get(t);
    if (f === undefined) fixes.set(t, (f = { time: Date.now(), counts: new Map() }));
    const c = f.counts.get(p.pid.id);
    if (c === undefined) f.counts.set(p.pid.id, { pid: p.pid, count: 1 });
    else c.count++;
    let tables = byProc.get(p);
    if (tables === undefined) byProc.set(p, (tables = new Set()));
    tables.add(t);
    if (!watched.has(p) && procOf(p.pid) !== undefined) {
      watched.add(p);
      onProcessExit(p, releaseAll);
    }
    return true;
  }
  const f = fixes.get(t);
  const c = f?.counts.get(p.pid.id);
  if (f === undefined || c === undefined) return true;
  if (--c.count === 0) {
    f.counts.delete(p.pid.id);
    byProc.get(p)?.delete(t);
    if (f.counts.size === 0) fixes.delete(t);
  }
  return true;
}

function releaseAll(p: Proc): void {
  for (const t of byProc.get(p) ?? []) {
    const f = fixes.get(t);
    if (f === undefined) continue;
    f.counts.delete(p.pid.id);
    if (f.counts.size === 0) fixes.delete(t);
  }
  byProc.delete(p);
}

/** True while some process has `t` fixed. */
export function isFixed(t: TableImpl): boolean {
  return fixes.has(t);
}

/** The `safe_fixed` info item: `false`, or when and by whom. */
export function safeFixedInfo(t: TableImpl): SafeFixed | false {
  const f = fixes.get(t);
  if (f === undefined) return false;
  return Object.freeze({ time: f.time, fixers: Object.freeze([...f.counts.values()].map((c) => Object.freeze({ pid: c.pid, count: c.count }))) });
}
