/**
 * What the `shared` facade needs from a store module: one participant per
 * open shared table, holding the replica and talking to the log.
 *
 * A store module splits into the parts of a log store (Mnesia's
 * `mnesia_log` and `mnesia_dumper`, in small): open or create the table's
 * record; append entries in one total order; read entries from a position;
 * write and read snapshots and trim the log behind them; wake followers.
 * `sqlite.ts` and `postgres.ts` are the two modules; a third engine is a
 * third module with this interface.
 *
 * @module
 */
import { TermstoreError, fail } from '../errors.js';
import type { SharedStoreKind } from './options.js';
import type { Replica } from './replica.js';

/** Facts about a participant, for `info`. */
export interface ParticipantFacts {
  /** Position of the last log entry this replica applied. */
  position: number;
  /** Position of the newest complete snapshot this participant knows of (0: none). */
  snapshotPosition: number;
  /** This participant's id (the prefix of its op ids). */
  participant: string;
  /** The last background failure (a poll or snapshot that failed), if any. */
  lastError: TermstoreError | undefined;
}

export interface Participant {
  readonly kind: SharedStoreKind;
  readonly replica: Replica;
  /** The store address without a password. */
  readonly store: string;
  /**
   * Runs one ETS write. SQLite: synchronously, at the head of the log under
   * its write lock, returning ETS's result. PostgreSQL: appended (batched and
   * pipelined), returning a promise of ETS's result once this replica has
   * applied the entry.
   */
  write(fn: string, args: readonly unknown[]): unknown;
  /** Resolves once this replica has applied every entry committed before the call. */
  sync(): Promise<void>;
  /** Renames the table in the store, for every participant. */
  rename(name: string): unknown;
  /** Deletes the table from the store, for every participant. */
  drop(): unknown;
  /** Stops following the log and releases the store connection (the table stays in the store). */
  close(): Promise<void>;
  facts(): ParticipantFacts;
  /** Called (once) when the table disappears from the store: deleted by some participant. */
  onGone: (() => void) | undefined;
}

/** A participant id: random, so that op ids never collide across processes and machines. */
export function participantId(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 16);
}

/** Wraps a store driver's error (SQLite, PostgreSQL) as `SHARED_STORE`; passes TermstoreErrors through. */
export function storeError(e: unknown, what: string): TermstoreError {
  if (e instanceof TermstoreError) return e;
  const code = (e as { code?: unknown }).code;
  try {
    return fail('SHARED_STORE', `shared: ${what} failed${typeof code === 'string' ? ` (${code})` : ''}: ${(e as Error)?.message ?? String(e)}`, { storeCode: code }, e);
  } catch (err) {
    return err as TermstoreError;
  }
}
