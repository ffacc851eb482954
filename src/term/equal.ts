/**
 * Exact equality (Erlang `=:=`) and the hash identity consistent with it.
 *
 * - Integers are one type: `1` and `1n` are exactly equal (Erlang has one
 *   integer type). A float is never exactly equal to an integer: `1` and
 *   `new ErlFloat(1)` (Erlang `1` and `1.0`) are `==` in the term order but
 *   not `=:=`; `1e20` (a float, see `number.ts`) and `10n ** 20n` likewise.
 *   `-0.0` and `0.0` are exactly equal, as in OTP 25.
 * - Atoms are equal by name: `true === Symbol.for('true')`, `null` is `nil`.
 * - A `string` and a `Uint8Array` holding its UTF-8 bytes are the same binary.
 * - A `Map` and a plain object with the same (binary) keys and values are the same map.
 * - A `Tuple` never equals a plain array (a list).
 *
 * {@link hashKey} maps each term to a JS primitive so that two terms are
 * exactly equal iff their hash keys are identical (SameValueZero): primitive
 * keys map to themselves (the fast path), structured keys to a canonical
 * string. Hash tables then use a plain `Map` and never probe.
 *
 * @module
 */
import { Opaque, Pid, Tuple, atomName, isPlainObject, type Term } from './types.js';
import { compareStrings } from './order.js';
import { ErlFloat, isFloatTerm } from './number.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The string a `Uint8Array` is equal to, if its bytes are valid UTF-8. */
export function bytesAsString(b: Uint8Array): string | undefined {
  try {
    return decoder.decode(b);
  } catch {
    return undefined;
  }
}

/** Lower-case hex of some bytes (canonical forms of binaries and opaques). */
export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/**
 * A canonical string for a term: two terms are exactly equal iff their
 * canonical strings are equal. Self-delimiting, so it composes.
 */
export function canonical(x: unknown): string {
  switch (typeof x) {
    case 'number':
      // An integer prints the same as the bigint of its value (`String(-0)` is "0").
      return (Number.isSafeInteger(x) ? 'i' : 'f') + String(x) + ';';
    case 'bigint':
      return 'i' + String(x) + ';';
    case 'string':
      return 's' + x.length + ':' + x;
    case 'boolean':
    case 'undefined':
    case 'symbol': {
      const name = atomName(x);
      if (name === undefined) throw new TypeError('not a term: unregistered symbol');
      return 'a' + name.length + ':' + name;
    }
    case 'object': {
      if (x === null) return 'a3:nil';
      if (Array.isArray(x)) {
        let s = (x instanceof Tuple ? 't' : 'l') + x.length + '(';
        for (let i = 0; i < x.length; i++) s += canonical(x[i]);
        return s + ')';
      }
      if (x instanceof Uint8Array) {
        const str = bytesAsString(x);
        return str === undefined ? 'y' + x.length + ':' + hex(x) : 's' + str.length + ':' + str;
      }
      if (x instanceof Map || isPlainObject(x)) {
        const parts: string[] = [];
        if (x instanceof Map) for (const [k, v] of x) parts.push(canonical(k) + canonical(v));
        else for (const k of Object.keys(x)) parts.push(canonical(k) + canonical((x as Record<string, unknown>)[k]));
        parts.sort(compareStrings);
        return 'm' + parts.length + '{' + parts.join('') + '}';
      }
      if (x instanceof Pid) return 'p' + x.id + ';';
      if (x instanceof Opaque) return 'o' + x.kind + x.bytes.length + ':' + hex(x.bytes);
      if (x instanceof ErlFloat) return 'f' + String(x.value) + ';';
      throw new TypeError('not a term');
    }
    default:
      throw new TypeError('not a term');
  }
}

/** A primitive that identifies a key up to exact equality; see the module docs. */
export type HashKey = number | bigint | string | symbol;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TRUE = Symbol.for('true');
const FALSE = Symbol.for('false');
const NIL = Symbol.for('nil');
const UNDEFINED = Symbol.for('undefined');

/**
 * The hash identity of a key: identical (SameValueZero) iff the keys are
 * exactly equal. O(1) for primitives, O(size) for structured keys.
 */
export function hashKey(k: unknown): HashKey {
  switch (typeof k) {
    case 'number':
    case 'symbol':
      return k;
    case 'bigint':
      // The stored form of a safe integer is a number (see number.ts).
      return k >= MIN_SAFE && k <= MAX_SAFE ? Number(k) : k;
    case 'string':
      return k.length > 0 && k.charCodeAt(0) === 0 ? '\u0000' + canonical(k) : k;
    case 'boolean':
      return k ? TRUE : FALSE;
    case 'undefined':
      return UNDEFINED;
    default:
      if (k === null) return NIL;
      if (k instanceof ErlFloat && !Number.isSafeInteger(k.value)) return k.value;
      if (k instanceof Uint8Array) {
        const s = bytesAsString(k);
        if (s !== undefined) return hashKey(s);
      }
      return '\u0000' + canonical(k);
  }
}

/** Exact equality, Erlang `=:=`. */
export function exactEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === 'string') return typeof b === 'object' && b instanceof Uint8Array && bytesAsString(b) === a;
  // Two numbers (or two bigints) that are not === differ; a mix is compared by sameNumber.
  if (ta === 'number' || ta === 'bigint') return typeof b !== ta && sameNumber(a as number | bigint, b);
  if (ta === 'object' && a !== null && !(a instanceof Uint8Array) && !Array.isArray(a)) {
    if (a instanceof Pid) return b instanceof Pid && a.id === b.id;
    if (a instanceof ErlFloat) return sameNumber(a, b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || (a instanceof Tuple) !== (b instanceof Tuple)) return false;
    for (let i = 0; i < a.length; i++) if (!exactEquals(a[i], b[i])) return false;
    return true;
  }
  const an = atomName(a);
  if (an !== undefined) return an === atomName(b);
  try {
    return canonical(a) === canonical(b);
  } catch {
    return false;
  }
}

/** `=:=` of a number term and anything: same type (integer or float) and the same value. */
function sameNumber(a: number | bigint | ErlFloat, b: unknown): boolean {
  const tb = typeof b;
  if (tb !== 'number' && tb !== 'bigint' && !(b instanceof ErlFloat)) return false;
  if (isFloatTerm(a) !== isFloatTerm(b)) return false;
  const x = a instanceof ErlFloat ? a.value : a;
  const y = b instanceof ErlFloat ? b.value : (b as number | bigint);
  // Loose equality compares a number and a bigint by value.
  // eslint-disable-next-line eqeqeq
  return x == y;
}

/** Exact equality of two rows (rows are tuples whatever their array class). */
export function rowEquals(a: readonly Term[], b: readonly Term[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!exactEquals(a[i], b[i])) return false;
  return true;
}
