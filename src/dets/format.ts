/**
 * The dets file format, version 1. Byte layout (all integers little-endian):
 *
 * ```text
 * File   = Header Frame*
 *
 * Header (20 + N bytes, written once when the file is created or rewritten):
 *   0   8  magic        89 54 53 44 45 54 53 0A   ("\x89TSDETS\n")
 *   8   2  version      u16 = 1
 *  10   2  flags        u16 = 0 (reserved; a reader of v1 refuses other values)
 *  12   4  N            u32, length of the header body
 *  16   N  body         CBOR map, text keys:
 *                         "type"      text: set | ordered_set | bag | duplicate_bag
 *                         "keypos"    uint >= 1 (1-based key position)
 *                         "createdAt" number, ms since the Unix epoch
 *                         "fileId"    bytes(16), random, new on every rewrite
 *                         "writer"    text, e.g. "termstore/1"
 *                       (readers ignore keys they do not know)
 *  16+N 4  crc          CRC-32 of bytes [0, 16+N)
 *
 * Frame (24 + L bytes):
 *   0   4  marker       A5 54 53 52
 *   4   1  kind         1 ops | 2 snapshot-begin | 3 snapshot-rows | 4 snapshot-end | 5 clean-close
 *   5   1  flags        0 (reserved)
 *   6   2  reserved     0
 *   8   4  L            u32, payload length (so one frame holds at most 4 GiB - 1)
 *  12   8  offset       u64, the file offset of byte 0 of this frame (a frame is only
 *                       valid at the offset it names: resynchronisation cannot be
 *                       fooled by a frame embedded in a payload or a stray copy)
 *  20   4  crc          CRC-32 of frame bytes [4, 20) followed by the L payload bytes
 *  24   L  payload      a CBOR sequence (RFC 8742) of items, by kind:
 *     ops            each item one write, a CBOR array [opcode, ...]:
 *                      [0, row, row, ...]   insert rows (set/ordered_set: replace by key)
 *                      [1, key]             delete every row with key
 *                      [2, row]             delete every row exactly equal to row
 *                      [3, old, new]        replace the stored row equal to old by new
 *                      [4]                  delete every row
 *     snapshot-begin one CBOR map {"rows": uint, "at": uint}: the table is emptied;
 *                      the snapshot-rows frames that follow hold "rows" rows
 *     snapshot-rows  each item one row (insert)
 *     snapshot-end   one CBOR map {"rows": uint}
 *     clean-close    one CBOR map {"at": uint, "rows": uint}: informational only,
 *                      never trusted when reading
 * ```
 *
 * Rows and keys are terms encoded as described in `codec.ts`. A row is a
 * CBOR array whose element `keypos - 1` is the key.
 *
 * Reading: replay every frame in file order. File offsets are u64, so the
 * format has no size ceiling; `maxFileSize` is a policy of the writer.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Encoder } from 'cbor-x';
import type { TableType, WriteOp } from '../engines/types.js';
import { copyRow, copyTerm } from '../term/copy.js';
import type { Row, Term } from '../term/types.js';
import { crc32 } from './crc32.js';
import { WireError, fromWire, toWire } from './codec.js';

/** The 8 magic bytes a format file starts with. */
export const MAGIC = Buffer.from([0x89, 0x54, 0x53, 0x44, 0x45, 0x54, 0x53, 0x0a]);
/** The format version this module reads and writes. */
export const FORMAT_VERSION = 1;
/** Size of the fixed part of the header before the body. */
export const HEADER_FIXED = 16;
/** Bytes of a frame before its payload. */
export const FRAME_HEADER = 24;
/** The 4 bytes every frame starts with. */
export const FRAME_MARKER = Buffer.from([0xa5, 0x54, 0x53, 0x52]);
/** Largest payload one frame can hold. */
export const MAX_PAYLOAD = 0xffffffff;
/** Header bodies larger than this are refused as damaged. */
export const MAX_HEADER_BODY = 1 << 20;

/** Frame kinds. */
export const Kind = {
  OPS: 1,
  SNAPSHOT_BEGIN: 2,
  SNAPSHOT_ROWS: 3,
  SNAPSHOT_END: 4,
  CLEAN_CLOSE: 5,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Op codes inside an ops frame. */
export const OpCode = { INSERT: 0, DELETE: 1, DELETE_OBJECT: 2, REPLACE: 3, CLEAR: 4 } as const;

const TYPES: ReadonlySet<string> = new Set(['set', 'ordered_set', 'bag', 'duplicate_bag']);

/** The table options a file records in its header. */
export interface FileHeader {
  version: number;
  type: TableType;
  keypos: number;
  createdAt: number;
  fileId: Uint8Array;
  writer: string;
  /** Total header length in bytes: frames start here. */
  length: number;
}

/** Encodes a new header for a table. */
export function encodeHeader(codec: Encoder, type: TableType, keypos: number, now = Date.now()): Buffer {
  const body = codec.encode({ type, keypos, createdAt: Math.floor(now), fileId: randomBytes(16), writer: 'termstore/1' });
  const out = Buffer.alloc(HEADER_FIXED + body.length + 4);
  MAGIC.copy(out, 0);
  out.writeUInt16LE(FORMAT_VERSION, 8);
  out.writeUInt16LE(0, 10);
  out.writeUInt32LE(body.length, 12);
  out.set(body, HEADER_FIXED);
  out.writeUInt32LE(crc32(out.subarray(0, HEADER_FIXED + body.length)), HEADER_FIXED + body.length);
  return out;
}

/** Why a header could not be read. */
export type HeaderProblem =
  | { kind: 'not-a-table'; reason: string }
  | { kind: 'unsupported'; version: number }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'short'; need: number };

/** True if `b` starts with the magic bytes (or is a prefix of them). */
export function hasMagic(b: Uint8Array): boolean {
  if (b.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (b[i] !== MAGIC[i]) return false;
  return true;
}

/**
 * Parses the header at the start of `b` (which may be just a prefix of the
 * file: `short` says how many bytes are needed).
 */
export function decodeHeader(codec: Encoder, b: Buffer, fileSize: number): FileHeader | HeaderProblem {
  if (fileSize === 0) return { kind: 'not-a-table', reason: 'the file is empty' };
  if (fileSize < HEADER_FIXED || !hasMagic(b)) return { kind: 'not-a-table', reason: 'the file does not start with the termstore dets magic bytes' };
  if (b.length < HEADER_FIXED) return { kind: 'short', need: HEADER_FIXED };
  const version = b.readUInt16LE(8);
  if (version > FORMAT_VERSION) return { kind: 'unsupported', version };
  if (version < 1) return { kind: 'corrupt', reason: `format version ${version}` };
  const flags = b.readUInt16LE(10);
  const n = b.readUInt32LE(12);
  if (flags !== 0) return { kind: 'corrupt', reason: `header flags ${flags}` };
  if (n > MAX_HEADER_BODY) return { kind: 'corrupt', reason: `header body length ${n}` };
  const total = HEADER_FIXED + n + 4;
  if (fileSize < total) return { kind: 'corrupt', reason: 'the file ends inside the header' };
  if (b.length < total) return { kind: 'short', need: total };
  if (crc32(b.subarray(0, HEADER_FIXED + n)) !== b.readUInt32LE(HEADER_FIXED + n)) return { kind: 'corrupt', reason: 'header checksum mismatch' };
  let body: unknown;
  try {
    body = codec.decode(b.subarray(HEADER_FIXED, HEADER_FIXED + n));
  } catch {
    return { kind: 'corrupt', reason: 'header body is not CBOR' };
  }
  const get = (k: string): unknown => (body instanceof Map ? body.get(k) : undefined);
  const type = get('type');
  const keypos = get('keypos');
  if (typeof type !== 'string' || !TYPES.has(type)) return { kind: 'corrupt', reason: 'header has no valid "type"' };
  if (typeof keypos !== 'number' || !Number.isInteger(keypos) || keypos < 1) return { kind: 'corrupt', reason: 'header has no valid "keypos"' };
  const createdAt = get('createdAt');
  const fileId = get('fileId');
  const writer = get('writer');
  return {
    version,
    type: type as TableType,
    keypos,
    createdAt: typeof createdAt === 'number' ? createdAt : 0,
    fileId: fileId instanceof Uint8Array ? new Uint8Array(fileId) : new Uint8Array(0),
    writer: typeof writer === 'string' ? writer : '',
    length: total,
  };
}

/**
 * Fills in the frame header of `buf`, whose first {@link FRAME_HEADER}
 * bytes are reserved and whose payload is `buf[24, 24 + len)`. Returns the
 * complete frame (a view of `buf`).
 */
export function sealFrame(buf: Buffer, kind: Kind, len: number, offset: number): Buffer {
  FRAME_MARKER.copy(buf, 0);
  buf[4] = kind;
  buf[5] = 0;
  buf[6] = 0;
  buf[7] = 0;
  buf.writeUInt32LE(len, 8);
  buf.writeUInt32LE(offset % 0x100000000, 12);
  buf.writeUInt32LE(Math.floor(offset / 0x100000000), 16);
  const crc = crc32(buf.subarray(24, 24 + len), crc32(buf.subarray(4, 20)));
  buf.writeUInt32LE(crc, 20);
  return buf.subarray(0, FRAME_HEADER + len);
}

/** Builds one complete frame from a payload (copying it). */
export function frame(kind: Kind, payload: Uint8Array, offset: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  buf.set(payload, FRAME_HEADER);
  return sealFrame(buf, kind, payload.length, offset);
}

/** The result of checking the bytes at one position. */
export type FrameCheck =
  | { ok: true; kind: Kind; length: number }
  | { ok: false; need?: number };

/**
 * Checks whether a valid frame starts at `b[at]`, which is file offset
 * `fileOffset`. `need` is set when more bytes are required to decide (the
 * frame would end at `fileOffset + need`... relative to `at`).
 */
export function checkFrame(b: Buffer, at: number, fileOffset: number): FrameCheck {
  if (b.length - at < FRAME_HEADER) return { ok: false, need: FRAME_HEADER };
  if (b[at] !== 0xa5 || b[at + 1] !== 0x54 || b[at + 2] !== 0x53 || b[at + 3] !== 0x52) return { ok: false };
  const kind = b[at + 4]!;
  if (kind < Kind.OPS || kind > Kind.CLEAN_CLOSE || b[at + 5] !== 0 || b[at + 6] !== 0 || b[at + 7] !== 0) return { ok: false };
  const len = b.readUInt32LE(at + 8);
  const off = b.readUInt32LE(at + 12) + b.readUInt32LE(at + 16) * 0x100000000;
  if (off !== fileOffset) return { ok: false };
  if (b.length - at < FRAME_HEADER + len) return { ok: false, need: FRAME_HEADER + len };
  const crc = crc32(b.subarray(at + 24, at + 24 + len), crc32(b.subarray(at + 4, at + 20)));
  if (crc !== b.readUInt32LE(at + 20)) return { ok: false };
  return { ok: true, kind: kind as Kind, length: FRAME_HEADER + len };
}

/** The declared payload length of the frame header at `b[at]` (no validation). */
export function declaredLength(b: Buffer, at: number): number {
  return b.readUInt32LE(at + 8);
}

// ---------------------------------------------------------------- ops

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
