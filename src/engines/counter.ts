/**
 * The in-place counter update both single-row engines use for
 * `updateCounter`'s fast path (`Engine.addToElement`).
 *
 * @module
 */
import { isPrivateRow, privateRow } from '../term/copy.js';
import type { Row, Term } from '../term/types.js';

/**
 * The sum `updateCounter` would store in element `index` of `row`, when that
 * element is a safe integer and so is the sum; else undefined.
 */
export function counterSum(row: Row | undefined, index: number, incr: number): number | undefined {
  if (row === undefined || index >= row.length) return undefined;
  const cur = row[index];
  if (typeof cur !== 'number') return undefined;
  const sum = cur + incr;
  if (!Number.isSafeInteger(sum) || !Number.isSafeInteger(cur)) return undefined;
  return sum;
}

/**
 * Stores `sum` in element `index` of a stored row: in place if the row is
 * private, else in a private copy (copy-on-write), which is returned so the
 * engine can put it in the row's place. Returns undefined when the row
 * itself was changed.
 */
export function storeSum(row: Row, index: number, sum: number): Term[] | undefined {
  if (isPrivateRow(row)) {
    (row as Term[])[index] = sum;
    return undefined;
  }
  const copy = privateRow(row);
  copy[index] = sum;
  return copy;
}
