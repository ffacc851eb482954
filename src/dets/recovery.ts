/**
 * Opening a file: header check, then a full scan that replays every valid
 * frame into an engine.
 *
 * Nothing written only at a clean close is trusted: the table is always
 * rebuilt from the frames themselves (the clean-close marker is only
 * reported). What the scan can meet:
 *
 * - not a termstore file (empty, text, another format): `DETS_NOT_A_TABLE_FILE`,
 *   the file is never written to;
 * - a newer format version: `DETS_FORMAT_UNSUPPORTED`;
 * - a damaged header: `DETS_CORRUPT` (the table options are unknown, so
 *   there is nothing to repair with);
 * - a torn tail (bytes after the last valid frame with no valid frame
 *   after them, e.g. a write cut short by a kill): dropped whatever
 *   `repair` says, and reported as `droppedTailBytes`;
 * - damage in the middle (bytes that are not a valid frame, followed by
 *   valid frames; or a frame whose checksum holds but whose content is not
 *   valid): with `repair: false`, `DETS_CORRUPT` naming the first damaged
 *   range; otherwise every valid frame before and after is replayed, the
 *   damaged ranges are reported, and the caller rewrites the file.
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import type { Engine, WriteOp } from '../engines/types.js';
import { TermstoreError } from '../errors.js';
import { rowEquals } from '../term/equal.js';
import type { Row } from '../term/types.js';
import { HEADER_FIXED, Kind, OpCode, decodeHeader, decodeItems, markerField, opFromWire, rowFromWire, type FileHeader } from './format.js';
import { readAtSync, type FsAdapter } from './fs.js';
import { ioError, scanFrames } from './journal.js';

/** What opening a file found and did; reported by `dets.info(t).recovered`. */
export interface RecoveryReport {
  /** Bytes dropped from the end of the file (a torn last write). */
  droppedTailBytes: number;
  /** Offset where the dropped tail began, if one was dropped. */
  tailOffset: number | undefined;
  /** Damaged byte ranges in the middle of the file that were skipped. */
  damaged: Array<{ offset: number; length: number }>;
  /** Valid frames replayed. */
  frames: number;
  /** Logical writes replayed from the journal part. */
  writes: number;
  /** Rows loaded from the snapshot part. */
  snapshotRows: number;
  /** True if the last frame was a clean-close marker (informational only). */
  cleanClose: boolean;
  /** True if the file was rewritten on open (`repair` of damage, or `repair: 'force'`). */
  rewritten: boolean;
  /** Milliseconds the scan took. */
  ms: number;
}

/** An empty report (for a newly created file). */
export function emptyReport(): RecoveryReport {
  return { droppedTailBytes: 0, tailOffset: undefined, damaged: [], frames: 0, writes: 0, snapshotRows: 0, cleanClose: false, rewritten: false, ms: 0 };
}

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
        throw new TermstoreError('DETS_FORMAT_UNSUPPORTED', `dets: ${file} has format version ${h.version}; this termstore reads up to version 1`, { details: { file, version: h.version } });
      case 'corrupt':
        throw new TermstoreError('DETS_CORRUPT', `dets: ${file}: damaged header (${h.reason})`, { details: { file, offset: 0, length: HEADER_FIXED } });
    }
  }
}

/** Applies one write to an engine, as the ets layer would have. */
export function applyOp(engine: Engine, op: WriteOp): void {
  switch (op.op) {
    case 'insert':
      for (const r of op.rows) engine.insert(r);
      return;
    case 'delete':
      engine.deleteKey(op.key);
      return;
    case 'deleteObject':
      engine.deleteObject(op.row);
      return;
    case 'replace': {
      const stored = engine.lookup(op.old[engine.keyIndex]).find((r) => rowEquals(r, op.old));
      if (stored !== undefined) engine.replace(stored, op.row);
      else if (engine.caps.duplicates === 'none') engine.insert(op.row);
      return;
    }
    case 'clear':
      engine.clear();
      return;
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
}

/**
 * Replays the file into `engine` (which must be empty). Throws
 * `DETS_CORRUPT` for damage in the middle when `repair` is false.
 */
export function loadFile(
  fs: FsAdapter,
  fd: number,
  size: number,
  codec: Encoder,
  file: string,
  engine: Engine,
  repair: boolean,
): Loaded {
  const t0 = performance.now();
  const header = readHeader(fs, fd, size, codec, file);
  const report = emptyReport();
  const keypos = header.keypos;
  let rowBytes = 0;
  let rowCount = 0;

  const onFrame = (kind: Kind, payload: Buffer): boolean => {
    let items: unknown[];
    try {
      items = decodeItems(codec, payload);
    } catch {
      return false;
    }
    try {
      switch (kind) {
        case Kind.OPS: {
          // Convert every item first (a frame is applied whole or not at
          // all), then apply. A one-row insert, the common case, stays a
          // bare row: no op object.
          const ops: Array<WriteOp | Row> = new Array(items.length);
          for (let i = 0; i < items.length; i++) {
            const x = items[i];
            ops[i] = Array.isArray(x) && x.length === 2 && x[0] === OpCode.INSERT ? rowFromWire(x[1], keypos) : opFromWire(x, keypos);
          }
          for (const op of ops) {
            if (Array.isArray(op)) {
              engine.insert(op as Row);
              rowCount++;
            } else {
              applyOp(engine, op as WriteOp);
              if ((op as WriteOp).op === 'insert') rowCount += (op as { rows: readonly Row[] }).rows.length;
            }
          }
          rowBytes += payload.length;
          report.writes += ops.length;
          break;
        }
        case Kind.SNAPSHOT_ROWS: {
          const rows: Row[] = items.map((x) => rowFromWire(x, keypos));
          for (const r of rows) engine.insert(r);
          report.snapshotRows += rows.length;
          rowBytes += payload.length;
          rowCount += rows.length;
          break;
        }
        case Kind.SNAPSHOT_BEGIN:
          engine.clear();
          report.snapshotRows = 0;
          break;
        case Kind.SNAPSHOT_END:
        case Kind.CLEAN_CLOSE:
          if (items.length !== 1 || markerField(items[0], 'rows') === undefined) return false;
          break;
      }
    } catch {
      return false;
    }
    report.frames++;
    report.cleanClose = kind === Kind.CLEAN_CLOSE;
    return true;
  };

  let scan;
  try {
    scan = scanFrames(fs, fd, header.length, size, (f) => onFrame(f.kind, f.payload));
  } catch (e) {
    throw ioError(e, 'read', file);
  }
  report.damaged = scan.damaged;
  if (scan.tailOffset !== undefined) {
    report.tailOffset = scan.tailOffset;
    report.droppedTailBytes = size - scan.tailOffset;
  }
  if (!repair && scan.damaged.length > 0) {
    const d = scan.damaged[0]!;
    throw new TermstoreError(
      'DETS_CORRUPT',
      `dets: ${file} is damaged at bytes ${d.offset}..${d.offset + d.length} (${scan.damaged.length} damaged range(s)); open with repair: true to keep every intact record, the file was left untouched`,
      { details: { file, offset: d.offset, length: d.length, ranges: scan.damaged } },
    );
  }
  report.ms = performance.now() - t0;
  return { header, report, end: scan.end, rowBytes, rowCount };
}
