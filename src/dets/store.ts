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
 * limit). In a worker thread the write is refused and a background
 * compaction starts instead (see `lock.ts` on why a worker never compacts
 * synchronously).
 *
 * Failures are never reported as success: when writes cannot be saved
 * (the lock was lost because the file was removed or replaced, or the disk
 * fails), `sync`, `close`, `whenDurable` and the exit flush say so, with the
 * number of writes that were not saved.
 *
 * @module
 */
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { Encoder } from 'cbor-x';
import type { Engine, TableType, WriteOp, WriteSink } from '../engines/types.js';
import { TermstoreError } from '../errors.js';
import { writerIsDead, writerTag } from '../io/temp-files.js';
import { rowEquals } from '../term/equal.js';
import type { Row } from '../term/types.js';
import { createCodec } from './codec.js';
import { DEFAULT_COMPACTION, compactAsync, compactSync, shouldCompact, type CompactionHost, type CompactionPolicy, type SnapshotStats } from './compaction.js';
import { registerForExit, unregisterForExit, type ExitParticipant } from './exit.js';
import { FlushPolicy, realClock, type AutoSave, type Clock } from './flush.js';
import { Kind, SLOT_SIZE, encodeHeader, encodeSlot, encodeSlots, type FileHeader } from './format.js';
import { fsyncDirSync, nodeFs, writeAllSync, type FsAdapter } from './fs.js';
import { ItemWriter, WriteEncoder, encodeMarker } from './items.js';
import { JournalWriter, ioError, type Chunk } from './journal.js';
import { acquireLock, identityKey, stillNames, type FileIdentity, type FileLock } from './lock.js';
import { damagedName, realTablePath } from './path.js';
import { describeLoss, isDamaged, loadFile, readHeader, type RecoveryReport } from './recovery.js';
import { FileBuilder } from './snapshot.js';

/** Default `maxFileSize`: 2 GiB, as DETS. */
export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024 * 1024;

/** First wait before an automatic compaction is tried again after failing; doubles up to {@link COMPACTION_BACKOFF_MAX}. */
export const COMPACTION_BACKOFF_MIN = 1000;
/** Longest wait between automatic compaction attempts after failures. */
export const COMPACTION_BACKOFF_MAX = 5 * 60 * 1000;

/** Options of {@link DetsStore.open} (already validated by the facade). */
export interface StoreOptions {
  /** Path as given (resolved to the real path on open). */
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
  /** Called with the real path and identity once known, before the file is loaded; may throw (e.g. already open in this process). */
  claim?: ((real: string, identity: string) => void) | undefined;
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

/** Writes a line to stderr synchronously (the exit path has no later turn). */
function stderrLine(s: string): void {
  try {
    process.stderr.write(`${s}\n`);
  } catch {
    // nothing to do
  }
}

/** An open table file. */
export class DetsStore implements WriteSink, ExitParticipant, CompactionHost {
  readonly fs: FsAdapter;
  readonly codec: Encoder;
  /** The real path of the file (rewrites rename over it). */
  readonly file: string;
  /** The path as given. */
  readonly givenFile: string;
  readonly type: TableType;
  readonly keypos: number;
  readonly access: 'read' | 'read_write';
  readonly maxFileSize: number;
  readonly autoSave: AutoSave;
  readonly recovered: RecoveryReport;
  readonly engine: Engine;
  /** A closed writer for read-only tables, so `journal` is never undefined. */
  readonly journal: JournalWriter;
  readonly writable: boolean;
  state: 'open' | 'closing' | 'closed' | 'crashed' = 'open';
  /** Set when the writes can no longer be saved (the lock was lost): writes are refused. */
  failing: TermstoreError | undefined;
  /** Where background errors go (the facade emits them as `'error'`). */
  onError: (e: TermstoreError) => void = (e) => process.emitWarning(e.message, { code: e.code });
  generation = 0;
  carry: Chunk[] | undefined;
  compactions = 0;
  /** The file's identity (`dev:ino`) when opened. */
  readonly identity: string;
  private header: FileHeader;
  private readonly policy: FlushPolicy;
  private readonly compactionPolicy: CompactionPolicy;
  private readonly clock: Clock;
  private lock: FileLock | undefined;
  private compaction: Promise<void> | undefined;
  /** The last write in the running compaction's snapshot. */
  private compactionSeq = 0;
  private rowBytes: number;
  private rowCount: number;
  private bytesSinceCompaction = 0;
  private waiters: Array<{ seq: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private reportedError: TermstoreError | undefined;
  private openedSize = 0;
  private readonly items: ItemWriter;
  private readonly ends: number[] = [];
  private readonly encoder: WriteEncoder;
  /** Slot bookkeeping: generation and index of the newest slot. */
  private slotGen = 0;
  private slotIndex = 1;
  /** Rows of the file's snapshot (kept in every slot written). */
  private snapshotRows = 0;
  private snapshotSeq = 0;
  /** Write-through: each write goes to the file at once (worker threads; after the exit flush). */
  private writeThrough: boolean;
  /** After the exit flush: every later write is written and fsynced at once. */
  private exiting = false;
  private compactionBackoff = 0;
  private compactionRetryAt = 0;

  private constructor(
    o: StoreOptions,
    real: string,
    fs: FsAdapter,
    codec: Encoder,
    header: FileHeader,
    engine: Engine,
    report: RecoveryReport,
    journal: JournalWriter | undefined,
    lock: FileLock | undefined,
    identity: string,
    rowBytes: number,
    rowCount: number,
  ) {
    this.fs = fs;
    this.codec = codec;
    this.file = real;
    this.givenFile = o.file;
    this.header = header;
    this.type = header.type;
    this.keypos = header.keypos;
    this.access = o.access;
    this.maxFileSize = o.maxFileSize;
    this.autoSave = o.autoSave;
    this.engine = engine;
    this.recovered = report;
    this.writable = journal !== undefined;
    this.journal = journal ?? Object.assign(new JournalWriter(fs, -1, header.length, real, 0), { closed: true });
    this.lock = lock;
    this.identity = identity;
    this.rowBytes = rowBytes;
    this.rowCount = rowCount;
    this.clock = o.clock ?? realClock;
    this.compactionPolicy = { ...DEFAULT_COMPACTION, ...o.compaction };
    this.writeThrough = !isMainThread;
    this.policy = new FlushPolicy(this.writable ? o.autoSave : false, this.clock, () => this.backgroundFlush(), () => this.journal.pendingWrites > 0);
    this.journal.onDurable = (done) => this.durable(done);
    this.items = new ItemWriter(codec);
    this.encoder = new WriteEncoder(codec);
  }

  /**
   * Opens (or creates) a table file and loads it into the engine made by
   * `makeEngine`. Throws a `TermstoreError`.
   */
  static async open(o: StoreOptions, makeEngine: EngineFactory): Promise<DetsStore> {
    const fs = o.fs ?? nodeFs;
    const codec = createCodec();
    const writable = o.access === 'read_write';
    const real = realTablePath(o.file);
    let store: DetsStore | undefined;
    let lock: FileLock | undefined;
    let fd: number | undefined;
    try {
      if (!fs.existsSync(real)) {
        if (!writable) throw new TermstoreError('DETS_IO', `dets: ${o.file} does not exist (opened with access 'read')`, { details: { file: o.file, errno: 'ENOENT' } });
        DetsStore.create(fs, codec, o, real);
      }
      // Refuse a second open of the same file in this process (by any name) before anything else.
      const before = fs.statSync(real) as { dev?: number; ino?: number };
      o.claim?.(real, identityKey({ dev: before.dev ?? 0, ino: before.ino ?? 0 }));
      if (writable) lock = await acquireLock(real);
      fd = fs.openSync(real, writable ? 'r+' : 'r');
      const st = fs.fstatSync(fd);
      const identity = lock !== undefined ? identityKey(lock.identity) : identityKey({ dev: st.dev ?? 0, ino: st.ino ?? 0 } as FileIdentity);
      if (identity !== identityKey({ dev: before.dev ?? 0, ino: before.ino ?? 0 })) o.claim?.(real, identity);
      if (writable) DetsStore.removeTemps(fs, real);
      const size = st.size;
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
      const loaded = await loadFile(fs, fd, size, codec, o.file, engine, o.repair !== false);
      const report = loaded.report;
      const damaged = isDamaged(report);
      if (damaged) {
        process.emitWarning(`dets: ${o.file} was damaged: ${describeLoss(report)}; every intact record was loaded${writable ? '' : ' (opened read-only: the file was not changed)'}`, {
          code: 'DETS_DAMAGED',
          detail: JSON.stringify({ damaged: report.damaged, lost: report.lost }),
        });
      }
      let journal: JournalWriter | undefined;
      const rewrite = writable && (damaged || loaded.header.version < 2 || o.repair === 'force');
      if (writable) {
        if (!rewrite && report.tailOffset !== undefined) {
          try {
            fs.ftruncateSync(fd, loaded.end);
            fs.fsyncSync(fd);
          } catch (e) {
            throw ioError(e, 'truncating the torn tail', o.file);
          }
        }
        journal = new JournalWriter(fs, fd, loaded.end, real, loaded.lastSeq, o.autoSave === 0 ? 0 : 16 * 1024);
      } else {
        closeQuietly(fs, fd);
      }
      fd = undefined;
      store = new DetsStore(o, real, fs, codec, header, engine, report, journal, lock, identity, loaded.rowBytes, loaded.rowCount);
      store.openedSize = loaded.end;
      if (loaded.slot !== undefined) {
        store.slotGen = loaded.slot.slot.generation;
        store.slotIndex = loaded.slot.index;
        store.snapshotRows = loaded.slot.slot.snapshotRows;
        store.snapshotSeq = loaded.slot.slot.snapshotSeq;
      }
      if (writable) {
        if (rewrite) {
          if (damaged) report.keptAs = store.keepOriginal();
          if (loaded.header.version < 2) report.upgradedFrom = loaded.header.version;
          await compactAsync(store);
          report.rewritten = true;
        } else {
          // The file is complete up to here: a later cut below it is damage, not a torn tail.
          store.writeSlot();
        }
        registerForExit(store);
      }
      return store;
    } catch (e) {
      closeQuietly(fs, fd);
      if (store !== undefined) store.journal.shutdown(true);
      (store?.lock ?? lock)?.release();
      throw e;
    }
  }

  /** Creates a new file holding only a header and its slots, atomically (never a half-written header). */
  private static create(fs: FsAdapter, codec: Encoder, o: StoreOptions, real: string): void {
    const header = encodeHeader(codec, o.type, o.keypos, false);
    const bytes = Buffer.concat([header, encodeSlots({ generation: 1, committed: header.length + 2 * SLOT_SIZE, lastSeq: 0, snapshotRows: 0, snapshotSeq: 0 })]);
    if (bytes.length > o.maxFileSize) {
      throw new TermstoreError('DETS_FILE_TOO_LARGE', `dets: maxFileSize ${o.maxFileSize} is smaller than the ${bytes.length}-byte file header`, {
        details: { file: o.file, maxFileSize: o.maxFileSize, bytes: bytes.length },
      });
    }
    // Named with the writer's identity (pid, start time, machine, boot, pid namespace): see io/temp-files.
    const tmp = `${real}.create-${writerTag()}`;
    let fd: number | undefined;
    try {
      fd = fs.openSync(tmp, 'wx');
      writeAllSync(fs, fd, bytes, 0);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
      try {
        fs.linkSync(tmp, real); // fails if the file appeared meanwhile: never overwrite
        fs.unlinkSync(tmp);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          fs.unlinkSync(tmp);
          return; // another opener created it first: open theirs
        }
        fs.renameSync(tmp, real); // file systems without hard links
      }
      fsyncDirSync(fs, real);
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
  private static removeTemps(fs: FsAdapter, file: string): void {
    const dir = path.dirname(file);
    const base = path.basename(file);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      // Our compaction temps are ours to remove (we hold the lock); a creation
      // temp only if its writer is surely dead: same machine, boot and pid
      // namespace (a container sharing the directory has its own pids).
      const create = n.startsWith(`${base}.create-`) && writerIsDead(n.slice(base.length + '.create-'.length));
      if (n.startsWith(`${base}.compact-`) || create) {
        try {
          fs.unlinkSync(path.join(dir, n));
        } catch {
          // ignore
        }
      }
    }
  }

  /** Keeps the file as it is now beside the table (a hard link, or a copy) before a repair rewrites it; returns its path. */
  private keepOriginal(): string {
    const name = damagedName(this.file, (p) => this.fs.existsSync(p));
    try {
      this.fs.linkSync(this.file, name);
    } catch {
      try {
        this.fs.copyFileSync(this.file, name);
      } catch (e) {
        throw ioError(e, 'keeping the damaged original (nothing was rewritten)', this.givenFile);
      }
    }
    return name;
  }

  // ------------------------------------------------------------ writes

  private check(): void {
    if (this.state !== 'open') throw new TermstoreError('DETS_CLOSED', `dets: ${this.givenFile} is closed`, { details: { file: this.givenFile } });
    if (!this.writable) throw new TermstoreError('DETS_READ_ONLY', `dets: ${this.givenFile} was opened with access 'read'`, { details: { file: this.givenFile } });
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
    const ends = this.ends;
    w.reset();
    ends.length = 0;
    try {
      this.encoder.encode(ops, w, ends);
    } catch (e) {
      throw new TermstoreError('ETS_BAD_TERM', `dets: a value cannot be stored: ${(e as Error).message}`, { cause: e });
    }
    let deletesOnly = true;
    let rows = 0;
    for (const op of ops) {
      if (op.op === 'insert' || op.op === 'replace') deletesOnly = false;
      if (op.op === 'insert') rows += op.rows.length;
    }
    const total = w.size;
    const j = this.journal;
    const synchronous = this.policy.synchronous || this.exiting;
    if (synchronous || this.writeThrough) j.closeChunk();
    // A write acknowledged as durable must reach the table's own file: not an inode another program replaced.
    if (synchronous && !this.checkLock()) throw this.unsaved(this.failing!);
    this.ensureRoom(total, deletesOnly);
    const seq = j.nextSeq();
    j.add(Kind.OPS, w.buf, total, ends, seq);
    if (w.buf.length > 1 << 20) w.renew(4096); // do not keep a huge scratch buffer
    if (synchronous) {
      try {
        j.flushSync();
      } catch (e) {
        j.rollbackLast(seq);
        throw e;
      }
    } else {
      if (this.writeThrough) {
        try {
          j.writeThrough();
        } catch (e) {
          // Still buffered: the next flush retries, and reports if it fails.
          this.report(e);
        }
      }
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
    const cost = j.costOf(Kind.OPS, total);
    if (j.projectedLength + cost <= limit) return;
    // A compacted file: header and slots, markers, rows (frame headers about 0.1%).
    const live = this.liveEstimate();
    const compacted = this.header.length + 512 + Math.ceil(live * 1.002);
    const garbage = j.projectedLength - compacted;
    const helps = this.bytesSinceCompaction > 0 && garbage > 0 && compacted + cost <= limit;
    if (helps) {
      if (isMainThread) {
        compactSync(this);
        if (j.projectedLength + j.costOf(Kind.OPS, total) <= limit) return;
      } else {
        this.maybeCompact(true);
      }
    }
    throw new TermstoreError(
      'DETS_FILE_TOO_LARGE',
      `dets: writing ${cost} bytes would take ${this.givenFile} to ${j.projectedLength + cost} bytes, past maxFileSize ${limit === this.maxFileSize ? this.maxFileSize : `${this.maxFileSize} less ${this.deleteHeadroom} kept for deletes`} (the file holds ${j.projectedLength} bytes with buffered writes); nothing was written${helps && !isMainThread ? '; a compaction has started, retry once it is done' : ''}`,
      { details: { file: this.givenFile, maxFileSize: this.maxFileSize, limit, fileSize: j.projectedLength, bytes: cost } },
    );
  }

  // ------------------------------------------------------------ flushing

  /** True if the path still names our file; otherwise the lock is lost (the file was removed or replaced). */
  private checkLock(): boolean {
    if (this.failing !== undefined) return false;
    if (this.lock === undefined || stillNames(this.file, this.lock.identity)) return true;
    this.lockLost(
      new TermstoreError('DETS_LOCKED', `dets: ${this.givenFile} was removed or replaced by another program while open; its writes can no longer be saved`, {
        details: { file: this.givenFile, unsavedWrites: this.journal.pendingWrites },
      }),
    );
    return false;
  }

  private backgroundFlush(): Promise<void> {
    if (!this.checkLock()) return Promise.resolve();
    return this.journal.flush().then(
      () => undefined,
      (e) => this.report(e),
    );
  }

  private report(e: unknown): void {
    const err = e instanceof TermstoreError ? e : ioError(e, 'flush', this.givenFile);
    // One report per failure streak: a disk that stays full does not flood.
    if (this.reportedError !== undefined) return;
    this.reportedError = err;
    this.onError(err);
  }

  private durable(done: Chunk[]): void {
    this.reportedError = undefined;
    // Every write acknowledged so far lies below the length the file says is
    // complete: a later cut or flip there is damage, reported, never a torn tail.
    if (done.length > 0) this.writeSlot(false);
    if (this.carry !== undefined) for (const c of done) if (c.afterSnapshot) this.carry.push(c);
    const d = this.journal.durableSeq;
    if (this.waiters.length > 0) {
      const keep: typeof this.waiters = [];
      for (const w of this.waiters) (w.seq <= d ? w.resolve() : keep.push(w));
      this.waiters = keep;
    }
    if (done.length > 0) this.maybeCompact(false);
  }

  private maybeCompact(force: boolean): void {
    if (this.compaction !== undefined || this.state !== 'open' || this.failing !== undefined || this.exiting) return;
    if (this.clock.now() < this.compactionRetryAt) return;
    const j = this.journal;
    if (force || shouldCompact(j.projectedLength, this.header.length + this.liveEstimate(), this.compactionPolicy)) {
      this.compact().then(
        () => {
          this.compactionBackoff = 0;
          this.compactionRetryAt = 0;
        },
        (e) => {
          // Back off: a disk that stays full is not asked again after every flush.
          this.compactionBackoff = Math.min(COMPACTION_BACKOFF_MAX, Math.max(COMPACTION_BACKOFF_MIN, this.compactionBackoff * 2));
          this.compactionRetryAt = this.clock.now() + this.compactionBackoff;
          this.report(e);
        },
      );
    }
  }

  /** The error saying `n` writes were not saved because of `cause`. */
  private unsaved(cause: TermstoreError): TermstoreError {
    const n = this.journal.pendingWrites;
    if (n === 0) return cause;
    return new TermstoreError(cause.code, `dets: ${n} write(s) to ${this.givenFile} were not saved: ${cause.message}`, {
      cause,
      details: { file: this.givenFile, unsavedWrites: n },
    });
  }

  /** Resolves when every write made so far is on disk (flushing now). Rejects with `DETS_IO`, or `DETS_LOCKED` naming the writes not saved. */
  async sync(): Promise<void> {
    if (this.state === 'closed' || this.state === 'crashed') throw new TermstoreError('DETS_CLOSED', `dets: ${this.givenFile} is closed`, { details: { file: this.givenFile } });
    if (!this.writable) return;
    if (this.failing !== undefined || !this.checkLock()) throw this.unsaved(this.failing!);
    await this.journal.syncAll();
  }

  /**
   * Resolves when every write made so far is on disk, without forcing a
   * flush; rejects if they cannot be saved. Keeps the process alive until
   * then (a process with nothing else to do flushes at once).
   */
  whenDurable(): Promise<void> {
    const seq = this.journal.seq;
    if (!this.writable || this.journal.durableSeq >= seq) return Promise.resolve();
    if (this.failing !== undefined) return Promise.reject(this.unsaved(this.failing));
    if (this.state !== 'open' && this.state !== 'closing') return Promise.reject(new TermstoreError('DETS_CLOSED', `dets: ${this.givenFile} is closed`, { details: { file: this.givenFile } }));
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** The event loop is about to empty with `whenDurable` callers waiting: flush now so they can go on. */
  beforeExit(): void {
    if (this.waiters.length === 0 || this.state !== 'open') return;
    if (!this.checkLock()) return;
    this.journal.flush().catch((e: unknown) => {
      const err = e instanceof TermstoreError ? e : ioError(e, 'flush', this.givenFile);
      for (const w of this.waiters.splice(0)) w.reject(err);
    });
  }

  /** Rewrites the file without garbage (in the background). */
  compact(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new TermstoreError('DETS_CLOSED', `dets: ${this.givenFile} is closed`, { details: { file: this.givenFile } }));
    if (!this.writable) return Promise.reject(new TermstoreError('DETS_READ_ONLY', `dets: ${this.givenFile} was opened with access 'read'`, { details: { file: this.givenFile } }));
    if (this.failing !== undefined) return Promise.reject(this.failing);
    const want = this.journal.seq;
    if (this.compaction !== undefined) {
      // One running since before the last write (an automatic one, say) would
      // carry every write made since its snapshot into the new file: wait for
      // it, then compact what the table holds now.
      if (this.compactionSeq >= want) return this.compaction;
      const again = (): Promise<void> => (this.state === 'open' ? this.compact() : Promise.resolve());
      return this.compaction.then(again, again);
    }
    this.compactionSeq = want;
    const p = compactAsync(this).finally(() => {
      if (this.compaction === p) this.compaction = undefined;
    });
    this.compaction = p;
    return p;
  }

  // ------------------------------------------------------------ CompactionHost

  newBuilder(): FileBuilder {
    return new FileBuilder(this.codec, this.type, this.keypos);
  }

  liveRows(): Row[] {
    // One batch of everything: the fastest way to copy the row references out.
    return this.engine.take(this.engine.cursor(false), this.engine.size() + 1);
  }

  tempPath(): string {
    return `${this.file}.compact-${process.pid}-${++tempCounter}`;
  }

  adoptLock(lock: FileLock): void {
    const old = this.lock;
    this.lock = lock;
    old?.release();
  }

  installed(stats: SnapshotStats): void {
    this.header = { ...this.header, version: 2, snapshot: true, slotsAt: stats.slotsAt, length: stats.headerLength };
    this.generation++;
    this.compactions++;
    this.rowBytes = stats.rowBytes;
    this.rowCount = stats.rows;
    this.bytesSinceCompaction = 0;
    this.slotGen = 1;
    this.slotIndex = 0;
    this.snapshotRows = stats.rows;
    this.snapshotSeq = stats.seq;
    this.durable([]);
  }

  // ------------------------------------------------------------ slots

  /**
   * Records in the file that it is complete up to its durable length (in
   * place, alternating slots). Never throws. With `fsync` false (after each
   * flush) the slot is written but not fsynced: it is only ever written
   * after the bytes it covers were fsynced, and the next flush's fsync
   * makes it durable; until then the other slot holds the previous length.
   */
  private writeSlot(fsync = true): void {
    const j = this.journal;
    if (j.closed || j.fd < 0) return;
    const index = 1 - this.slotIndex;
    const slot = encodeSlot({ generation: this.slotGen + 1, committed: j.durableLength, lastSeq: j.durableSeq, snapshotRows: this.snapshotRows, snapshotSeq: this.snapshotSeq });
    try {
      writeAllSync(this.fs, j.fd, slot, this.header.slotsAt + index * SLOT_SIZE);
      if (fsync) this.fs.fsyncSync(j.fd);
      this.slotGen++;
      this.slotIndex = index;
    } catch {
      // The other slot still holds an earlier (smaller) complete length.
    }
  }

  // ------------------------------------------------------------ lifecycle

  /** Called when the writes can no longer be saved: refuse writes, report. */
  lockLost(e: TermstoreError): void {
    if (this.failing !== undefined || this.state !== 'open') return;
    this.failing = e;
    this.policy.dispose();
    this.lock?.release();
    this.lock = undefined;
    const err = this.unsaved(e);
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.onError(err);
  }

  /**
   * Synchronous flush at process (or worker) exit (see exit.ts). The table
   * stays usable: writes made after it (by later exit handlers, or while a
   * signal is being delivered) are written and fsynced at once, never
   * refused (unless the file was replaced meanwhile: then `DETS_LOCKED`).
   * The lock goes with the process.
   */
  exitFlush(): void {
    if (this.state !== 'open' && this.state !== 'closing') return;
    if (this.failing !== undefined || (this.journal.pendingWrites > 0 && !this.checkLock())) {
      const n = this.journal.pendingWrites;
      if (n > 0) stderrLine(`termstore: ${n} write(s) to ${this.givenFile} were not saved: ${this.failing!.message}`);
      return;
    }
    try {
      this.journal.flushSync();
      this.writeSlot();
    } catch (e) {
      const n = this.journal.pendingWrites;
      stderrLine(`termstore: ${n} write(s) to ${this.givenFile} could not be saved at exit: ${(e as Error).message}`);
    }
    this.exiting = true;
    this.policy.dispose();
  }

  /**
   * Flushes (with a clean-close marker), then releases the file. Rejects
   * with `DETS_IO` if the data cannot be written; the table then stays
   * open so nothing is lost, and `close` can be retried. If the writes can
   * no longer be saved at all (the lock was lost), the table is closed and
   * the promise rejects with `DETS_LOCKED` naming how many were lost.
   */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'crashed') return;
    if (this.state === 'closing') throw new TermstoreError('DETS_CLOSED', `dets: ${this.givenFile} is already closing`, { details: { file: this.givenFile } });
    if (this.writable) {
      if (this.failing !== undefined || !this.checkLock()) {
        const err = this.unsaved(this.failing!);
        const lostWrites = this.journal.pendingWrites;
        this.finish('closed');
        if (lostWrites > 0) throw err;
        return;
      }
      this.state = 'closing';
      try {
        const j = this.journal;
        const marker = encodeMarker(this.codec, { at: Date.now(), rows: this.engine.size() });
        if (j.projectedLength + j.costOf(Kind.CLEAN_CLOSE, marker.length) <= this.maxFileSize) {
          j.add(Kind.CLEAN_CLOSE, marker, marker.length, [marker.length], j.seq + 1);
        }
        await j.flushAll();
        this.writeSlot();
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
    const err = new TermstoreError('DETS_CLOSED', `dets: ${this.givenFile} was ${state} before the write was durable`, { details: { file: this.givenFile } });
    for (const w of this.waiters.splice(0)) (state === 'closed' && this.failing === undefined ? w.resolve() : w.reject(this.failing ? this.unsaved(this.failing) : err));
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
    this.releaseLock();
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
