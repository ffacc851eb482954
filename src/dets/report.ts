/**
 * The recovery report: what opening a file found, and exactly what damage
 * cost (`dets.info(t).recovered`).
 *
 * @module
 */

/** Records that could not be recovered. */
export interface LostRecords {
  /** Snapshot rows lost (exact when the snapshot's size is known). */
  rows: number;
  /** Row indices lost, as `[from, to)` ranges of the snapshot's numbering. */
  rowRanges: Array<[number, number]>;
  /** Journal writes lost or partly lost. */
  writes: number;
  /** Their sequence numbers, as `[from, to)` ranges. */
  writeRanges: Array<[number, number]>;
  /** Of those, writes of which only some ops could be applied. */
  partialWrites: number;
  /** True if some loss could not be counted (e.g. the snapshot's size was lost too). */
  uncounted: boolean;
}

/** What opening a file found and did; reported by `dets.info(t).recovered`. */
export interface RecoveryReport {
  /** Format version of the file as it was found. */
  version: number;
  /** Bytes dropped from the end of the file (a write cut short, never acknowledged as durable). */
  droppedTailBytes: number;
  /** Offset where the dropped tail began, if one was dropped. */
  tailOffset: number | undefined;
  /** Damaged byte ranges that could not be read (their intact neighbours were). */
  damaged: Array<{ offset: number; length: number }>;
  /** Exactly what the damage cost. */
  lost: LostRecords;
  /** Valid frames replayed. */
  frames: number;
  /** Logical writes replayed from the journal part. */
  writes: number;
  /** Rows loaded from the snapshot part. */
  snapshotRows: number;
  /** True if the last frame was a clean-close marker (informational only). */
  cleanClose: boolean;
  /** True if the file was rewritten on open (repair, upgrade, or `repair: 'force'`). */
  rewritten: boolean;
  /** Where the damaged original was kept (a hard link or copy) before a repair rewrote the file. */
  keptAs: string | undefined;
  /** The version a file was upgraded from when it was opened for writing. */
  upgradedFrom: number | undefined;
  /** Milliseconds the scan took. */
  ms: number;
}

/** An empty report (for a newly created file). */
export function emptyReport(version = 2): RecoveryReport {
  return {
    version,
    droppedTailBytes: 0,
    tailOffset: undefined,
    damaged: [],
    lost: { rows: 0, rowRanges: [], writes: 0, writeRanges: [], partialWrites: 0, uncounted: false },
    frames: 0,
    writes: 0,
    snapshotRows: 0,
    cleanClose: false,
    rewritten: false,
    keptAs: undefined,
    upgradedFrom: undefined,
    ms: 0,
  };
}

/** True if the report shows damage (not just a torn tail). */
export function isDamaged(r: RecoveryReport): boolean {
  return r.damaged.length > 0 || r.lost.rows > 0 || r.lost.writes > 0 || r.lost.uncounted;
}

/** A one-line summary of what damage cost. */
export function describeLoss(r: RecoveryReport): string {
  const parts: string[] = [];
  const bytes = r.damaged.reduce((n, d) => n + d.length, 0);
  if (r.damaged.length > 0) parts.push(`${bytes} damaged bytes in ${r.damaged.length} range(s), first at offset ${r.damaged[0]!.offset}`);
  if (r.lost.rows > 0) parts.push(`${r.lost.rows} snapshot row(s) lost`);
  if (r.lost.writes > 0) parts.push(`${r.lost.writes} write(s) lost${r.lost.partialWrites > 0 ? ` (${r.lost.partialWrites} in part)` : ''}`);
  if (r.lost.uncounted) parts.push('more records lost than could be counted');
  return parts.join('; ');
}
