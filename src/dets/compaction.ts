/**
 * Compaction: rewriting the file as header + snapshot of the live rows,
 * dropping the garbage that overwrites and deletes leave in the journal.
 *
 * When: on `dets.compact(t)`; automatically after a flush when the file is
 * larger than {@link CompactionPolicy.minBytes} (1 MiB) *and* more than
 * {@link CompactionPolicy.ratio} (2) times the estimated live size (rows ×
 * average encoded row size, recalibrated exactly at every compaction); and
 * synchronously when a write would pass `maxFileSize` and the garbage
 * estimate says a compaction makes room.
 *
 * Crash safety: the new file is written under a temporary name next to the
 * table (`<file>.compact-<pid>-<n>`), fsynced, renamed over the table
 * file, and the directory is fsynced. Until the rename the old file is
 * intact and keeps receiving flushes; after it the new file holds the
 * snapshot plus every write flushed meanwhile. A kill at any instant leaves
 * a file that opens with every flushed write; leftover temporary files are
 * removed by the next read-write open.
 *
 * Event loop: the background compaction blocks it only to take the list of
 * live rows (an array of references, O(rows), no copying of row data: rows
 * are immutable) and then for encoding one frame (≈ 1 MiB of rows) at a
 * time between asynchronous writes. Writes made while it runs go to the old
 * file as usual and are copied to the new file once they are durable in
 * the old one: asynchronously while more than 256 KiB of them wait, and the
 * rest in the final step, which runs when no flush is in flight and is
 * synchronous (write the last carried frames, fsync, rename, fsync the
 * directory) so that an exit flush can never write to a file that was just
 * replaced. The size-limit and `repair` paths compact
 * synchronously.
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import type { Row } from '../term/types.js';
import { FRAME_HEADER, ItemWriter, Kind, encodeMarker, frame, sealFrame } from './format.js';
import { fsyncDirSync, writeAll, writeAllSync, type FsAdapter } from './fs.js';
import { CHUNK_PAYLOAD, ioError, type Chunk, type JournalWriter } from './journal.js';

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

/** Size facts about a written snapshot. */
export interface SnapshotStats {
  /** Total bytes written (header included). */
  length: number;
  /** Encoded bytes of the rows (payloads of snapshot-rows frames). */
  rowBytes: number;
  rows: number;
}

/**
 * The frames of a file holding `rows`: header, snapshot-begin, rows in
 * frames of about 1 MiB, snapshot-end. Each frame is encoded only when the
 * consumer asks for it.
 */
export function* snapshotFrames(codec: Encoder, header: Buffer, rows: readonly Row[], stats: SnapshotStats): Generator<Buffer> {
  let pos = 0;
  const emit = (b: Buffer): Buffer => {
    pos += b.length;
    stats.length = pos;
    return b;
  };
  yield emit(header);
  yield emit(frame(Kind.SNAPSHOT_BEGIN, encodeMarker(codec, { rows: rows.length, at: Date.now() }), pos));
  const w = new ItemWriter(codec, FRAME_HEADER, FRAME_HEADER + CHUNK_PAYLOAD + 4096);
  for (let i = 0; i < rows.length; i++) {
    const before = w.len;
    w.term(rows[i]!);
    const n = w.len - before;
    if (before > FRAME_HEADER && w.size > CHUNK_PAYLOAD) {
      // This row starts the next frame: seal the rows before it.
      const next = Buffer.allocUnsafe(Math.max(FRAME_HEADER + CHUNK_PAYLOAD + 4096, FRAME_HEADER + n));
      w.buf.copy(next, FRAME_HEADER, before, w.len);
      yield emit(sealFrame(w.buf, Kind.SNAPSHOT_ROWS, before - FRAME_HEADER, pos));
      w.buf = next;
      w.len = FRAME_HEADER + n;
    }
    stats.rowBytes += n;
    stats.rows++;
  }
  if (w.size > 0) yield emit(sealFrame(w.buf, Kind.SNAPSHOT_ROWS, w.size, pos));
  yield emit(frame(Kind.SNAPSHOT_END, encodeMarker(codec, { rows: rows.length }), pos));
}

/** What compaction needs from the table. */
export interface CompactionHost {
  readonly fs: FsAdapter;
  readonly file: string;
  readonly codec: Encoder;
  readonly journal: JournalWriter;
  /** Bumped by anything that invalidates a running background compaction. */
  readonly generation: number;
  /** A new header for the rewritten file. */
  newHeader(): Buffer;
  /** The live rows now (a fresh array of the stored, immutable rows). */
  liveRows(): Row[];
  /** Post-snapshot chunks that became durable in the old file, while a compaction runs. */
  carry: Chunk[] | undefined;
  /** Called after the new file replaced the old one. */
  installed(stats: SnapshotStats): void;
  /** A unique temporary path next to the table file. */
  tempPath(): string;
}

class Abandoned extends Error {}

function cleanup(host: CompactionHost, fd: number | undefined, tmp: string): void {
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
 * old file is unchanged and still in use.
 */
export function compactSync(host: CompactionHost): SnapshotStats {
  const j = host.journal;
  const rows = host.liveRows();
  const stats: SnapshotStats = { length: 0, rowBytes: 0, rows: 0 };
  const tmp = host.tempPath();
  let fd: number | undefined;
  try {
    fd = host.fs.openSync(tmp, 'wx');
    let pos = 0;
    for (const fr of snapshotFrames(host.codec, host.newHeader(), rows, stats)) {
      writeAllSync(host.fs, fd, fr, pos);
      pos += fr.length;
    }
    host.fs.fsyncSync(fd);
    install(host, tmp);
  } catch (e) {
    cleanup(host, fd, tmp);
    throw ioError(e, 'compaction', host.file);
  }
  j.snapshotActive = false;
  host.carry = undefined;
  j.switchFile(fd, stats.length, []);
  host.installed(stats);
  return stats;
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
  j.closeChunk();
  j.snapshotActive = true;
  host.carry = [];
  const stats: SnapshotStats = { length: 0, rowBytes: 0, rows: 0 };
  const tmp = host.tempPath();
  let fd: number | undefined;
  const check = (): void => {
    if (host.generation !== gen || j.closed) throw new Abandoned();
  };
  try {
    fd = await host.fs.open(tmp, 'wx');
    check();
    let pos = 0;
    for (const fr of snapshotFrames(host.codec, host.newHeader(), rows, stats)) {
      await writeAll(host.fs, fd, fr, pos);
      check();
      pos += fr.length;
    }
    // Writes flushed to the old file since the snapshot go to the new one:
    // most of them asynchronously here, the rest in the final step.
    let carried = 0;
    for (;;) {
      const batch = (host.carry ?? []).slice(carried);
      let bytes = 0;
      for (const c of batch) bytes += c.len;
      if (bytes < 256 * 1024) break;
      for (const c of batch) {
        const fr = sealFrame(c.buf, c.kind, c.len, pos);
        await writeAll(host.fs, fd, fr, pos);
        check();
        pos += fr.length;
      }
      carried += batch.length;
    }
    await host.fs.fsync(fd);
    check();
    const newFd = fd;
    await j.exclusive(() => {
      check();
      for (const c of (host.carry ?? []).slice(carried)) {
        const fr = sealFrame(c.buf, c.kind, c.len, pos);
        writeAllSync(host.fs, newFd, fr, pos);
        pos += fr.length;
      }
      host.fs.fsyncSync(newFd);
      install(host, tmp);
      const keep = j.pending.filter((c) => c.afterSnapshot);
      for (const c of keep) c.afterSnapshot = false;
      j.snapshotActive = false;
      host.carry = undefined;
      stats.length = pos;
      j.switchFile(newFd, pos, keep);
      fd = undefined;
      host.installed(stats);
    });
  } catch (e) {
    if (host.generation === gen) {
      j.snapshotActive = false;
      host.carry = undefined;
    }
    cleanup(host, fd, tmp);
    if (e instanceof Abandoned) return;
    throw ioError(e, 'compaction', host.file);
  }
}
