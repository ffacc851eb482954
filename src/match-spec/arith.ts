/**
 * Arithmetic on number terms with Erlang's integer/float split.
 *
 * A term is an *integer* if it is a `bigint` or a `number` for which
 * `Number.isInteger` holds; any other number is a *float*. (JS cannot tell
 * `1.0` from `1`, so `1.0` is the integer 1 here, unlike Erlang.)
 *
 * Integer arithmetic is exact: an integer result is a `number` when every
 * integer operand is a `number` and the result is a safe integer
 * (`Number.isSafeInteger`), otherwise a `bigint`. Mixed integer/float
 * arithmetic converts to float. A float operation whose finite operands give
 * a non-finite result fails (Erlang raises `badarith`), as do division by
 * zero and non-numbers. Failures throw {@link FAIL}.
 *
 * @module
 */
import type { Term } from '../term/types.js';

/** Thrown by guard functions to fail the evaluation (caught per clause). Not an Error: no stack to build. */
export const FAIL: { readonly fail: true } = Object.freeze({ fail: true });

/** Throws {@link FAIL}. */
export function fail(): never {
  throw FAIL;
}

/** True for an integer term. */
export function isInt(x: unknown): x is number | bigint {
  return typeof x === 'bigint' || (typeof x === 'number' && Number.isInteger(x));
}

/** True for a float term (a non-integer number, including the infinities). */
export function isFloat(x: unknown): x is number {
  return typeof x === 'number' && !Number.isInteger(x);
}

/** True for a number term. */
export function isNum(x: unknown): x is number | bigint {
  return typeof x === 'number' || typeof x === 'bigint';
}

/** An integer result of BigInt arithmetic: a number if `small` and safe, else the bigint. */
function norm(r: bigint, small: boolean): number | bigint {
  if (small && r >= -9007199254740991n && r <= 9007199254740991n) {
    const n = Number(r);
    return n === 0 ? 0 : n;
  }
  return r;
}

/** Float value of a number term; fails if a bigint is too large for a float. */
export function toFloat(x: number | bigint): number {
  const f = Number(x);
  if (typeof x === 'bigint' && !Number.isFinite(f)) fail();
  return f;
}

function floatResult(r: number, a: number | bigint, b: number | bigint): number {
  if (r !== r) fail();
  if (!Number.isFinite(r) && Number.isFinite(Number(a)) && Number.isFinite(Number(b))) fail();
  return r === 0 ? 0 : r;
}

type IntOp = (x: bigint, y: bigint) => bigint;

function arith2(a: Term, b: Term, fop: (x: number, y: number) => number, iop: IntOp): number | bigint {
  if (!isNum(a) || !isNum(b)) fail();
  if (isInt(a) && isInt(b)) {
    if (typeof a === 'number' && typeof b === 'number') {
      const r = fop(a, b);
      if (Number.isSafeInteger(r) && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return r === 0 ? 0 : r;
      return norm(iop(BigInt(a), BigInt(b)), true);
    }
    return norm(iop(BigInt(a), BigInt(b)), false);
  }
  return floatResult(fop(toFloat(a), toFloat(b)), a, b);
}

/** `+` */
export function add(a: Term, b: Term): number | bigint {
  return arith2(a, b, (x, y) => x + y, (x, y) => x + y);
}
/** `-` */
export function sub(a: Term, b: Term): number | bigint {
  return arith2(a, b, (x, y) => x - y, (x, y) => x - y);
}
/** `*` */
export function mul(a: Term, b: Term): number | bigint {
  return arith2(a, b, (x, y) => x * y, (x, y) => x * y);
}

/** `/`: always float division (the result may be integer-valued, e.g. `4 / 2` is `2`). */
export function fdiv(a: Term, b: Term): number {
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
    return norm(BigInt(a) / BigInt(b), true);
  }
  const y = BigInt(b);
  if (y === 0n) fail();
  return BigInt(a) / y;
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
    return norm(BigInt(a) % BigInt(b), true);
  }
  const y = BigInt(b);
  if (y === 0n) fail();
  return BigInt(a) % y;
}

/** Unary `-`. */
export function neg(a: Term): number | bigint {
  if (typeof a === 'bigint') return -a;
  if (typeof a !== 'number') fail();
  if (Number.isInteger(a) && !Number.isSafeInteger(a)) return -BigInt(a);
  return a === 0 ? 0 : -a;
}

/** Unary `+`: the number itself. */
export function pos(a: Term): number | bigint {
  if (!isNum(a)) fail();
  return a;
}

/** `abs` */
export function abs(a: Term): number | bigint {
  if (typeof a === 'bigint') return a < 0n ? -a : a;
  if (typeof a !== 'number') fail();
  if (Number.isInteger(a) && !Number.isSafeInteger(a)) return BigInt(Math.abs(a));
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
  if (isInt(a)) return typeof a === 'number' && !Number.isSafeInteger(a) ? BigInt(a) : a;
  if (typeof a !== 'number') fail();
  return intOfFloat(Math.trunc(a));
}

/** `round`: half away from zero, as Erlang (`round(-2.5)` is `-3`). */
export function round(a: Term): number | bigint {
  if (isInt(a)) return typeof a === 'number' && !Number.isSafeInteger(a) ? BigInt(a) : a;
  if (typeof a !== 'number') fail();
  return intOfFloat(a < 0 ? -Math.round(-a) : Math.round(a));
}

/** `float`: the float value (indistinguishable from an integer when integer-valued). */
export function float(a: Term): number {
  if (!isNum(a)) fail();
  return toFloat(a);
}

function bits(a: Term, b: Term, op: IntOp): number | bigint {
  if (!isInt(a) || !isInt(b)) fail();
  const small = typeof a === 'number' && typeof b === 'number';
  return norm(op(BigInt(a), BigInt(b)), small);
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
  return norm(~BigInt(a), typeof a === 'number');
}

const MAX_SHIFT = 1n << 24n; // refuse absurd shifts (Erlang raises system_limit)

/** `bsl`: shift left (a negative shift shifts right). */
export function bsl(a: Term, b: Term): number | bigint {
  if (!isInt(a) || !isInt(b)) fail();
  const s = BigInt(b);
  if (s > MAX_SHIFT) fail();
  const r = s >= 0n ? BigInt(a) << s : BigInt(a) >> -s;
  return norm(r, typeof a === 'number' && typeof b === 'number');
}

/** `bsr`: arithmetic shift right (a negative shift shifts left). */
export function bsr(a: Term, b: Term): number | bigint {
  if (!isInt(b)) fail();
  return bsl(a, typeof b === 'bigint' ? -b : -b || 0);
}
