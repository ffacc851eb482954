/**
 * Terms to CBOR and back, exactly: the value encoding of the dets file format.
 *
 * One explicitly configured cbor-x `Encoder` does the byte work (no record
 * extension, no shared structures, no packing, no structured clone, no
 * float32, no tag 64 on `Uint8Array`, CBOR maps decode as `Map`). Term types
 * CBOR lacks, or that cbor-x would blur, are wrapped in CBOR tags from a
 * private range before encoding ({@link toWire}) and unwrapped after
 * decoding ({@link fromWire}). No cbor-x extension is registered: cbor-x
 * keeps extensions in module-global tables, and a tag we do not register
 * decodes to a plain `Tag` object, which is what we want.
 *
 * | term                          | CBOR                                              |
 * |-------------------------------|---------------------------------------------------|
 * | `number` (not -0)             | int (major 0/1) when it is an integer in ±2^32, else float64 (0xfb) |
 * | `-0`                          | tag 40106(null)                                   |
 * | `bigint`                      | tag 40103(text: decimal digits, optional `-`)     |
 * | `ErlFloat` (integral float)   | tag 40108(its value as a number above: int, float64 or tag 40106) |
 * | `string` (well-formed UTF-16) | text string (major 3)                             |
 * | `string` with lone surrogates | tag 40107(array of UTF-16 code units)             |
 * | `Uint8Array`                  | byte string (major 2)                             |
 * | `true` / `false` / `null` / `undefined` | simple values 21 / 20 / 22 / 23         |
 * | atom `Symbol.for(name)`       | tag 40100(name: text, or tag 40107 if not UTF-8-encodable) |
 * | list (plain array)            | array (major 4)                                   |
 * | `Tuple`                       | tag 40101(array)                                  |
 * | plain object                  | map (major 5) with text keys (a key with lone surrogates as tag 40107) |
 * | `Map`                         | tag 40102(array k1, v1, k2, v2, ...)              |
 * | `Pid`                         | tag 40104(uint id)                                |
 * | `Opaque`                      | tag 40105([text kind, bytes])                     |
 *
 * A decoder must refuse any other tag, and an atom longer than 255
 * characters (Erlang's limit). Tag 40108 (float boxes) appears in format
 * version 2 files; the tags 40109 and 40110 of the conversion formats
 * (`src/convert/wire.ts`) never appear in a dets file.
 *
 * Decoding gives every number its stored form (`src/term/number.ts`): a
 * bigint tag holding a safe integer decodes to a `number`, a float tag
 * holding a value that is not a safe integer to a plain `number`.
 *
 * Decoding is guarded: before cbor-x sees the bytes, one linear pass over
 * the item heads (`cbor-scan.ts`) refuses any tag outside the private range
 * 40100..40110 (this table plus the Erlang tags of `src/convert/wire.ts`)
 * and 55799 (self-described CBOR), and malformed or too deeply nested
 * items. So cbor-x's own tag decoders never run on what termstore reads:
 * its bignum decoder (tags 2/3) is quadratic in the length, and others
 * build shared references, records, typed arrays or a `RegExp`.
 *
 * @module
 */
import { Encoder, Tag } from 'cbor-x';
import { MAX_ATOM_CHARS, Opaque, Pid, Tuple, atomTooLong, isPlainObject, type OpaqueKind, type Term } from '../term/types.js';
import { CborScanError, checkItems } from './cbor-scan.js';

import { ErlFloat, canonicalFloat, canonicalInteger } from '../term/number.js';

/** CBOR tags of the format (private range; see the module table). */
export const TAG = {
  ATOM: 40100,
  TUPLE: 40101,
  MAP: 40102,
  BIGINT: 40103,
  PID: 40104,
  OPAQUE: 40105,
  NEG_ZERO: 40106,
  WTF16: 40107,
  FLOAT: 40108,
} as const;

/** Thrown by {@link fromWire} for bytes that decode to something that is not a term of this format. */
export class WireError extends Error {}

/** The tags a termstore CBOR item may hold (see the module docs). */
export function isTermstoreTag(tag: number): boolean {
  return (tag >= TAG.ATOM && tag <= 40110) || tag === 55799;
}

/**
 * A cbor-x `Encoder` whose `decode` (and so `decodeMultiple`, which calls
 * it) first checks the whole input with {@link checkItems}: a foreign tag,
 * malformed CBOR or nesting beyond `MAX_NESTING` throws {@link WireError}
 * before any decoding work is done.
 */
class GuardedCodec extends Encoder {
  override decode(source: Buffer | Uint8Array, end?: number): unknown {
    try {
      checkItems(source, 0, end ?? source.length, isTermstoreTag);
    } catch (e) {
      if (e instanceof CborScanError) throw new WireError(`${e.message} (at byte ${e.at})`);
      throw e;
    }
    return (super.decode as (s: Buffer | Uint8Array, end?: number) => unknown)(source, end);
  }
}

/**
 * The one configured encoder/decoder. Every option that changes the bytes is
 * spelled out so a cbor-x default change cannot change the format.
 */
export function createCodec(): Encoder {
  return new GuardedCodec({
    useRecords: false,
    structuredClone: false,
    mapsAsObjects: false,
    useTag259ForMaps: false,
    tagUint8Array: false,
    pack: false,
    bundleStrings: false,
    sequential: false,
    variableMapSize: true,
    copyBuffers: false,
    useFloat32: 0,
    alwaysUseFloat: false,
    largeBigIntToFloat: false,
    useTimestamp32: false,
    useToJSON: false,
    useSelfDescribedHeader: false,
    encodeUndefinedAsNil: false,
  } as ConstructorParameters<typeof Encoder>[0]);
}

type StringWithWellFormed = string & { isWellFormed?: () => boolean };
const LONE_SURROGATE = /[\ud800-\udfff]/;

function wellFormed(s: string): boolean {
  const f = (s as StringWithWellFormed).isWellFormed;
  if (f !== undefined) return f.call(s);
  if (!LONE_SURROGATE.test(s)) return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

function wireArray(x: readonly unknown[]): unknown[] {
  let out: unknown[] | undefined;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const w = toWire(v);
    if (out === undefined && w !== v) {
      out = new Array(n);
      for (let j = 0; j < i; j++) out[j] = x[j];
    }
    if (out !== undefined) out[i] = w;
  }
  return out ?? (x as unknown[]);
}

/**
 * Maps a term to the value cbor-x encodes (the same object where nothing in
 * it needs a tag: rows of numbers and strings cost no allocation).
 */
export function toWire(x: unknown): unknown {
  switch (typeof x) {
    case 'number':
      return x === 0 && 1 / x < 0 ? new Tag(null, TAG.NEG_ZERO) : x;
    case 'string':
      if (wellFormed(x)) return x;
      {
        const units: number[] = new Array(x.length);
        for (let i = 0; i < x.length; i++) units[i] = x.charCodeAt(i);
        return new Tag(units, TAG.WTF16);
      }
    case 'boolean':
    case 'undefined':
      return x;
    case 'bigint':
      return new Tag(x.toString(), TAG.BIGINT);
    case 'symbol': {
      const name = Symbol.keyFor(x);
      if (name === undefined) throw new WireError('an unregistered symbol is not a term');
      if (atomTooLong(name)) throw new WireError(`an atom longer than ${MAX_ATOM_CHARS} characters`);
      return new Tag(toWire(name), TAG.ATOM);
    }
    case 'object': {
      if (x === null) return null;
      if (Array.isArray(x)) {
        if (x instanceof Tuple) {
          const a = wireArray(x);
          return new Tag(a === x ? Array.from(x) : a, TAG.TUPLE);
        }
        // cbor-x writes a definite-length array only for `constructor === Array`.
        const a = wireArray(x);
        return a.constructor === Array ? a : Array.from(a);
      }
      if (x instanceof Uint8Array) return x;
      if (x instanceof Map) {
        const flat: unknown[] = [];
        for (const [k, v] of x) flat.push(toWire(k), toWire(v));
        return new Tag(flat, TAG.MAP);
      }
      if (x instanceof Pid) return new Tag(x.id, TAG.PID);
      if (x instanceof Opaque) return new Tag([x.kind, x.bytes], TAG.OPAQUE);
      if (x instanceof ErlFloat) return new Tag(toWire(x.value), TAG.FLOAT);
      if (isPlainObject(x)) {
        const keys = Object.keys(x);
        if (!keys.every(wellFormed)) {
          // Text keys must be UTF-8: a JS Map lets cbor-x write tagged keys.
          const m = new Map<unknown, unknown>();
          for (const k of keys) m.set(toWire(k), toWire(x[k]));
          return m;
        }
        // Always a fresh Object-constructed object: cbor-x reads `.constructor`,
        // which a key named "constructor" would shadow.
        const o: Record<string, unknown> = {};
        for (const k of keys) defineKey(o, k, toWire(x[k]));
        return o;
      }
      throw new WireError('not a term');
    }
    default:
      throw new WireError(`a ${typeof x} is not a term`);
  }
}

function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const OPAQUE_KINDS: ReadonlySet<string> = new Set(['pid', 'reference', 'port', 'fun']);

/**
 * Maps a decoded CBOR value back to the term it encodes (in place where it
 * can: decoded values are fresh). Binaries are copied out of the read
 * buffer. Throws {@link WireError} on anything the format does not produce.
 */
export function fromWire(x: unknown): Term {
  switch (typeof x) {
    case 'number':
      if (x !== x) throw new WireError('NaN is not a term');
      return x;
    case 'string':
    case 'boolean':
    case 'undefined':
      return x;
    case 'object': {
      if (x === null) return null;
      if (Array.isArray(x)) {
        for (let i = 0; i < x.length; i++) x[i] = fromWire(x[i]);
        return x as Term[];
      }
      if (x instanceof Uint8Array) return new Uint8Array(x);
      if (x instanceof Tag) return fromTag(x);
      if (x instanceof Map) {
        const o: Record<string, Term> = {};
        for (const [wk, v] of x) {
          const k = typeof wk === 'string' ? wk : fromWire(wk);
          if (typeof k !== 'string') throw new WireError('a CBOR map key that is not text');
          defineKey(o, k, fromWire(v));
        }
        return o;
      }
      throw new WireError('unexpected decoded value');
    }
    default:
      throw new WireError(`unexpected decoded ${typeof x}`);
  }
}

function fromTag(t: Tag): Term {
  const v: unknown = t.value;
  switch (t.tag) {
    case TAG.ATOM: {
      const name = v instanceof Tag ? fromTag(v) : v;
      if (typeof name !== 'string') break;
      if (atomTooLong(name)) throw new WireError(`an atom longer than ${MAX_ATOM_CHARS} characters`);
      return Symbol.for(name);
    }
    case TAG.TUPLE: {
      if (!Array.isArray(v)) break;
      const out = new Tuple();
      for (let i = 0; i < v.length; i++) out.push(fromWire(v[i]));
      return out;
    }
    case TAG.MAP: {
      if (!Array.isArray(v) || v.length % 2 !== 0) break;
      const m = new Map<Term, Term>();
      for (let i = 0; i < v.length; i += 2) m.set(fromWire(v[i]), fromWire(v[i + 1]));
      return m;
    }
    case TAG.BIGINT:
      if (typeof v !== 'string' || !/^-?[0-9]+$/.test(v)) break;
      return canonicalInteger(BigInt(v));
    case TAG.FLOAT: {
      const n = v instanceof Tag && v.tag === TAG.NEG_ZERO && v.value === null ? -0 : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) break;
      return canonicalFloat(new ErlFloat(n));
    }
    case TAG.PID:
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) break;
      return new Pid(v);
    case TAG.OPAQUE: {
      if (!Array.isArray(v) || v.length !== 2) break;
      const [kind, bytes] = v as [unknown, unknown];
      if (typeof kind !== 'string' || !OPAQUE_KINDS.has(kind) || !(bytes instanceof Uint8Array)) break;
      return new Opaque(kind as OpaqueKind, new Uint8Array(bytes));
    }
    case TAG.NEG_ZERO:
      if (v !== null) break;
      return -0;
    case TAG.WTF16: {
      if (!Array.isArray(v)) break;
      let s = '';
      for (const u of v) {
        if (typeof u !== 'number' || !Number.isInteger(u) || u < 0 || u > 0xffff) throw new WireError('bad UTF-16 code unit');
        s += String.fromCharCode(u);
      }
      return s;
    }
  }
  throw new WireError(`unexpected CBOR tag ${t.tag}`);
}
