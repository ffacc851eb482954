/**
 * Refuses, naming the row, a file that holds two rows a table would merge
 * although Erlang tells them apart.
 *
 * termstore's terms are Erlang's (`src/term/number.ts`): every pair of
 * distinct OTP 25 terms stays distinct in a table. One pair is left: the
 * float zeros `0.0` and `-0.0`, which OTP 25 holds equal (`=:=`, one key)
 * and termstore follows it, but OTP 27 and later tell apart. A `set` (or a
 * `bag`) written by such an OTP can hold `{0.0, a}` and `{-0.0, b}`;
 * loading it into a table would keep one row. Rather than drop one, the
 * load fails with `CONVERT_UNSUPPORTED_TERM` naming the row.
 *
 * Only rows whose key (for a bag: whose row) holds a float zero are
 * remembered, so the guard costs a scan of the key and no memory for the
 * rows that cannot collide this way.
 *
 * @module
 */
import type { TableType } from '../engines/types.js';
import { TermstoreError } from '../errors.js';
import { erlCanonical } from '../erlang/terms.js';
import { hashKey, type HashKey } from '../term/equal.js';
import { ErlFloat } from '../term/number.js';
import { isPlainObject } from '../term/types.js';

function holdsFloatZero(x: unknown, depth = 0): boolean {
  if (x instanceof ErlFloat) return x.value === 0;
  if (typeof x !== 'object' || x === null || depth > 100) return false;
  if (Array.isArray(x)) return x.some((e) => holdsFloatZero(e, depth + 1));
  if (x instanceof Map) {
    for (const [k, v] of x) if (holdsFloatZero(k, depth + 1) || holdsFloatZero(v, depth + 1)) return true;
    return false;
  }
  return isPlainObject(x) && Object.values(x).some((v) => holdsFloatZero(v, depth + 1));
}

/** Checks rows one by one as they are loaded into a table of `type`. */
export class MergeGuard {
  readonly #seen = new Map<HashKey, string>();
  constructor(
    private readonly type: TableType,
    private readonly keypos: number,
  ) {}

  /** Throws `CONVERT_UNSUPPORTED_TERM` if `row` would merge with an earlier, different one. */
  check(row: readonly unknown[], position: number, file?: string): void {
    if (this.type === 'duplicate_bag') return;
    const item: unknown = this.type === 'bag' ? Array.from(row) : row[this.keypos - 1];
    if (!holdsFloatZero(item)) return;
    const id = hashKey(item);
    const exact = erlCanonical(item);
    const before = this.#seen.get(id);
    if (before === undefined) {
      this.#seen.set(id, exact);
      return;
    }
    if (before !== exact) {
      const what = this.type === 'bag' ? 'the row' : 'its key';
      throw new TermstoreError(
        'CONVERT_UNSUPPORTED_TERM',
        `row ${position}: ${what} differs from an earlier one only in the sign of a float zero (0.0 and -0.0: one term in termstore, as in OTP 25, two in the file); loading it would drop a row`,
        { details: { position, file } },
      );
    }
  }
}
