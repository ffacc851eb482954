/**
 * The journal: the writer that buffers encoded writes and appends them to
 * the file as frames, and the scanner that reads frames back.
 *
 * Writer model:
 * - every logical write (one `sink.append` call) is one sequence number and
 *   lands whole in one frame, so a crash never applies half of it;
 * - buffered writes sit in *chunks* (payloads of at most ~1 MiB, except
 *   that one large write gets a chunk of its own); a chunk becomes a frame
 *   when it is flushed, at the offset it is written to;
 * - `durableLength` is the file length known to be on disk (fsynced); a
 *   flush writes every pending chunk from there, then fsyncs, and only then
 *   drops the chunks. On any failure the file is truncated back to
 *   `durableLength` and the chunks stay, so a retry writes the same bytes at
 *   the same offsets (idempotent) and nothing already on disk is touched;
 * - async flushes run one at a time on a queue; the synchronous paths
 *   (exit, `autoSave: 0`, the size-limit compaction) may run while an async
 *   flush is in flight: they bump `epoch`, which makes the async flush
 *   abandon its bookkeeping. Because writes are positional and a chunk
 *   sealed at an offset always has the same bytes, a late async write of
 *   the same chunk is harmless. A file descriptor is only closed once no
 *   async operation on it is in flight.
 *
 * @module
 */
import { TermstoreError } from '../errors.js';
import { FRAME_HEADER, FRAME_MARKER, checkFrame, sealFrame, type Kind } from './format.js';
import { readAtSync, writeAll, writeAllSync, type FsAdapter } from './fs.js';

/** Target payload size of a chunk (one frame, one async write). */
export const CHUNK_PAYLOAD = 1 << 20;

/** Buffered writes that will become one frame. */
export interface Chunk {
  readonly kind: Kind;
  buf: Buffer;
  /** Payload bytes used (after the reserved frame header). */
  len: number;
  firstSeq: number;
  lastSeq: number;
  /** No more items go into a closed chunk. */
  closed: boolean;
  /** Set on chunks created after a compaction snapshot was taken. */
  afterSnapshot: boolean;
}

/** Wraps an fs error as `DETS_IO`. */
export function ioError(e: unknown, what: string, file: string): TermstoreError {
  if (e instanceof TermstoreError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return new TermstoreError('DETS_IO', `dets: ${what} failed for ${file}${code ? ` (${code})` : ''}`, { cause: e, details: { file, errno: code } });
}

/** The append side of a table file. */
export class JournalWriter {
  fd: number;
  /** File length known to be on disk. */
  durableLength: number;
  /** Chunks not yet durable, oldest first. */
  pending: Chunk[] = [];
  /** Bytes the pending chunks will take in the file (frame headers included). */
  pendingBytes = 0;
  /** Sequence number of the last write. */
  seq = 0;
  /** Every write with a sequence number <= this is on disk. */
  durableSeq = 0;
  /** Bumped by every synchronous write path and file switch; see the module docs. */
  epoch = 0;
  /** The last flush failure, cleared by the next successful flush. */
  lastError: TermstoreError | undefined;
  /** True once closed or crashed: nothing more is written. */
  closed = false;
  /** Marks new chunks as created after a compaction snapshot. */
  snapshotActive = false;
  /** Called with the chunks that just became durable. */
  onDurable: ((chunks: Chunk[]) => void) | undefined;

  private queue: Promise<unknown> = Promise.resolve();
  private queuedFlush: Promise<void> | undefined;
  private readonly inflight = new Map<number, number>();
  private readonly retired = new Set<number>();

  constructor(
    private readonly fs: FsAdapter,
    fd: number,
    length: number,
    readonly file: string,
    /** Initial capacity of a chunk's buffer (0: exact, for `autoSave: 0`). */
    private readonly chunkStart = 16 * 1024,
  ) {
    this.fd = fd;
    this.durableLength = length;
  }

  /** Number of writes not yet durable. */
  get pendingWrites(): number {
    return this.seq - this.durableSeq;
  }

  /** The file length once everything pending is flushed. */
  get projectedLength(): number {
    return this.durableLength + this.pendingBytes;
  }

  private current(): Chunk | undefined {
    const c = this.pending[this.pending.length - 1];
    return c !== undefined && !c.closed ? c : undefined;
  }

  /** Bytes that adding `bytes` of payload of `kind` would add to the file. */
  costOf(kind: Kind, bytes: number): number {
    const c = this.current();
    return c === undefined || c.kind !== kind || (c.len > 0 && c.len + bytes > CHUNK_PAYLOAD) ? FRAME_HEADER + bytes : bytes;
  }

  /** Starts a new logical write and returns its sequence number. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** Buffers the encoded items of one logical write, `src[0, total)` (copied), under `seq`; all land in one frame. */
  add(kind: Kind, src: Uint8Array, total: number, seq: number): void {
    let c = this.current();
    if (c === undefined || c.kind !== kind || (c.len > 0 && c.len + total > CHUNK_PAYLOAD)) {
      if (c !== undefined) c.closed = true;
      const cap = FRAME_HEADER + Math.max(total, this.chunkStart);
      c = { kind, buf: Buffer.allocUnsafe(cap), len: 0, firstSeq: seq, lastSeq: seq, closed: false, afterSnapshot: this.snapshotActive };
      this.pending.push(c);
      this.pendingBytes += FRAME_HEADER;
    }
    const need = FRAME_HEADER + c.len + total;
    if (need > c.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(c.buf.length * 2, FRAME_HEADER + CHUNK_PAYLOAD)));
      c.buf.copy(grown, 0, 0, FRAME_HEADER + c.len);
      c.buf = grown;
    }
    const b = c.buf;
    const at = FRAME_HEADER + c.len;
    if (total <= 64) for (let i = 0; i < total; i++) b[at + i] = src[i]!;
    else b.set(total === src.length ? src : src.subarray(0, total), at);
    c.len += total;
    c.lastSeq = seq;
    this.pendingBytes += total;
  }

  /**
   * Takes back the last write, which must be alone in the last chunk (the
   * `autoSave: 0` path, when its synchronous flush failed).
   */
  rollbackLast(seq: number): void {
    const c = this.pending[this.pending.length - 1];
    if (c === undefined || c.firstSeq !== seq || seq !== this.seq) return;
    this.pending.pop();
    this.pendingBytes -= FRAME_HEADER + c.len;
    this.seq--;
    this.refreshDurableSeq();
  }

  /** Ends the current chunk: later writes start a new frame. */
  closeChunk(): void {
    const c = this.current();
    if (c !== undefined) c.closed = true;
  }

  private refreshDurableSeq(): void {
    this.durableSeq = this.pending.length > 0 ? this.pending[0]!.firstSeq - 1 : this.seq;
  }

  private commit(count: number, length: number): void {
    const done = this.pending.splice(0, count);
    for (const c of done) this.pendingBytes -= FRAME_HEADER + c.len;
    this.durableLength = length;
    this.lastError = undefined;
    this.refreshDurableSeq();
    this.onDurable?.(done);
  }

  private truncateBack(fd: number): void {
    try {
      this.fs.ftruncateSync(fd, this.durableLength);
    } catch {
      // A later flush rewrites from durableLength; leftover bytes past the
      // end are either identical frames or dropped as a torn tail.
    }
  }

  /**
   * Writes every pending chunk and fsyncs, synchronously (exit path,
   * `autoSave: 0`). Throws `DETS_IO`; then nothing pending is lost.
   */
  flushSync(): void {
    if (this.closed) return;
    if (this.pending.length === 0) return;
    this.epoch++;
    this.closeChunk();
    let pos = this.durableLength;
    try {
      for (const c of this.pending) {
        const fr = sealFrame(c.buf, c.kind, c.len, pos);
        writeAllSync(this.fs, this.fd, fr, pos);
        pos += fr.length;
      }
      this.fs.fsyncSync(this.fd);
    } catch (e) {
      this.truncateBack(this.fd);
      throw (this.lastError = ioError(e, 'write', this.file));
    }
    this.commit(this.pending.length, pos);
  }

  /**
   * Writes the pending chunks in the background (one async write per
   * chunk), then fsyncs. Concurrent calls coalesce. Rejects with `DETS_IO`.
   * Resolves without effect when a synchronous path took over meanwhile:
   * callers check {@link durableSeq}.
   */
  flush(): Promise<void> {
    if (this.queuedFlush !== undefined) return this.queuedFlush;
    const p = this.queue.then(() => {
      this.queuedFlush = undefined;
      return this.doFlush();
    });
    this.queuedFlush = p;
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Resolves once every write made before the call is durable (flushing as needed). */
  async syncAll(): Promise<void> {
    const target = this.seq;
    while (this.durableSeq < target) {
      if (this.closed) throw new TermstoreError('DETS_CLOSED', `dets: ${this.file} was closed before the write was durable`, { details: { file: this.file } });
      await this.flush();
    }
  }

  /** Runs `fn` when no async flush is in flight (compaction's final step). */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async doFlush(): Promise<void> {
    if (this.closed || this.pending.length === 0) return;
    this.closeChunk();
    const epoch = this.epoch;
    const fd = this.fd;
    const chunks = this.pending.slice();
    let pos = this.durableLength;
    this.inflight.set(fd, (this.inflight.get(fd) ?? 0) + 1);
    try {
      for (const c of chunks) {
        const fr = sealFrame(c.buf, c.kind, c.len, pos);
        await writeAll(this.fs, fd, fr, pos);
        if (this.epoch !== epoch || this.closed) return;
        pos += fr.length;
      }
      await this.fs.fsync(fd);
      if (this.epoch !== epoch || this.closed) return;
      this.commit(chunks.length, pos);
    } catch (e) {
      if (this.epoch !== epoch || this.closed) return;
      this.truncateBack(fd);
      throw (this.lastError = ioError(e, 'write', this.file));
    } finally {
      this.release(fd);
    }
  }

  private release(fd: number): void {
    const n = (this.inflight.get(fd) ?? 1) - 1;
    if (n > 0) {
      this.inflight.set(fd, n);
      return;
    }
    this.inflight.delete(fd);
    if (this.retired.delete(fd)) this.closeFd(fd);
  }

  private closeFd(fd: number): void {
    try {
      this.fs.closeSync(fd);
    } catch {
      // nothing left to do with it
    }
  }

  /** Closes `fd` now, or once the async operations on it have finished. */
  retire(fd: number): void {
    if ((this.inflight.get(fd) ?? 0) > 0) this.retired.add(fd);
    else this.closeFd(fd);
  }

  /**
   * Continues on another file (after a compaction rename): `length` bytes
   * of it are durable and `keep` are the chunks still to be written to it.
   */
  switchFile(fd: number, length: number, keep: Chunk[]): void {
    this.epoch++;
    const old = this.fd;
    this.fd = fd;
    this.durableLength = length;
    this.pending = keep;
    this.pendingBytes = 0;
    for (const c of keep) this.pendingBytes += FRAME_HEADER + c.len;
    this.refreshDurableSeq();
    if (old !== fd) this.retire(old);
  }

  /** Stops writing for good; with `discard`, drops what is pending (crash simulation). */
  shutdown(discard: boolean): void {
    if (this.closed) return;
    if (discard) {
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.closed = true;
    this.epoch++;
    this.retire(this.fd);
  }
}

// ---------------------------------------------------------------- scanner

/** A valid frame found by {@link scanFrames}. */
export interface ScannedFrame {
  offset: number;
  kind: Kind;
  /** The payload; valid only during the callback. */
  payload: Buffer;
}

/** What a scan found besides the frames. */
export interface ScanResult {
  /** End of the last valid frame (where appends continue). */
  end: number;
  /** Byte ranges `[start, end)` between valid frames that are not frames. */
  damaged: Array<{ offset: number; length: number }>;
  /** Start of a trailing run of bytes with no valid frame after it, if any. */
  tailOffset: number | undefined;
}

const WINDOW = 8 << 20;

/** Sliding read window over a file. */
class Window {
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
 * Reads frames from `start` to `size`, calling `onFrame` for each valid one
 * in order (`onFrame` returns false for a frame whose content is invalid:
 * it is reported as damaged). Bytes that are not a valid frame are skipped by scanning for
 * the next valid frame (marker, offset and CRC must all check out); a
 * skipped run with a valid frame after it is reported as damaged, one that
 * reaches the end of the file as the tail.
 */
export function scanFrames(fs: FsAdapter, fd: number, start: number, size: number, onFrame: (f: ScannedFrame) => boolean): ScanResult {
  const win = new Window(fs, fd, size);
  const damaged: ScanResult['damaged'] = [];
  let pos = start;
  let end = start;

  /** The valid frame at `p`, if any. */
  const frameAt = (p: number): { kind: Kind; length: number } | undefined => {
    let i = win.cover(p, FRAME_HEADER);
    let r = checkFrame(win.buf, i, p);
    if (!r.ok && r.need !== undefined) {
      if (p + r.need > size) return undefined;
      i = win.cover(p, r.need);
      r = checkFrame(win.buf, i, p);
    }
    return r.ok ? r : undefined;
  };

  /** The offset of the next valid frame at or after `from`, or -1. */
  const resync = (from: number): number => {
    let p = from;
    while (p + FRAME_HEADER <= size) {
      // Reload only when little of the window is left past `p`.
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
      if (frameAt(cand) !== undefined) return cand;
      p = cand + 1;
    }
    return -1;
  };

  while (pos < size) {
    const f = frameAt(pos);
    if (f !== undefined) {
      const i = win.cover(pos, f.length);
      const ok = onFrame({ offset: pos, kind: f.kind, payload: win.buf.subarray(i + FRAME_HEADER, i + f.length) });
      if (!ok) damaged.push({ offset: pos, length: f.length });
      pos += f.length;
      end = pos;
      continue;
    }
    const next = resync(pos + 1);
    if (next < 0) return { end, damaged, tailOffset: pos };
    damaged.push({ offset: pos, length: next - pos });
    pos = next;
  }
  return { end, damaged, tailOffset: undefined };
}
