/**
 * Laying segments of items out as v2 frames at a file offset.
 *
 * A *segment* is a run of whole records of one frame kind: encoded items
 * back to back, with the end offset of every item. Its bytes are cut into
 * frames that fill each 64 KiB block (an item may be cut between two
 * frames: the frame headers say so with `skip`/`tail`), the rest of a block
 * too short for a frame header is zero padding, and a segment always starts
 * a new frame. The layout of a list of segments depends only on the
 * segments and the starting offset, so a failed write can be retried at the
 * same offset with the same bytes.
 *
 * @module
 */
import { BLOCK, FRAME_HEADER, Flag, Kind, layoutEnd, roomAt, sealFrameAt } from './format.js';

/** Whole records of one kind, encoded. */
export interface Segment {
  readonly kind: Kind;
  /** Payload bytes `[0, len)`. */
  readonly buf: Buffer;
  readonly len: number;
  /** End offset of every item, ascending; the last is `len`. */
  readonly ends: ArrayLike<number>;
  /** Number of items (`ends` may be longer). */
  readonly items: number;
  /**
   * Record number of the first record: a row index (snapshot rows) or a
   * write sequence number (ops). For markers, the value of the frame's
   * `seq` field (see `format.ts`).
   */
  readonly firstRecord: number;
}

/** True if the write item starting at `b[at]` is the first of its write (its count is unsigned; see `items.ts`). */
export function firstOfWrite(b: Uint8Array, at: number): boolean {
  const h = b[at]!;
  // The array head: 0x80..0x97 one byte, 0x98 +1, 0x99 +2, 0x9a +4, 0x9b +8.
  const skip = h < 0x98 ? 1 : h === 0x98 ? 2 : h === 0x99 ? 3 : h === 0x9a ? 5 : 9;
  return b[at + skip]! >> 5 === 0;
}

function isMarker(kind: Kind): boolean {
  return kind === Kind.SNAPSHOT_BEGIN || kind === Kind.SNAPSHOT_END || kind === Kind.CLEAN_CLOSE;
}

/** Where the segments end when laid out from `pos`. */
export function segmentsEnd(pos: number, segments: readonly Segment[]): number {
  let p = pos;
  for (const s of segments) p = segmentEnd(p, s);
  return p;
}

/** Where one segment ends when laid out from `pos`. */
export function segmentEnd(pos: number, s: Segment): number {
  let p = pos;
  if (isMarker(s.kind) && roomAt(p) < s.len) p += BLOCK - (p % BLOCK);
  return layoutEnd(p, s.len);
}

/**
 * Writes the frames (and padding) of `segments` laid out from file offset
 * `pos` into `out` at `out[at]` (which must have room for
 * `segmentsEnd(pos, segments) - pos` bytes). Returns the end offset.
 */
export function writeSegments(segments: readonly Segment[], pos: number, out: Buffer, at: number): number {
  let p = pos;
  for (const s of segments) {
    const end = segmentEnd(p, s);
    writeSegment(s, p, out, at + (p - pos));
    p = end;
  }
  return p;
}

/** The bytes of `segments` laid out from `pos`, as one buffer. */
export function layOut(segments: readonly Segment[], pos: number): Buffer {
  const out = Buffer.allocUnsafe(segmentsEnd(pos, segments) - pos);
  writeSegments(segments, pos, out, 0);
  return out;
}

function writeSegment(s: Segment, pos: number, out: Buffer, at: number): void {
  const marker = isMarker(s.kind);
  const writes = s.kind === Kind.OPS;
  const ends = s.ends;
  const buf = s.buf;
  const startOf = (k: number): number => (k === 0 ? 0 : ends[k - 1]!);
  // Item k starts a record: every item of rows and markers; the first item of a write.
  const recStart = (k: number): boolean => !writes || firstOfWrite(buf, startOf(k));
  let p = pos;
  let o = at;
  const pad = (): void => {
    const n = BLOCK - (p % BLOCK);
    out.fill(0, o, o + n);
    p += n;
    o += n;
  };
  if (marker && roomAt(p) < s.len) pad();
  let from = 0; // segment offset of the next payload byte
  let k = 0; // the item containing byte `from`
  let rec = s.firstRecord; // the record of item k
  while (from < s.len) {
    const room = roomAt(p);
    if (room === 0) {
      pad();
      continue;
    }
    const to = Math.min(s.len, from + room);
    const i = k;
    const startsInside = from > startOf(i);
    let flags = 0;
    let skip = 0;
    if (startsInside) {
      flags |= Flag.CONT;
      skip = Math.min(ends[i]!, to) - from;
    }
    if (startsInside || !recStart(i)) flags |= Flag.RCONT;
    // j: the item holding the frame's last byte.
    let j = i;
    while (ends[j]! < to) j++;
    let count = 0;
    for (let m = startsInside ? i + 1 : i; m <= j; m++) if (recStart(m)) count++;
    let tail = 0;
    if (ends[j]! > to) {
      flags |= Flag.MORE | Flag.RMORE;
      if (startOf(j) >= from) tail = to - startOf(j);
    } else if (j + 1 < s.items && !recStart(j + 1)) {
      flags |= Flag.RMORE;
    }
    const n = to - from;
    buf.copy(out, o + FRAME_HEADER, from, to);
    sealFrameAt(out, o, n, p, { kind: s.kind, flags, seq: marker ? s.firstRecord : rec, count: marker ? 0 : count, skip, tail });
    p += FRAME_HEADER + n;
    o += FRAME_HEADER + n;
    // The next frame starts inside item j, or at item j + 1.
    const next = ends[j]! > to ? j : j + 1;
    for (let m = i + 1; m <= next && m < s.items; m++) if (recStart(m)) rec++;
    k = next;
    from = to;
  }
}
