/**
 * Reading the frames of a version-1 dets file (see `frame-v1.ts`): replay
 * every valid frame in order; bytes that are not a valid frame are skipped
 * by searching forward for the next one.
 *
 * The search is linear in the file size even on crafted input: every
 * candidate whose header claims a payload costs a CRC over that payload, so
 * the bytes checksummed by failed candidates are budgeted
 * ({@link RESYNC_BUDGET} times the file size); past the budget the rest of
 * the file counts as one damaged range.
 *
 * @module
 */
import { FRAME_MARKER, type Kind } from './format.js';
import { FRAME_HEADER_V1, checkFrameV1 } from './frame-v1.js';
import { readAtSync, type FsAdapter } from './fs.js';

/** A valid frame found by {@link scanFramesV1}. */
export interface ScannedFrameV1 {
  offset: number;
  kind: Kind;
  /** The payload; valid only during the callback. */
  payload: Buffer;
}

/** What a scan found besides the frames. */
export interface ScanResultV1 {
  /** End of the last valid frame. */
  end: number;
  /** Byte ranges between valid frames that are not frames. */
  damaged: Array<{ offset: number; length: number }>;
  /** Start of a trailing run of bytes with no valid frame after it, if any. */
  tailOffset: number | undefined;
}

const WINDOW = 8 << 20;
/** Bytes failed resync candidates may checksum, per byte of file. */
export const RESYNC_BUDGET = 4;

/** Sliding read window over a file. */
export class Window {
  base = 0;
  buf: Buffer = Buffer.alloc(0);
  constructor(
    private readonly fs: FsAdapter,
    private readonly fd: number,
    private readonly size: number,
  ) {}
  /** Makes `[pos, pos + len)` (clipped to the file) available; returns the index of `pos` in `buf`. */
  cover(pos: number, len: number): number {
    const end = Math.min(this.size, pos + len);
    if (pos >= this.base && end <= this.base + this.buf.length) return pos - this.base;
    const want = Math.min(this.size - pos, Math.max(WINDOW, len));
    const buf = Buffer.allocUnsafe(want);
    const got = readAtSync(this.fs, this.fd, buf, want, pos);
    this.base = pos;
    this.buf = got === want ? buf : buf.subarray(0, got);
    return 0;
  }
}

/**
 * Reads v1 frames from `start` to `size`, calling `onFrame` for each valid
 * one in order (`onFrame` returns false for a frame whose content is
 * invalid: it is reported as damaged).
 */
export function scanFramesV1(fs: FsAdapter, fd: number, start: number, size: number, onFrame: (f: ScannedFrameV1) => boolean): ScanResultV1 {
  const win = new Window(fs, fd, size);
  const damaged: ScanResultV1['damaged'] = [];
  let budget = RESYNC_BUDGET * size + (1 << 20);
  let pos = start;
  let end = start;

  /** The valid frame at `p`, if any; `probe` charges the CRC work of a candidate to the budget. */
  const frameAt = (p: number, probe: boolean): { kind: Kind; length: number } | undefined => {
    let i = win.cover(p, FRAME_HEADER_V1);
    let r = checkFrameV1(win.buf, i, p, true);
    if (r.ok || r.need === undefined) return r.ok ? r : undefined;
    // The header checks out; its payload's CRC is the work a crafted file could make us repeat.
    if (p + r.need > size) return undefined;
    if (probe) {
      budget -= r.need;
      if (budget < 0) return undefined;
    }
    i = win.cover(p, r.need);
    r = checkFrameV1(win.buf, i, p);
    return r.ok ? r : undefined;
  };

  /** The offset of the next valid frame at or after `from`; -1 if there is none; -2 if the budget ran out. */
  const resync = (from: number): number => {
    let p = from;
    while (p + FRAME_HEADER_V1 <= size) {
      if (budget < 0) return -2;
      const i = win.cover(p, 64 * 1024);
      const hit = win.buf.indexOf(FRAME_MARKER, i);
      if (hit < 0) {
        const winEnd = win.base + win.buf.length;
        if (winEnd >= size) return -1;
        // Keep the last 3 bytes: a marker may straddle the window edge.
        p = winEnd - (FRAME_MARKER.length - 1);
        continue;
      }
      const cand = win.base + hit;
      if (frameAt(cand, true) !== undefined) return cand;
      p = cand + 1;
    }
    return budget < 0 ? -2 : -1;
  };

  while (pos < size) {
    const f = frameAt(pos, false);
    if (f !== undefined) {
      const i = win.cover(pos, f.length);
      const ok = onFrame({ offset: pos, kind: f.kind, payload: win.buf.subarray(i + FRAME_HEADER_V1, i + f.length) });
      if (!ok) damaged.push({ offset: pos, length: f.length });
      pos += f.length;
      end = pos;
      continue;
    }
    const next = resync(pos + 1);
    if (next === -2) {
      // Too much work to tell what follows: the rest is damage, never a torn tail.
      damaged.push({ offset: pos, length: size - pos });
      return { end, damaged, tailOffset: undefined };
    }
    if (next < 0) return { end, damaged, tailOffset: pos };
    damaged.push({ offset: pos, length: next - pos });
    pos = next;
  }
  return { end, damaged, tailOffset: undefined };
}
