/**
 * `select`, `match` and friends: runs a compiled match specification (or a
 * JS function) over the rows a key constraint allows, with limits and
 * continuations.
 *
 * Which rows are visited:
 * - a head whose key is fully bound: only those keys, by index (O(1) on
 *   hash tables, O(log n) on ordered_set);
 * - on `ordered_set`, a partly bound key or guards bounding the key
 *   variable: only that key range (ETS scans the whole table here);
 * - otherwise, and for JS functions, every row.
 *
 * @module
 */
import { END_OF_TABLE, type Cursor, type EndOfTable, type KeyRange, type WriteOp } from '../engines/types.js';
import { fail } from '../errors.js';
import { compileMatchPattern, compileMatchSpec, NO_MATCH, specKeepsKey, type CompiledMatchSpec } from '../match-spec/index.js';
import { keyedSpec } from '../match-spec/api.js';
import { copyOut, holdsBinary, rowOut } from '../term/copy.js';
import { exactEquals } from '../term/equal.js';
import { Tuple, show, type Row, type Term } from '../term/types.js';
import { limitIn, rowIn } from './args.js';
import type { TableImpl } from './table.js';

/** A JS alternative to a match spec: return `false`/`undefined` to skip a row, `true` to select the row, anything else to select that value. */
export type SelectFn<R extends Row = Row> = (row: R) => unknown;

/** What `select` accepts: a match specification or a {@link SelectFn}. */
export type MatchSpecLike = unknown;

type Runner = (row: Row) => unknown;

interface Source {
  /** Next batch of candidate rows; empty when done. */
  next(max: number): Row[];
  /**
   * The rows of keys bound in the head (what ETS calls a given key): as
   * ETS, a full chunk then ends the walk (`END_OF_TABLE` in place of a
   * continuation) unless another candidate row matches.
   */
  readonly lookahead?: boolean;
}

/** The key of the property that carries a continuation's result type. Types only: the property is never set. */
export const resultType: unique symbol = Symbol('termstore.resultType');

/**
 * The state of a select/match that returned early because of its limit.
 * Pass it back to the same function (`ets.select(cont)`) for the next chunk.
 * `V` is the type of the results.
 */
export class Continuation<V = unknown> {
  /** The type of the results, for the type checker only (never set at run time). */
  declare readonly [resultType]?: V;
  /** @internal */
  constructor(
    /** @internal */ readonly table: TableImpl,
    /** @internal */ readonly fn: string,
    /** @internal */ readonly run: Runner,
    /** @internal */ readonly source: Source,
    /** @internal */ readonly limit: number,
    /** @internal */ readonly out: (row: Row, result: unknown) => unknown,
    /** @internal */ readonly pending: Row[],
  ) {
    Object.freeze(this);
  }
}

/**
 * Compiles a spec or JS function. `mode: 'test'` is for selectCount and
 * selectDelete, which act on the rows a spec returns `true` for: there a
 * function's `true` must stay `true` (in `'select'` mode it selects the row).
 */
function compile(t: TableImpl, spec: unknown, fn: string, mode: 'select' | 'test' = 'select'): { run: Runner; constraint: CompiledMatchSpec['keyConstraint'] | undefined } {
  if (typeof spec === 'function') {
    const f = spec as SelectFn;
    if (mode === 'test') return { run: (row) => (f(rowOut(row)) === true ? true : NO_MATCH), constraint: undefined };
    return {
      run: (row) => {
        const r = f(rowOut(row));
        return r === false || r === undefined ? NO_MATCH : r === true ? row : r;
      },
      constraint: undefined,
    };
  }
  const c = compileMatchSpec(spec, t.keypos - 1);
  return { run: (row) => c.run(row), constraint: c.keyConstraint };
}

/**
 * Rows from an engine cursor. `inRange` is convex in key order (see the
 * match-spec key constraints): an ascending scan stops at the first key
 * outside it; a descending scan, which starts above the range, first skips
 * keys outside it, then stops at the next one outside it.
 */
function cursorSource(t: TableImpl, reverse: boolean, range?: KeyRange, inRange?: (key: Term) => boolean): Source {
  const c: Cursor = t.engine.cursor(reverse, range);
  let done = false;
  let entered = !reverse;
  const ki = t.keypos - 1;
  return {
    next(max) {
      for (;;) {
        if (done) return [];
        const rows = t.engine.take(c, max);
        if (rows.length === 0) done = true;
        if (inRange === undefined) return rows;
        let i = 0;
        if (!entered) {
          while (i < rows.length && !inRange(rows[i]![ki])) i++;
          if (i === rows.length) continue; // still above the range
          entered = true;
        }
        for (let j = i; j < rows.length; j++) {
          if (!inRange(rows[j]![ki])) {
            done = true;
            return rows.slice(i, j);
          }
        }
        return i === 0 ? rows : rows.slice(i);
      }
    },
  };
}

/**
 * Rows of a list of keys, looked up when reached (so a continuation sees
 * the table as it is then). The rows of one key already fetched but not yet
 * handed out are checked again before they are.
 */
function keysSource(t: TableImpl, keys: readonly Term[], lookahead: boolean): Source {
  let i = 0;
  let pending: Row[] = [];
  let pendingKey: Term;
  return {
    lookahead,
    next(max) {
      if (pending.length > 0) {
        const now = t.engine.lookup(pendingKey);
        pending = pending.filter((r) => now.includes(r));
      }
      while (pending.length === 0 && i < keys.length) {
        pendingKey = keys[i++];
        pending = t.engine.lookup(pendingKey);
      }
      const out = pending.slice(0, max);
      pending = pending.slice(out.length);
      return out;
    },
  };
}

function sourceFor(t: TableImpl, constraint: CompiledMatchSpec['keyConstraint'] | undefined, reverse: boolean): Source {
  const ordered = t.engine.caps.ordered;
  if (constraint !== undefined && constraint.kind === 'keys') {
    // As ETS (OTP 25): keys bound in the head end a chunked walk as soon as
    // nothing more matches; on an ordered_set only a single such key does.
    const given = constraint.inHead === true;
    // ordered_set: `orderedKeys` is sorted and distinct under == (how the tree finds keys).
    if (ordered) return keysSource(t, reverse ? [...constraint.orderedKeys].reverse() : constraint.orderedKeys, given && constraint.orderedKeys.length === 1);
    return keysSource(t, constraint.keys, given);
  }
  if (ordered && constraint !== undefined && constraint.kind === 'range') {
    return cursorSource(t, reverse, constraint.range, constraint.inRange);
  }
  return cursorSource(t, reverse && ordered);
}

/** Copies a select result out: rows via rowOut; other results only when the row held binaries. */
function resultOut(row: Row, r: unknown): unknown {
  if (r === row) return rowOut(row);
  return holdsBinary(row) ? deepCopyBinaries(r) : r;
}

/**
 * `select` of a spec with one literal key and no limit (the most common
 * query): looks the key up and runs the compiled template on its row(s)
 * directly, with no key source, batch or continuation.
 */
function selectKeyed(t: TableImpl, template: CompiledMatchSpec, key: Term): unknown[] {
  const e = t.engine;
  const ki = t.keypos - 1;
  const out: unknown[] = [];
  if (t.single) {
    const row = e.lookupOne(key) as Row | undefined;
    // The head's literal matches exactly (=:=); an ordered_set finds the key by ==.
    if (row !== undefined && (row[ki] === key || exactEquals(row[ki], key))) {
      const r = template.run(row);
      if (r !== NO_MATCH) out.push(r === row && !e.readsCopy ? row : resultOut(row, r));
    }
    return out;
  }
  const rows = e.lookup(key);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!exactEquals(row[ki], key)) continue;
    const r = template.run(row);
    if (r !== NO_MATCH) out.push(resultOut(row, r));
  }
  return out;
}

function deepCopyBinaries(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  if (x instanceof Uint8Array) return new Uint8Array(x);
  if (Array.isArray(x)) {
    const mapped = x.map(deepCopyBinaries);
    return x instanceof Tuple ? Tuple.from(mapped as Term[]) : mapped;
  }
  return copyOut(x as Term);
}

const BATCH = 1024;

/**
 * Runs the spec over rows from `source` until `limit` results. It never
 * takes more rows from the source than the results still missing, so a
 * chunk never ends inside a batch: a continuation keeps no rows, and sees
 * rows deleted or updated since the last chunk as they are now (as ETS).
 */
function drain(run: Runner, source: Source, pending: Row[], limit: number, out: (row: Row, r: unknown) => unknown): { results: unknown[]; rest: Row[]; exhausted: boolean } {
  const results: unknown[] = [];
  let batch = pending;
  let i = 0;
  for (;;) {
    if (i >= batch.length) {
      batch = source.next(Math.min(BATCH, limit - results.length));
      i = 0;
      if (batch.length === 0) return { results, rest: [], exhausted: true };
    }
    const row = batch[i++]!;
    const r = run(row);
    if (r !== NO_MATCH) {
      results.push(out(row, r));
      if (results.length >= limit) {
        const rest = batch.slice(i);
        return source.lookahead === true ? lookAhead(run, source, rest, results) : { results, rest, exhausted: false };
      }
    }
  }
}

/** A full chunk of a given key's rows: ends the walk unless a later candidate row matches (kept for the next chunk). */
function lookAhead(run: Runner, source: Source, rest: Row[], results: unknown[]): { results: unknown[]; rest: Row[]; exhausted: boolean } {
  let rows = rest;
  for (;;) {
    for (let j = 0; j < rows.length; j++) if (run(rows[j]!) !== NO_MATCH) return { results, rest: rows.slice(j), exhausted: false };
    rows = source.next(BATCH);
    if (rows.length === 0) return { results, rest: [], exhausted: true };
  }
}

function runSelect(t: TableImpl, run: Runner, source: Source, limit: number | undefined, fn: string, out = resultOut): unknown[] | [unknown[], Continuation | EndOfTable] | EndOfTable {
  if (limit === undefined) return drain(run, source, [], Infinity, out).results;
  return step(new Continuation(t, fn, run, source, limit, out, []));
}

/**
 * The next chunk. As ETS (checked against OTP 25): a chunk that reaches the
 * end of the table before `limit` results comes with `END_OF_TABLE` in place
 * of a continuation; a full chunk comes with a continuation, even when no
 * rows are left (the next call then returns `END_OF_TABLE`).
 */
function step(c: Continuation): [unknown[], Continuation | EndOfTable] | EndOfTable {
  if (!c.table.alive) fail('ETS_BAD_CONTINUATION', `${c.fn}: the table of this continuation no longer exists`, { position: 1 });
  const { results, rest, exhausted } = drain(c.run, c.source, c.pending, c.limit, c.out);
  if (results.length === 0 && exhausted) return END_OF_TABLE;
  if (exhausted) return [results, END_OF_TABLE];
  return [results, new Continuation(c.table, c.fn, c.run, c.source, c.limit, c.out, rest)];
}

/** Continues a select/match from its continuation. */
export function continueSelect(cont: unknown, fn: string): [unknown[], Continuation | EndOfTable] | EndOfTable {
  if (cont === END_OF_TABLE) return END_OF_TABLE;
  if (!(cont instanceof Continuation)) fail('ETS_BAD_CONTINUATION', `${fn}: expected a continuation, got ${show(cont)}`, { position: 1 });
  return step(cont);
}

export function select(t: TableImpl, spec: unknown, limit: unknown, reverse: boolean, fn: string): unknown[] | [unknown[], Continuation | EndOfTable] | EndOfTable {
  if (limit === undefined && !reverse && typeof spec !== 'function') {
    const keyed = keyedSpec(spec, t.keypos - 1);
    if (keyed !== undefined) return selectKeyed(t, keyed.template, keyed.key);
  }
  const lim = limit === undefined ? undefined : limitIn(limit, fn, 3);
  const { run, constraint } = compile(t, spec, fn);
  return runSelect(t, run, sourceFor(t, constraint, reverse), lim, fn);
}

export function match(t: TableImpl, pattern: unknown, limit: unknown, objects: boolean, fn: string): unknown[] | [unknown[], Continuation | EndOfTable] | EndOfTable {
  const lim = limit === undefined ? undefined : limitIn(limit, fn, 3);
  const c = compileMatchPattern(pattern, t.keypos - 1, objects ? 'object' : 'bindings');
  return runSelect(t, (row) => c.run(row), sourceFor(t, c.keyConstraint, false), lim, fn);
}

const TRUE_ATOM = Symbol.for('true');
/** The result `true` that selectCount/selectDelete act on (the atom may be spelled either way). */
function isTrueResult(r: unknown): boolean {
  return r === true || r === TRUE_ATOM;
}

export function selectCount(t: TableImpl, spec: unknown, fn: string): number {
  const { run, constraint } = compile(t, spec, fn, 'test');
  const src = sourceFor(t, constraint, false);
  let n = 0;
  for (let b = src.next(BATCH); b.length > 0; b = src.next(BATCH)) for (const row of b) if (isTrueResult(run(row))) n++;
  return n;
}

function matchingRows(t: TableImpl, run: Runner, constraint: CompiledMatchSpec['keyConstraint'] | undefined, keep: (r: unknown) => boolean): Array<[Row, unknown]> {
  const src = sourceFor(t, constraint, false);
  const hits: Array<[Row, unknown]> = [];
  for (let b = src.next(BATCH); b.length > 0; b = src.next(BATCH)) {
    for (const row of b) {
      const r = run(row);
      if (r !== NO_MATCH && keep(r)) hits.push([row, r]);
    }
  }
  return hits;
}

function deleteRows(t: TableImpl, rows: Row[]): void {
  if (rows.length === 0) return;
  if (t.sink !== undefined) t.sink.append(rows.map((row): WriteOp => ({ op: 'deleteObject', row })));
  for (const r of rows) t.engine.deleteObject(r);
}

export function selectDelete(t: TableImpl, spec: unknown, fn: string): number {
  const { run, constraint } = compile(t, spec, fn, 'test');
  const hits = matchingRows(t, run, constraint, isTrueResult);
  deleteRows(t, hits.map((h) => h[0]));
  return hits.length;
}

export function matchDelete(t: TableImpl, pattern: unknown, fn: string): true {
  const c = compileMatchPattern(pattern, t.keypos - 1, 'object');
  deleteRows(t, matchingRows(t, (row) => c.run(row), c.keyConstraint, () => true).map((h) => h[0]));
  return true;
}

export function selectReplace(t: TableImpl, spec: unknown, fn: string): number {
  if (t.engine.caps.duplicates === 'bag') {
    fail('ETS_BAD_TABLE_TYPE', `${fn}: bag tables do not support selectReplace (as ETS), table ${t.name} is a bag`, { position: 1 });
  }
  const { run, constraint } = compile(t, spec, fn);
  // As ETS: a spec that may change a key is refused before any row is looked at.
  if (typeof spec !== 'function' && !specKeepsKey(spec, t.keypos - 1)) {
    fail('ETS_BADARG', `${fn}: each clause must return '$_' or one tuple whose key element is the head's key (the same variable or literal), as ETS requires`, { position: 2 });
  }
  const hits = matchingRows(t, run, constraint, () => true);
  const ki = t.keypos - 1;
  const repl: Array<[Row, Row]> = [];
  for (const [old, r] of hits) {
    const next = rowIn(t, r, fn, 2);
    if (!exactEquals(next[ki], old[ki])) {
      fail('ETS_BADARG', `${fn}: the replacement for key ${show(old[ki])} changes the key to ${show(next[ki])}; keys must stay the same`, { position: 2 });
    }
    repl.push([old, next]);
  }
  if (repl.length === 0) return 0;
  if (t.sink !== undefined) t.sink.append(repl.map(([old, row]): WriteOp => ({ op: 'replace', old, row })));
  for (const [old, next] of repl) t.engine.replace(old, next);
  return repl.length;
}
