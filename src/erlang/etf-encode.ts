/**
 * External Term Format encoder (`term_to_binary`).
 *
 * What each JS value becomes (layouts as in `etf-decode.ts`):
 *
 * | JS                                     | ETF                                              |
 * |----------------------------------------|--------------------------------------------------|
 * | safe-integer `number` / `bigint`       | SMALL_INTEGER (0..255), INTEGER (32-bit signed), else SMALL_BIG / LARGE_BIG |
 * | other finite `number` (`1.5`, `1e20`), `ErlFloat` | NEW_FLOAT (see `src/term/number.ts`)   |
 * | `string`                               | BINARY (UTF-8; a string with a lone surrogate is refused) |
 * | `Uint8Array`                           | BINARY                                            |
 * | `ErlBitstring`                         | BIT_BINARY                                        |
 * | atom (`Symbol.for`, booleans, `null` = nil, `undefined`) | SMALL_ATOM_UTF8 / ATOM_UTF8    |
 * | `Tuple`                                | SMALL_TUPLE / LARGE_TUPLE                         |
 * | array                                  | NIL if empty; STRING if all elements are integers 0..255 and it has at most 65535; else LIST ... NIL |
 * | `ErlImproperList`                      | LIST items tail                                   |
 * | `Map`, plain object                    | MAP (entries in iteration order; keys that are the same Erlang term are refused) |
 * | `Opaque`                               | its bytes, unchanged (checked to be one well-formed term of its kind) |
 *
 * Refused with `CONVERT_UNSUPPORTED_TERM` (`details.path` says where, as
 * `/`-separated element indexes; `#3k`/`#3v` for a map entry's key/value):
 * a local `Pid` (it names a termstore process, which means nothing to
 * Erlang), NaN and infinities, unregistered symbols, atoms longer than 255
 * characters, functions and class instances, nesting deeper than `maxDepth`.
 *
 * @module
 */
import { deflateSync } from 'node:zlib';
import { TermstoreError } from '../errors.js';
import { Opaque, Pid, Tuple, isPlainObject } from '../term/index.js';
import { decodeBody } from './etf-decode.js';
import { ErlBitstring, ErlFloat, ErlImproperList, erlCanonical, type ErlTerm } from './terms.js';
import { Tag, VERSION_MAGIC, type EncodeOptions } from './etf-tags.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const LONE_SURROGATE = /\p{Cs}/u;
const utf8 = new TextEncoder();

/** An integer 0..255 (`number` or `bigint`): an element of a `STRING_EXT`. */
function isByte(e: unknown): boolean {
  if (typeof e === 'bigint') return e >= 0n && e <= 255n;
  return typeof e === 'number' && Number.isSafeInteger(e) && e >= 0 && e <= 255;
}

/** Thrown inside the encoder; turned into a `TermstoreError` with the path at the top. */
class Refusal {
  readonly path: string[] = [];
  constructor(readonly message: string) {}
}

/**
 * A reusable ETF encoder: keeps one growing buffer between calls, so
 * encoding many terms (a file's rows) allocates little. Not shared between
 * concurrent users; create one per job.
 */
export class EtfEncoder {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;
  private readonly maxDepth: number;
  private readonly level: number | undefined;

  constructor(options: EncodeOptions = {}) {
    this.maxDepth = options.maxDepth ?? 2000;
    if (!Number.isInteger(this.maxDepth) || this.maxDepth < 1) {
      throw new TermstoreError('ETS_BADARG', "invalid encode option 'maxDepth'", { details: { option: 'maxDepth' } });
    }
    const c = options.compressed;
    if (c === undefined || c === false) this.level = undefined;
    else if (c === true) this.level = 6;
    else if (Number.isInteger(c) && c >= 1 && c <= 9) this.level = c;
    else throw new TermstoreError('ETS_BADARG', "invalid encode option 'compressed'", { details: { option: 'compressed' } });
  }

  /** `term_to_binary(term)`: version byte 131, then the term (compressed if asked and smaller). */
  encode(term: ErlTerm): Uint8Array {
    this.len = 0;
    this.u8(VERSION_MAGIC);
    this.run(term);
    if (this.level !== undefined) {
      const body = this.buf.subarray(1, this.len);
      const z = deflateSync(body, { level: this.level });
      if (z.length + 5 < body.length) {
        const out = new Uint8Array(6 + z.length);
        out[0] = VERSION_MAGIC;
        out[1] = Tag.COMPRESSED;
        new DataView(out.buffer).setUint32(2, body.length);
        out.set(z, 6);
        return out;
      }
    }
    return this.buf.slice(0, this.len);
  }

  /**
   * `term_to_binary(term)` (uncompressed) as a view of the encoder's own
   * buffer: valid until the next call. For callers that copy the bytes
   * somewhere at once (no allocation per term).
   */
  encodeView(term: ErlTerm): Uint8Array {
    this.len = 0;
    this.u8(VERSION_MAGIC);
    this.run(term);
    return this.buf.subarray(0, this.len);
  }

  /**
   * {@link encodeView} of the tuple whose elements are `row` (a table row,
   * whatever its array class), without building a `Tuple`.
   */
  encodeRowView(row: readonly ErlTerm[]): Uint8Array {
    this.len = 0;
    this.u8(VERSION_MAGIC);
    this.guarded(() => this.tuple(row, 0));
    return this.buf.subarray(0, this.len);
  }

  /** The term's bytes without the version byte (as embedded in another term, or in an `Opaque`). */
  encodeBody(term: ErlTerm): Uint8Array {
    this.len = 0;
    this.run(term);
    return this.buf.slice(0, this.len);
  }

  private run(term: ErlTerm): void {
    this.guarded(() => this.term(term, 0));
  }

  /** Runs an encoding step, turning a refusal into a `TermstoreError` with its path. */
  private guarded(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e instanceof Refusal) {
        const path = e.path.join('/');
        throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `${e.message}${path === '' ? '' : ` (at ${path})`}`, { details: { path } });
      }
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', 'term nested too deeply for the JS stack (lower maxDepth)', { cause: e });
      }
      throw e;
    }
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  private u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  private u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
  }
  private u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }
  private raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  private term(x: unknown, depth: number): void {
    switch (typeof x) {
      case 'number':
        if (Number.isSafeInteger(x)) return this.integer(x);
        if (!Number.isFinite(x)) throw new Refusal(`${x} is not an Erlang number`);
        return this.float(x);
      case 'bigint':
        return this.integer(x);
      case 'string':
        return this.string(x);
      case 'boolean':
        return this.atom(x ? 'true' : 'false');
      case 'undefined':
        return this.atom('undefined');
      case 'symbol': {
        const name = Symbol.keyFor(x);
        if (name === undefined) throw new Refusal('an unregistered symbol is not an atom (use Symbol.for)');
        return this.atom(name);
      }
      case 'object': {
        if (x === null) return this.atom('nil');
        if (x instanceof Uint8Array) {
          this.u8(Tag.BINARY);
          this.u32(x.length);
          return this.raw(x);
        }
        if (x instanceof ErlFloat) return this.float(x.value);
        if (x instanceof Opaque) return this.opaque(x);
        if (x instanceof Pid) throw new Refusal(`local pid ${x} names a termstore process and cannot be written for Erlang`);
        if (x instanceof ErlBitstring) {
          this.u8(Tag.BIT_BINARY);
          this.u32(x.bytes.length);
          this.u8(x.bitsInLastByte);
          return this.raw(x.bytes);
        }
        if (depth >= this.maxDepth) throw new Refusal(`term nested deeper than maxDepth ${this.maxDepth} (cyclic?)`);
        if (Array.isArray(x)) return x instanceof Tuple ? this.tuple(x, depth) : this.list(x, depth);
        if (x instanceof ErlImproperList) return this.improper(x, depth);
        if (x instanceof Map) return this.map(x, depth);
        if (isPlainObject(x)) return this.map(new Map(Object.entries(x)), depth);
        throw new Refusal(`${Object.prototype.toString.call(x)} (a class instance) is not a term`);
      }
      default:
        throw new Refusal(`a ${typeof x} is not a term`);
    }
  }

  private integer(v: number | bigint): void {
    if (typeof v === 'number' && v >= INT32_MIN && v <= INT32_MAX) {
      if (v >= 0 && v <= 255) {
        this.u8(Tag.SMALL_INTEGER);
        this.u8(v);
      } else {
        this.u8(Tag.INTEGER);
        this.ensure(4);
        this.view.setInt32(this.len, v);
        this.len += 4;
      }
      return;
    }
    const b = typeof v === 'bigint' ? v : BigInt(v);
    if (b >= INT32_MIN && b <= INT32_MAX) return this.integer(Number(b));
    const neg = b < 0n;
    let hex = (neg ? -b : b).toString(16);
    if (hex.length % 2 === 1) hex = '0' + hex;
    const n = hex.length / 2;
    if (n <= 255) {
      this.u8(Tag.SMALL_BIG);
      this.u8(n);
    } else {
      this.u8(Tag.LARGE_BIG);
      this.u32(n);
    }
    this.u8(neg ? 1 : 0);
    this.ensure(n);
    for (let i = 0; i < n; i++) this.buf[this.len + i] = parseInt(hex.slice(hex.length - 2 * i - 2, hex.length - 2 * i), 16);
    this.len += n;
  }

  private float(v: number): void {
    this.u8(Tag.NEW_FLOAT);
    this.ensure(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }

  private string(s: string): void {
    if (LONE_SURROGATE.test(s)) throw new Refusal('a string with a lone surrogate has no UTF-8 encoding');
    this.u8(Tag.BINARY);
    const at = this.len;
    this.len += 4;
    this.ensure(s.length * 3);
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.len));
    this.view.setUint32(at, written);
    this.len += written;
  }

  private atom(name: string): void {
    const b = utf8.encode(name);
    if (b.length > 255) {
      let chars = 0;
      for (const _ of name) chars++;
      if (chars > 255) throw new Refusal(`atom of ${chars} characters is longer than Erlang's limit of 255`);
    }
    if (LONE_SURROGATE.test(name)) throw new Refusal('an atom name with a lone surrogate has no UTF-8 encoding');
    if (b.length <= 255) {
      this.u8(Tag.SMALL_ATOM_UTF8);
      this.u8(b.length);
    } else {
      this.u8(Tag.ATOM_UTF8);
      this.u16(b.length);
    }
    this.raw(b);
  }

  private tuple(t: readonly unknown[], depth: number): void {
    const n = t.length;
    if (n <= 255) {
      this.u8(Tag.SMALL_TUPLE);
      this.u8(n);
    } else {
      this.u8(Tag.LARGE_TUPLE);
      this.u32(n);
    }
    this.elements(t, depth);
  }

  private elements(a: readonly unknown[], depth: number): void {
    for (let i = 0; i < a.length; i++) {
      try {
        this.term(a[i], depth + 1);
      } catch (e) {
        if (e instanceof Refusal) e.path.unshift(String(i));
        throw e;
      }
    }
  }

  private list(a: readonly unknown[], depth: number): void {
    const n = a.length;
    if (n === 0) return this.u8(Tag.NIL);
    if (n <= 65535 && a.every(isByte)) {
      this.u8(Tag.STRING);
      this.u16(n);
      this.ensure(n);
      for (let i = 0; i < n; i++) this.buf[this.len + i] = Number(a[i]);
      this.len += n;
      return;
    }
    this.u8(Tag.LIST);
    this.u32(n);
    this.elements(a, depth);
    this.u8(Tag.NIL);
  }

  private improper(l: ErlImproperList, depth: number): void {
    this.u8(Tag.LIST);
    this.u32(l.items.length);
    this.elements(l.items, depth);
    try {
      this.term(l.tail, depth + 1);
    } catch (e) {
      if (e instanceof Refusal) e.path.unshift('tail');
      throw e;
    }
  }

  private map(m: ReadonlyMap<unknown, unknown>, depth: number): void {
    this.u8(Tag.MAP);
    this.u32(m.size);
    const seen = new Set<string>();
    let i = 0;
    for (const [k, v] of m) {
      let id: string;
      try {
        id = erlCanonical(k);
      } catch {
        id = `?${i}`; // not a term: the encoder below reports it
      }
      if (seen.has(id)) {
        const r = new Refusal('two map keys are the same Erlang term');
        r.path.push(`#${i}k`);
        throw r;
      }
      seen.add(id);
      for (const [part, value] of [['k', k], ['v', v]] as const) {
        try {
          this.term(value, depth + 1);
        } catch (e) {
          if (e instanceof Refusal) e.path.unshift(`#${i}${part}`);
          throw e;
        }
      }
      i++;
    }
  }

  private opaque(o: Opaque): void {
    let ok = false;
    try {
      const { term, end } = decodeBody(o.bytes, 0, { terms: 'exact' });
      ok = end === o.bytes.length && term instanceof Opaque && term.kind === o.kind;
    } catch {
      ok = false;
    }
    if (!ok) throw new Refusal(`Opaque ${o.kind} does not hold one well-formed Erlang ${o.kind}`);
    this.raw(o.bytes);
  }
}
