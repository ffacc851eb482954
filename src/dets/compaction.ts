/**
 * Compaction: rewriting the file as header + snapshot of the live rows,
 * dropping the garbage that overwrites and deletes leave in the journal.
 *
 * When: on `dets.compact(t)`; automatically after a flush when the file is
 * larger than {@link CompactionPolicy.minBytes} (1 MiB) *and* more than
 * {@link CompactionPolicy.ratio} (2) times the estimated live size (rows ×
 * average encoded row size, recalibrated exactly at every compaction); and
 * synchronously when a write would pass `maxFileSize` and the garbage
 * estimate says a compaction makes room. A failed automatic compaction is
 * not retried at once: the next attempt waits 1 s, then 2 s, 4 s, ... up to
 * 5 minutes (see `store.ts`).
 *
 * Crash safety: the new file is written under a temporary name next to the
 * table (`<file>.compact-<pid>-<n>`), given the table file's mode and
 * owner, fsynced, locked, renamed over the table file (the real file: a
 * symlink to it stays a symlink), and the directory is fsynced. Until the
 * rename the old file is intact and keeps receiving flushes; after it the
 * new file holds the snapshot plus every write flushed meanwhile. A kill at
 * any instant leaves a file that opens with every flushed write; leftover
 * temporary files are removed by the next read-write open.
 *
 * Event loop: the background compaction blocks it only to take the list of
 * live rows (an array of references, O(rows), no copying of row data: rows
 * are immutable) and then for encoding a few thousand rows at a time
 * between turns of the event loop and asynchronous writes. Writes made while it runs go to the old file
 * as usual and are copied to the new file once they are durable in the old
 * one: asynchronously while more than 256 KiB of them wait, and the rest in
 * the final step, which runs when no flush is in flight and is synchronous
 * (write the last carried chunks, fsync, rename, fsync the directory) so
 * that an exit flush can never write to a file that was just replaced. The
 * size-limit, `repair` and upgrade paths compact synchronously.
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import type { Row } from '../term/types.js';
import { Kind } from './format.js';
import { fsyncDirSync, writeAll, writeAllSync, type FsAdapter } from './fs.js';
import { ioError, type Chunk, type JournalWriter } from './journal.js';
import { openForLock, openForLockSync, type FileLock, type LockCandidate } from './lock.js';
import { FileBuilder, type SnapshotStats } from './snapshot.js';

export type { SnapshotStats } from './snapshot.js';

/** When automatic compaction runs. */
export interface CompactionPolicy {
  /** Never compact a file smaller than this (bytes). Default 1 MiB. */
  minBytes: number;
  /** Compact when the file is more than `ratio` × the live size. Default 2. */
  ratio: number;
}

/** Default automatic-compaction thresholds. */
export const DEFAULT_COMPACTION: CompactionPolicy = { minBytes: 1 << 20, ratio: 2 };

/** True if a file of `fileBytes` holding about `liveBytes` of live data should be compacted. */
export function shouldCompact(fileBytes: number, liveBytes: number, p: CompactionPolicy = DEFAULT_COMPACTION): boolean {
  return fileBytes > p.minBytes && fileBytes > p.ratio * liveBytes;
}

/** What compaction needs from the table. */
export interface CompactionHost {
  readonly fs: FsAdapter;
  /** The real path of the table file. */
  readonly file: string;
  readonly codec: Encoder;
  readonly journal: JournalWriter;
  /** Bumped by anything that invalidates a running background compaction. */
  readonly generation: number;
  /** A builder for the new file. */
  newBuilder(): FileBuilder;
  /** The live rows now (a fresh array of the stored, immutable rows). */
  liveRows(): Row[];
  /** Post-snapshot chunks that became durable in the old file, while a compaction runs. */
  carry: Chunk[] | undefined;
  /** Called after the new file replaced the old one. */
  installed(stats: SnapshotStats): void;
  /** A unique temporary path next to the table file. */
  tempPath(): string;
  /** The new file replaced the old one: hold its lock from now on (and let the old one go). */
  adoptLock(lock: FileLock): void;
}

class Abandoned extends Error {}

/** Rows a background compaction encodes between turns of the event loop (a power of two). */
const YIELD_ROWS = 2048;

/** The number of the last write a chunk holds (a clean-close marker holds none: it names the next). */
function lastWriteOf(c: Chunk): number {
  return c.kind === Kind.OPS ? c.lastSeq : c.firstRecord - 1;
}

function cleanup(host: CompactionHost, fd: number | undefined, tmp: string, lock?: FileLock, cand?: LockCandidate): void {
  lock?.release();
  cand?.discard();
  if (fd !== undefined) {
    try {
      host.fs.closeSync(fd);
    } catch {
      // ignore
    }
  }
  try {
    host.fs.unlinkSync(tmp);
  } catch {
    // ignore
  }
}

/**
 * Gives the new file the table file's permission bits and owner, so a
 * rewrite by root (`sudo termstore compact`) leaves the file to its service
 * user, and a 0600 file never becomes readable by others. Only root may give
 * a file away: for another user the new file is theirs (as with `mv`), with
 * the same mode. Other failures throw (the compaction then fails and the
 * old file stays).
 */
export function keepModeAndOwner(fs: FsAdapter, fromFd: number, toFd: number): void {
  const st = fs.fstatSync(fromFd);
  if (st.mode === undefined) return;
  const now = fs.fstatSync(toFd);
  if (st.uid !== undefined && st.gid !== undefined && (now.uid !== st.uid || now.gid !== st.gid)) {
    try {
      fs.fchownSync(toFd, st.uid, st.gid);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    }
  }
  fs.fchmodSync(toFd, st.mode & 0o7777);
}

/** Renames the finished temp file over the table and makes that durable. */
function install(host: CompactionHost, tmp: string): void {
  host.fs.renameSync(tmp, host.file);
  // After the rename the new file is the table: a failing directory fsync
  // must not make the caller go on writing to the old, now unlinked, file.
  try {
    fsyncDirSync(host.fs, host.file);
  } catch {
    // The rename is visible to every process; only its durability across a
    // power loss is in doubt.
  }
}

/**
 * Compacts synchronously: everything the table holds is in the snapshot,
 * so every pending write is durable afterwards. Throws `DETS_IO`; then the
 * old file is unchanged and still in use. Main thread only: the new file's
 * lock is held through a plain file descriptor, which a worker thread's
 * end would not close (see `lock.ts`).
 */
export function compactSync(host: CompactionHost): SnapshotStats {
  const j = host.journal;
  const rows = host.liveRows();
  const seq = j.seq;
  const b = host.newBuilder();
  const tmp = host.tempPath();
  let fd: number | undefined;
  let lock: FileLock | undefined;
  try {
    fd = host.fs.openSync(tmp, 'wx', 0o600);
    keepModeAndOwner(host.fs, j.fd, fd);
    const put = (buf: Buffer): void => {
      writeAllSync(host.fs, fd!, buf, b.pos - buf.length);
    };
    put(b.start(rows.length, seq));
    for (const r of rows) {
      const out = b.row(r);
      if (out !== undefined) put(out);
    }
    put(b.end());
    writeAllSync(host.fs, fd, b.slots(seq), b.slotsAt);
    host.fs.fsyncSync(fd);
    lock = openForLockSync(tmp).take();
    install(host, tmp);
  } catch (e) {
    cleanup(host, fd, tmp, lock);
    throw ioError(e, 'compaction', host.file);
  }
  host.adoptLock(lock);
  j.snapshotActive = false;
  host.carry = undefined;
  j.switchFile(fd, b.pos, []);
  host.installed(b.stats);
  return b.stats;
}

/**
 * Compacts in the background (see the module docs). Resolves when the new
 * file is in place, or when the compaction was abandoned because the table
 * was closed, crashed or compacted synchronously meanwhile. Rejects with
 * `DETS_IO`; the old file is then unchanged and still in use.
 */
export async function compactAsync(host: CompactionHost): Promise<void> {
  const j = host.journal;
  const gen = host.generation;
  const rows = host.liveRows();
  const seq = j.seq;
  j.closeChunk();
  j.snapshotActive = true;
  host.carry = [];
  const b = host.newBuilder();
  const tmp = host.tempPath();
  let fd: number | undefined;
  let lock: FileLock | undefined;
  let cand: LockCandidate | undefined;
  const check = (): void => {
    if (host.generation !== gen || j.closed) throw new Abandoned();
  };
  try {
    fd = await host.fs.open(tmp, 'wx', 0o600);
    check();
    keepModeAndOwner(host.fs, j.fd, fd);
    const put = async (buf: Buffer): Promise<void> => {
      if (buf.length === 0) return;
      await writeAll(host.fs, fd!, buf, b.pos - buf.length);
      check();
    };
    await put(b.start(rows.length, seq));
    for (let i = 0; i < rows.length; i++) {
      const out = b.row(rows[i]!);
      if (out !== undefined) await put(out);
      else if ((i & (YIELD_ROWS - 1)) === YIELD_ROWS - 1) {
        // Encoding is the event loop's time: give it a turn every few thousand rows.
        await new Promise((r) => setImmediate(r));
        check();
      }
    }
    await put(b.end());
    // Writes flushed to the old file since the snapshot go to the new one:
    // most of them asynchronously here, the rest in the final step.
    let carried = 0;
    let lastSeq = seq;
    for (;;) {
      const batch = (host.carry ?? []).slice(carried);
      let bytes = 0;
      for (const c of batch) bytes += c.len;
      if (bytes < 256 * 1024) break;
      for (const c of batch) {
        await put(b.chunk(c));
        lastSeq = lastWriteOf(c);
      }
      carried += batch.length;
    }
    await host.fs.fsync(fd);
    check();
    cand = await openForLock(tmp);
    check();
    const newFd = fd;
    await j.exclusive(() => {
      check();
      for (const c of (host.carry ?? []).slice(carried)) {
        const out = b.chunk(c);
        writeAllSync(host.fs, newFd, out, b.pos - out.length);
        lastSeq = lastWriteOf(c);
      }
      writeAllSync(host.fs, newFd, b.slots(lastSeq), b.slotsAt);
      host.fs.fsyncSync(newFd);
      lock = cand!.take();
      cand = undefined;
      install(host, tmp);
      host.adoptLock(lock);
      lock = undefined;
      const keep = j.pending.filter((c) => c.afterSnapshot);
      for (const c of keep) c.afterSnapshot = false;
      j.snapshotActive = false;
      host.carry = undefined;
      j.switchFile(newFd, b.pos, keep);
      fd = undefined;
      host.installed(b.stats);
    });
  } catch (e) {
    if (host.generation === gen) {
      j.snapshotActive = false;
      host.carry = undefined;
    }
    cleanup(host, fd, tmp, lock, cand);
    if (e instanceof Abandoned) return;
    throw ioError(e, 'compaction', host.file);
  }
}
