/**
 * Reading the frames of a version-2 dets file, block by block.
 *
 * Every 64 KiB block boundary is a place where a frame starts (see
 * `format.ts`), so the scan is linear and damage stays local:
 *
 * - a frame whose header is valid but whose payload CRC fails costs that
 *   frame: its header says where the next one starts;
 * - bytes that are not a valid frame header: the scan looks for the next
 *   valid frame in the same block (a marker, a header CRC and the offset it
 *   names must all check out; the payload CRCs a crafted block can make it
 *   compute are budgeted to {@link RESYNC_BUDGET} times the block size), and
 *   otherwise resumes at the next block boundary. So damage costs at most
 *   the rest of its block, and reading is linear in the file size whatever
 *   the bytes;
 * - zeros up to the end of a block are padding;
 * - a frame whose payload would run past the end of the file is a write
 *   that was cut short.
 *
 * Each valid frame is passed to `onFrame` together with the invalid byte
 * ranges met since the previous valid frame (so the caller can account for
 * the records they held); the ranges after the last valid frame are the
 * *tail*, returned at the end.
 *
 * @module
 */
import { BLOCK, FRAME_HEADER, FRAME_MARKER, checkFrameHeader, checkPayload, type FrameHeaderInfo } from './format.js';
import { readAtSync, type FsAdapter } from './fs.js';

/** A valid frame. */
export interface ScannedFrame extends FrameHeaderInfo {
  offset: number;
  /** The payload; valid only during the callback. */
  payload: Buffer;
}

/** A byte range. */
export interface Range {
  offset: number;
  length: number;
}

/** What a scan found besides the frames. */
export interface ScanResult {
  /** End of the last valid frame (where appends continue). */
  end: number;
  /** Invalid ranges after the last valid frame. */
  tail: Range[];
}

/** Payload bytes a damaged block's resync may checksum, in blocks. */
export const RESYNC_BUDGET = 2;

/** Blocks read at once. */
const WINDOW_BLOCKS = 128;

function allZero(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

function addRange(list: Range[], offset: number, length: number): void {
  const last = list[list.length - 1];
  if (last !== undefined && last.offset + last.length === offset) last.length += length;
  else list.push({ offset, length });
}

/**
 * The file offset of the first valid frame (header and payload) in
 * `b[from, to)`, which is file offset `at`; -1 if none is found within the
 * budget.
 */
function resync(b: Buffer, from: number, to: number, at: number): number {
  let budget = RESYNC_BUDGET * BLOCK;
  for (let p = from; p + FRAME_HEADER <= to; ) {
    const hit = b.indexOf(FRAME_MARKER, p);
    if (hit < 0 || hit + FRAME_HEADER > to) return -1;
    const off = at + (hit - from);
    const h = checkFrameHeader(b, hit, off);
    if (h !== undefined && hit + FRAME_HEADER + h.length <= to) {
      budget -= h.length;
      if (budget < 0) return -1;
      if (checkPayload(b, hit, h.length)) return off;
    }
    p = hit + 1;
  }
  return -1;
}

/**
 * Reads v2 frames from `start` to `size`, one step at a time (so a caller
 * can give the event loop a turn between steps). Each {@link step} handles
 * one frame, one invalid range or one padding run.
 */
export class FrameScanner {
  private gaps: Range[] = [];
  /** End of the last valid frame (where appends continue). */
  end: number;
  private pos: number;
  // The window holds whole blocks: [base, base + buf.length).
  private base = -1;
  private buf = Buffer.alloc(0);

  constructor(
    private readonly fs: FsAdapter,
    private readonly fd: number,
    start: number,
    private readonly size: number,
  ) {
    this.end = start;
    this.pos = start;
  }

  /** Bytes of the file handled so far. */
  get position(): number {
    return this.pos;
  }

  /** True once the whole file was read. */
  get done(): boolean {
    return this.pos >= this.size;
  }

  /** Invalid ranges after the last valid frame (the tail, once {@link done}). */
  get tail(): Range[] {
    return this.gaps;
  }

  private load(p: number): number {
    const { size } = this;
    if (p >= this.base && p < this.base + this.buf.length && Math.min(p - (p % BLOCK) + BLOCK, size) <= this.base + this.buf.length) return p - this.base;
    const from = p - (p % BLOCK);
    const want = Math.min(size - from, WINDOW_BLOCKS * BLOCK);
    const b = this.buf.length >= want ? this.buf.subarray(0, want) : Buffer.allocUnsafe(want);
    const got = readAtSync(this.fs, this.fd, b, want, from);
    this.buf = got === want ? b : b.subarray(0, got);
    this.base = from;
    return p - this.base;
  }

  /**
   * Handles what starts at the current position. `onFrame(frame, gaps)`
   * gets each valid frame with the invalid ranges before it (since the
   * previous valid frame); it returns false if the frame's content turned
   * out invalid (the frame is then reported as a gap before the next one).
   * Returns false once the file is read.
   */
  step(onFrame: (f: ScannedFrame, gaps: Range[]) => boolean): boolean {
    const { size } = this;
    const pos = this.pos;
    if (pos >= size) return false;
    const blockEnd = pos - (pos % BLOCK) + BLOCK;
    const stop = Math.min(blockEnd, size);
    if (blockEnd - pos <= FRAME_HEADER) {
      // Too short for a frame: padding. Nothing can be stored here.
      this.pos = stop;
      return true;
    }
    const i = this.load(pos);
    const buf = this.buf;
    const avail = Math.min(buf.length - i, stop - pos);
    if (avail < FRAME_HEADER) {
      // The file ends inside a frame header.
      if (!allZero(buf, i, i + avail)) addRange(this.gaps, pos, stop - pos);
      this.pos = stop;
      return true;
    }
    const h = checkFrameHeader(buf, i, pos);
    if (h === undefined) {
      // Zeros to the end of the block are padding; anything else is damage up to the next valid frame.
      if (allZero(buf, i, i + avail)) {
        this.pos = stop;
        return true;
      }
      const next = resync(buf, i + 1, i + avail, pos + 1);
      addRange(this.gaps, pos, (next < 0 ? stop : next) - pos);
      this.pos = next < 0 ? stop : next;
      return true;
    }
    const frameEnd = pos + FRAME_HEADER + h.length;
    if (frameEnd > size) {
      // A frame cut short by the end of the file.
      addRange(this.gaps, pos, size - pos);
      this.pos = size;
      return true;
    }
    if (!checkPayload(buf, i, h.length)) {
      addRange(this.gaps, pos, FRAME_HEADER + h.length);
      this.pos = frameEnd;
      return true;
    }
    const gaps = this.gaps;
    this.gaps = [];
    const ok = onFrame({ ...h, offset: pos, payload: buf.subarray(i + FRAME_HEADER, i + FRAME_HEADER + h.length) }, gaps);
    if (!ok) addRange(this.gaps, pos, FRAME_HEADER + h.length);
    else this.end = frameEnd;
    this.pos = frameEnd;
    return true;
  }
}

/**
 * Reads v2 frames from `start` to `size` at once (see {@link FrameScanner}).
 */
export function scanFrames(fs: FsAdapter, fd: number, start: number, size: number, onFrame: (f: ScannedFrame, gaps: Range[]) => boolean): ScanResult {
  const s = new FrameScanner(fs, fd, start, size);
  while (s.step(onFrame));
  return { end: s.end, tail: s.tail };
}
