/**
 * Argument checks shared by the ets and dets facades. Each throws a
 * `TermstoreError` naming the function, the argument and the value (as OTP's
 * extended error info does), before anything is changed.
 *
 * @module
 */
import { fail } from '../errors.js';
import { NotATermError, checkTerm, copyRow } from '../term/copy.js';
import { show, type Row } from '../term/types.js';
import type { TableImpl } from './table.js';

/** Validates and copies a row for `t`: an array at least `keypos` long, of terms. */
export function rowIn(t: TableImpl, row: unknown, fn: string, position = 2): Row {
  if (!Array.isArray(row)) {
    fail('ETS_BAD_OBJECT', `${fn}: a row must be an array, got ${show(row)} (argument ${position})`, { position });
  }
  if (row.length < t.keypos) {
    fail('ETS_BAD_OBJECT', `${fn}: the row ${show(row)} has ${row.length} elements, but the key position is ${t.keypos} (argument ${position})`, { position });
  }
  try {
    return copyRow(row);
  } catch (e) {
    if (e instanceof NotATermError) fail('ETS_BAD_TERM', `${fn}: ${e.message} (argument ${position})`, { position });
    throw e;
  }
}

/** Validates a list of rows; copies them all before anything is applied. */
export function rowsIn(t: TableImpl, rows: unknown, fn: string, position = 2): Row[] {
  if (!Array.isArray(rows)) fail('ETS_BADARG', `${fn}: expected an array of rows, got ${show(rows)} (argument ${position})`, { position });
  const out: Row[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rowIn(t, rows[i], fn, position);
  return out;
}

/**
 * Checks that a key argument is a term (strings, finite numbers, booleans
 * pass at the cost of a `typeof`). NaN must be refused here: it compares
 * equal to every number in the term order, so an `ordered_set` would find,
 * delete or step from an arbitrary row for it.
 */
export function keyIn(key: unknown, fn: string, position = 2): void {
  const ty = typeof key;
  if (ty === 'object' ? key !== null : ty === 'function' || ty === 'symbol' || (ty === 'number' && key !== key)) {
    try {
      checkTerm(key);
    } catch {
      fail('ETS_BAD_TERM', `${fn}: the key ${show(key)} is not a term (argument ${position})`, { position });
    }
  }
}

/** Checks a 1-based position argument. */
export function posIn(pos: unknown, fn: string, position: number): number {
  if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 1) {
    fail('ETS_BAD_POSITION', `${fn}: a position must be an integer >= 1, got ${show(pos)} (argument ${position})`, { position });
  }
  return pos;
}

/** Checks a positive integer limit. */
export function limitIn(limit: unknown, fn: string, position: number): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    fail('ETS_BADARG', `${fn}: the limit must be an integer >= 1, got ${show(limit)} (argument ${position})`, { position });
  }
  return limit;
}

/** Checks a function argument. */
export function fnIn(f: unknown, fn: string, position: number): void {
  if (typeof f !== 'function') fail('ETS_BADARG', `${fn}: expected a function, got ${show(f)} (argument ${position})`, { position });
}
