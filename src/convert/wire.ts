/**
 * Terms to the CBOR wire values of `src/dets/codec.ts` and back, extended
 * with the three Erlang values the term model lacks, and the conversion of
 * such values to storable terms.
 *
 * termstore's own conversion formats (tab files, CBOR sequences, the SQLite
 * `object` column) encode rows with the dets codec (one configured cbor-x
 * `Encoder`, the tags of `codec.ts`). Rows read from Erlang files in exact
 * mode may also hold {@link ErlFloat}, {@link ErlImproperList} and
 * {@link ErlBitstring}; they get three more tags from the same private range,
 * so that an Erlang file converted to one of these formats and back is `=:=`
 * to the original:
 *
 * | value                           | CBOR                                          |
 * |---------------------------------|-----------------------------------------------|
 * | `ErlFloat(v)` (integral float)  | tag 40108(v, encoded as a number of codec.ts) |
 * | `ErlImproperList(items, tail)`  | tag 40109([item1, ..., itemN, tail])          |
 * | `ErlBitstring(bytes, bits)`     | tag 40110([bytes, bits (1..7)])               |
 *
 * Everything else is exactly the dets codec (`toWire`/`fromWire`).
 *
 * @module
 */
import { Tag, type Encoder } from 'cbor-x';
import { TAG, WireError, fromWire, toWire } from '../dets/codec.js';
import { ItemWriter } from '../dets/items.js';
import { TermstoreError } from '../errors.js';
import { hashKey } from '../term/equal.js';
import { Tuple, isPlainObject, type Row, type Term } from '../term/types.js';
import { ErlBitstring, ErlImproperList, type ErlTerm } from '../erlang/terms.js';

/** The extra tags (see the module table; FLOAT is the dets codec's float box tag). */
export const ERL_TAG = { FLOAT: TAG.FLOAT, IMPROPER: 40109, BITSTRING: 40110 } as const;

function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function isErl(x: object): boolean {
  return x instanceof ErlImproperList || x instanceof ErlBitstring;
}

/** True if `x` holds an Erlang wrapper anywhere (so that {@link toWire} alone cannot encode it). */
export function holdsErl(x: unknown, depth = 0): boolean {
  if (typeof x !== 'object' || x === null) return false;
  if (depth > 10_000) return false;
  if (isErl(x)) return true;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) if (holdsErl(x[i], depth + 1)) return true;
    return false;
  }
  if (x instanceof Map) {
    for (const [k, v] of x) if (holdsErl(k, depth + 1) || holdsErl(v, depth + 1)) return true;
    return false;
  }
  if (isPlainObject(x)) {
    for (const k of Object.keys(x)) if (holdsErl(x[k], depth + 1)) return true;
  }
  return false;
}

/**
 * The value cbor-x encodes for a term or Erlang value. Terms without
 * Erlang wrappers go through `toWire` unchanged; throws `WireError` for a
 * value that is neither.
 */
export function toWireX(x: unknown): unknown {
  if (typeof x !== 'object' || x === null || !holdsErl(x)) return toWire(x);
  return wireErl(x);
}

function wireErl(x: object): unknown {
  if (x instanceof ErlImproperList) {
    const a: unknown[] = x.items.map(toWireX);
    a.push(toWireX(x.tail));
    return new Tag(a, ERL_TAG.IMPROPER);
  }
  if (x instanceof ErlBitstring) return new Tag([x.bytes, x.bitsInLastByte], ERL_TAG.BITSTRING);
  if (Array.isArray(x)) {
    const a: unknown[] = new Array(x.length);
    for (let i = 0; i < x.length; i++) a[i] = toWireX(x[i]);
    return x instanceof Tuple ? new Tag(a, TAG.TUPLE) : a;
  }
  if (x instanceof Map) {
    const flat: unknown[] = [];
    for (const [k, v] of x) flat.push(toWireX(k), toWireX(v));
    return new Tag(flat, TAG.MAP);
  }
  if (isPlainObject(x)) {
    // Keys with lone surrogates must go through toWire (a Map of tagged keys), as codec.ts does.
    const m = new Map<unknown, unknown>();
    for (const k of Object.keys(x)) m.set(toWire(k), toWireX(x[k]));
    return m;
  }
  return toWire(x);
}

/**
 * The term (or Erlang value) a decoded CBOR value encodes; decoded values
 * are reused in place. Throws `WireError` for anything the formats do not
 * produce.
 */
export function fromWireX(x: unknown): ErlTerm {
  if (typeof x !== 'object' || x === null) return fromWire(x);
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) x[i] = fromWireX(x[i]);
    return x as ErlTerm[];
  }
  if (x instanceof Tag) {
    const v: unknown = x.value;
    switch (x.tag) {
      case ERL_TAG.IMPROPER: {
        if (!Array.isArray(v) || v.length < 2) throw new WireError('a malformed improper list');
        const items = v.slice(0, -1).map(fromWireX);
        try {
          return new ErlImproperList(items, fromWireX(v[v.length - 1]));
        } catch (e) {
          throw new WireError(`a malformed improper list (${(e as Error).message})`);
        }
      }
      case ERL_TAG.BITSTRING: {
        if (!Array.isArray(v) || v.length !== 2 || !(v[0] instanceof Uint8Array) || typeof v[1] !== 'number') throw new WireError('a malformed bitstring');
        try {
          return new ErlBitstring(new Uint8Array(v[0]), v[1]);
        } catch (e) {
          throw new WireError(`a malformed bitstring (${(e as Error).message})`);
        }
      }
      case TAG.TUPLE: {
        if (!Array.isArray(v)) break;
        const t = new Tuple();
        for (let i = 0; i < v.length; i++) t.push(fromWireX(v[i]) as Term);
        return t;
      }
      case TAG.MAP: {
        if (!Array.isArray(v) || v.length % 2 !== 0) break;
        const m = new Map<ErlTerm, ErlTerm>();
        for (let i = 0; i < v.length; i += 2) m.set(fromWireX(v[i]), fromWireX(v[i + 1]));
        return m;
      }
    }
    return fromWire(x);
  }
  if (x instanceof Map) {
    // A CBOR map is a plain object with text keys (codec.ts).
    const o: Record<string, ErlTerm> = {};
    for (const [wk, v] of x) {
      const k = typeof wk === 'string' ? wk : fromWire(wk);
      if (typeof k !== 'string') throw new WireError('a CBOR map key that is not text');
      defineKey(o, k, fromWireX(v));
    }
    return o;
  }
  return fromWire(x);
}

/** Where a value sits, for {@link toStorable} errors. */
export interface TermPlace {
  /** 0-based index of the row in its file or stream. */
  row: number;
  /** Byte offset of the row (or of the record holding it), when known. */
  offset?: number;
  file?: string;
}

/**
 * Makes an Erlang value storable in a table (as `terms: 'storable'` does):
 * improper lists, bitstrings and maps whose keys would be one term in a
 * table are refused with `CONVERT_UNSUPPORTED_TERM`, naming the row and the
 * path inside it (`2/0/#1k`: element 2, list element 0, key of map entry 1).
 * Float boxes are terms and stay. Returns `x` itself when nothing in it
 * changes.
 */
export function toStorable(x: ErlTerm, place: TermPlace, path = ''): Term {
  if (typeof x !== 'object' || x === null) return x as Term;
  if (x instanceof ErlImproperList || x instanceof ErlBitstring) {
    const what = x instanceof ErlImproperList ? 'an improper list' : 'a bitstring';
    throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${place.row}${path === '' ? '' : ` at ${path}`}: ${what} cannot be stored in a termstore table or dets file`, {
      details: { position: place.row, path, offset: place.offset, file: place.file },
    });
  }
  if (Array.isArray(x)) {
    let out: Term[] | undefined;
    for (let i = 0; i < x.length; i++) {
      const v = x[i] as ErlTerm;
      const s = toStorable(v, place, path === '' ? String(i) : `${path}/${i}`);
      if (out === undefined && s !== v) {
        out = x instanceof Tuple ? new Tuple() : [];
        for (let j = 0; j < i; j++) out.push(x[j] as Term);
      }
      if (out !== undefined) out.push(s);
    }
    return out ?? (x as Term);
  }
  if (x instanceof Map) {
    if (x.size < 2 && !holdsErl(x)) return x as Term;
    const m = new Map<Term, Term>();
    const seen = new Set<unknown>();
    let i = 0;
    for (const [k, v] of x as Map<ErlTerm, ErlTerm>) {
      const sk = toStorable(k, place, `${path}/#${i}k`);
      const h = hashKey(sk);
      if (seen.has(h)) {
        throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${place.row} at ${path}/#${i}k: two map keys are the same term in a table`, {
          details: { position: place.row, path: `${path}/#${i}k`, offset: place.offset, file: place.file },
        });
      }
      seen.add(h);
      m.set(sk, toStorable(v, place, `${path}/#${i}v`));
      i++;
    }
    return m;
  }
  if (isPlainObject(x)) {
    if (!holdsErl(x)) return x as Term;
    const o: Record<string, Term> = {};
    for (const k of Object.keys(x)) defineKey(o, k, toStorable((x as Record<string, ErlTerm>)[k]!, place, `${path}/${k}`));
    return o;
  }
  return x as Term;
}

/** {@link toStorable} for a row (an array), always returning an array. */
export function storableRow(row: readonly ErlTerm[], place: TermPlace): Row {
  return toStorable(row as ErlTerm, place) as Row;
}

/** The wire value of a row: always a CBOR array (a `Tuple` row is written as its elements). */
export function rowToWire(row: readonly unknown[]): unknown {
  return toWireX(row instanceof Tuple || row.constructor !== Array ? Array.from(row) : row);
}

/**
 * A growable buffer of CBOR items (the dets `ItemWriter`, which encodes with
 * no allocation per item) that hands its buffer over once it holds about
 * `capacity` bytes: `put` a wire value (see {@link toWireX}); `take` returns
 * the buffer and starts a fresh one, so a taken buffer can be written while
 * the next fills. The first `reserve` bytes are left free (a frame header).
 */
export class WireBuffer extends ItemWriter {
  constructor(
    codec: Encoder,
    reserve = 0,
    private readonly capacity = 1 << 20,
  ) {
    super(codec, reserve, reserve + capacity + 64 * 1024);
  }

  /** True once the items fill the capacity. */
  get full(): boolean {
    return this.size >= this.capacity;
  }

  /** Appends one CBOR item encoding `wire`. */
  put(wire: unknown): void {
    this.item(wire);
  }

  /** The buffer and its length; a fresh buffer replaces it. */
  take(): { buf: Buffer; len: number } {
    const r = { buf: this.buf, len: this.len };
    this.renew(this.reserve + this.capacity + 64 * 1024);
    return r;
  }
}
