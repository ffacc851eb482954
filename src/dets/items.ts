/**
 * Items: the CBOR values inside dets frames, independent of the frame
 * layout (format versions 1 and 2 share them; tab files use rows).
 *
 * - a **row** is a CBOR array (see `codec.ts` for the terms inside);
 * - an **op** is a CBOR array `[opcode, ...]` (one change to the table);
 * - in format 2, a **write item** is a CBOR array `[n, op, op, ...]`: one
 *   logical write (one ETS call) is one or more write items. The first
 *   item of a write has `n = more` (an unsigned integer), later ones
 *   `n = -1 - more` (a negative integer), `more` counting the write items
 *   of the same write that still follow (0 on the last). So a reader that
 *   lost the start of a write knows where the next write starts. A large
 *   write is split into several write items of about
 *   {@link WRITE_ITEM_TARGET} bytes (an insert of many rows into several
 *   inserts), so one damaged frame costs only the rows stored in it.
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import type { WriteOp } from '../engines/types.js';
import { copyRow, copyTerm } from '../term/copy.js';
import type { Row, Term } from '../term/types.js';
import { WireError, fromWire, toWire } from './codec.js';

/** Op codes inside an op item. */
export const OpCode = { INSERT: 0, DELETE: 1, DELETE_OBJECT: 2, REPLACE: 3, CLEAR: 4 } as const;

/** cbor-x's REUSE_BUFFER_MODE | RESET_BUFFER_MODE: return the encoder's own buffer (bytes in [start, end)) and reuse it next call. */
const REUSE_AND_RESET = 512 | 1024;
type ReusingEncode = (value: unknown, mode: number) => Buffer & { start: number; end: number };

/**
 * Appends CBOR items to a growable buffer with no allocation per item
 * (cbor-x encodes into its own reused buffer, the bytes are copied here
 * at once). `reserve` bytes are left free at the start (a frame header).
 */
export class ItemWriter {
  buf: Buffer;
  len: number;
  private readonly encode: ReusingEncode;
  constructor(
    codec: Encoder,
    protected readonly reserve = 0,
    capacity = 4096,
  ) {
    this.encode = (codec.encode as unknown as ReusingEncode).bind(codec);
    this.buf = Buffer.allocUnsafe(Math.max(capacity, reserve + 16));
    this.len = reserve;
  }
  /** Bytes of items written. */
  get size(): number {
    return this.len - this.reserve;
  }
  /** Forgets the items (keeps the buffer). */
  reset(): void {
    this.len = this.reserve;
  }
  /** Starts over with a fresh buffer (the old one may still be in use). */
  renew(capacity: number): void {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, this.reserve + 16));
    this.len = this.reserve;
  }
  protected room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.len + n, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  /** Appends raw bytes. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  /** One CBOR item encoding an already wire-shaped value (see `codec.ts`). */
  item(wire: unknown): void {
    const out = this.encode(wire, REUSE_AND_RESET);
    const from = out.start;
    const n = out.end - from;
    this.room(n);
    if (n <= 64) {
      // Small copies are faster by hand than through Buffer#copy.
      const b = this.buf;
      let at = this.len;
      for (let i = 0; i < n; i++) b[at++] = out[from + i]!;
    } else {
      out.copy(this.buf, this.len, from, from + n);
    }
    this.len += n;
  }
  /** A CBOR array head for `n` items. */
  arrayHead(n: number): void {
    this.room(5);
    const b = this.buf;
    if (n < 24) b[this.len++] = 0x80 | n;
    else if (n < 0x100) {
      b[this.len++] = 0x98;
      b[this.len++] = n;
    } else if (n < 0x10000) {
      b[this.len++] = 0x99;
      b.writeUInt16BE(n, this.len);
      this.len += 2;
    } else {
      b[this.len++] = 0x9a;
      b.writeUInt32BE(n, this.len);
      this.len += 4;
    }
  }
  /** A small unsigned integer (< 24). */
  tiny(n: number): void {
    this.room(1);
    this.buf[this.len++] = n;
  }
  /** An unsigned integer (< 2^32), or with `negative` the integer `-1 - n`. */
  uint(n: number, negative = false): void {
    const major = negative ? 0x20 : 0;
    this.room(5);
    const b = this.buf;
    if (n < 24) {
      b[this.len++] = major | n;
    } else if (n < 0x100) {
      b[this.len++] = major | 0x18;
      b[this.len++] = n;
    } else if (n < 0x10000) {
      b[this.len++] = major | 0x19;
      b.writeUInt16BE(n, this.len);
      this.len += 2;
    } else {
      b[this.len++] = major | 0x1a;
      b.writeUInt32BE(n, this.len);
      this.len += 4;
    }
  }
  /** One term. */
  term(t: unknown): void {
    this.item(toWire(t));
  }
  /** One write, as the item of an ops frame. */
  op(op: WriteOp): void {
    switch (op.op) {
      case 'insert':
        this.arrayHead(op.rows.length + 1);
        this.tiny(OpCode.INSERT);
        for (const r of op.rows) this.term(r);
        return;
      case 'delete':
        this.arrayHead(2);
        this.tiny(OpCode.DELETE);
        this.term(op.key);
        return;
      case 'deleteObject':
        this.arrayHead(2);
        this.tiny(OpCode.DELETE_OBJECT);
        this.term(op.row);
        return;
      case 'replace':
        this.arrayHead(3);
        this.tiny(OpCode.REPLACE);
        this.term(op.old);
        this.term(op.row);
        return;
      case 'clear':
        this.arrayHead(1);
        this.tiny(OpCode.CLEAR);
        return;
    }
  }
}

/** Target size of one write item: a write whose ops encode larger is split into several write items. */
export const WRITE_ITEM_TARGET = 16 * 1024;

/**
 * Encodes one logical write (a list of ops) as write items
 * (`[more, op, ...]`) appended to an {@link ItemWriter}, and records where
 * each item ends. Throws whatever `toWire` throws for a value that is not a
 * term (nothing is then appended).
 */
export class WriteEncoder {
  private readonly scratch: ItemWriter;
  /** End offset (in `scratch`) of each unit: a whole op, or one row of an insert. */
  private unitEnd: number[] = [];
  /** For a row unit, the index of its insert op in the write; -1 for a whole op. */
  private unitGroup: number[] = [];
  constructor(codec: Encoder) {
    this.scratch = new ItemWriter(codec, 0, 4096);
  }

  /** Appends the write items of `ops` to `out`, pushing each item's end (`out.size`) onto `ends`. */
  encode(ops: readonly WriteOp[], out: ItemWriter, ends: number[]): void {
    const start = out.len;
    // The common case: the write fits one item. Encode it so, and split only
    // if it turns out larger than the target.
    try {
      out.arrayHead(1 + ops.length);
      out.tiny(0);
      for (const op of ops) out.op(op);
    } catch (e) {
      out.len = start;
      throw e;
    }
    if (out.len - start <= WRITE_ITEM_TARGET || (ops.length === 1 && (ops[0]!.op !== 'insert' || (ops[0] as { rows: readonly Row[] }).rows.length <= 1))) {
      ends.push(out.size);
      return;
    }
    out.len = start;
    this.split(ops, out, ends);
  }

  private split(ops: readonly WriteOp[], out: ItemWriter, ends: number[]): void {
    const w = this.scratch;
    w.reset();
    const unitEnd = this.unitEnd;
    const unitGroup = this.unitGroup;
    unitEnd.length = 0;
    unitGroup.length = 0;
    for (let g = 0; g < ops.length; g++) {
      const op = ops[g]!;
      if (op.op === 'insert' && op.rows.length > 0) {
        for (const r of op.rows) {
          w.term(r);
          unitEnd.push(w.len);
          unitGroup.push(g);
        }
      } else {
        w.op(op);
        unitEnd.push(w.len);
        unitGroup.push(-1);
      }
    }
    if (w.buf.length > 1 << 20) w.renew(4096);
    // Group units into items of about WRITE_ITEM_TARGET bytes.
    const cuts: number[] = [0];
    let size = 0;
    for (let u = 0; u < unitEnd.length; u++) {
      const n = unitEnd[u]! - (u === 0 ? 0 : unitEnd[u - 1]!);
      if (size > 0 && size + n > WRITE_ITEM_TARGET) {
        cuts.push(u);
        size = 0;
      }
      size += n;
    }
    cuts.push(unitEnd.length);
    const items = cuts.length - 1;
    for (let k = 0; k < items; k++) {
      const from = cuts[k]!;
      const to = cuts[k + 1]!;
      let nOps = 0;
      for (let u = from; u < to; u++) if (unitGroup[u] === -1 || u === from || unitGroup[u] !== unitGroup[u - 1]) nOps++;
      out.arrayHead(1 + nOps);
      out.uint(items - 1 - k, k > 0);
      for (let u = from; u < to; ) {
        const g = unitGroup[u]!;
        const begin = u === 0 ? 0 : unitEnd[u - 1]!;
        if (g === -1) {
          out.bytes(w.buf.subarray(begin, unitEnd[u]!));
          u++;
          continue;
        }
        let v = u;
        while (v < to && unitGroup[v] === g) v++;
        out.arrayHead(1 + v - u);
        out.tiny(OpCode.INSERT);
        out.bytes(w.buf.subarray(begin, unitEnd[v - 1]!));
        u = v;
      }
      ends.push(out.size);
    }
  }
}

/** A decoded write item: whether it starts its write, how many write items of the same write follow, and its ops. */
export interface WriteItem {
  first: boolean;
  more: number;
  ops: WriteOp[];
}

/** Turns a decoded write item back into its ops; throws {@link WireError}. */
export function writeItemFromWire(x: unknown, keypos: number): WriteItem {
  if (!Array.isArray(x) || x.length < 2) throw new WireError('a write item that is not an array of [n, op, ...]');
  const n = x[0];
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new WireError('a write item without a count');
  const ops: WriteOp[] = new Array(x.length - 1);
  for (let i = 1; i < x.length; i++) ops[i - 1] = opFromWire(x[i], keypos);
  return n >= 0 ? { first: true, more: n, ops } : { first: false, more: -1 - n, ops };
}

/** Encodes one write as the CBOR item of an ops frame (a copy). */
export function encodeOp(codec: Encoder, op: WriteOp): Buffer {
  const w = new ItemWriter(codec, 0, 64);
  w.op(op);
  return Buffer.from(w.buf.subarray(0, w.len));
}

/** Encodes one row as the CBOR item of a snapshot-rows frame (a copy). */
export function encodeRow(codec: Encoder, row: Row): Buffer {
  const w = new ItemWriter(codec, 0, 64);
  w.term(row);
  return Buffer.from(w.buf.subarray(0, w.len));
}

/** Encodes the CBOR map payload of a marker frame. */
export function encodeMarker(codec: Encoder, fields: Record<string, number>): Buffer {
  return codec.encode(fields);
}

/**
 * True if a decoded row holds only scalars that are their own wire form
 * (numbers, strings, booleans, null, undefined), so it can be stored as is.
 * Throws {@link WireError} for NaN.
 */
export function isScalarRow(x: readonly unknown[]): boolean {
  for (let i = 0; i < x.length; i++) {
    const v: unknown = x[i];
    const t = typeof v;
    if (t === 'number') {
      if (v !== v) throw new WireError('NaN is not a term');
    } else if (t !== 'string' && t !== 'boolean' && t !== 'undefined' && v !== null) {
      return false;
    }
  }
  return true;
}

/**
 * Turns a decoded CBOR row into a stored row (as `copyRow` makes them: the
 * row array the table's own, nested parts frozen); throws
 * {@link WireError}. A row of plain scalars is used as is (the decoded
 * array is fresh and unshared); others go through `copyRow`, which also
 * marks rows holding binaries.
 */
export function rowFromWire(x: unknown, keypos: number): Row {
  if (!Array.isArray(x) || x.length < keypos) throw new WireError('a row that is not an array of at least keypos elements');
  if (isScalarRow(x)) return x as Term[];
  try {
    return copyRow(fromWire(x) as Term[]);
  } catch (e) {
    throw e instanceof WireError ? e : new WireError('a row that is not a term');
  }
}

function termFromWire(x: unknown): Term {
  try {
    return copyTerm(fromWire(x));
  } catch (e) {
    throw e instanceof WireError ? e : new WireError('a value that is not a term');
  }
}

/** Turns a decoded CBOR op item back into a {@link WriteOp}; throws {@link WireError}. */
export function opFromWire(x: unknown, keypos: number): WriteOp {
  if (!Array.isArray(x) || x.length < 1) throw new WireError('an op that is not an array');
  switch (x[0]) {
    case OpCode.INSERT: {
      const rows: Row[] = new Array(x.length - 1);
      for (let i = 1; i < x.length; i++) rows[i - 1] = rowFromWire(x[i], keypos);
      return { op: 'insert', rows };
    }
    case OpCode.DELETE:
      if (x.length !== 2) break;
      return { op: 'delete', key: termFromWire(x[1]) };
    case OpCode.DELETE_OBJECT:
      if (x.length !== 2) break;
      return { op: 'deleteObject', row: rowFromWire(x[1], keypos) };
    case OpCode.REPLACE:
      if (x.length !== 3) break;
      return { op: 'replace', old: rowFromWire(x[1], keypos), row: rowFromWire(x[2], keypos) };
    case OpCode.CLEAR:
      if (x.length !== 1) break;
      return { op: 'clear' };
  }
  throw new WireError('an unknown op');
}

/** Decodes every CBOR item of a payload (a CBOR sequence). Throws on malformed CBOR. */
export function decodeItems(codec: Encoder, payload: Buffer): unknown[] {
  if (payload.length === 0) return [];
  const out: unknown[] = [];
  codec.decodeMultiple(payload, (v: unknown) => {
    out.push(v);
  });
  return out;
}

/** Reads a numeric field of a decoded marker map. */
export function markerField(x: unknown, k: string): number | undefined {
  const v = x instanceof Map ? x.get(k) : undefined;
  return typeof v === 'number' ? v : undefined;
}
