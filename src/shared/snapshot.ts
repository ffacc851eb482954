/**
 * Snapshots (Mnesia's dumps) and log trimming, for any store.
 *
 * A participant whose replica is at position S writes the rows it holds as
 * a snapshot at S, in chunks, while it goes on serving reads and writes:
 * stored rows are never changed in place, so the list of rows taken at S
 * stays a picture of S. When every chunk is written the store marks the
 * snapshot complete (one atomic step), drops older snapshots and trims the
 * log below S. One participant at a time does this, under a lease in the
 * store, so a participant that dies halfway leaves a lease that expires and
 * chunks that the next snapshot replaces.
 *
 * A participant that joins, or finds the log trimmed past its position
 * (it was disconnected for long), loads the newest complete snapshot and
 * then the entries after it.
 *
 * @module
 */
import type { Row } from '../term/types.js';
import { snapshotThreshold } from './options.js';
import type { Replica } from './replica.js';

/** Rows per snapshot chunk. */
export const CHUNK_ROWS = 20_000;
/** Log entries deleted per trimming step. */
export const TRIM_STEP = 20_000;
/** How long a snapshot lease lasts without being renewed (ms). */
export const LEASE_MS = 60_000;

/** The snapshot side of a log store. */
export interface SnapshotTarget {
  /** Takes the table's snapshot lease (false: another participant holds it). */
  claim(): Promise<boolean>;
  /** Stores chunk `n` of the snapshot at `seq`. */
  writeChunk(seq: number, n: number, data: Buffer): Promise<void>;
  /** Marks the snapshot at `seq` complete, drops older ones and releases the lease; false if the lease was lost. */
  finish(seq: number): Promise<boolean>;
  /** Releases the lease and drops the chunks of an unfinished snapshot. */
  abandon(seq: number): Promise<void>;
  /** Deletes log entries in `[from, to)`. */
  trim(from: number, to: number): Promise<void>;
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Writes a snapshot of `replica` at its current position and trims the log
 * below it, from `trimFrom` (the oldest entry that may still be there).
 * Returns the snapshot's position, or undefined if another participant
 * holds the lease.
 */
export async function writeSnapshot(replica: Replica, target: SnapshotTarget, trimFrom: number): Promise<number | undefined> {
  if (!(await target.claim())) return undefined;
  const seq = replica.applied;
  const rows: Row[] = replica.rows();
  let ok = false;
  try {
    for (let n = 0, i = 0; i < rows.length || n === 0; n++, i += CHUNK_ROWS) {
      await target.writeChunk(seq, n, replica.codec.chunk(rows.slice(i, i + CHUNK_ROWS)));
      await yieldNow();
    }
    ok = await target.finish(seq);
  } finally {
    if (!ok) await target.abandon(seq).catch(() => undefined);
  }
  if (!ok) return undefined;
  for (let from = Math.max(1, trimFrom); from < seq; from += TRIM_STEP) {
    await target.trim(from, Math.min(seq, from + TRIM_STEP));
    await yieldNow();
  }
  return seq;
}

/**
 * One participant's snapshots: knows the newest one's position, and writes
 * the next in the background, one at a time, once the log after it has
 * grown past the threshold (`snapshotEvery`).
 */
export class Snapshots {
  /** Position of the newest complete snapshot this participant knows of (0: none). */
  position = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly replica: Replica,
    private readonly every: number | 'auto',
    /** The store's side (called when a snapshot starts). */
    private readonly target: () => SnapshotTarget,
    /** Reports a failed snapshot (the next check tries again). */
    private readonly failed: (e: unknown) => void,
  ) {}

  /** Starts a snapshot (after the current I/O, not inside the caller) if one is due and none is being written. */
  check(): void {
    const r = this.replica;
    if (this.running !== undefined || r.applied - this.position < snapshotThreshold(this.every, r.impl.engine.size())) return;
    this.running = (async () => {
      await yieldNow();
      const seq = await writeSnapshot(r, this.target(), this.position);
      if (seq !== undefined) this.position = seq;
    })()
      .catch(this.failed)
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Resolves once no snapshot is being written. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }
}
