/**
 * Arithmetic on number terms with Erlang's integer/float split.
 *
 * The number rules are those of the term model (`src/term/number.ts`): an
 * *integer* is a `bigint` or a safe-integer `number`; a *float* is any other
 * `number` or an `ErlFloat` (a float whose value is integral, `2.0`).
 *
 * Integer arithmetic is exact: an integer result is a `number` when it is a
 * safe integer, else a `bigint` (the stored form of every integer). Mixed
 * integer/float arithmetic, `/` and `float/1` give floats: a plain `number`,
 * or an `ErlFloat` when the value is integral (`4 / 2` is `2.0`, as in
 * Erlang). A float operation whose finite operands give a non-finite result
 * fails (Erlang raises `badarith`), as do division by zero and non-numbers.
 * Failures throw {@link FAIL}.
 *
 * @module
 */
import { ErlFloat, canonicalInteger, floatTerm, isFloatTerm, isIntegerTerm, isNumberTerm } from '../term/number.js';
import type { Term } from '../term/types.js';

/** Thrown by guard functions to fail the evaluation (caught per clause). Not an Error: no stack to build. */
export const FAIL: { readonly fail: true } = Object.freeze({ fail: true });

/** Throws {@link FAIL}. */
export function fail(): never {
  throw FAIL;
}

/** True for an integer term. */
export const isInt: (x: unknown) => x is number | bigint = isIntegerTerm;

/** True for a float term (`ErlFloat`, or a number that is not a safe integer, the infinities included). */
export const isFloat: (x: unknown) => x is number | ErlFloat = isFloatTerm;

/** True for a number term. */
export const isNum: (x: unknown) => x is number | bigint | ErlFloat = isNumberTerm;

/** An integer result of BigInt arithmetic, in its stored form. */
function norm(r: bigint): number | bigint {
  const n = canonicalInteger(r);
  return n === 0 ? 0 : n;
}

/** Float value of a number term; fails if a bigint is too large for a float. */
export function toFloat(x: number | bigint | ErlFloat): number {
  if (x instanceof ErlFloat) return x.value;
  const f = Number(x);
  if (typeof x === 'bigint' && !Number.isFinite(f)) fail();
  return f;
}

/** A float result: fails on NaN and on overflow from finite operands; boxed when integral. */
function floatResult(r: number, a: number | bigint | ErlFloat, b: number | bigint | ErlFloat): number | ErlFloat {
  if (r !== r) fail();
  if (!Number.isFinite(r) && Number.isFinite(toFloat(a)) && Number.isFinite(toFloat(b))) fail();
  return floatTerm(r);
}

type IntOp = (x: bigint, y: bigint) => bigint;

function arith2(a: Term, b: Term, fop: (x: number, y: number) => number, iop: IntOp): number | bigint | ErlFloat {
  if (!isNum(a) || !isNum(b)) fail();
  if (isInt(a) && isInt(b)) {
    if (typeof a === 'number' && typeof b === 'number') {
      const r = fop(a, b);
      if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
    }
    return norm(iop(BigInt(a), BigInt(b)));
  }
  return floatResult(fop(toFloat(a), toFloat(b)), a, b);
}

/** `+` */
export function add(a: Term, b: Term): number | bigint | ErlFloat {
  return arith2(a, b, (x, y) => x + y, (x, y) => x + y);
}
/** `-` */
export function sub(a: Term, b: Term): number | bigint | ErlFloat {
  return arith2(a, b, (x, y) => x - y, (x, y) => x - y);
}
/** `*` */
export function mul(a: Term, b: Term): number | bigint | ErlFloat {
  return arith2(a, b, (x, y) => x * y, (x, y) => x * y);
}

/** `/`: always float division (`4 / 2` is the float `2.0`, an `ErlFloat`). */
export function fdiv(a: Term, b: Term): number | ErlFloat {
  if (!isNum(a) || !isNum(b)) fail();
  const y = toFloat(b);
  if (y === 0) fail();
  return floatResult(toFloat(a) / y, a, b);
}

const SMALL = 2147483648; // 2^31: below it, double division truncates exactly.

/** `div`: integer division truncating toward zero. */
export function idiv(a: Term, b: Term): number | bigint {
  if (!isInt(a) || !isInt(b)) fail();
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) fail();
    if (Math.abs(a) < SMALL && Math.abs(b) < SMALL) {
      const q = Math.trunc(a / b);
      return q === 0 ? 0 : q;
    }
    return norm(BigInt(a) / BigInt(b));
  }
  const y = BigInt(b);
  if (y === 0n) fail();
  return norm(BigInt(a) / y);
}

/** `rem`: remainder with the sign of the dividend. */
export function irem(a: Term, b: Term): number | bigint {
  if (!isInt(a) || !isInt(b)) fail();
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) fail();
    if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
      const r = a % b;
      return r === 0 ? 0 : r;
    }
    return norm(BigInt(a) % BigInt(b));
  }
  const y = BigInt(b);
  if (y === 0n) fail();
  return norm(BigInt(a) % y);
}

/** Unary `-`. */
export function neg(a: Term): number | bigint | ErlFloat {
  if (typeof a === 'bigint') return norm(-a);
  if (a instanceof ErlFloat) return floatTerm(-a.value);
  if (typeof a !== 'number') fail();
  if (Number.isSafeInteger(a)) return a === 0 ? 0 : -a;
  return -a;
}

/** Unary `+`: the number itself. */
export function pos(a: Term): number | bigint | ErlFloat {
  if (!isNum(a)) fail();
  return a;
}

/** `abs` */
export function abs(a: Term): number | bigint | ErlFloat {
  if (typeof a === 'bigint') return a < 0n ? -a : a;
  if (a instanceof ErlFloat) return floatTerm(Math.abs(a.value));
  if (typeof a !== 'number') fail();
  return Math.abs(a);
}

/** An integer-valued double as an integer term (bigint when not safe). */
function intOfFloat(f: number): number | bigint {
  if (!Number.isFinite(f)) fail();
  if (Number.isSafeInteger(f)) return f === 0 ? 0 : f;
  return BigInt(f);
}

/** `trunc` */
export function trunc(a: Term): number | bigint {
  if (isInt(a)) return a;
  if (!isNum(a)) fail();
  return intOfFloat(Math.trunc(toFloat(a)));
}

/** `round`: half away from zero, as Erlang (`round(-2.5)` is `-3`). */
export function round(a: Term): number | bigint {
  if (isInt(a)) return a;
  if (!isNum(a)) fail();
  const f = toFloat(a);
  return intOfFloat(f < 0 ? -Math.round(-f) : Math.round(f));
}

/** `float`: the float of a number (`float(3)` is `3.0`, an `ErlFloat`). */
export function float(a: Term): number | ErlFloat {
  if (!isNum(a)) fail();
  return floatTerm(toFloat(a));
}

function bits(a: Term, b: Term, op: IntOp): number | bigint {
  if (!isInt(a) || !isInt(b)) fail();
  return norm(op(BigInt(a), BigInt(b)));
}

/** `band` */
export function band(a: Term, b: Term): number | bigint {
  return bits(a, b, (x, y) => x & y);
}
/** `bor` */
export function bor(a: Term, b: Term): number | bigint {
  return bits(a, b, (x, y) => x | y);
}
/** `bxor` */
export function bxor(a: Term, b: Term): number | bigint {
  return bits(a, b, (x, y) => x ^ y);
}
/** `bnot` */
export function bnot(a: Term): number | bigint {
  if (!isInt(a)) fail();
  return norm(~BigInt(a));
}

const MAX_SHIFT = 1n << 24n; // refuse absurd shifts (Erlang raises system_limit)

/** `bsl`: shift left (a negative shift shifts right). */
export function bsl(a: Term, b: Term): number | bigint {
  if (!isInt(a) || !isInt(b)) fail();
  const s = BigInt(b);
  if (s > MAX_SHIFT) fail();
  const r = s >= 0n ? BigInt(a) << s : BigInt(a) >> -s;
  return norm(r);
}

/** `bsr`: arithmetic shift right (a negative shift shifts left). */
export function bsr(a: Term, b: Term): number | bigint {
  if (!isInt(b)) fail();
  return bsl(a, typeof b === 'bigint' ? -b : -b || 0);
}
