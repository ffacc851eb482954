/**
 * One open table file: ties together the lock, recovery, the journal
 * writer, the flush policy, compaction, the size limit and the exit flush,
 * and is the `WriteSink` of the in-memory table (DETS's `dets_v9` role).
 *
 * Size limit: a write is refused synchronously (`DETS_FILE_TOO_LARGE`,
 * nothing changes) when the file length once everything buffered is
 * flushed, plus the write's frame bytes, would exceed `maxFileSize` minus a
 * headroom kept for deletes (`min(64 KiB, maxFileSize / 8)`); deletes and
 * `clear` may use the headroom. Before refusing, if the garbage estimate
 * says a compaction would make room, the file is compacted synchronously
 * (the one place a normal write blocks on I/O; it happens only near the
 * limit).
 *
 * @module
 */
import * as path from 'node:path';
import type { Encoder } from 'cbor-x';
import type { Engine, TableType, WriteOp, WriteSink } from '../engines/types.js';
import { TermstoreError } from '../errors.js';
import { rowEquals } from '../term/equal.js';
import type { Row } from '../term/types.js';
import { createCodec } from './codec.js';
import { DEFAULT_COMPACTION, compactAsync, compactSync, shouldCompact, type CompactionHost, type CompactionPolicy, type SnapshotStats } from './compaction.js';
import { registerForExit, unregisterForExit, type ExitParticipant } from './exit.js';
import { FlushPolicy, realClock, type AutoSave, type Clock } from './flush.js';
import { FRAME_HEADER, ItemWriter, Kind, MAX_PAYLOAD, encodeHeader, encodeMarker, type FileHeader } from './format.js';
import { fsyncDirSync, nodeFs, writeAllSync, type FsAdapter } from './fs.js';
import { JournalWriter, ioError, type Chunk } from './journal.js';
import { acquireLock, type FileLock } from './lock.js';
import { loadFile, readHeader, type RecoveryReport } from './recovery.js';

/** Default `maxFileSize`: 2 GiB, as DETS. */
export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024 * 1024;

/** Options of {@link DetsStore.open} (already validated by the facade). */
export interface StoreOptions {
  /** Absolute path. */
  file: string;
  /** Type for a new file; checked against an existing file's when `typeGiven`. */
  type: TableType;
  typeGiven: boolean;
  keypos: number;
  keyposGiven: boolean;
  autoSave: AutoSave;
  access: 'read' | 'read_write';
  maxFileSize: number;
  repair: boolean | 'force';
  fs?: FsAdapter | undefined;
  clock?: Clock | undefined;
  compaction?: Partial<CompactionPolicy> | undefined;
  /** proper-lockfile's stale threshold in ms (default 10 000; tests use less). */
  lockStale?: number | undefined;
}

/** The engine the table will use, made once the file's type and keypos are known. */
export type EngineFactory = (type: TableType, keypos: number) => Engine;

let tempCounter = 0;

function closeQuietly(fs: FsAdapter, fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    fs.closeSync(fd);
  } catch {
    // ignore
  }
}

/** An open table file. */
export class DetsStore implements WriteSink, ExitParticipant, CompactionHost {
  readonly fs: FsAdapter;
  readonly codec: Encoder;
  readonly file: string;
  readonly type: TableType;
  readonly keypos: number;
  readonly access: 'read' | 'read_write';
  readonly maxFileSize: number;
  readonly autoSave: AutoSave;
  readonly recovered: RecoveryReport;
  readonly engine: Engine;
  /** undefined for read-only tables. */
  readonly journal: JournalWriter;
  readonly writable: boolean;
  state: 'open' | 'closing' | 'closed' | 'crashed' = 'open';
  /** Set when the lock was lost: writes are refused. */
  failing: TermstoreError | undefined;
  /** Where background errors go (the facade emits them as `'error'`). */
  onError: (e: TermstoreError) => void = (e) => process.emitWarning(e.message, { code: e.code });
  generation = 0;
  carry: Chunk[] | undefined;
  compactions = 0;
  private header: FileHeader;
  private readonly policy: FlushPolicy;
  private readonly compactionPolicy: CompactionPolicy;
  private lock: FileLock | undefined;
  private compaction: Promise<void> | undefined;
  private rowBytes: number;
  private rowCount: number;
  private bytesSinceCompaction = 0;
  private waiters: Array<{ seq: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private reportedError: TermstoreError | undefined;
  private openedSize = 0;
  private readonly items: ItemWriter;

  private constructor(o: StoreOptions, fs: FsAdapter, codec: Encoder, header: FileHeader, engine: Engine, report: RecoveryReport, journal: JournalWriter | undefined, lock: FileLock | undefined, rowBytes: number, rowCount: number) {
    this.fs = fs;
    this.codec = codec;
    this.file = o.file;
    this.header = header;
    this.type = header.type;
    this.keypos = header.keypos;
    this.access = o.access;
    this.maxFileSize = o.maxFileSize;
    this.autoSave = o.autoSave;
    this.engine = engine;
    this.recovered = report;
    this.writable = journal !== undefined;
    // A read-only table gets a closed writer so `journal` is never undefined.
    this.journal = journal ?? Object.assign(new JournalWriter(fs, -1, header.length, o.file), { closed: true });
    this.lock = lock;
    this.rowBytes = rowBytes;
    this.rowCount = rowCount;
    this.compactionPolicy = { ...DEFAULT_COMPACTION, ...o.compaction };
    this.policy = new FlushPolicy(this.writable ? o.autoSave : false, o.clock ?? realClock, () => this.backgroundFlush(), () => this.journal.pendingWrites > 0);
    this.journal.onDurable = (done) => this.durable(done);
    this.items = new ItemWriter(codec);
  }

  /**
   * Opens (or creates) a table file and loads it into the engine made by
   * `makeEngine`. Synchronous; throws a `TermstoreError`.
   */
  static open(o: StoreOptions, makeEngine: EngineFactory): DetsStore {
    const fs = o.fs ?? nodeFs;
    const codec = createCodec();
    const writable = o.access === 'read_write';
    let store: DetsStore | undefined;
    let lock: FileLock | undefined;
    let fd: number | undefined;
    try {
      if (writable) lock = acquireLock(o.file, (e) => store?.lockLost(e), o.lockStale);
      if (!fs.existsSync(o.file)) {
        if (!writable) throw new TermstoreError('DETS_IO', `dets: ${o.file} does not exist (opened with access 'read')`, { details: { file: o.file, errno: 'ENOENT' } });
        DetsStore.create(fs, codec, o);
      } else {
        DetsStore.removeTemps(fs, o.file, writable);
      }
      fd = fs.openSync(o.file, writable ? 'r+' : 'r');
      const size = fs.fstatSync(fd).size;
      const header = readHeader(fs, fd, size, codec, o.file);
      if ((o.typeGiven && header.type !== o.type) || (o.keyposGiven && header.keypos !== o.keypos)) {
        const opt = o.typeGiven && header.type !== o.type ? 'type' : 'keypos';
        throw new TermstoreError(
          'DETS_OPTIONS_MISMATCH',
          `dets: ${o.file} holds a ${header.type} table with keypos ${header.keypos}; it was opened with ${opt} ${opt === 'type' ? o.type : o.keypos}`,
          { details: { file: o.file, option: opt, fileType: header.type, fileKeypos: header.keypos } },
        );
      }
      const engine = makeEngine(header.type, header.keypos);
      const loaded = loadFile(fs, fd, size, codec, o.file, engine, o.repair !== false);
      let journal: JournalWriter | undefined;
      if (writable) {
        if (loaded.report.tailOffset !== undefined) {
          try {
            fs.ftruncateSync(fd, loaded.end);
            fs.fsyncSync(fd);
          } catch (e) {
            throw ioError(e, 'truncating the torn tail', o.file);
          }
        }
        journal = new JournalWriter(fs, fd, loaded.end, o.file, o.autoSave === 0 ? 0 : 16 * 1024);
      } else {
        closeQuietly(fs, fd);
      }
      fd = undefined;
      store = new DetsStore(o, fs, codec, header, engine, loaded.report, journal, lock, loaded.rowBytes, loaded.rowCount);
      store.openedSize = loaded.end;
      if (writable) {
        if (loaded.report.damaged.length > 0 || o.repair === 'force') {
          compactSync(store);
          loaded.report.rewritten = true;
        }
        registerForExit(store);
      }
      return store;
    } catch (e) {
      closeQuietly(fs, fd);
      if (store !== undefined) store.journal.shutdown(true);
      lock?.release();
      throw e;
    }
  }

  /** Creates a new file holding only a header, atomically (never a half-written header). */
  private static create(fs: FsAdapter, codec: Encoder, o: StoreOptions): void {
    const header = encodeHeader(codec, o.type, o.keypos);
    if (header.length > o.maxFileSize) {
      throw new TermstoreError('DETS_FILE_TOO_LARGE', `dets: maxFileSize ${o.maxFileSize} is smaller than the file header`, { details: { file: o.file, maxFileSize: o.maxFileSize } });
    }
    const tmp = `${o.file}.create-${process.pid}-${++tempCounter}`;
    let fd: number | undefined;
    try {
      fd = fs.openSync(tmp, 'wx');
      writeAllSync(fs, fd, header, 0);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
      try {
        fs.linkSync(tmp, o.file); // fails if the file appeared meanwhile: never overwrite
        fs.unlinkSync(tmp);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw e;
        fs.renameSync(tmp, o.file); // file systems without hard links
      }
      fsyncDirSync(fs, o.file);
    } catch (e) {
      closeQuietly(fs, fd);
      try {
        fs.unlinkSync(tmp);
      } catch {
        // ignore
      }
      throw ioError(e, 'creating the file', o.file);
    }
  }

  /** Removes temporary files left by a crashed writer (we hold the lock). */
  private static removeTemps(fs: FsAdapter, file: string, writable: boolean): void {
    if (!writable) return;
    const dir = path.dirname(file);
    const base = path.basename(file);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith(`${base}.compact-`) || n.startsWith(`${base}.create-`)) {
        try {
          fs.unlinkSync(path.join(dir, n));
        } catch {
          // ignore
        }
      }
    }
  }

  // ------------------------------------------------------------ writes

  private check(): void {
    if (this.state !== 'open') throw new TermstoreError('DETS_CLOSED', `dets: ${this.file} is closed`, { details: { file: this.file } });
    if (!this.writable) throw new TermstoreError('DETS_READ_ONLY', `dets: ${this.file} was opened with access 'read'`, { details: { file: this.file } });
    if (this.failing !== undefined) throw this.failing;
  }

  /** True if `op` alone would change nothing (not journaled). */
  private isNoop(op: WriteOp): boolean {
    switch (op.op) {
      case 'delete':
        return !this.engine.member(op.key);
      case 'deleteObject':
        return !this.engine.lookup(op.row[this.engine.keyIndex]).some((r) => rowEquals(r, op.row));
      case 'clear':
        return this.engine.size() === 0;
      default:
        return false;
    }
  }

  /** The sink: journals `ops` before the table applies them, or throws and nothing changes. */
  append(ops: readonly WriteOp[]): void {
    this.check();
    if (ops.length === 0 || (ops.length === 1 && this.isNoop(ops[0]!))) return;
    const w = this.items;
    w.reset();
    let deletesOnly = true;
    let rows = 0;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      try {
        w.op(op);
      } catch (e) {
        throw new TermstoreError('ETS_BAD_TERM', `dets: a value cannot be stored: ${(e as Error).message}`, { cause: e });
      }
      if (op.op === 'insert' || op.op === 'replace') deletesOnly = false;
      if (op.op === 'insert') rows += op.rows.length;
    }
    const total = w.size;
    const j = this.journal;
    if (this.policy.synchronous) j.closeChunk();
    this.ensureRoom(total, deletesOnly);
    const seq = j.nextSeq();
    j.add(Kind.OPS, w.buf, total, seq);
    if (w.buf.length > 1 << 20) w.renew(4096); // do not keep a huge scratch buffer
    if (this.policy.synchronous) {
      try {
        j.flushSync();
      } catch (e) {
        j.rollbackLast(seq);
        throw e;
      }
    } else {
      this.policy.noteWrite();
    }
    this.bytesSinceCompaction += total;
    if (rows > 0) {
      this.rowBytes += total;
      this.rowCount += rows;
    }
  }

  /** Bytes a deletes-only write may go past the normal limit. */
  get deleteHeadroom(): number {
    return Math.min(64 * 1024, Math.floor(this.maxFileSize / 8));
  }

  /** Estimated bytes of the live rows. */
  liveEstimate(): number {
    return this.rowCount > 0 ? Math.ceil((this.engine.size() * this.rowBytes) / this.rowCount) : 0;
  }

  private ensureRoom(total: number, deletesOnly: boolean): void {
    const j = this.journal;
    const limit = deletesOnly ? this.maxFileSize : this.maxFileSize - this.deleteHeadroom;
    if (total > MAX_PAYLOAD || j.projectedLength + j.costOf(Kind.OPS, total) > limit) {
      const cost = FRAME_HEADER + total;
      // A compacted file: header + begin/end markers + rows in ~1 MiB frames.
      const live = this.liveEstimate();
      const compacted = this.header.length + 96 + live + FRAME_HEADER * Math.ceil(live / (1 << 20));
      const garbage = j.projectedLength - compacted;
      if (total <= MAX_PAYLOAD && this.bytesSinceCompaction > 0 && garbage > 0 && compacted + cost <= limit) {
        compactSync(this);
        if (j.projectedLength + j.costOf(Kind.OPS, total) <= limit) return;
      }
      throw new TermstoreError(
        'DETS_FILE_TOO_LARGE',
        `dets: writing ${total} bytes would take ${this.file} past maxFileSize ${this.maxFileSize} (file ${j.projectedLength} bytes with buffered writes); nothing was written`,
        { details: { file: this.file, maxFileSize: this.maxFileSize, fileSize: j.projectedLength, bytes: total } },
      );
    }
  }

  // ------------------------------------------------------------ flushing

  private backgroundFlush(): Promise<void> {
    return this.journal.flush().then(
      () => undefined,
      (e) => this.report(e),
    );
  }

  private report(e: unknown): void {
    const err = e instanceof TermstoreError ? e : ioError(e, 'flush', this.file);
    // One report per failure streak: a disk that stays full does not flood.
    if (this.reportedError !== undefined) return;
    this.reportedError = err;
    this.onError(err);
  }

  private durable(done: Chunk[]): void {
    this.reportedError = undefined;
    if (this.carry !== undefined) for (const c of done) if (c.afterSnapshot) this.carry.push(c);
    const d = this.journal.durableSeq;
    if (this.waiters.length > 0) {
      const keep: typeof this.waiters = [];
      for (const w of this.waiters) (w.seq <= d ? w.resolve() : keep.push(w));
      this.waiters = keep;
    }
    if (done.length > 0) this.maybeCompact();
  }

  private maybeCompact(): void {
    if (this.compaction !== undefined || this.state !== 'open' || this.failing !== undefined) return;
    const j = this.journal;
    if (shouldCompact(j.projectedLength, this.header.length + this.liveEstimate(), this.compactionPolicy)) {
      this.compact().catch((e) => this.report(e));
    }
  }

  /** Resolves when every write made so far is on disk (flushing now). Rejects with `DETS_IO`. */
  async sync(): Promise<void> {
    if (this.state === 'closed' || this.state === 'crashed') throw new TermstoreError('DETS_CLOSED', `dets: ${this.file} is closed`, { details: { file: this.file } });
    if (!this.writable) return;
    if (this.failing !== undefined) throw this.failing;
    await this.journal.syncAll();
  }

  /** Resolves when every write made so far is on disk, without forcing a flush. */
  whenDurable(): Promise<void> {
    const seq = this.journal.seq;
    if (!this.writable || this.journal.durableSeq >= seq) return Promise.resolve();
    if (this.state !== 'open' && this.state !== 'closing') return Promise.reject(new TermstoreError('DETS_CLOSED', `dets: ${this.file} is closed`, { details: { file: this.file } }));
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** Rewrites the file without garbage (in the background). */
  compact(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new TermstoreError('DETS_CLOSED', `dets: ${this.file} is closed`, { details: { file: this.file } }));
    if (!this.writable) return Promise.reject(new TermstoreError('DETS_READ_ONLY', `dets: ${this.file} was opened with access 'read'`, { details: { file: this.file } }));
    if (this.compaction !== undefined) return this.compaction;
    const p = compactAsync(this).finally(() => {
      if (this.compaction === p) this.compaction = undefined;
    });
    this.compaction = p;
    return p;
  }

  // ------------------------------------------------------------ CompactionHost

  newHeader(): Buffer {
    return encodeHeader(this.codec, this.type, this.keypos);
  }

  liveRows(): Row[] {
    // One batch of everything: the fastest way to copy the row references out.
    return this.engine.take(this.engine.cursor(false), this.engine.size() + 1);
  }

  tempPath(): string {
    return `${this.file}.compact-${process.pid}-${++tempCounter}`;
  }

  installed(stats: SnapshotStats): void {
    this.generation++;
    this.compactions++;
    this.rowBytes = stats.rowBytes;
    this.rowCount = stats.rows;
    this.bytesSinceCompaction = 0;
    this.durable([]);
  }

  // ------------------------------------------------------------ lifecycle

  /** Called by the lock when it was lost: refuse writes, report. */
  lockLost(e: TermstoreError): void {
    if (this.failing !== undefined || this.state !== 'open') return;
    this.failing = e;
    this.policy.dispose();
    this.lock = undefined;
    this.onError(e);
  }

  /** Synchronous flush at process exit (see exit.ts). */
  exitFlush(): void {
    if (this.state !== 'open' && this.state !== 'closing') return;
    if (this.failing === undefined) {
      try {
        this.journal.flushSync();
      } catch {
        // Nothing can be reported now; the next open recovers what is on disk.
      }
    }
    this.generation++;
    this.journal.shutdown(false);
    this.state = 'closed';
    this.lock?.release();
    this.lock = undefined;
  }

  /**
   * Flushes (with a clean-close marker), then releases the file. Rejects
   * with `DETS_IO` if the data cannot be written; the table then stays
   * open so nothing is lost, and `close` can be retried.
   */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'crashed') return;
    if (this.state === 'closing') throw new TermstoreError('DETS_CLOSED', `dets: ${this.file} is already closing`, { details: { file: this.file } });
    if (this.writable && this.failing === undefined) {
      this.state = 'closing';
      try {
        const j = this.journal;
        const marker = encodeMarker(this.codec, { at: Date.now(), rows: this.engine.size() });
        if (j.projectedLength + j.costOf(Kind.CLEAN_CLOSE, marker.length) <= this.maxFileSize) {
          j.add(Kind.CLEAN_CLOSE, marker, marker.length, j.nextSeq());
        }
        await j.syncAll();
      } catch (e) {
        this.state = 'open';
        throw e;
      }
    }
    this.finish('closed');
  }

  private finish(state: 'closed' | 'crashed'): void {
    this.state = state;
    this.generation++;
    this.policy.dispose();
    this.journal.shutdown(state === 'crashed');
    unregisterForExit(this);
    if (state === 'closed') this.releaseLock();
    const err = new TermstoreError('DETS_CLOSED', `dets: ${this.file} was ${state} before the write was durable`, { details: { file: this.file } });
    for (const w of this.waiters.splice(0)) (state === 'closed' ? w.resolve() : w.reject(err));
  }

  /**
   * Simulates a hard crash of this table: buffered writes are dropped,
   * nothing is flushed, the table is closed. Resolves once no write of
   * this table is in flight any more, then releases the lock.
   */
  async simulateCrash(): Promise<void> {
    if (this.state === 'closed' || this.state === 'crashed') return;
    this.finish('crashed');
    await this.journal.exclusive(() => undefined);
    await this.compaction?.catch(() => undefined);
    this.lock?.release();
    this.lock = undefined;
  }

  private releaseLock(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  /** Bytes waiting to be written. */
  get pendingBytes(): number {
    return this.journal.closed ? 0 : this.journal.pendingBytes;
  }

  /** Current length of the file on disk (for a read-only table: at open). */
  get fileSize(): number {
    return this.writable ? this.journal.durableLength : this.openedSize;
  }

  /** Whether a background compaction is running. */
  get compacting(): boolean {
    return this.compaction !== undefined;
  }

  /** Flush timer firings (tests). */
  get ticks(): number {
    return this.policy.ticks;
  }

  /** The header read or written at open. */
  get fileHeader(): FileHeader {
    return this.header;
  }
}

