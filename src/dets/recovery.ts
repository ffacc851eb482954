/**
 * Opening a file: header check, then a full scan that replays every valid
 * frame into an engine, and an exact account of what could not be read.
 *
 * Nothing written only at a clean close is trusted: the table is always
 * rebuilt from the frames themselves. What the scan can meet:
 *
 * - not a termstore file (empty, text, another format): `DETS_NOT_A_TABLE_FILE`,
 *   the file is never written to;
 * - a newer format version: `DETS_FORMAT_UNSUPPORTED`;
 * - a damaged header: `DETS_CORRUPT` (the table options are unknown, so
 *   there is nothing to repair with);
 * - a **torn tail**: bytes after the last valid frame, past the length the
 *   file's slot says was complete (a write cut short by a crash). Those
 *   writes were never durable: they are dropped whatever `repair` says and
 *   reported as `droppedTailBytes`;
 * - **damage**: anything else that cannot be read: invalid bytes with valid
 *   frames after them, a missing part of the snapshot, a frame whose
 *   checksum holds but whose content is not valid, records missing from
 *   the numbering, or an end of file before the length the slot says was
 *   complete. Every intact row and write is still applied; the report
 *   lists the damaged byte ranges and exactly which records were lost
 *   (snapshot row indices, write sequence numbers). With `repair: false`
 *   the open fails with `DETS_CORRUPT` and the file is left untouched.
 *
 * Version-1 files (no blocks, no record numbers) are read by
 * `recovery-v1.ts`.
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import type { Engine, WriteOp } from '../engines/types.js';
import { TermstoreError } from '../errors.js';
import type { Row } from '../term/types.js';
import { FRAME_HEADER, Flag, HEADER_FIXED, Kind, SLOTS_SIZE, decodeHeader, decodeSlots, type FileHeader, type Slot } from './format.js';
import { readAtSync, type FsAdapter } from './fs.js';
import { markerField, rowFromWire, writeItemFromWire } from './items.js';
import { ioError } from './journal.js';
import { applyOp } from './apply.js';
import { loadFileV1 } from './recovery-v1.js';
import { describeLoss, emptyReport, isDamaged, type RecoveryReport } from './report.js';

export { applyOp } from './apply.js';
export { describeLoss, emptyReport, isDamaged, type LostRecords, type RecoveryReport } from './report.js';
import { FrameScanner, type Range, type ScannedFrame } from './scan.js';

/**
 * Reads and checks the header of an open file. Throws `DETS_NOT_A_TABLE_FILE`,
 * `DETS_FORMAT_UNSUPPORTED` or `DETS_CORRUPT`.
 */
export function readHeader(fs: FsAdapter, fd: number, size: number, codec: Encoder, file: string): FileHeader {
  let len = Math.min(size, 4096);
  for (;;) {
    const buf = Buffer.alloc(len);
    let got: number;
    try {
      got = readAtSync(fs, fd, buf, len, 0);
    } catch (e) {
      throw ioError(e, 'read', file);
    }
    const h = decodeHeader(codec, buf.subarray(0, got), size);
    if ('length' in h) return h;
    switch (h.kind) {
      case 'short':
        if (h.need <= len) throw new TermstoreError('DETS_CORRUPT', `dets: ${file}: cannot read the header`, { details: { file, offset: 0 } });
        len = h.need;
        continue;
      case 'not-a-table':
        throw new TermstoreError('DETS_NOT_A_TABLE_FILE', `dets: ${file} is not a termstore dets file (${h.reason}); it was left untouched`, { details: { file } });
      case 'unsupported':
        throw new TermstoreError('DETS_FORMAT_UNSUPPORTED', `dets: ${file} has format version ${h.version}; this termstore reads up to version 2`, { details: { file, version: h.version } });
      case 'corrupt':
        throw new TermstoreError('DETS_CORRUPT', `dets: ${file}: damaged header (${h.reason})`, { details: { file, offset: 0, length: HEADER_FIXED } });
    }
  }
}

/** Reads the slots of a v2 file: the best valid one and its index, if any. */
export function readSlots(fs: FsAdapter, fd: number, header: FileHeader, file: string): { slot: Slot; index: number } | undefined {
  const b = Buffer.alloc(SLOTS_SIZE);
  try {
    const got = readAtSync(fs, fd, b, SLOTS_SIZE, header.slotsAt);
    return decodeSlots(b.subarray(0, got));
  } catch (e) {
    throw ioError(e, 'read', file);
  }
}

/** The outcome of {@link loadFile}. */
export interface Loaded {
  header: FileHeader;
  report: RecoveryReport;
  /** End of the last valid frame: where appends continue. */
  end: number;
  /** Encoded bytes and count of the rows seen, for the live-size estimate. */
  rowBytes: number;
  rowCount: number;
  /** Sequence number of the last write in the file (the next write takes the one after). */
  lastSeq: number;
  /** The slot read (v2), and its index. */
  slot: { slot: Slot; index: number } | undefined;
}

/** Thrown inside a frame handler for content that does not decode. */
class BadContent extends Error {}

/** Reassembles the items of one stream across frames and keeps its record numbering. */
class Stream {
  /** The next record expected, or the record in progress (undefined: take the first frame's). */
  next: number | undefined;
  /** Bytes of an item cut between frames; `null`: an item whose start was lost, being skipped. */
  carry: Buffer[] | null | undefined;
  /** A write has started and not ended (writes stream). */
  inWrite = false;
  /** Write items still expected for the write in progress (-1: unknown, its start was lost). */
  remaining = 0;
  /** Ops of the write in progress. */
  ops: WriteOp[] = [];
  /** The write in progress lost a part. */
  partial = false;
  constructor(
    readonly kind: 'rows' | 'writes',
    next: number | undefined,
  ) {
    this.next = next;
  }
  /** A record has started and not finished. */
  get open(): boolean {
    return this.carry !== undefined || this.inWrite;
  }
}

/** How {@link loadFile} shares the thread. */
export interface LoadOptions {
  /**
   * Milliseconds of work between turns of the event loop (default 16): a
   * large file loads in slices, so a server keeps answering meanwhile.
   */
  sliceMs?: number;
}

/** Gives the event loop a turn. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Replays the file into `engine` (which must be empty), a slice at a time.
 * Rejects with `DETS_CORRUPT` for damage when `repair` is false.
 */
export async function loadFile(fs: FsAdapter, fd: number, size: number, codec: Encoder, file: string, engine: Engine, repair: boolean, o: LoadOptions = {}): Promise<Loaded> {
  const t0 = performance.now();
  const header = readHeader(fs, fd, size, codec, file);
  if (header.version === 1) {
    const v1 = loadFileV1(fs, fd, size, codec, file, engine, header);
    finish(v1.report, repair, file, t0);
    return { ...v1, slot: undefined };
  }
  const slot = readSlots(fs, fd, header, file);
  const committed = slot?.slot.committed ?? header.length;
  const report = emptyReport(2);
  const keypos = header.keypos;
  const lost = report.lost;
  let rowBytes = 0;
  let rowCount = 0;
  /** End of the last frame handled (valid or not). */
  let prevEnd = header.length;

  // Snapshot stream, then the ops stream: a file without a snapshot starts
  // at write 1; after a snapshot, at its end marker's seq + 1.
  const snap = new Stream('rows', 0);
  // The slot says how many rows the snapshot holds, should its markers be lost.
  let snapTotal: number | undefined = header.snapshot && slot !== undefined && slot.slot.snapshotRows > 0 ? slot.slot.snapshotRows : undefined;
  let snapBegun = false;
  let snapEnded = !header.snapshot;
  const ops = new Stream('writes', header.snapshot ? (slot !== undefined && slot.slot.snapshotRows + slot.slot.snapshotSeq > 0 ? slot.slot.snapshotSeq + 1 : undefined) : 1);

  const loseRange = (s: Stream, from: number, to: number): void => {
    if (to <= from) return;
    const list = s.kind === 'rows' ? lost.rowRanges : lost.writeRanges;
    const last = list[list.length - 1];
    if (last !== undefined && last[1] === from) last[1] = to;
    else list.push([from, to]);
    if (s.kind === 'rows') lost.rows += to - from;
    else lost.writes += to - from;
  };

  /** A write ended (whole, or partly lost): apply what it holds. */
  const endWrite = (s: Stream): void => {
    for (const op of s.ops) {
      applyOp(engine, op);
      if (op.op === 'insert') rowCount += op.rows.length;
    }
    if (s.partial) {
      lost.partialWrites++;
      loseRange(s, s.next!, s.next! + 1);
    } else {
      report.writes++;
    }
    s.ops = [];
    s.partial = false;
    s.inWrite = false;
    s.next = s.next! + 1;
  };

  /** Ends the record in progress as damaged (what follows it was lost); keeps the intact part of a write. */
  const breakOpen = (s: Stream): void => {
    if (!s.open) return;
    s.carry = undefined;
    if (s.inWrite) {
      s.partial = true;
      endWrite(s);
    } else {
      loseRange(s, s.next!, s.next! + 1);
      s.next = s.next! + 1;
    }
  };

  const item = (s: Stream, x: unknown): void => {
    if (s.kind === 'rows') {
      let row: Row;
      try {
        row = rowFromWire(x, keypos);
      } catch {
        throw new BadContent();
      }
      engine.insert(row);
      report.snapshotRows++;
      rowCount++;
      s.next = s.next! + 1;
      return;
    }
    let w;
    try {
      w = writeItemFromWire(x, keypos);
    } catch {
      throw new BadContent();
    }
    if (w.first) {
      if (s.inWrite) {
        // Only a write whose start was lost may end without its last item showing.
        if (!s.partial) throw new BadContent();
        endWrite(s);
      }
      s.inWrite = true;
      s.ops = w.ops;
    } else {
      if (!s.inWrite || (s.remaining >= 0 && s.remaining !== w.more + 1)) throw new BadContent();
      for (const op of w.ops) s.ops.push(op);
    }
    s.remaining = w.more;
    if (w.more === 0) endWrite(s);
  };

  const decodeOne = (s: Stream, b: Buffer): void => {
    let x: unknown;
    try {
      x = codec.decode(b);
    } catch {
      throw new BadContent();
    }
    item(s, x);
  };

  /** Feeds the payload of a frame of stream `s`, after its continuity was checked. */
  const payload = (s: Stream, f: ScannedFrame): void => {
    const p = f.payload;
    const len = p.length;
    let from = 0;
    if ((f.flags & Flag.CONT) !== 0) {
      const ends = !((f.flags & Flag.MORE) !== 0 && f.skip === len);
      const c = s.carry;
      if (c !== null && c !== undefined) c.push(Buffer.from(p.subarray(0, f.skip)));
      if (ends) {
        s.carry = undefined;
        if (c !== null && c !== undefined) decodeOne(s, Buffer.concat(c));
        else if (s.kind === 'rows') {
          // The end of a row whose start was lost.
          loseRange(s, s.next!, s.next! + 1);
          s.next = s.next! + 1;
        }
        // (The end of a write item whose start was lost: its write stays partial.)
      }
      from = f.skip;
    }
    const to = len - f.tail;
    if (to > from) {
      try {
        codec.decodeMultiple(p.subarray(from, to), (x: unknown) => {
          item(s, x);
        });
      } catch (e) {
        if (e instanceof BadContent) throw e;
        throw new BadContent();
      }
    }
    if (f.tail > 0) s.carry = [Buffer.from(p.subarray(len - f.tail))];
  };

  /**
   * Checks that frame `f` follows where stream `s` left off; if not (a gap,
   * a jump in the numbering), accounts for the records in between.
   */
  const continuity = (s: Stream, f: ScannedFrame, gap: boolean): void => {
    const rcont = (f.flags & Flag.RCONT) !== 0;
    if (s.next === undefined) {
      // Nothing known about where this stream starts (its start was lost with the snapshot's end).
      s.next = f.seq;
      if (rcont) {
        lost.uncounted = true;
        orphan(s, f);
      }
      return;
    }
    if (!gap && f.seq === s.next && rcont === s.open) return;
    // A discontinuity: the record in progress lost its end, and every record up to this frame's first one is lost.
    breakOpen(s);
    if (f.seq < s.next) throw new BadContent(); // the numbering went backwards: the frame cannot be placed
    loseRange(s, s.next, f.seq);
    s.next = f.seq;
    if (rcont) orphan(s, f);
  };

  /** The frame starts inside record `f.seq`, whose start was lost: keep what is intact of it. */
  const orphan = (s: Stream, f: ScannedFrame): void => {
    if ((f.flags & Flag.CONT) !== 0) s.carry = null;
    if (s.kind === 'writes') {
      s.inWrite = true;
      s.partial = true;
      s.ops = [];
      s.remaining = -1;
    }
  };

  /** The ops stream begins: a snapshot that has not ended lost its end. */
  const endSnapshot = (): void => {
    if (snapEnded) return;
    snapEnded = true;
    breakOpen(snap);
    if (snapTotal !== undefined) loseRange(snap, snap.next ?? 0, snapTotal);
    else lost.uncounted = true;
  };

  let gapPending = false;
  const onFrame = (f: ScannedFrame, gaps: Range[]): boolean => {
    for (const g of gaps) report.damaged.push({ offset: g.offset, length: g.length });
    const gap = gaps.length > 0 || gapPending;
    gapPending = false;
    const lostBefore = lost.rows + lost.writes;
    const uncountedBefore = lost.uncounted;
    try {
      switch (f.kind) {
        case Kind.SNAPSHOT_BEGIN: {
          if (snapBegun || snapEnded) throw new BadContent();
          const seq = markerField(marker(codec, f.payload), 'seq');
          if (seq === undefined) throw new BadContent();
          snapBegun = true;
          snapTotal ??= f.seq;
          // The writes after the snapshot are numbered on from the last one it holds.
          ops.next ??= seq + 1;
          break;
        }
        case Kind.SNAPSHOT_ROWS:
          if (snapEnded) throw new BadContent();
          if (!snapBegun) {
            // Its begin marker was lost: the snapshot's size is unknown until its end marker.
            snapBegun = true;
          }
          continuity(snap, f, gap);
          payload(snap, f);
          rowBytes += f.payload.length;
          break;
        case Kind.SNAPSHOT_END: {
          if (snapEnded) throw new BadContent();
          const m = marker(codec, f.payload);
          const rows = markerField(m, 'rows');
          const seq = markerField(m, 'seq');
          if (rows === undefined || seq === undefined) throw new BadContent();
          snapBegun = true;
          snapTotal ??= rows;
          if (gap || snap.open || (snap.next ?? 0) !== rows) {
            breakOpen(snap);
            loseRange(snap, snap.next ?? 0, rows);
            if (lost.uncounted && !uncountedBefore) lost.uncounted = false;
          }
          snapEnded = true;
          ops.next ??= seq + 1;
          break;
        }
        case Kind.OPS:
          endSnapshot();
          continuity(ops, f, gap);
          payload(ops, f);
          rowBytes += f.payload.length;
          break;
        case Kind.CLEAN_CLOSE:
          endSnapshot();
          // A clean close names the next write's number (it takes none itself).
          if (ops.next === undefined) ops.next = f.seq;
          if (gap || f.seq !== ops.next || ops.open) {
            breakOpen(ops);
            if (f.seq > ops.next) loseRange(ops, ops.next, f.seq);
            ops.next = Math.max(ops.next, f.seq);
          }
          break;
      }
    } catch (e) {
      if (!(e instanceof BadContent)) throw e;
      // The frame's checksum holds but its content is not valid: damage.
      gapPending = true;
      prevEnd = f.offset + FRAME_HEADER + f.length;
      return false;
    }
    if (gaps.length === 0 && !gap && f.offset > prevEnd && (lost.rows + lost.writes > lostBefore || (lost.uncounted && !uncountedBefore))) {
      // Records went missing where the scan saw only zeros: name that range.
      report.damaged.push({ offset: prevEnd, length: f.offset - prevEnd });
    }
    report.frames++;
    report.cleanClose = f.kind === Kind.CLEAN_CLOSE;
    prevEnd = f.offset + FRAME_HEADER + f.length;
    return true;
  };

  const scan = new FrameScanner(fs, fd, header.length, size);
  const slice = o.sliceMs ?? 16;
  try {
    for (let until = performance.now() + slice; scan.step(onFrame); ) {
      if (performance.now() < until) continue;
      await turn();
      until = performance.now() + slice;
    }
  } catch (e) {
    throw ioError(e, 'read', file);
  }

  // After the last valid frame: a torn tail, unless the file said it was complete further.
  const tailStart = scan.tail[0]?.offset ?? (gapPending ? scan.end : undefined);
  const cutShort = size < committed || (tailStart !== undefined && tailStart < committed);
  const snapshotMissing = header.snapshot && (!snapBegun || !snapEnded);
  if (cutShort || snapshotMissing) {
    for (const g of scan.tail) report.damaged.push({ offset: g.offset, length: g.length });
    if (size < committed) report.damaged.push({ offset: size, length: committed - size });
    if (snapshotMissing && !snapBegun && snapTotal === undefined) lost.uncounted = true;
    endSnapshot();
    breakOpen(ops);
    const slotSeq = slot?.slot.lastSeq ?? 0;
    if (ops.next !== undefined && slotSeq >= ops.next) {
      loseRange(ops, ops.next, slotSeq + 1);
      ops.next = slotSeq + 1;
    }
  } else if (tailStart !== undefined || scan.end < size) {
    // A write cut short: never durable, dropped whole (a write is atomic), not damage.
    report.tailOffset = scan.end;
    report.droppedTailBytes = size - scan.end;
  }
  finish(report, repair, file, t0);
  return { header, report, end: scan.end, rowBytes, rowCount, lastSeq: (ops.next ?? 1) - 1, slot };
}

/** The one CBOR map of a marker frame's payload. */
function marker(codec: Encoder, payload: Buffer): unknown {
  const items: unknown[] = [];
  try {
    codec.decodeMultiple(payload, (x: unknown) => {
      items.push(x);
    });
  } catch {
    return undefined;
  }
  return items.length === 1 ? items[0] : undefined;
}

/** Refuses damage when not repairing; stamps the time. */
function finish(report: RecoveryReport, repair: boolean, file: string, t0: number): void {
  report.ms = performance.now() - t0;
  if (!repair && isDamaged(report)) {
    const d = report.damaged[0];
    throw new TermstoreError(
      'DETS_CORRUPT',
      `dets: ${file} is damaged (${describeLoss(report)}); open with repair: true to keep every intact record (the damaged original is kept beside the table), or salvage it with \`termstore salvage\`; the file was left untouched`,
      { details: { file, offset: d?.offset, length: d?.length, ranges: report.damaged, lost: report.lost } },
    );
  }
}
