/**
 * Numbers as Erlang sees them: integers and floats, and the float box.
 *
 * Erlang has two number types, integers (of any size) and floats (doubles),
 * and keeps them apart: `1 == 1.0` but `1 =/= 1.0`, so a hash table holds
 * `{1, a}` and `{1.0, b}` as two keys. JS has `number` and `bigint`. The
 * rules, which every part of termstore follows (copy-in, equality, hashing,
 * order, every encoder):
 *
 * - a `number` is an **integer** when `Number.isSafeInteger` holds for it
 *   (`-0` is the integer 0); any other `number` (`1.5`, `1e20`, `Infinity`)
 *   is a **float**;
 * - a `bigint` is an **integer**. One integer has one stored form: copy-in
 *   turns a bigint in the safe range into the equal `number` (`1n` is
 *   stored as `1`), so bigints in a table are always beyond 2^53;
 * - an {@link ErlFloat} is a **float** whose value happens to be a safe
 *   integer (`1.0`, `-0.0`): the only way to hold such a float, since the
 *   plain `number` `1` is an integer. Copy-in keeps it a box only when it
 *   must: `new ErlFloat(1.5)` is stored as the plain float `1.5`.
 *
 * So plain JS numbers stay plain numbers (a program that never meets Erlang
 * data never sees a box), and a program that does can tell `1.0` from `1`.
 *
 * This module depends on nothing else in termstore.
 *
 * @module
 */

/**
 * An Erlang float whose value is integral (`1.0`, `-0.0`, `3.0`): the
 * float box. Read from Erlang data (ETF, `ets:tab2file` and DETS files)
 * and made by match-spec float arithmetic (`float(3)`, `4 / 2`); make one
 * yourself with `new ErlFloat(1)` to store the float `1.0`.
 *
 * It is a term: equal to the number under `==` (`compareTerms(new
 * ErlFloat(1), 1) === 0`, one key in an `ordered_set`), distinct under `=:=`
 * (`exactEquals` is false: two keys in `set`, `bag` and `duplicate_bag`), as
 * Erlang's `1.0` and `1`. `valueOf()` gives the number, so `+f` and `f * 2`
 * work. `-0.0` and `0.0` are one float (`=:=`), as in OTP 25.
 */
export class ErlFloat {
  /** The float's value. Finite (Erlang has no NaN or infinities). */
  readonly value: number;
  constructor(value: number) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TypeError('ErlFloat: the value must be a finite number');
    }
    this.value = value;
    Object.freeze(this);
  }
  /** The float's value. */
  valueOf(): number {
    return this.value;
  }
  /** As Erlang prints it: `1.0`, `-0.0`, `1.0e300`. */
  toString(): string {
    return formatFloat(this.value);
  }
}

/** Formats a float the way Erlang's `~p` does for the common cases (`1.0`, `1.5e300`). */
export function formatFloat(x: number): string {
  if (Object.is(x, -0)) return '-0.0';
  const s = String(x);
  if (/^-?\d+$/.test(s)) return s + '.0';
  const m = /^(-?\d+)e([+-]\d+)$/.exec(s);
  if (m !== null) return `${m[1]}.0e${m[2]!.replace('+', '')}`;
  return s.replace('e+', 'e');
}

/** The smallest and largest safe integers, as bigints. */
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** True for an integer term: a safe-integer `number` or a `bigint`. */
export function isIntegerTerm(x: unknown): x is number | bigint {
  return typeof x === 'bigint' || Number.isSafeInteger(x);
}

/** True for a float term: an {@link ErlFloat}, or a `number` that is not a safe integer. */
export function isFloatTerm(x: unknown): x is number | ErlFloat {
  return x instanceof ErlFloat || (typeof x === 'number' && x === x && !Number.isSafeInteger(x));
}

/** True for a number term (integer or float). */
export function isNumberTerm(x: unknown): x is number | bigint | ErlFloat {
  return typeof x === 'number' || typeof x === 'bigint' || x instanceof ErlFloat;
}

/** The numeric value of a number term (an {@link ErlFloat}'s value). */
export function numericValue(x: number | bigint | ErlFloat): number | bigint {
  return x instanceof ErlFloat ? x.value : x;
}

/** The stored form of an integer: a `number` when safe, else the `bigint`. */
export function canonicalInteger(x: bigint): number | bigint {
  return x >= MIN_SAFE && x <= MAX_SAFE ? Number(x) : x;
}

/** The stored form of a float value: a box when the value is a safe integer (`2.0`), else the plain number. */
export function floatTerm(v: number): number | ErlFloat {
  return Number.isSafeInteger(v) ? new ErlFloat(v) : v;
}

/** The stored form of a float box: the box itself when it must stay one, else its plain value. */
export function canonicalFloat(f: ErlFloat): number | ErlFloat {
  return Number.isSafeInteger(f.value) ? f : f.value;
}
