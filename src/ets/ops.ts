/**
 * Every ETS operation as a function over a resolved {@link TableImpl}.
 *
 * Shared by the `ets` facade (which first resolves the table and checks
 * process access) and the `dets` facade (which resolves its own handles).
 * Each function validates its arguments, computes the change, hands it to
 * the table's sink (a disk table's journal, which may veto it), and only
 * then applies it: a call that throws has changed nothing.
 *
 * @module
 */
import { insertAll } from '../engines/index.js';
import { END_OF_TABLE, type EndOfTable, type WriteOp } from '../engines/types.js';
import { fail } from '../errors.js';
import { copyOut, copyTerm, NotATermError, rowOut, storedRow, thawRow } from '../term/copy.js';
import { exactEquals } from '../term/equal.js';
import { canonicalInteger, isIntegerTerm } from '../term/number.js';
import { show, type Row, type Term } from '../term/types.js';
import { fnIn, keyIn, posIn, rowIn, rowsIn } from './args.js';
import type { TableImpl } from './table.js';
import { isFixed } from './fixtable.js';

/** @internal Sends ops to the sink (if any), which may throw to veto them. */
function journal(t: TableImpl, ops: WriteOp[]): void {
  t.sink!.append(ops);
}

// ---------------------------------------------------------------- writes

export function insert(t: TableImpl, row: unknown, fn = 'insert'): true {
  const r = rowIn(t, row, fn);
  if (t.sink !== undefined) journal(t, [{ op: 'insert', rows: [r] }]);
  t.engine.insert(r);
  return true;
}

/**
 * The order in which a list of rows goes into a table: ETS inserts a list
 * into a `bag` last row first (`insert(T, [{k,1},{k,2}])` then `lookup`
 * gives `[{k,2},{k,1}]`; checked against OTP 25), every other type in list
 * order. The journal records the rows in this order, so a replay agrees.
 */
function listOrder(t: TableImpl, rs: Row[]): Row[] {
  return t.type === 'bag' && rs.length > 1 ? rs.reverse() : rs;
}

export function insertMany(t: TableImpl, rows: unknown, fn = 'insertMany'): true {
  const rs = listOrder(t, rowsIn(t, rows, fn));
  if (rs.length === 0) return true;
  if (t.sink !== undefined) journal(t, [{ op: 'insert', rows: rs }]);
  insertAll(t.engine, rs);
  return true;
}

export function insertNew(t: TableImpl, row: unknown, fn = 'insertNew'): boolean {
  const r = rowIn(t, row, fn);
  if (t.engine.member(r[t.keypos - 1])) return false;
  if (t.sink !== undefined) journal(t, [{ op: 'insert', rows: [r] }]);
  t.engine.insert(r);
  return true;
}

export function insertNewMany(t: TableImpl, rows: unknown, fn = 'insertNewMany'): boolean {
  const rs = listOrder(t, rowsIn(t, rows, fn));
  for (const r of rs) if (t.engine.member(r[t.keypos - 1])) return false;
  if (rs.length === 0) return true;
  if (t.sink !== undefined) journal(t, [{ op: 'insert', rows: rs }]);
  insertAll(t.engine, rs);
  return true;
}

export function deleteKey(t: TableImpl, key: unknown, fn = 'delete'): true {
  keyIn(key, fn);
  if (t.sink !== undefined) {
    if (!t.engine.member(key as Term)) return true;
    journal(t, [{ op: 'delete', key: key as Term }]);
  }
  t.engine.deleteKey(key as Term);
  return true;
}

export function deleteObject(t: TableImpl, row: unknown, fn = 'deleteObject'): true {
  const r = rowIn(t, row, fn);
  if (t.sink !== undefined) {
    if (!t.engine.lookup(r[t.keypos - 1]).some((x) => rowEqualsExact(x, r))) return true;
    journal(t, [{ op: 'deleteObject', row: r }]);
  }
  t.engine.deleteObject(r);
  return true;
}

function rowEqualsExact(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!exactEquals(a[i], b[i])) return false;
  return true;
}

export function deleteAllObjects(t: TableImpl): true {
  if (t.sink !== undefined) {
    if (t.engine.size() === 0) return true;
    journal(t, [{ op: 'clear' }]);
  }
  t.engine.clear();
  return true;
}

export function take(t: TableImpl, key: unknown, fn = 'take'): Row[] {
  keyIn(key, fn);
  const rows = t.engine.lookup(key as Term);
  if (rows.length === 0) return [];
  if (t.sink !== undefined) journal(t, [{ op: 'delete', key: key as Term }]);
  // A removed private row is no longer changed by the table; rowOut still freezes a copy of it.
  return t.engine.deleteKey(key as Term).map(rowOut);
}

// ---------------------------------------------------------------- reads

export function lookup(t: TableImpl, key: unknown, fn = 'lookup'): Row[] {
  // Validate first: a non-term key would make the engine's hash throw a
  // raw TypeError/RangeError, or (NaN) match any row of an ordered_set.
  // (Numbers and strings are terms unless NaN: skip the call for them.)
  const ty = typeof key;
  if (ty !== 'string' && (ty !== 'number' || key !== key)) keyIn(key, fn);
  const e = t.engine;
  if (t.single) {
    const r = e.lookupOne(key as Term) as Row | undefined;
    // Stored rows are frozen: handed out as they are (see term/copy.ts).
    return r === undefined ? [] : [e.readsCopy ? rowOut(r) : r];
  }
  const rows = e.lookup(key as Term);
  return e.readsCopy ? rows.map(rowOut) : rows;
}

export function member(t: TableImpl, key: unknown): boolean {
  keyIn(key, 'member');
  return t.engine.member(key as Term);
}

/** Sentinel for "no default given". */
export const NO_DEFAULT: unique symbol = Symbol('no default');

// `dflt` has no JS default value: `undefined` is a term (the atom) and a valid default.
export function lookupElement(t: TableImpl, key: unknown, pos: unknown, dflt: unknown, fn = 'lookupElement'): Term | Term[] {
  keyIn(key, fn);
  const p = posIn(pos, fn, 3);
  const rows = t.engine.lookup(key as Term);
  if (rows.length === 0) {
    if (dflt !== NO_DEFAULT) return dflt as Term;
    return fail('ETS_NO_KEY', `${fn}: the key ${show(key)} is not in table ${t.name}`, { position: 2 });
  }
  for (const r of rows) {
    if (p > r.length) fail('ETS_BAD_POSITION', `${fn}: position ${p} is beyond the row for key ${show(key)}, which has ${r.length} elements`, { position: 3 });
  }
  if (t.single) return copyOut(rows[0]![p - 1] as Term);
  return rows.map((r) => copyOut(r[p - 1] as Term));
}

// ---------------------------------------------------------------- counters and elements

function requireSetLike(t: TableImpl, fn: string): void {
  if (!t.single) {
    fail('ETS_BAD_TABLE_TYPE', `${fn}: only set and ordered_set tables support this, table ${t.name} is a ${t.type}`, { position: 1 });
  }
}

type Counter = number | bigint;

/** An integer term (a float, `1e20` or `ErlFloat` included, is not a counter: ETS refuses it too). */
const isInteger = isIntegerTerm;

/** The sum of two integers, in the stored form (a number when safe, else a bigint). */
function addCounter(a: Counter, b: Counter): Counter {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return canonicalInteger(BigInt(a) + BigInt(b));
}

interface CounterOp {
  pos: number;
  incr: Counter;
  threshold?: Counter;
  setValue?: Counter;
}

function parseCounterOp(op: unknown, fn: string): CounterOp {
  if (isInteger(op)) return { pos: -1, incr: op };
  if (Array.isArray(op) && (op.length === 2 || op.length === 4)) {
    const [pos, incr, threshold, setValue] = op as unknown[];
    if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 1) {
      fail('ETS_BAD_POSITION', `${fn}: a position must be an integer >= 1, got ${show(pos)} (argument 3)`, { position: 3 });
    }
    if (!isInteger(incr)) fail('ETS_BADARG', `${fn}: the increment must be an integer, got ${show(incr)} (argument 3)`, { position: 3 });
    if (op.length === 2) return { pos, incr };
    if (!isInteger(threshold) || !isInteger(setValue)) {
      fail('ETS_BADARG', `${fn}: threshold and set value must be integers, got ${show(op)} (argument 3)`, { position: 3 });
    }
    return { pos, incr, threshold, setValue: typeof setValue === 'bigint' ? canonicalInteger(setValue) : setValue };
  }
  return fail('ETS_BADARG', `${fn}: expected an integer, [pos, incr], [pos, incr, threshold, setValue] or a list of those, got ${show(op)} (argument 3)`, {
    position: 3,
  });
}

/**
 * `updateCounter` for an increment or `[pos, incr]` on a present key whose
 * counter is a number; `undefined` when the general path must decide
 * (absent key, other forms, bigints, errors), which then re-does the checks.
 * Without a journal the engine adds in place (`Engine.addToElement`: after
 * one copy-on-write of a shared row, no allocation per increment). A
 * journaled (dets) table stores a new shared row: its journal and a
 * compaction may hold the old one.
 */
function fastCounter(t: TableImpl, key: unknown, op: unknown): number | undefined {
  let pos: number;
  let incr: unknown;
  if (typeof op === 'number') {
    pos = t.keypos + 1;
    incr = op;
  } else if (Array.isArray(op) && op.length === 2 && typeof op[0] === 'number') {
    pos = op[0];
    incr = op[1];
  } else {
    return undefined;
  }
  if (typeof incr !== 'number' || !Number.isSafeInteger(incr) || !Number.isInteger(pos) || pos < 1 || pos === t.keypos) return undefined;
  const e = t.engine;
  if (t.sink === undefined && e.addToElement !== undefined) return e.addToElement(key as Term, pos - 1, incr);
  const row = e.lookupOne(key as Term) as Row | undefined;
  if (row === undefined || pos > row.length) return undefined;
  const cur = row[pos - 1];
  if (typeof cur !== 'number' || !Number.isSafeInteger(cur)) return undefined;
  const v = cur + incr;
  if (!Number.isSafeInteger(v)) return undefined;
  const next = thawRow(row);
  next[pos - 1] = v;
  const stored = storedRow(next);
  if (t.sink !== undefined) journal(t, [{ op: 'insert', rows: [stored] }]);
  e.replace(row, stored);
  return v;
}

/**
 * `updateCounter(t, key, op, default?)`: ETS `update_counter/3,4`. Returns the
 * new value, or a list of new values for a list of ops. Atomic: if any op
 * fails, nothing changes.
 */
export function updateCounter(t: TableImpl, key: unknown, op: unknown, dflt: unknown, fn = 'updateCounter'): Counter | Counter[] {
  requireSetLike(t, fn);
  const ty = typeof key;
  if (ty !== 'string' && (ty !== 'number' || key !== key)) keyIn(key, fn);
  if (dflt === NO_DEFAULT) {
    // Fast path for the common forms (`incr`, `[pos, incr]`): no op objects, no result list.
    const fast = fastCounter(t, key, op);
    if (fast !== undefined) return fast;
  }
  const isList = Array.isArray(op) && (op.length === 0 || Array.isArray(op[0]));
  const ops = isList ? (op as unknown[]).map((o) => parseCounterOp(o, fn)) : [parseCounterOp(op, fn)];
  if (dflt !== NO_DEFAULT && (!Array.isArray(dflt) || dflt.length < t.keypos)) {
    // ETS refuses a malformed default object even when the key is present (checked against OTP 25).
    rowIn(t, dflt, fn, 4);
  }
  let row = t.engine.lookupOne(key as Term) as Row | undefined;
  let fromDefault = false;
  if (row === undefined) {
    if (dflt === NO_DEFAULT) return fail('ETS_NO_KEY', `${fn}: the key ${show(key)} is not in table ${t.name}`, { position: 2 });
    const d = rowIn(t, dflt, fn, 4);
    // As ETS: the default object's key is replaced by `key`.
    const copy = d.slice() as Term[];
    try {
      copy[t.keypos - 1] = copyTerm(key);
    } catch (e) {
      if (e instanceof NotATermError) fail('ETS_BAD_TERM', `${fn}: ${e.message} (argument 2)`, { position: 2 });
      throw e;
    }
    row = copy;
    fromDefault = true;
  }
  const next = thawRow(row);
  const results: Counter[] = [];
  for (const o of ops) {
    const pos = o.pos === -1 ? t.keypos + 1 : o.pos;
    if (pos === t.keypos) fail('ETS_BAD_POSITION', `${fn}: position ${pos} is the key position of table ${t.name}`, { position: 3 });
    if (pos > next.length) fail('ETS_BAD_POSITION', `${fn}: position ${pos} is beyond the row, which has ${next.length} elements`, { position: 3 });
    const cur = next[pos - 1];
    if (!isInteger(cur)) fail('ETS_NOT_A_COUNTER', `${fn}: the element at position ${pos} is ${show(cur)}, not an integer`, { position: 3 });
    let v = addCounter(cur, o.incr);
    if (o.threshold !== undefined) {
      if (o.incr >= 0 ? v > o.threshold : v < o.threshold) v = o.setValue!;
    }
    next[pos - 1] = v;
    results.push(v);
  }
  const stored = storedRow(next);
  if (t.sink !== undefined) journal(t, [{ op: 'insert', rows: [stored] }]);
  if (fromDefault) t.engine.insert(stored);
  else t.engine.replace(row, stored);
  return isList ? results : results[0]!;
}

/**
 * `updateElement(t, key, [pos, value] | [[pos, value], ...])`: ETS
 * `update_element/3`. Returns false if the key is absent, whatever the
 * positions and values (as ETS: checked against OTP 25).
 */
export function updateElement(t: TableImpl, key: unknown, spec: unknown, fn = 'updateElement'): boolean {
  requireSetLike(t, fn);
  keyIn(key, fn);
  const row = t.engine.lookupOne(key as Term) as Row | undefined;
  if (row === undefined) return false;
  if (!Array.isArray(spec)) fail('ETS_BADARG', `${fn}: expected [pos, value] or a list of them, got ${show(spec)} (argument 3)`, { position: 3 });
  const isList = spec.length === 0 || Array.isArray(spec[0]);
  const pairs = (isList ? spec : [spec]) as unknown[];
  const updates: Array<[number, Term]> = [];
  for (const p of pairs) {
    if (!Array.isArray(p) || p.length !== 2) fail('ETS_BADARG', `${fn}: expected [pos, value], got ${show(p)} (argument 3)`, { position: 3 });
    const pos = posIn(p[0], fn, 3);
    if (pos === t.keypos) fail('ETS_BAD_POSITION', `${fn}: position ${pos} is the key position of table ${t.name}`, { position: 3 });
    let v: Term;
    try {
      v = copyTerm(p[1]);
    } catch (e) {
      if (e instanceof NotATermError) fail('ETS_BAD_TERM', `${fn}: ${e.message} (argument 3)`, { position: 3 });
      throw e;
    }
    updates.push([pos, v]);
  }
  const next = row.slice() as Term[];
  for (const [pos, v] of updates) {
    if (pos > next.length) fail('ETS_BAD_POSITION', `${fn}: position ${pos} is beyond the row, which has ${next.length} elements`, { position: 3 });
    next[pos - 1] = v;
  }
  const stored = storedRow(next);
  if (t.sink !== undefined) journal(t, [{ op: 'insert', rows: [stored] }]);
  t.engine.replace(row, stored);
  return true;
}

// ---------------------------------------------------------------- traversal

export function first(t: TableImpl): Term | EndOfTable {
  const k = t.engine.first();
  return k === END_OF_TABLE ? k : copyOut(k);
}

export function last(t: TableImpl): Term | EndOfTable {
  const k = t.engine.last();
  return k === END_OF_TABLE ? k : copyOut(k);
}

export function next(t: TableImpl, key: unknown, fn = 'next'): Term | EndOfTable {
  keyIn(key, fn);
  const k = t.engine.next(key as Term, isFixed(t));
  if (k === undefined) fail('ETS_BADARG', `${fn}: the key ${show(key)} is not in ${t.type} table ${t.name}`, { position: 2 });
  return k === END_OF_TABLE ? k : copyOut(k);
}

export function prev(t: TableImpl, key: unknown, fn = 'prev'): Term | EndOfTable {
  keyIn(key, fn);
  const k = t.engine.prev(key as Term, isFixed(t));
  if (k === undefined) fail('ETS_BADARG', `${fn}: the key ${show(key)} is not in ${t.type} table ${t.name}`, { position: 2 });
  return k === END_OF_TABLE ? k : copyOut(k);
}

export function foldl<A>(t: TableImpl, f: (row: Row, acc: A) => A, acc: A, reverse = false, fn = 'foldl'): A {
  fnIn(f, fn, 2);
  const c = t.engine.cursor(reverse);
  for (;;) {
    const batch = t.engine.take(c, 512);
    if (batch.length === 0) return acc;
    for (const r of batch) acc = f(rowOut(r), acc);
  }
}

export function tab2list(t: TableImpl): Row[] {
  const e = t.engine;
  const rows = e.take(e.cursor(false), Number.MAX_SAFE_INTEGER);
  return e.readsCopy ? rows.map(rowOut) : rows;
}
