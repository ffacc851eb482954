/**
 * Frames of dets format version 1 (and of tab files, which use the same
 * frame): a 24-byte header and a payload of any length, no blocks.
 *
 * ```text
 *   0   4  marker       A5 54 53 52
 *   4   1  kind         1 ops | 2 snapshot-begin | 3 snapshot-rows | 4 snapshot-end | 5 clean-close
 *   5   1  flags        0
 *   6   2  reserved     0
 *   8   4  L            u32, payload length
 *  12   8  offset       u64, the file offset of byte 0 of this frame
 *  20   4  crc          CRC-32 of frame bytes [4, 20) followed by the L payload bytes
 *  24   L  payload
 * ```
 *
 * termstore still reads version 1 dets files (and upgrades one to version 2
 * when it is opened for writing); it no longer writes them.
 *
 * @module
 */
import { crc32 } from './crc32.js';
import { Kind } from './format.js';

/** Bytes of a v1 frame before its payload. */
export const FRAME_HEADER_V1 = 24;

/**
 * Fills in the v1 frame header of `buf`, whose first 24 bytes are reserved
 * and whose payload is `buf[24, 24 + len)`. Returns the complete frame (a
 * view of `buf`).
 */
export function sealFrameV1(buf: Buffer, kind: Kind, len: number, offset: number): Buffer {
  buf[0] = 0xa5;
  buf[1] = 0x54;
  buf[2] = 0x53;
  buf[3] = 0x52;
  buf[4] = kind;
  buf[5] = 0;
  buf[6] = 0;
  buf[7] = 0;
  buf.writeUInt32LE(len, 8);
  buf.writeUInt32LE(offset % 0x100000000, 12);
  buf.writeUInt32LE(Math.floor(offset / 0x100000000), 16);
  const crc = crc32(buf.subarray(24, 24 + len), crc32(buf.subarray(4, 20)));
  buf.writeUInt32LE(crc, 20);
  return buf.subarray(0, FRAME_HEADER_V1 + len);
}

/** Builds one complete v1 frame from a payload (copying it). */
export function frameV1(kind: Kind, payload: Uint8Array, offset: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_V1 + payload.length);
  buf.set(payload, FRAME_HEADER_V1);
  return sealFrameV1(buf, kind, payload.length, offset);
}

/** The result of checking the bytes at one position. */
export type FrameCheckV1 = { ok: true; kind: Kind; length: number } | { ok: false; need?: number };

/**
 * Checks whether a valid v1 frame starts at `b[at]`, which is file offset
 * `fileOffset`. `need` is set when more bytes (counted from `at`) are
 * required to decide; with `headerOnly`, also when the header checks out
 * (the payload's CRC is then left to a second call).
 */
export function checkFrameV1(b: Buffer, at: number, fileOffset: number, headerOnly = false): FrameCheckV1 {
  if (b.length - at < FRAME_HEADER_V1) return { ok: false, need: FRAME_HEADER_V1 };
  if (b[at] !== 0xa5 || b[at + 1] !== 0x54 || b[at + 2] !== 0x53 || b[at + 3] !== 0x52) return { ok: false };
  const kind = b[at + 4]!;
  if (kind < Kind.OPS || kind > Kind.CLEAN_CLOSE || b[at + 5] !== 0 || b[at + 6] !== 0 || b[at + 7] !== 0) return { ok: false };
  const len = b.readUInt32LE(at + 8);
  const off = b.readUInt32LE(at + 12) + b.readUInt32LE(at + 16) * 0x100000000;
  if (off !== fileOffset) return { ok: false };
  if (headerOnly || b.length - at < FRAME_HEADER_V1 + len) return { ok: false, need: FRAME_HEADER_V1 + len };
  const crc = crc32(b.subarray(at + 24, at + 24 + len), crc32(b.subarray(at + 4, at + 20)));
  if (crc !== b.readUInt32LE(at + 20)) return { ok: false };
  return { ok: true, kind: kind as Kind, length: FRAME_HEADER_V1 + len };
}
