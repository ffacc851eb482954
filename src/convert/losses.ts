/**
 * Data a reader had to leave out of a file it otherwise read, in one
 * shape for the API (`ConvertResult.losses`, `VerifyResult.losses`) and
 * the CLI (`convert` warns, `verify` fails). Mapped here, and only here,
 * from what the readers report: a termstore dets file's dropped torn tail
 * (`droppedTailBytes`/`tailOffset`) and skipped damaged ranges (`damaged`),
 * in a source's `details` or a table's `dets.info(t).recovered`.
 *
 * @module
 */
import type { RecoveryReport } from '../dets/recovery.js';

/** A part of a file that was not read back. */
export interface DataLoss {
  /**
   * `'torn-tail'`: the last write was cut short (a crash during a write)
   * and dropped, as opening the file as a table does; `'damaged'`: a
   * damaged range in the middle was skipped.
   */
  readonly kind: 'torn-tail' | 'damaged';
  /** Byte offset where the lost bytes start. */
  readonly offset: number;
  /** How many bytes were lost. */
  readonly bytes: number;
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** The losses a reader reports in its `details` (or a dets table in `recovered`). */
export function lossesOf(details: Readonly<Record<string, unknown>> | RecoveryReport): DataLoss[] {
  const d = details as Readonly<Record<string, unknown>>;
  const out: DataLoss[] = [];
  const damaged = d.damaged;
  if (Array.isArray(damaged)) {
    for (const r of damaged as unknown[]) {
      const offset = num((r as { offset?: unknown }).offset);
      const bytes = num((r as { length?: unknown }).length);
      if (offset !== undefined && bytes !== undefined && bytes > 0) out.push({ kind: 'damaged', offset, bytes });
    }
  }
  const tail = num(d.droppedTailBytes);
  if (tail !== undefined && tail > 0) out.push({ kind: 'torn-tail', offset: num(d.tailOffset) ?? 0, bytes: tail });
  return out;
}

/** One loss in words, for warnings: what was lost and where. */
export function describeDataLoss(l: DataLoss): string {
  return l.kind === 'torn-tail'
    ? `the last write (${l.bytes} bytes from offset ${l.offset}) was cut short and was dropped`
    : `a damaged range of ${l.bytes} bytes at offset ${l.offset} was skipped`;
}
