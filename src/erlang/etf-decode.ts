/**
 * External Term Format decoder (`binary_to_term`), hostile-input safe.
 *
 * Byte layouts read (big-endian; `N` = length fields):
 *
 *     131 Term                            version byte, then one term
 *     131 80 Size:32 ZlibData             compressed: Size bytes once inflated
 *     97 Int:8 | 98 Int:32s               SMALL_INTEGER, INTEGER
 *     110 N:8 Sign:8 Digits:N             SMALL_BIG, little-endian base-256 digits
 *     111 N:32 Sign:8 Digits:N            LARGE_BIG
 *     70 IEEE754:64 | 99 Text:31          NEW_FLOAT, FLOAT (old, "%.20e" text)
 *     118 N:16 Utf8:N | 119 N:8 Utf8:N    ATOM_UTF8, SMALL_ATOM_UTF8
 *     100 N:16 Latin1:N | 115 N:8 ...     ATOM, SMALL_ATOM (old)
 *     104 Arity:8 Elems | 105 Arity:32    SMALL_TUPLE, LARGE_TUPLE
 *     106                                 NIL
 *     107 N:16 Bytes:N                    STRING (a list of small integers)
 *     108 N:32 Elems Tail                 LIST (Tail is NIL for a proper list)
 *     109 N:32 Bytes:N                    BINARY
 *     77 N:32 Bits:8 Bytes:N              BIT_BINARY (Bits used in the last byte)
 *     116 N:32 (Key Value)*N              MAP
 *     88 Node ID:32 Serial:32 Cr:32       NEW_PID      (kept as Opaque bytes)
 *     103 Node ID:32 Serial:32 Cr:8       PID
 *     90 N:16 Node Cr:32 ID:32*N          NEWER_REFERENCE
 *     114 N:16 Node Cr:8 ID:32*N          NEW_REFERENCE
 *     101 Node ID:32 Cr:8                 REFERENCE
 *     120 Node ID:64 Cr:32                V4_PORT
 *     89 Node ID:32 Cr:32 | 102 ... Cr:8  NEW_PORT, PORT
 *     112 Size:32 Arity:8 Uniq:128 Index:32 NumFree:32 Module OldIndex OldUniq Pid Free*NumFree   NEW_FUN
 *     113 Module Function Arity           EXPORT
 *     117 NumFree:32 Pid Module Index Uniq Free*NumFree   FUN (old)
 *
 * Every length is checked against the bytes left before anything is
 * allocated; nesting is limited (`maxDepth`); a compressed term's declared
 * size is limited (`maxUncompressedSize`) and enforced while inflating, and
 * what compressed terms inflate to is limited in total, in bytes and in
 * terms decoded from them (an {@link InflateBudget}: per call, or per batch
 * of a file reader). Uncompressed input costs at most a constant times its
 * own size (every term takes at least one byte). Every failure is a
 * `TermstoreError` with `details.offset` (absolute, when the caller gave a
 * base offset) and `details.file` when known.
 *
 * @module
 */
import { inflateSync } from 'node:zlib';
import { TermstoreError, type ErrorCode } from '../errors.js';
import { MAX_ATOM_CHARS, Opaque, Tuple, atomTooLong, type OpaqueKind } from '../term/index.js';
import { ErlBitstring, ErlFloat, ErlImproperList, erlCanonical, type ErlTerm } from './terms.js';
import { DECODE_DEFAULTS, Tag, VERSION_MAGIC, type DecodeOptions } from './etf-tags.js';

/** Where the bytes being decoded sit, for error details. @internal */
export interface DecodeLocation {
  /** Absolute offset of byte 0 of the buffer in its file (default 0). */
  base?: number;
  /** File path, for `details.file`. */
  file?: string;
}

const MAX_BIG_BYTES = 16 * 1024 * 1024;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const latin1 = new TextDecoder('latin1');
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Resolved = Required<DecodeOptions>;

function resolve(o: DecodeOptions | undefined): Resolved {
  const r: Resolved = {
    binaries: o?.binaries ?? DECODE_DEFAULTS.binaries,
    terms: o?.terms ?? DECODE_DEFAULTS.terms,
    maxDepth: o?.maxDepth ?? DECODE_DEFAULTS.maxDepth,
    maxUncompressedSize: o?.maxUncompressedSize ?? DECODE_DEFAULTS.maxUncompressedSize,
    maxInflatedBytes: o?.maxInflatedBytes ?? DECODE_DEFAULTS.maxInflatedBytes,
    maxInflatedTerms: o?.maxInflatedTerms ?? DECODE_DEFAULTS.maxInflatedTerms,
  };
  if (r.binaries !== 'auto' && r.binaries !== 'bytes') throw badOption('binaries');
  if (r.terms !== 'exact' && r.terms !== 'storable') throw badOption('terms');
  if (!Number.isInteger(r.maxDepth) || r.maxDepth < 1) throw badOption('maxDepth');
  if (!Number.isInteger(r.maxUncompressedSize) || r.maxUncompressedSize < 0) throw badOption('maxUncompressedSize');
  if (!isBudget(r.maxInflatedBytes)) throw badOption('maxInflatedBytes');
  if (!isBudget(r.maxInflatedTerms)) throw badOption('maxInflatedTerms');
  return r;
}

function isBudget(n: unknown): boolean {
  return n === Infinity || (typeof n === 'number' && Number.isInteger(n) && n >= 0);
}

/**
 * What compressed terms may still inflate to: bytes, and terms decoded
 * from inflated bytes. One budget spans a `decodeTerm` call, or a batch of a
 * file reader (which starts a fresh one with each batch). @internal
 */
export interface InflateBudget {
  bytes: number;
  terms: number;
}

/** A fresh {@link InflateBudget} from the options' `maxInflatedBytes` / `maxInflatedTerms` (validated). @internal */
export function inflateBudget(options: DecodeOptions | undefined): InflateBudget {
  const o = resolve(options);
  return { bytes: o.maxInflatedBytes, terms: o.maxInflatedTerms };
}

function badOption(name: string): TermstoreError {
  return new TermstoreError('ETS_BADARG', `invalid decode option '${name}'`, { details: { option: name } });
}

function atomValue(name: string): ErlTerm {
  switch (name) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'nil':
      return null;
    case 'undefined':
      return undefined;
    default:
      return Symbol.for(name);
  }
}

/** Decodes one term from `buf` starting at `pos`; see the module docs. */
class Decoder {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly o: Resolved,
    readonly loc: DecodeLocation,
    /** Set when `buf` is an inflated compressed term: the offset of its tag in the outer buffer. */
    readonly inflatedAt?: number,
    /** Set with `inflatedAt`: every term decoded spends one from `terms`. */
    private readonly budget?: InflateBudget,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /**
   * Spends `n` terms of the inflate budget (when decoding inflated bytes).
   * With `ahead`, only checks that `n` more are left: a container's count,
   * checked before anything is allocated for it (its elements pay as they
   * are decoded).
   */
  private spend(n: number, at: number, ahead = false): void {
    const b = this.budget;
    if (b === undefined) return;
    if (!ahead) b.terms -= n;
    if (b.terms < (ahead ? n : 0)) {
      throw this.fail('CONVERT_LIMIT', `compressed terms decode to more than maxInflatedTerms ${this.o.maxInflatedTerms} terms`, at, {
        limit: 'maxInflatedTerms',
        maxInflatedTerms: this.o.maxInflatedTerms,
      });
    }
  }

  fail(code: ErrorCode, message: string, at: number, extra?: Record<string, unknown>): TermstoreError {
    const base = this.loc.base ?? 0;
    const details: Record<string, unknown> = { ...extra };
    if (this.inflatedAt !== undefined) {
      details.offset = base + this.inflatedAt;
      details.inflatedOffset = at;
    } else {
      details.offset = base + at;
    }
    if (this.loc.file !== undefined) details.file = this.loc.file;
    const where = this.inflatedAt !== undefined ? `offset ${at} of the compressed term at offset ${details.offset}` : `offset ${details.offset}`;
    return new TermstoreError(code, `${message} (${where})`, { details });
  }

  corrupt(message: string, at: number = this.pos): TermstoreError {
    return this.fail('CONVERT_CORRUPT', message, at);
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (n > this.buf.length - this.pos) {
      throw this.corrupt(`term truncated: ${n} bytes needed, ${this.buf.length - this.pos} left`);
    }
  }

  /** Throws unless a count of `n` items of at least `each` bytes can fit in what is left. */
  count(n: number, each: number, what: string): void {
    if (n * each > this.buf.length - this.pos) {
      throw this.corrupt(`${what} of ${n} items does not fit in the ${this.buf.length - this.pos} bytes left`, this.pos - 4);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  term(depth: number): ErlTerm {
    const start = this.pos;
    const tag = this.u8();
    if (this.budget !== undefined) this.spend(1, start);
    switch (tag) {
      case Tag.SMALL_INTEGER:
        return this.u8();
      case Tag.INTEGER: {
        this.need(4);
        const v = this.view.getInt32(this.pos);
        this.pos += 4;
        return v;
      }
      case Tag.NEW_FLOAT: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return this.float(v, start);
      }
      case Tag.FLOAT: {
        const text = latin1.decode(this.bytes(31)).replace(/\0+$/, '');
        if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(text)) throw this.corrupt('FLOAT_EXT is not a number', start);
        return this.float(Number(text.trim()), start);
      }
      case Tag.ATOM_UTF8:
        return this.atom(this.u16(), true, start);
      case Tag.SMALL_ATOM_UTF8:
        return this.atom(this.u8(), true, start);
      case Tag.ATOM:
        return this.atom(this.u16(), false, start);
      case Tag.SMALL_ATOM:
        return this.atom(this.u8(), false, start);
      case Tag.SMALL_TUPLE:
        return this.tuple(this.u8(), depth);
      case Tag.LARGE_TUPLE:
        return this.tuple(this.u32(), depth);
      case Tag.NIL:
        return [];
      case Tag.STRING: {
        const b = this.bytes(this.u16());
        this.spend(b.length, start);
        return Array.from(b);
      }
      case Tag.LIST:
        return this.list(depth, start);
      case Tag.BINARY:
        return this.binary(this.u32());
      case Tag.BIT_BINARY:
        return this.bitBinary(start);
      case Tag.SMALL_BIG:
        return this.big(this.u8(), start);
      case Tag.LARGE_BIG:
        return this.big(this.u32(), start);
      case Tag.MAP:
        return this.map(depth);
      case Tag.NEW_PID:
        this.node();
        this.bytes(12);
        return this.opaque('pid', start);
      case Tag.PID:
        this.node();
        this.bytes(9);
        return this.opaque('pid', start);
      case Tag.NEWER_REFERENCE: {
        const n = this.u16();
        this.node();
        this.bytes(4 + 4 * n);
        return this.opaque('reference', start);
      }
      case Tag.NEW_REFERENCE: {
        const n = this.u16();
        this.node();
        this.bytes(1 + 4 * n);
        return this.opaque('reference', start);
      }
      case Tag.REFERENCE:
        this.node();
        this.bytes(5);
        return this.opaque('reference', start);
      case Tag.V4_PORT:
        this.node();
        this.bytes(12);
        return this.opaque('port', start);
      case Tag.NEW_PORT:
        this.node();
        this.bytes(8);
        return this.opaque('port', start);
      case Tag.PORT:
        this.node();
        this.bytes(5);
        return this.opaque('port', start);
      case Tag.NEW_FUN:
        return this.newFun(depth, start);
      case Tag.EXPORT: {
        this.node(); // module
        this.node(); // function
        if (this.u8() !== Tag.SMALL_INTEGER) throw this.corrupt('EXPORT_EXT arity is not a small integer', this.pos - 1);
        this.u8();
        return this.opaque('fun', start);
      }
      case Tag.FUN: {
        const numFree = this.u32();
        this.count(numFree, 1, 'fun environment');
        this.sub(depth); // pid
        this.node(); // module
        this.sub(depth); // index
        this.sub(depth); // uniq
        for (let i = 0; i < numFree; i++) this.sub(depth);
        return this.opaque('fun', start);
      }
      case Tag.COMPRESSED:
        throw this.corrupt('a compressed term may only appear at the top level', start);
      case Tag.ATOM_CACHE_REF:
      case Tag.DIST_HEADER:
      case Tag.LOCAL:
        throw this.fail('CONVERT_UNSUPPORTED_TERM', `ETF tag ${tag} (distribution-only or node-local encoding) is not supported`, start, { tag });
      default:
        throw this.corrupt(`unknown ETF tag ${tag}`, start);
    }
  }

  private float(v: number, start: number): ErlTerm {
    if (!Number.isFinite(v)) throw this.corrupt('float is NaN or infinite', start);
    // A float whose value is a safe integer needs the box (the plain number would be an integer).
    return Number.isSafeInteger(v) ? new ErlFloat(v) : v;
  }

  private atom(n: number, isUtf8: boolean, start: number): ErlTerm {
    const b = this.bytes(n);
    let name: string;
    if (isUtf8) {
      try {
        name = utf8Fatal.decode(b);
      } catch {
        throw this.corrupt('atom text is not valid UTF-8', start);
      }
      if (atomTooLong(name)) throw this.corrupt(`atom longer than ${MAX_ATOM_CHARS} characters`, start);
    } else {
      if (n > MAX_ATOM_CHARS) throw this.corrupt(`atom longer than ${MAX_ATOM_CHARS} characters`, start);
      name = latin1.decode(b);
    }
    return atomValue(name);
  }

  /** Reads the node atom of a pid, port or reference (and the atoms of an export). */
  private node(): void {
    const at = this.pos;
    const tag = this.u8();
    switch (tag) {
      case Tag.ATOM_UTF8:
      case Tag.ATOM:
        this.atom(this.u16(), tag === Tag.ATOM_UTF8, at);
        return;
      case Tag.SMALL_ATOM_UTF8:
      case Tag.SMALL_ATOM:
        this.atom(this.u8(), tag === Tag.SMALL_ATOM_UTF8, at);
        return;
      default:
        throw this.corrupt(`expected an atom, found ETF tag ${tag}`, at);
    }
  }

  /** Skips a sub-term of an opaque value (checked like any term). */
  private sub(depth: number): void {
    this.nest(depth);
    this.term(depth + 1);
  }

  private nest(depth: number): void {
    if (depth >= this.o.maxDepth) {
      throw this.fail('CONVERT_UNSUPPORTED_TERM', `term nested deeper than maxDepth ${this.o.maxDepth}`, this.pos, { maxDepth: this.o.maxDepth });
    }
  }

  private opaque(kind: OpaqueKind, start: number): Opaque {
    return new Opaque(kind, this.buf.slice(start, this.pos));
  }

  private newFun(depth: number, start: number): ErlTerm {
    const size = this.u32();
    if (size < 4 + 1 + 16 + 4 + 4 || size - 4 > this.buf.length - this.pos) {
      throw this.corrupt(`NEW_FUN_EXT size ${size} is out of range`, start);
    }
    const end = start + 1 + size;
    this.bytes(1 + 16 + 4);
    const numFree = this.u32();
    this.count(numFree, 1, 'fun environment');
    this.node(); // module
    this.sub(depth); // old index
    this.sub(depth); // old uniq
    this.sub(depth); // pid
    for (let i = 0; i < numFree; i++) this.sub(depth);
    if (this.pos !== end) throw this.corrupt(`NEW_FUN_EXT size ${size} does not match its contents`, start);
    return this.opaque('fun', start);
  }

  private tuple(n: number, depth: number): Tuple {
    this.count(n, 1, 'tuple');
    this.spend(n, this.pos, true);
    if (n > 0) this.nest(depth);
    // Sized up front: a pushed-to array reserves room for 17 elements (~190 bytes for a 1-tuple).
    const t = new Tuple(n);
    for (let i = 0; i < n; i++) t[i] = this.term(depth + 1) as never;
    return t;
  }

  private list(depth: number, start: number): ErlTerm {
    let n = this.u32();
    this.count(n + 1, 1, 'list');
    this.spend(n, this.pos, true);
    this.nest(depth);
    // Sized up front for the first LIST_EXT (the common, only one); later parts append.
    const out: ErlTerm[] = new Array<ErlTerm>(n);
    let len = 0;
    for (;;) {
      for (let i = 0; i < n; i++) out[len++] = this.term(depth + 1);
      // The tail: a proper list continues (a list may be split over several LIST_EXTs).
      this.need(1);
      const tailAt = this.pos;
      const tag = this.buf[tailAt]!;
      if (tag === Tag.NIL) {
        this.pos++;
        return out;
      }
      if (tag === Tag.LIST) {
        this.pos++;
        n = this.u32();
        this.count(n + 1, 1, 'list');
        this.spend(n, this.pos, true);
        continue;
      }
      if (tag === Tag.STRING) {
        this.pos++;
        const b = this.bytes(this.u16());
        this.spend(b.length, tailAt);
        for (let i = 0; i < b.length; i++) out[len++] = b[i]!;
        return out;
      }
      const tail = this.term(depth + 1);
      if (out.length === 0) return tail; // [ | T] is T
      if (this.o.terms === 'storable') {
        throw this.fail('CONVERT_UNSUPPORTED_TERM', 'an improper list cannot be stored in a termstore table', start, { tailOffset: (this.loc.base ?? 0) + tailAt });
      }
      return new ErlImproperList(out, tail);
    }
  }

  private binary(n: number): ErlTerm {
    const b = this.bytes(n);
    if (this.o.binaries === 'auto') {
      try {
        return utf8Fatal.decode(b);
      } catch {
        // not UTF-8: bytes
      }
    }
    return b.slice();
  }

  private bitBinary(start: number): ErlTerm {
    const n = this.u32();
    const bits = this.u8();
    const b = this.bytes(n);
    if ((n === 0 && bits === 0) || (n > 0 && bits === 8)) return this.binaryOf(b);
    if (n === 0 || bits < 1 || bits > 8) throw this.corrupt(`BIT_BINARY_EXT with ${n} bytes and ${bits} bits in the last byte`, start);
    if (this.o.terms === 'storable') {
      throw this.fail('CONVERT_UNSUPPORTED_TERM', 'a bitstring cannot be stored in a termstore table', start);
    }
    return new ErlBitstring(b.slice(), bits);
  }

  private binaryOf(b: Uint8Array): ErlTerm {
    if (this.o.binaries === 'auto') {
      try {
        return utf8Fatal.decode(b);
      } catch {
        // bytes
      }
    }
    return b.slice();
  }

  private big(n: number, start: number): number | bigint {
    const sign = this.u8();
    if (sign > 1) throw this.corrupt(`bignum sign byte ${sign} is not 0 or 1`, start);
    this.need(n);
    if (n > MAX_BIG_BYTES) {
      throw this.fail('CONVERT_UNSUPPORTED_TERM', `bignum of ${n} bytes is larger than ${MAX_BIG_BYTES}`, start);
    }
    const d = this.bytes(n);
    if (n <= 6) {
      let v = 0;
      for (let i = n - 1; i >= 0; i--) v = v * 256 + d[i]!;
      return sign === 1 && v !== 0 ? -v : v;
    }
    let hex = '';
    for (let i = n - 1; i >= 0; i--) hex += (d[i]! < 16 ? '0' : '') + d[i]!.toString(16);
    const mag = BigInt('0x' + hex);
    if (mag <= MAX_SAFE) {
      const v = Number(mag);
      return sign === 1 && v !== 0 ? -v : v;
    }
    return sign === 1 ? -mag : mag;
  }

  private map(depth: number): Map<ErlTerm, ErlTerm> {
    const n = this.u32();
    this.count(n, 2, 'map');
    this.spend(2 * n, this.pos, true);
    if (n > 0) this.nest(depth);
    const m = new Map<ErlTerm, ErlTerm>();
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const keyAt = this.pos;
      const k = this.term(depth + 1);
      const id = keyIdentity(k);
      const prev = seen.get(id);
      if (prev !== undefined) {
        if (this.o.terms === 'storable' && !this.sameBytes(prev, keyAt)) {
          throw this.fail('CONVERT_UNSUPPORTED_TERM', 'two map keys are the same term in a termstore table (terms: storable)', keyAt);
        }
        throw this.corrupt('map has a duplicate key', keyAt);
      }
      seen.set(id, keyAt);
      m.set(k, this.term(depth + 1));
    }
    return m;
  }

  /** True if the terms encoded at `a` and `b` have identical bytes (both already decoded, so well-formed). */
  private sameBytes(a: number, b: number): boolean {
    const save = this.pos;
    // No budget: these bytes were decoded (and paid for) already.
    const strict = new Decoder(this.buf, a, { ...this.o, terms: 'exact' }, this.loc, this.inflatedAt);
    strict.term(0);
    const lenA = strict.pos - a;
    this.pos = save;
    if (b + lenA > this.buf.length) return false;
    for (let i = 0; i < lenA; i++) if (this.buf[a + i] !== this.buf[b + i]) return false;
    return true;
  }
}

function keyIdentity(k: ErlTerm): string {
  switch (typeof k) {
    case 'number':
      return Number.isSafeInteger(k) ? 'i' + k : 'f' + k;
    case 'string':
      return k.length < 64 ? 's' + k : erlCanonical(k);
    case 'symbol':
      return 'a' + Symbol.keyFor(k);
    default:
      return erlCanonical(k);
  }
}

/** Turns a JS stack overflow (a `maxDepth` set beyond what the stack holds) into a `TermstoreError`. */
function guardStack<T>(f: () => T, loc: DecodeLocation): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', 'term nested too deeply for the JS stack (lower maxDepth)', {
        cause: e,
        details: { offset: loc.base ?? 0, ...(loc.file !== undefined ? { file: loc.file } : {}) },
      });
    }
    throw e;
  }
}

/**
 * Decodes one term encoded at `bytes[start]` (no version byte); returns the
 * term and the offset just past it. @internal
 */
export function decodeBody(
  bytes: Uint8Array,
  start: number,
  options: DecodeOptions | undefined,
  loc: DecodeLocation = {},
): { term: ErlTerm; end: number } {
  const d = new Decoder(bytes, start, resolve(options), loc);
  const term = guardStack(() => d.term(0), loc);
  return { term, end: d.pos };
}

/**
 * Decodes a whole `term_to_binary` result: version byte 131, then one term,
 * possibly compressed. With `allowTrailing` false (the default), bytes after
 * the term are an error (`binary_to_term` ignores them). @internal
 */
export function decodeExternal(
  bytes: Uint8Array,
  options: DecodeOptions | undefined,
  loc: DecodeLocation = {},
  allowTrailing = false,
  budget?: InflateBudget,
): ErlTerm {
  const o = resolve(options);
  const d = new Decoder(bytes, 0, o, loc);
  if (bytes.length === 0) throw d.corrupt('empty input: no term', 0);
  if (bytes[0] !== VERSION_MAGIC) {
    throw d.fail('CONVERT_UNKNOWN_FORMAT', `not External Term Format: version byte ${bytes[0]} instead of 131`, 0);
  }
  d.pos = 1;
  let term: ErlTerm;
  if (bytes[1] === Tag.COMPRESSED) {
    d.pos = 2;
    const size = d.u32();
    if (size > o.maxUncompressedSize) {
      throw d.fail('CONVERT_LIMIT', `compressed term of ${size} bytes exceeds maxUncompressedSize ${o.maxUncompressedSize}`, 1, {
        limit: 'maxUncompressedSize',
        maxUncompressedSize: o.maxUncompressedSize,
      });
    }
    const b = budget ?? { bytes: o.maxInflatedBytes, terms: o.maxInflatedTerms };
    if (size > b.bytes) {
      throw d.fail('CONVERT_LIMIT', `compressed terms inflate to more than maxInflatedBytes ${o.maxInflatedBytes} bytes`, 1, {
        limit: 'maxInflatedBytes',
        maxInflatedBytes: o.maxInflatedBytes,
      });
    }
    // The declared size is what inflating may produce (maxOutputLength): spend it before allocating.
    b.bytes -= size;
    let inflated: Uint8Array;
    try {
      inflated = size === 0 ? new Uint8Array(0) : inflateSync(bytes.subarray(6), { maxOutputLength: size });
    } catch (e) {
      throw new TermstoreError('CONVERT_CORRUPT', `compressed term does not inflate to its declared ${size} bytes (offset ${(loc.base ?? 0) + 1})`, {
        cause: e,
        details: { offset: (loc.base ?? 0) + 1, ...(loc.file !== undefined ? { file: loc.file } : {}) },
      });
    }
    if (inflated.length !== size) {
      throw d.corrupt(`compressed term inflates to ${inflated.length} bytes, not the declared ${size}`, 1);
    }
    const inner = new Decoder(inflated, 0, o, loc, 1, b);
    term = guardStack(() => inner.term(0), loc);
    if (inner.pos !== inflated.length) throw inner.corrupt('bytes after the term in a compressed term', inner.pos);
    // The zlib stream's own end is not tracked: trailing bytes after it are not checked.
    return term;
  }
  term = guardStack(() => d.term(0), loc);
  if (!allowTrailing && d.pos !== bytes.length) {
    throw d.corrupt(`${bytes.length - d.pos} bytes after the term`, d.pos);
  }
  return term;
}
