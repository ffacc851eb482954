/**
 * The in-place counter update both single-row engines use for
 * `updateCounter`'s fast path (`Engine.addToElement`).
 *
 * @module
 */
import type { Term } from '../term/types.js';

/**
 * Adds `incr` to element `index` of a stored row, in place, when that
 * element is a safe integer and so is the sum; returns the sum, or
 * undefined (changing nothing) so the caller takes the general path.
 */
export function addInPlace(row: Term[] | undefined, index: number, incr: number): number | undefined {
  if (row === undefined || index >= row.length) return undefined;
  const cur = row[index];
  if (typeof cur !== 'number') return undefined;
  const sum = cur + incr;
  if (!Number.isSafeInteger(sum) || !Number.isSafeInteger(cur)) return undefined;
  row[index] = sum;
  return sum;
}
