/**
 * Reading a version-1 dets file: replay every valid frame in order; a
 * frame is applied whole or not at all. Version 1 has no record numbers,
 * so damage is reported as byte ranges only (`lost.uncounted`), and a file
 * opened for writing is rewritten as version 2 (see `store.ts`).
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import type { Engine, WriteOp } from '../engines/types.js';
import type { Row } from '../term/types.js';
import { Kind, type FileHeader } from './format.js';
import type { FsAdapter } from './fs.js';
import { OpCode, decodeItems, markerField, opFromWire, rowFromWire } from './items.js';
import { ioError } from './journal.js';
import { applyOp } from './apply.js';
import type { Loaded } from './recovery.js';
import { emptyReport } from './report.js';
import { scanFramesV1 } from './scan-v1.js';

/** What {@link loadFileV1} returns: a v2 load's outcome without a slot (v1 files have none). */
export type LoadedV1 = Omit<Loaded, 'slot'>;

/** Replays a v1 file into `engine` (which must be empty). */
export function loadFileV1(fs: FsAdapter, fd: number, size: number, codec: Encoder, file: string, engine: Engine, header: FileHeader): LoadedV1 {
  const report = emptyReport(1);
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
          // Convert every item first (a frame is applied whole or not at all), then apply.
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
    scan = scanFramesV1(fs, fd, header.length, size, (f) => onFrame(f.kind, f.payload));
  } catch (e) {
    throw ioError(e, 'read', file);
  }
  report.damaged = scan.damaged;
  if (scan.damaged.length > 0) report.lost.uncounted = true;
  if (scan.tailOffset !== undefined) {
    report.tailOffset = scan.tailOffset;
    report.droppedTailBytes = size - scan.tailOffset;
  }
  return { header, report, end: scan.end, rowBytes, rowCount, lastSeq: 0 };
}
