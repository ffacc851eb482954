/**
 * The dets file format, version 2 (version 1 is still read: see
 * `frame-v1.ts`). Byte layout, all integers little-endian; the full
 * specification is `docs/dets-format.md`:
 *
 * ```text
 * File   = Header Slots Body
 *
 * Header (20 + N bytes, written once when the file is created or rewritten):
 *   0   8  magic        89 54 53 44 45 54 53 0A   ("\x89TSDETS\n")
 *   8   2  version      u16 = 2
 *  10   2  flags        u16 = 0 (reserved)
 *  12   4  N            u32, length of the header body (< 4096)
 *  16   N  body         CBOR map, text keys: type, keypos, createdAt, fileId,
 *                       writer, blockSize (65536), snapshot (true if a
 *                       snapshot follows the slots)
 *  16+N 4  crc          CRC-32 of bytes [0, 16+N)
 *
 * Slots (2 x 48 bytes right after the header; the only bytes ever written
 * in place, alternately, each fsynced):
 *   0   8  generation   u64 (0: never written)
 *   8   8  committed    u64: the file is complete up to this length
 *  16   8  lastSeq      u64: sequence number of the last write before it
 *  24   8  snapshotRows u64: rows of the file's snapshot (0 without one)
 *  32   8  snapshotSeq  u64: the last write the snapshot holds
 *  40   4  reserved     0
 *  44   4  crc          CRC-32 of bytes [0, 44)
 *
 * Body: frames laid out in blocks of 64 KiB (block k = file bytes
 * [k * 65536, (k + 1) * 65536)). A frame never crosses a block boundary;
 * the bytes between the last frame of a block and its end (fewer than a
 * frame header, or zeros written as padding) are skipped. So every block
 * boundary is a place where a frame starts: a reader that meets damage
 * resumes at the next boundary, and damage costs at most one block.
 *
 * Frame (48 + L bytes):
 *   0   4  marker       A5 54 53 52
 *   4   1  kind         1 ops | 2 snapshot-begin | 3 snapshot-rows | 4 snapshot-end | 5 clean-close
 *   5   1  flags        CONT 1 (the payload starts inside an item begun in an earlier frame),
 *                       MORE 2 (it ends inside an item that goes on in the next frame),
 *                       RCONT 4 (it starts inside a record begun earlier),
 *                       RMORE 8 (its last record goes on in the next frame)
 *   6   2  reserved     0
 *   8   4  L            u32 payload length
 *  12   8  offset       u64, the file offset of this frame
 *  20   8  seq          u64: the first record this frame touches (see below)
 *  28   4  count        u32: records that start in this frame
 *  32   4  skip         u32: payload bytes at the start that finish an earlier item (CONT)
 *  36   4  tail         u32: payload bytes at the end that start a later-finished item (MORE)
 *  40   4  pcrc         CRC-32 of the payload
 *  44   4  hcrc         CRC-32 of frame bytes [4, 44)
 *  48   L  payload      CBOR items, cut anywhere between frames
 * ```
 *
 * A *record* is a row of a snapshot (its index, from 0) or a write of the
 * journal (its sequence number, from 1, increasing over the file's life).
 * `seq` is, by kind: ops and snapshot-rows, the record the frame's first
 * byte belongs to; snapshot-begin, the snapshot's row count (its payload
 * `{at, seq}` names the last write the snapshot holds); snapshot-end, the
 * row count too (payload `{rows, seq}`, the same `seq`); clean-close, the
 * number the next write will take.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Encoder } from 'cbor-x';
import type { TableType } from '../engines/types.js';
import { crc32 } from './crc32.js';

/** The 8 magic bytes a format file starts with. */
export const MAGIC = Buffer.from([0x89, 0x54, 0x53, 0x44, 0x45, 0x54, 0x53, 0x0a]);
/** The format version this module writes. */
export const FORMAT_VERSION = 2;
/** Size of the fixed part of the header before the body. */
export const HEADER_FIXED = 16;
/** Header bodies larger than this are refused as damaged (v1 allowed 1 MiB). */
export const MAX_HEADER_BODY = 4096;
/** Header bodies larger than this are refused in a v1 file. */
export const MAX_HEADER_BODY_V1 = 1 << 20;
/** Block size of the body. */
export const BLOCK = 65536;
/** Bytes of a frame before its payload. */
export const FRAME_HEADER = 48;
/** The 4 bytes every frame starts with. */
export const FRAME_MARKER = Buffer.from([0xa5, 0x54, 0x53, 0x52]);
/** One slot. */
export const SLOT_SIZE = 48;
/** Both slots. */
export const SLOTS_SIZE = 2 * SLOT_SIZE;

/** Frame kinds. */
export const Kind = {
  OPS: 1,
  SNAPSHOT_BEGIN: 2,
  SNAPSHOT_ROWS: 3,
  SNAPSHOT_END: 4,
  CLEAN_CLOSE: 5,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Frame flags. */
export const Flag = { CONT: 1, MORE: 2, RCONT: 4, RMORE: 8 } as const;
const ALL_FLAGS = 15;

const TYPES: ReadonlySet<string> = new Set(['set', 'ordered_set', 'bag', 'duplicate_bag']);

/** The table options a file records in its header. */
export interface FileHeader {
  version: number;
  type: TableType;
  keypos: number;
  createdAt: number;
  fileId: Uint8Array;
  writer: string;
  /** True if the file says a snapshot follows (v2). */
  snapshot: boolean;
  /** Where the slots start (v2; equals `length` for v1). */
  slotsAt: number;
  /** Where frames start. */
  length: number;
}

/** Encodes a new v2 header (without the slots) for a table. */
export function encodeHeader(codec: Encoder, type: TableType, keypos: number, snapshot: boolean, now = Date.now()): Buffer {
  const body = codec.encode({ type, keypos, createdAt: Math.floor(now), fileId: randomBytes(16), writer: 'termstore/2', blockSize: BLOCK, snapshot });
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

/** True if `b` starts with the magic bytes. */
export function hasMagic(b: Uint8Array): boolean {
  if (b.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (b[i] !== MAGIC[i]) return false;
  return true;
}

/**
 * Parses the header at the start of `b` (which may be just a prefix of the
 * file: `short` says how many bytes are needed). Reads versions 1 and 2.
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
  if (n > (version === 1 ? MAX_HEADER_BODY_V1 : MAX_HEADER_BODY)) return { kind: 'corrupt', reason: `header body length ${n}` };
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
  if (version >= 2) {
    const bs = get('blockSize');
    if (bs !== BLOCK) return { kind: 'corrupt', reason: `header block size ${String(bs)}` };
    if (total + SLOTS_SIZE + FRAME_HEADER > BLOCK) return { kind: 'corrupt', reason: 'header longer than its block' };
  }
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
    snapshot: get('snapshot') === true,
    slotsAt: total,
    length: version >= 2 ? total + SLOTS_SIZE : total,
  };
}

// ---------------------------------------------------------------- slots

/** What a slot records. */
export interface Slot {
  generation: number;
  /** The file is complete (every frame whole and fsynced) up to this length. */
  committed: number;
  /** Sequence number of the last write in that part of the file. */
  lastSeq: number;
  /** Rows of the file's snapshot. */
  snapshotRows: number;
  /** The last write the snapshot holds. */
  snapshotSeq: number;
}

function writeU64(b: Buffer, v: number, at: number): void {
  b.writeUInt32LE(v % 0x100000000, at);
  b.writeUInt32LE(Math.floor(v / 0x100000000), at + 4);
}

function readU64(b: Buffer, at: number): number {
  return b.readUInt32LE(at) + b.readUInt32LE(at + 4) * 0x100000000;
}

/** Encodes one slot. */
export function encodeSlot(s: Slot): Buffer {
  const b = Buffer.alloc(SLOT_SIZE);
  writeU64(b, s.generation, 0);
  writeU64(b, s.committed, 8);
  writeU64(b, s.lastSeq, 16);
  writeU64(b, s.snapshotRows, 24);
  writeU64(b, s.snapshotSeq, 32);
  b.writeUInt32LE(crc32(b.subarray(0, 44)), 44);
  return b;
}

/** Both slots of a new file: the first says `s`, the second is empty. */
export function encodeSlots(s: Slot): Buffer {
  return Buffer.concat([encodeSlot(s), Buffer.alloc(SLOT_SIZE)]);
}

/** The valid slot with the highest generation in `b` (the 64 slot bytes), and its index; undefined if none is valid. */
export function decodeSlots(b: Buffer): { slot: Slot; index: number } | undefined {
  let best: { slot: Slot; index: number } | undefined;
  for (let i = 0; i < 2; i++) {
    const at = i * SLOT_SIZE;
    if (b.length < at + SLOT_SIZE) break;
    const s = b.subarray(at, at + SLOT_SIZE);
    const generation = readU64(s, 0);
    if (generation === 0 || crc32(s.subarray(0, 44)) !== s.readUInt32LE(44)) continue;
    const slot = { generation, committed: readU64(s, 8), lastSeq: readU64(s, 16), snapshotRows: readU64(s, 24), snapshotSeq: readU64(s, 32) };
    if (best === undefined || generation > best.slot.generation) best = { slot, index: i };
  }
  return best;
}

// ---------------------------------------------------------------- frames

/** The fields of a frame header. */
export interface FrameFields {
  kind: Kind;
  flags: number;
  seq: number;
  count: number;
  skip: number;
  tail: number;
}

/** A frame header found valid by {@link checkFrameHeader}. */
export interface FrameHeaderInfo extends FrameFields {
  /** Payload length. */
  length: number;
}

/**
 * Writes a frame header into `b[at, at + 48)` for the payload
 * `b[at + 48, at + 48 + len)` (already in place), at file offset `offset`.
 */
export function sealFrameAt(b: Buffer, at: number, len: number, offset: number, f: FrameFields): void {
  FRAME_MARKER.copy(b, at);
  b[at + 4] = f.kind;
  b[at + 5] = f.flags;
  b[at + 6] = 0;
  b[at + 7] = 0;
  b.writeUInt32LE(len, at + 8);
  writeU64(b, offset, at + 12);
  writeU64(b, f.seq, at + 20);
  b.writeUInt32LE(f.count, at + 28);
  b.writeUInt32LE(f.skip, at + 32);
  b.writeUInt32LE(f.tail, at + 36);
  b.writeUInt32LE(crc32(b.subarray(at + FRAME_HEADER, at + FRAME_HEADER + len)), at + 40);
  b.writeUInt32LE(crc32(b.subarray(at + 4, at + 44)), at + 44);
}

/** One complete frame holding `payload` (copied), at file offset `offset`. */
export function frameOf(payload: Uint8Array, offset: number, f: FrameFields): Buffer {
  const b = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  b.set(payload, FRAME_HEADER);
  sealFrameAt(b, 0, payload.length, offset, f);
  return b;
}

/**
 * Checks the frame header at `b[at, at + 48)`, found at file offset
 * `offset`: marker, header CRC, kind, flags, the offset it names, and that
 * the frame fits in its block. The payload is not checked.
 */
export function checkFrameHeader(b: Buffer, at: number, offset: number): FrameHeaderInfo | undefined {
  if (b.length - at < FRAME_HEADER) return undefined;
  if (b[at] !== 0xa5 || b[at + 1] !== 0x54 || b[at + 2] !== 0x53 || b[at + 3] !== 0x52) return undefined;
  if (crc32(b.subarray(at + 4, at + 44)) !== b.readUInt32LE(at + 44)) return undefined;
  const kind = b[at + 4]!;
  const flags = b[at + 5]!;
  if (kind < Kind.OPS || kind > Kind.CLEAN_CLOSE || (flags & ~ALL_FLAGS) !== 0 || b[at + 6] !== 0 || b[at + 7] !== 0) return undefined;
  if (readU64(b, at + 12) !== offset) return undefined;
  const length = b.readUInt32LE(at + 8);
  if ((offset % BLOCK) + FRAME_HEADER + length > BLOCK) return undefined;
  const skip = b.readUInt32LE(at + 32);
  const tail = b.readUInt32LE(at + 36);
  if (skip > length || tail > length || skip + tail > length) return undefined;
  // CONT iff skip > 0; a tail needs MORE; MORE without a tail only when the whole payload is inside one item.
  if ((skip > 0) !== ((flags & Flag.CONT) !== 0) || (tail > 0 && (flags & Flag.MORE) === 0)) return undefined;
  if ((flags & Flag.MORE) !== 0 && tail === 0 && skip !== length) return undefined;
  return { kind: kind as Kind, flags, seq: readU64(b, at + 20), count: b.readUInt32LE(at + 28), skip, tail, length };
}

/** True if the payload `b[at + 48, at + 48 + len)` matches the header's payload CRC. */
export function checkPayload(b: Buffer, at: number, len: number): boolean {
  return crc32(b.subarray(at + FRAME_HEADER, at + FRAME_HEADER + len)) === b.readUInt32LE(at + 40);
}

// ---------------------------------------------------------------- layout

/** Room for a frame's payload at file offset `pos`; 0 if the rest of the block is padding. */
export function roomAt(pos: number): number {
  const left = BLOCK - (pos % BLOCK);
  return left > FRAME_HEADER ? left - FRAME_HEADER : 0;
}

/**
 * Where `n` payload bytes written as frames from file offset `pos` end
 * (each frame as full as its block allows, padding where fewer than a
 * frame header's bytes are left).
 */
export function layoutEnd(pos: number, n: number): number {
  if (n <= 0) return pos;
  let p = pos;
  let room = roomAt(p);
  if (room === 0) {
    p += BLOCK - (p % BLOCK);
    room = BLOCK - FRAME_HEADER;
  }
  if (n <= room) return p + FRAME_HEADER + n;
  n -= room;
  p += FRAME_HEADER + room; // now at a block boundary
  const per = BLOCK - FRAME_HEADER;
  const full = Math.floor(n / per);
  const rest = n - full * per;
  p += full * BLOCK;
  return rest > 0 ? p + FRAME_HEADER + rest : p;
}
