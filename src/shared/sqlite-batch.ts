/**
 * The SQLite store's batch file (`<db>-termstore-batch`): what makes a
 * write acknowledged before its SQLite commit as durable as a committed one.
 *
 * With group commit, a participant that holds SQLite's write lock appends
 * several writes to the log in one transaction and commits once (at the end
 * of its synchronous run of code, or after {@link BATCH_MS} /
 * {@link BATCH_WRITES}). Each write is also written here, with one `pwrite`,
 * before its call returns: the bytes are then in the OS's page cache, which
 * outlives a SIGKILL of the writer. Only the holder of the write lock writes
 * records, so the file holds the records of one batch at a time, from
 * {@link RECORDS_AT} on. The next holder of the lock looks at the first
 * record: if its batch id is not the last committed one (kept in
 * `termstore_meta` and updated in each batch's own transaction), the holder
 * died before committing, and its acknowledged entries are put into the log
 * (recovery) before anything else is appended.
 *
 * Layout (little-endian):
 * - header (64 bytes): magic `TSBF`, version 1, the store's id (16 bytes,
 *   from `termstore_meta`, so a file left over from another database is
 *   never replayed into this one), then three words for the hand-over of
 *   the write lock between batch holders ({@link Signals}): `claim`, the id
 *   of the participant that has waited longest for the lock (the holder
 *   pauses between batches until a waiter took it, and the others leave it
 *   to the claimant); `held`, 1 while a batch holds the lock; `ends`,
 *   counting committed batches (a waiter catches up with the log when it
 *   moves, not at every look);
 * - records: magic `TSBR`, entry length u32, batch id (8 bytes), table id
 *   f64, seq f64, CRC-32 of everything before it and the entry, then the
 *   entry. Records of one batch follow each other; the first record whose
 *   magic, batch id or CRC does not fit ends the batch (a torn record was
 *   never acknowledged).
 *
 * @module
 */
import * as fs from 'node:fs';
import { crc32 } from '../dets/crc32.js';

const FILE_MAGIC = 0x46425354; // 'TSBF'
const RECORD_MAGIC = 0x52425354; // 'TSBR'
const VERSION = 1;
/** Where the hand-over words are (claim, held, ends: u32 each). */
const SIGNALS_AT = 24;
/** Where records start. */
export const RECORDS_AT = 64;
/** Size of a record's header. */
const RECORD_HEADER = 36;
/** A batch is committed once it is this old (ms) when a write ends. */
export const BATCH_MS = 2;
/** ... or holds this many writes. */
export const BATCH_WRITES = 1024;

/** The hand-over words (advisory: the lock itself is SQLite's). */
export interface Signals {
  claim: number;
  held: number;
  ends: number;
}

/** One acknowledged write found in the file. */
export interface BatchRecord {
  tab: number;
  seq: number;
  entry: Buffer;
}

/** The batch file of one database, open in one thread. */
export class BatchFile {
  private readonly fd: number;
  private buf = Buffer.alloc(4096);
  private readonly small = Buffer.alloc(RECORD_HEADER);

  constructor(
    readonly path: string,
    private readonly storeId: Buffer,
    mode: number,
  ) {
    this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, mode);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  /** True if the header names this store (else the file is new, or another database's, and holds nothing of ours). */
  private ours(): boolean {
    const h = this.small;
    if (fs.readSync(this.fd, h, 0, RECORD_HEADER, 0) < RECORD_HEADER) return false;
    return h.readUInt32LE(0) === FILE_MAGIC && h.readUInt32LE(4) === VERSION && h.subarray(8, 24).equals(this.storeId);
  }

  /**
   * Makes the file this store's if it is not yet (new, or left by another
   * database at this path): drops whatever it holds and writes the header.
   * Called under the write lock.
   */
  claim(): void {
    if (this.ours()) return;
    fs.ftruncateSync(this.fd, 0);
    const h = Buffer.alloc(RECORDS_AT);
    h.writeUInt32LE(FILE_MAGIC, 0);
    h.writeUInt32LE(VERSION, 4);
    this.storeId.copy(h, 8);
    fs.writeSync(this.fd, h, 0, RECORDS_AT, 0);
  }

  /** Reads the hand-over words (zeros if the file has no header yet). */
  signals(): Signals {
    const h = this.small;
    if (fs.readSync(this.fd, h, 0, 12, SIGNALS_AT) < 12) return { claim: 0, held: 0, ends: 0 };
    return { claim: h.readUInt32LE(0), held: h.readUInt32LE(4), ends: h.readUInt32LE(8) };
  }

  /** A waiter: claims the next turn at the write lock (0: gives it up). */
  setClaim(id: number): void {
    this.word(SIGNALS_AT, id);
  }

  /** The holder: a batch holds the lock. */
  hold(): void {
    this.word(SIGNALS_AT + 4, 1);
  }

  /** The holder: its batch is committed and the lock free. */
  release(s: Signals): void {
    const b = this.words;
    b.writeUInt32LE(0, 0);
    b.writeUInt32LE((s.ends + 1) >>> 0, 4);
    fs.writeSync(this.fd, b, 0, 8, SIGNALS_AT + 4);
  }

  private readonly words = Buffer.alloc(8);

  private word(at: number, v: number): void {
    this.words.writeUInt32LE(v, 0);
    fs.writeSync(this.fd, this.words, 0, 4, at);
  }

  /** Writes one record at `pos` and returns the position after it. */
  write(pos: number, batch: Buffer, tab: number, seq: number, entry: Buffer): number {
    const len = RECORD_HEADER + entry.length;
    if (this.buf.length < len) this.buf = Buffer.alloc(Math.max(len, this.buf.length * 2));
    const b = this.buf;
    b.writeUInt32LE(RECORD_MAGIC, 0);
    b.writeUInt32LE(entry.length, 4);
    batch.copy(b, 8);
    b.writeDoubleLE(tab, 16);
    b.writeDoubleLE(seq, 24);
    entry.copy(b, RECORD_HEADER);
    b.writeUInt32LE(crc32(entry, crc32(b.subarray(0, 32))), 32);
    const n = fs.writeSync(this.fd, b, 0, len, pos);
    if (n !== len) throw Object.assign(new Error(`short write to ${this.path} (${n} of ${len} bytes)`), { code: 'EIO' });
    return pos + len;
  }

  /** The batch id of the first record, if the file is this store's and has one (one read). */
  firstBatch(): Buffer | undefined {
    const h = this.head;
    if (fs.readSync(this.fd, h, 0, h.length, 0) < h.length) return undefined;
    if (h.readUInt32LE(0) !== FILE_MAGIC || h.readUInt32LE(4) !== VERSION || !h.subarray(8, 24).equals(this.storeId)) return undefined;
    if (h.readUInt32LE(RECORDS_AT) !== RECORD_MAGIC) return undefined;
    return Buffer.from(h.subarray(RECORDS_AT + 8, RECORDS_AT + 16));
  }

  private readonly head = Buffer.alloc(RECORDS_AT + RECORD_HEADER);

  /**
   * Every intact record of the batch that starts at {@link RECORDS_AT}, read
   * record by record (a damaged length never makes it read more than the
   * file holds).
   */
  readBatch(): { batch: Buffer; records: BatchRecord[] } | undefined {
    if (!this.ours()) return undefined;
    const size = fs.fstatSync(this.fd).size;
    const h = Buffer.alloc(RECORD_HEADER);
    const records: BatchRecord[] = [];
    let batch: Buffer | undefined;
    for (let at = RECORDS_AT; at + RECORD_HEADER <= size; ) {
      if (fs.readSync(this.fd, h, 0, RECORD_HEADER, at) < RECORD_HEADER || h.readUInt32LE(0) !== RECORD_MAGIC) break;
      const len = h.readUInt32LE(4);
      if (at + RECORD_HEADER + len > size) break;
      const id = h.subarray(8, 16);
      if (batch !== undefined && !id.equals(batch)) break;
      const entry = Buffer.alloc(len);
      if (fs.readSync(this.fd, entry, 0, len, at + RECORD_HEADER) < len) break;
      if (crc32(entry, crc32(h.subarray(0, 32))) !== h.readUInt32LE(32)) break;
      batch ??= Buffer.from(id);
      records.push({ tab: h.readDoubleLE(16), seq: h.readDoubleLE(24), entry });
      at += RECORD_HEADER + len;
    }
    return batch === undefined ? undefined : { batch, records };
  }
}
