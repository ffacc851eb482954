/**
 * Building a whole v2 file in order: header and slots, a snapshot
 * (begin marker, rows, end marker), then journal chunks, each part laid out
 * at the offset it will have. Used by compaction and by conversion to a
 * dets file; both write to a temporary file and rename it into place, so a
 * snapshot in a table file is always complete, and the slot written last
 * says how long the file is.
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import type { TableType } from '../engines/types.js';
import type { Row } from '../term/types.js';
import { Kind, SLOTS_SIZE, encodeHeader, encodeSlots } from './format.js';
import type { Chunk } from './journal.js';
import { CHUNK_PAYLOAD } from './journal.js';
import { ItemWriter, encodeMarker } from './items.js';
import { layOut, type Segment } from './layout.js';

/** Size facts about a written snapshot. */
export interface SnapshotStats {
  /** Total bytes written so far (header included). */
  length: number;
  /** Encoded bytes of the rows. */
  rowBytes: number;
  rows: number;
  /** The last write the snapshot holds. */
  seq: number;
  /** Where the new file's slots are, and where its frames start. */
  slotsAt: number;
  headerLength: number;
}

/** Lays out the parts of a new file one after the other; each method returns the bytes to write at {@link FileBuilder.pos} (before the call). */
export class FileBuilder {
  /** Offset where the next part goes. */
  pos = 0;
  /** Offset of the slots. */
  readonly slotsAt: number;
  readonly stats: SnapshotStats;
  private readonly items: ItemWriter;
  private ends: number[] = [];
  private firstRow = 0;
  private readonly beginAt: number;
  private seq = 0;

  constructor(
    private readonly codec: Encoder,
    type: TableType,
    keypos: number,
    private readonly at = Date.now(),
  ) {
    const header = encodeHeader(codec, type, keypos, true, at);
    this.slotsAt = header.length;
    this.headerBytes = Buffer.concat([header, Buffer.alloc(SLOTS_SIZE)]);
    this.beginAt = this.headerBytes.length;
    this.stats = { length: 0, rowBytes: 0, rows: 0, seq: 0, slotsAt: this.slotsAt, headerLength: this.beginAt };
    this.items = new ItemWriter(codec, 0, CHUNK_PAYLOAD + 64 * 1024);
  }

  /** Header plus empty slots: the bytes at offset 0. */
  readonly headerBytes: Buffer;

  /**
   * Starts the file: header, slots (empty until {@link slots}) and the
   * snapshot's begin marker for `total` rows holding the writes up to `seq`.
   */
  start(total: number, seq: number): Buffer {
    this.seq = seq;
    this.stats.seq = seq;
    const begin = this.beginFrame(total);
    const out = Buffer.concat([this.headerBytes, begin]);
    this.pos = out.length;
    this.stats.length = this.pos;
    return out;
  }

  /** The begin marker for `total` rows, at its place (to rewrite it once a streamed snapshot's size is known: same length). */
  beginFrame(total: number): Buffer {
    return this.marker(Kind.SNAPSHOT_BEGIN, { at: this.at, seq: this.seq }, total, this.beginAt);
  }

  /** Where the begin marker is. */
  get beginOffset(): number {
    return this.beginAt;
  }

  /** Adds one row; returns laid-out bytes when a segment of about 1 MiB is full, else undefined. */
  row(r: Row): Buffer | undefined {
    return this.rowWire(r, true);
  }

  /** {@link row} for a row already in wire form (see `codec.ts`; conversion makes them). */
  rowWire(x: unknown, term = false): Buffer | undefined {
    const w = this.items;
    const before = w.len;
    if (term) w.term(x);
    else w.item(x);
    this.ends.push(w.size);
    this.stats.rowBytes += w.len - before;
    this.stats.rows++;
    return w.size >= CHUNK_PAYLOAD ? this.flushRows() : undefined;
  }

  /** The laid-out bytes of the rows added since the last call (possibly empty). */
  flushRows(): Buffer {
    const w = this.items;
    if (w.size === 0) return Buffer.alloc(0);
    const seg: Segment = { kind: Kind.SNAPSHOT_ROWS, buf: w.buf, len: w.size, ends: this.ends, items: this.ends.length, firstRecord: this.firstRow };
    const out = layOut([seg], this.pos);
    this.pos += out.length;
    this.stats.length = this.pos;
    this.firstRow += this.ends.length;
    this.ends = [];
    w.reset();
    if (w.buf.length > 4 * CHUNK_PAYLOAD) w.renew(CHUNK_PAYLOAD + 64 * 1024);
    return out;
  }

  /** Ends the snapshot: pending rows and the end marker, which records again that the writes up to the `seq` given to {@link start} are in the snapshot. */
  end(): Buffer {
    const rows = this.flushRows();
    const end = this.marker(Kind.SNAPSHOT_END, { rows: this.stats.rows, seq: this.seq }, this.stats.rows, this.pos);
    this.pos += end.length;
    this.stats.length = this.pos;
    return rows.length > 0 ? Buffer.concat([rows, end]) : end;
  }

  /** A journal chunk (writes carried over from the old file), at its place. */
  chunk(c: Chunk): Buffer {
    const out = layOut([c], this.pos);
    this.pos += out.length;
    this.stats.length = this.pos;
    return out;
  }

  /** A clean-close marker taking write number `seq`. */
  cleanClose(seq: number, rows: number): Buffer {
    const out = this.marker(Kind.CLEAN_CLOSE, { at: Date.now(), rows }, seq, this.pos);
    this.pos += out.length;
    this.stats.length = this.pos;
    return out;
  }

  /** The slots (to write at {@link slotsAt}): the file is complete up to here, and its last write is `lastSeq`. */
  slots(lastSeq: number): Buffer {
    return encodeSlots({ generation: 1, committed: this.pos, lastSeq, snapshotRows: this.stats.rows, snapshotSeq: this.seq });
  }

  private marker(kind: Kind, fields: Record<string, number>, seq: number, pos: number): Buffer {
    const payload = encodeMarker(this.codec, fields);
    return layOut([{ kind, buf: payload, len: payload.length, ends: [payload.length], items: 1, firstRecord: seq }], pos);
  }
}
