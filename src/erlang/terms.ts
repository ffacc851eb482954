/**
 * Erlang values that the termstore term model cannot hold, and the
 * `ErlTerm` type of what the Erlang codecs read and write.
 *
 * The term model (`src/term`) maps Erlang terms to JS values, numbers
 * included (`src/term/number.ts`: a `number` is an integer when it is a safe
 * integer, else a float; an integral float such as `1.0` is an
 * {@link ErlFloat}, which is a term). Two kinds of Erlang value have no
 * counterpart there; the codecs represent them with the small wrapper
 * classes of this module so that a value read from an Erlang file is written
 * back exactly (`=:=` on the Erlang side):
 *
 * | Erlang                          | JS (decode mode `'exact'`)     | why a wrapper                                      |
 * |---------------------------------|--------------------------------|----------------------------------------------------|
 * | an improper list `[a, b \| c]`  | {@link ErlImproperList}        | a JS array is always a proper list                 |
 * | a bitstring (`<<1:3>>`)          | {@link ErlBitstring}           | `Uint8Array` holds whole bytes only                |
 *
 * These two wrappers are not terms of the term model: `copyTerm` (and so
 * every table insert) refuses them. To put Erlang data into termstore
 * tables, decode with `terms: 'storable'` (see `DecodeOptions`): improper
 * lists and bitstrings are then refused with `CONVERT_UNSUPPORTED_TERM`
 * naming the file offset. Floats need nothing: they decode to plain numbers
 * or float boxes either way.
 *
 * @module
 */
import { ErlFloat, Opaque, Pid, Tuple, atomName, isPlainObject, type Term } from '../term/index.js';
import { hex } from '../term/equal.js';

// The float box is a term of the term model (src/term/number.ts); it is
// re-exported here, where the Erlang codecs always found it.
export { ErlFloat, formatFloat } from '../term/number.js';

/**
 * An Erlang improper list: `[a, b | c]` is `new ErlImproperList([a, b], c)`.
 * `items` is never empty and `tail` is never a list (a proper tail would make
 * the list proper, and is flattened by the decoder).
 */
export class ErlImproperList {
  readonly items: readonly ErlTerm[];
  readonly tail: ErlTerm;
  constructor(items: readonly ErlTerm[], tail: ErlTerm) {
    if (!Array.isArray(items) || items.length === 0) {
      throw new TypeError('ErlImproperList: items must be a non-empty array');
    }
    if ((Array.isArray(tail) && !(tail instanceof Tuple)) || tail instanceof ErlImproperList) {
      throw new TypeError('ErlImproperList: the tail must not be a list');
    }
    this.items = Object.freeze([...items]);
    this.tail = tail;
    Object.freeze(this);
  }
  toString(): string {
    return `#ErlImproperList<${this.items.length}>`;
  }
}

/**
 * An Erlang bitstring whose size is not a multiple of 8 bits: `bytes` holds
 * the bits, and only the `bitsInLastByte` high bits of the last byte count
 * (1..7; the constructor copies `bytes` and clears the other bits). `<<1:3>>` is `new ErlBitstring(Uint8Array.of(0b00100000), 3)`.
 * Whole-byte bitstrings are binaries (`string` / `Uint8Array`).
 */
export class ErlBitstring {
  readonly bytes: Uint8Array;
  readonly bitsInLastByte: number;
  constructor(bytes: Uint8Array, bitsInLastByte: number) {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new TypeError('ErlBitstring: bytes must be a non-empty Uint8Array');
    }
    if (!Number.isInteger(bitsInLastByte) || bitsInLastByte < 1 || bitsInLastByte > 7) {
      throw new TypeError('ErlBitstring: bitsInLastByte must be 1..7');
    }
    // The unused low bits of the last byte are not part of the value: keep them zero, as Erlang does.
    const copy = bytes.slice();
    copy[copy.length - 1]! &= (0xff << (8 - bitsInLastByte)) & 0xff;
    this.bytes = copy;
    this.bitsInLastByte = bitsInLastByte;
    Object.freeze(this);
  }
  /** Size in bits. */
  get bitSize(): number {
    return (this.bytes.length - 1) * 8 + this.bitsInLastByte;
  }
  toString(): string {
    return `#ErlBitstring<${this.bitSize} bits>`;
  }
}

/**
 * What the Erlang codecs read and write: any {@link Term}, plus the wrappers
 * {@link ErlFloat}, {@link ErlImproperList}, {@link ErlBitstring}, at any depth.
 */
export type ErlTerm =
  | Exclude<Term, readonly Term[] | ReadonlyMap<Term, Term> | { readonly [key: string]: Term }>
  | ErlFloat
  | ErlImproperList
  | ErlBitstring
  | readonly ErlTerm[]
  | ReadonlyMap<ErlTerm, ErlTerm>
  | { readonly [key: string]: ErlTerm };

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A canonical string for an {@link ErlTerm}: two values denote the same
 * Erlang term (`=:=`) iff their canonical strings are equal. Integers compare
 * across `number` and `bigint` (Erlang has one integer type); a `string` and
 * a `Uint8Array` with its UTF-8 bytes are the same binary; a `Map` and a
 * plain object with the same entries are the same map; `1` and
 * `new ErlFloat(1)` differ. Throws `TypeError` for a value that is not an
 * `ErlTerm`.
 */
export function erlCanonical(x: unknown, depth = 0): string {
  if (depth > 10_000) throw new TypeError('term nested too deep');
  switch (typeof x) {
    case 'number':
      if (Number.isSafeInteger(x)) return 'i' + (x === 0 ? '0' : String(x)) + ';';
      if (!Number.isFinite(x)) throw new TypeError('not a term: non-finite number');
      return 'f' + String(x) + ';';
    case 'bigint':
      return 'i' + x.toString() + ';';
    case 'string':
      return 'b' + hex(utf8.encode(x)) + ';';
    case 'boolean':
    case 'undefined':
    case 'symbol': {
      const name = atomName(x);
      if (name === undefined) throw new TypeError('not a term: unregistered symbol');
      return 'a' + name.length + ':' + name;
    }
    case 'object': {
      if (x === null) return 'a3:nil';
      if (x instanceof ErlFloat) return 'f' + (Object.is(x.value, -0) ? '-0' : String(x.value)) + ';';
      if (x instanceof Uint8Array) return 'b' + hex(x) + ';';
      if (Array.isArray(x)) {
        let s = (x instanceof Tuple ? 't' : 'l') + x.length + '(';
        for (const e of x) s += erlCanonical(e, depth + 1);
        return s + ')';
      }
      if (x instanceof ErlImproperList) {
        let s = 'L' + x.items.length + '(';
        for (const e of x.items) s += erlCanonical(e, depth + 1);
        return s + '|' + erlCanonical(x.tail, depth + 1) + ')';
      }
      if (x instanceof ErlBitstring) return 'B' + x.bitsInLastByte + ':' + hex(x.bytes) + ';';
      if (x instanceof Opaque) return 'o' + x.kind + ':' + hex(x.bytes) + ';';
      if (x instanceof Pid) return 'p' + x.id + ';';
      if (x instanceof Map || isPlainObject(x)) {
        const parts: string[] = [];
        const entries: Iterable<[unknown, unknown]> = x instanceof Map ? x : Object.entries(x);
        for (const [k, v] of entries) parts.push(erlCanonical(k, depth + 1) + '=' + erlCanonical(v, depth + 1));
        parts.sort();
        return 'm' + parts.length + '{' + parts.join('') + '}';
      }
      throw new TypeError('not a term');
    }
    default:
      throw new TypeError('not a term');
  }
}

/**
 * Exact equality of two {@link ErlTerm}s as Erlang's `=:=` sees them once
 * written: `1 =:= 1n`, `1 =/= ErlFloat(1)`, `'a' =:= utf8 bytes of 'a'`.
 * (Unlike Erlang 25, `ErlFloat(0)` and `ErlFloat(-0)` are not equal here.)
 */
export function erlEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return erlCanonical(a) === erlCanonical(b);
  } catch {
    return false;
  }
}

/** The string of a binary's bytes if they are valid UTF-8, else `undefined`. */
export function utf8OrUndefined(b: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(b);
  } catch {
    return undefined;
  }
}
