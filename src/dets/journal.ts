/**
 * The journal writer: buffers encoded writes and appends them to the file
 * as v2 frames.
 *
 * Writer model:
 * - every logical write (one `add` call) has a sequence number, increasing
 *   over the file's life (it continues from the last one in the file), and
 *   lands whole in one *chunk*: a segment of write items (see
 *   `layout.ts`). Chunks hold about 1 MiB (one large write gets a chunk of
 *   its own);
 * - `durableLength` is the file length known to be on disk (fsynced). A
 *   flush lays the pending chunks out as frames from there, writes them,
 *   fsyncs, and only then drops the chunks. On any failure the file is
 *   truncated back to `durableLength` and the chunks stay, so a retry writes
 *   the same bytes at the same offsets (the layout depends only on the
 *   chunks and the offset) and nothing already on disk is touched;
 * - *write-through* (worker threads, and after the exit flush) writes each
 *   chunk to the file as soon as the write is made, without fsync: the
 *   bytes are then in the operating system's hands and survive the end of
 *   the thread or process; the next flush only has to fsync;
 * - async flushes run one at a time on a queue; the synchronous paths
 *   (exit, `autoSave: 0`, the size-limit compaction) may run while an async
 *   flush is in flight: they bump `epoch`, which makes the async flush
 *   abandon its bookkeeping. Because writes are positional and a chunk laid
 *   out at an offset always has the same bytes, a late async write of the
 *   same chunk is harmless. A file descriptor is only closed once no async
 *   operation on it is in flight.
 *
 * @module
 */
import { TermstoreError } from '../errors.js';
import type { Kind } from './format.js';
import { writeAll, writeAllSync, type FsAdapter } from './fs.js';
import { layOut, segmentEnd, type Segment } from './layout.js';

/** Target payload size of a chunk. */
export const CHUNK_PAYLOAD = 1 << 20;

/** Buffered writes: a segment of whole writes. */
export interface Chunk extends Segment {
  readonly kind: Kind;
  buf: Buffer;
  len: number;
  ends: number[];
  items: number;
  /** Sequence number of the first write (the segment's first record). */
  firstRecord: number;
  /** Sequence number of the last write. */
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
  /** File length known to be on disk (fsynced). */
  durableLength: number;
  /** Chunks not yet durable, oldest first. */
  pending: Chunk[] = [];
  /** The first `written` pending chunks are written (not fsynced) at their place (write-through). */
  written = 0;
  /** Where the closed pending chunks end once laid out from `durableLength`. */
  private closedEnd: number;
  /** Sequence number of the last write (in the file's numbering). */
  seq: number;
  /** Every write with a sequence number <= this is on disk. */
  durableSeq: number;
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
    /** Sequence number of the last write already in the file. */
    lastSeq: number,
    /** Initial capacity of a chunk's buffer (0: exact, for `autoSave: 0`). */
    private readonly chunkStart = 16 * 1024,
  ) {
    this.fd = fd;
    this.durableLength = length;
    this.closedEnd = length;
    this.seq = lastSeq;
    this.durableSeq = lastSeq;
  }

  /** Number of writes not yet durable. */
  get pendingWrites(): number {
    return this.seq - this.durableSeq;
  }

  /** Payload bytes waiting (not durable). */
  get pendingBytes(): number {
    return this.projectedLength - this.durableLength;
  }

  /** The file length once everything pending is flushed. */
  get projectedLength(): number {
    const c = this.current();
    return c === undefined ? this.closedEnd : segmentEnd(this.closedEnd, c);
  }

  private current(): Chunk | undefined {
    const c = this.pending[this.pending.length - 1];
    return c !== undefined && !c.closed ? c : undefined;
  }

  /** Bytes that adding `bytes` of payload of `kind` would add to the file. */
  costOf(kind: Kind, bytes: number): number {
    const c = this.current();
    const now = this.projectedLength;
    if (c === undefined || c.kind !== kind || (c.len > 0 && c.len + bytes > CHUNK_PAYLOAD)) {
      return segmentEnd(now, { kind, len: bytes, buf: Buffer.alloc(0), ends: [], items: 0, firstRecord: 0 }) - now;
    }
    return segmentEnd(this.closedEnd, { ...c, len: c.len + bytes }) - now;
  }

  /** Starts a new logical write and returns its sequence number. */
  nextSeq(): number {
    return ++this.seq;
  }

  /**
   * Buffers the encoded items of one logical write, `src[0, total)`
   * (copied), whose items end at `ends` (offsets into `src`), under `seq`
   * (a clean-close marker is added under the next write's number, which it
   * does not take); all land in one chunk.
   */
  add(kind: Kind, src: Uint8Array, total: number, ends: readonly number[], seq: number): void {
    let c = this.current();
    if (c === undefined || c.kind !== kind || (c.len > 0 && c.len + total > CHUNK_PAYLOAD)) {
      this.closeChunk();
      c = {
        kind,
        buf: Buffer.allocUnsafe(Math.max(total, this.chunkStart)),
        len: 0,
        ends: [],
        items: 0,
        firstRecord: seq,
        lastSeq: seq,
        closed: false,
        afterSnapshot: this.snapshotActive,
      };
      this.pending.push(c);
    }
    const need = c.len + total;
    if (need > c.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(c.buf.length * 2, CHUNK_PAYLOAD)));
      c.buf.copy(grown, 0, 0, c.len);
      c.buf = grown;
    }
    const b = c.buf;
    const at = c.len;
    if (total <= 64) for (let i = 0; i < total; i++) b[at + i] = src[i]!;
    else b.set(total === src.length ? src : src.subarray(0, total), at);
    for (const e of ends) c.ends.push(at + e);
    c.items = c.ends.length;
    c.len += total;
    c.lastSeq = seq;
  }

  /**
   * Takes back the last write, which must be alone in the last chunk (the
   * `autoSave: 0` path, when its synchronous flush failed).
   */
  rollbackLast(seq: number): void {
    const c = this.pending[this.pending.length - 1];
    if (c === undefined || c.firstRecord !== seq || seq !== this.seq || this.written >= this.pending.length) return;
    this.pending.pop();
    this.seq--;
    this.relayout();
    this.refreshDurableSeq();
  }

  /** Ends the current chunk: later writes start a new frame. */
  closeChunk(): void {
    const c = this.current();
    if (c === undefined) return;
    c.closed = true;
    this.closedEnd = segmentEnd(this.closedEnd, c);
  }

  private relayout(): void {
    let p = this.durableLength;
    for (const c of this.pending) if (c.closed) p = segmentEnd(p, c);
    this.closedEnd = p;
  }

  private refreshDurableSeq(): void {
    // (A clean-close marker carries the number of the write after the last one.)
    this.durableSeq = this.pending.length > 0 ? this.pending[0]!.firstRecord - 1 : this.seq;
  }

  private commit(count: number, length: number): void {
    const done = this.pending.splice(0, count);
    this.written = Math.max(0, this.written - count);
    this.durableLength = length;
    this.lastError = undefined;
    this.relayout();
    this.refreshDurableSeq();
    this.onDurable?.(done);
  }

  private truncateBack(fd: number): void {
    this.written = 0;
    try {
      this.fs.ftruncateSync(fd, this.durableLength);
    } catch {
      // A later flush rewrites from durableLength; leftover bytes past the
      // end are either identical frames or dropped as a torn tail.
    }
  }

  /** Writes the pending chunks from index `from` synchronously (no fsync). Returns the end offset. */
  private writeSync(from: number): number {
    let pos = this.durableLength;
    for (let i = 0; i < this.pending.length; i++) {
      const c = this.pending[i]!;
      const end = segmentEnd(pos, c);
      if (i >= from) writeAllSync(this.fs, this.fd, layOut([c], pos), pos);
      pos = end;
    }
    return pos;
  }

  /**
   * Write-through: writes every pending chunk to the file now, without
   * fsync (the bytes survive the end of the thread or process, not a power
   * loss). Throws `DETS_IO`; then nothing pending is lost.
   */
  writeThrough(): void {
    if (this.closed || this.written >= this.pending.length) return;
    this.closeChunk();
    try {
      this.writeSync(this.written);
    } catch (e) {
      this.truncateBack(this.fd);
      throw (this.lastError = ioError(e, 'write', this.file));
    }
    this.written = this.pending.length;
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
    let pos: number;
    try {
      pos = this.writeSync(this.written);
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
      if (this.lastError !== undefined && this.durableSeq < target) throw this.lastError;
    }
  }

  /** Resolves once nothing is pending any more (flushing as needed). */
  async flushAll(): Promise<void> {
    while (this.pending.length > 0) {
      if (this.closed) throw new TermstoreError('DETS_CLOSED', `dets: ${this.file} was closed before the write was durable`, { details: { file: this.file } });
      await this.flush();
      if (this.lastError !== undefined && this.pending.length > 0) throw this.lastError;
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
    const already = this.written;
    let pos = this.durableLength;
    this.inflight.set(fd, (this.inflight.get(fd) ?? 0) + 1);
    try {
      for (let i = 0; i < chunks.length; i++) {
        const c = chunks[i]!;
        const end = segmentEnd(pos, c);
        if (i >= already) {
          await writeAll(this.fs, fd, layOut([c], pos), pos);
          if (this.epoch !== epoch || this.closed) return;
        }
        pos = end;
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
    if (fd < 0) return;
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
    this.written = 0;
    this.relayout();
    this.refreshDurableSeq();
    if (old !== fd) this.retire(old);
  }

  /** Stops writing for good; with `discard`, drops what is pending (crash simulation). */
  shutdown(discard: boolean): void {
    if (this.closed) return;
    if (discard) {
      this.pending = [];
      this.written = 0;
      this.relayout();
    }
    this.closed = true;
    this.epoch++;
    this.retire(this.fd);
  }
}
