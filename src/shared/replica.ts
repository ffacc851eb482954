/**
 * A participant's replica of a shared table: an ordinary ets table (an
 * engine behind a `TableImpl`) plus the position of the last log entry
 * applied to it. Mnesia's RAM copy: every read is served from here.
 *
 * Entries are applied strictly in log order, each exactly once:
 * - `effects` entries (SQLite) were decided by their writer at the head of
 *   the log; they are applied to the engine as a dets journal replays them;
 * - `calls` entries (PostgreSQL) are ETS calls; each replica runs them
 *   through the ets operations, so every replica decides every conditional
 *   write (`insertNew`, `updateCounter` thresholds, `take`, ...) the same way.
 *
 * The table's write sink routes the ets operations' changes: while a
 * participant writes under SQLite's write lock they go to the log (the sink
 * may veto by throwing, and then nothing changed); while entries are
 * replayed they are only applied.
 *
 * @module
 */
import type { TableType, WriteOp } from '../engines/types.js';
import { insertAll } from '../engines/index.js';
import { applyOp } from '../dets/recovery.js';
import { fail } from '../errors.js';
import { TableImpl } from '../ets/table.js';
import { self } from '../process/index.js';
import type { Row } from '../term/types.js';
import { CALLS } from './calls.js';
import { EntryCodec, type Entry } from './codec.js';

/** What one write call came to: its result or its error. */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Runs every call of an entry; the outcomes are in call order. */
function runCalls(t: TableImpl, entry: Extract<Entry, { kind: 'calls' }>): Outcome[] {
  const out: Outcome[] = new Array(entry.calls.length);
  for (let i = 0; i < entry.calls.length; i++) {
    const c = entry.calls[i]!;
    const f = CALLS[c.fn];
    try {
      if (f === undefined) fail('SHARED_CORRUPT', `shared: the log holds an unknown call ${JSON.stringify(c.fn)}`);
      out[i] = { ok: true, value: f(t, c.args) };
    } catch (error) {
      out[i] = { ok: false, error };
    }
  }
  return out;
}

export class Replica {
  readonly impl: TableImpl;
  readonly codec: EntryCodec;
  /** Position of the last entry applied (0: none). */
  applied = 0;
  /** Where the ets operations' changes go now: the log (a writer under the lock), or nowhere (replay). */
  private route: ((ops: readonly WriteOp[]) => void) | undefined;
  /** This participant's writes waiting for their entry, by op id. */
  private readonly own = new Map<string, (outcomes: Outcome[]) => void>();
  /** Called after a rename entry is applied. */
  onRename: ((name: string) => void) | undefined;

  constructor(name: string, named: boolean, type: TableType, keypos: number) {
    this.impl = new TableImpl(name, named, type, keypos, 'public', self(), undefined);
    this.codec = new EntryCodec(keypos);
    // A sink makes the ets operations build new rows instead of changing
    // stored ones in place, so a snapshot can hold on to the rows of a moment.
    this.impl.sink = { append: (ops) => this.route?.(ops) };
  }

  /**
   * Runs `f` with the table's changes sent to `route` (which logs them, and
   * may throw to veto them). Used by a writer that holds the log's lock and
   * whose replica is at the head of the log.
   */
  withRoute<R>(route: (ops: readonly WriteOp[]) => void, f: () => R): R {
    this.route = route;
    try {
      return f();
    } finally {
      this.route = undefined;
    }
  }

  /** Registers a callback for the entry with this op id (resolved when it is applied). */
  expect(opId: string, done: (outcomes: Outcome[]) => void): void {
    this.own.set(opId, done);
  }

  /** Forgets a callback (the write was given up). */
  forget(opId: string): boolean {
    return this.own.delete(opId);
  }

  /** Settles every waiting write with `error` (the replica cannot go on). */
  failAll(error: unknown): void {
    const waiting = [...this.own.values()];
    this.own.clear();
    for (const done of waiting) done([]);
    this.broken = error;
  }

  /** Set when the replica stopped following the log because of an error. */
  broken: unknown;

  /** Op ids still waiting. */
  pending(): string[] {
    return [...this.own.keys()];
  }

  /**
   * Applies the entry at `seq`, which must be the next one. `where` names it
   * in errors. Returns the entry's op id.
   */
  apply(seq: number, bytes: Uint8Array, where: string): void {
    if (seq !== this.applied + 1) throw new Error(`shared: entry ${seq} applied after ${this.applied}`);
    const entry = this.codec.decode(bytes, where);
    let outcomes: Outcome[] = [];
    switch (entry.kind) {
      case 'effects':
        for (const op of entry.ops) applyOp(this.impl.engine, op);
        break;
      case 'calls':
        outcomes = runCalls(this.impl, entry);
        break;
      case 'rename':
        this.impl.name = entry.name;
        this.onRename?.(entry.name);
        outcomes = [{ ok: true, value: true }];
        break;
    }
    this.applied = seq;
    const done = this.own.get(entry.opId);
    if (done !== undefined) {
      this.own.delete(entry.opId);
      done(outcomes);
    }
  }

  /** Replaces the contents by a snapshot's rows, taken at position `seq`. */
  load(seq: number, chunks: Iterable<Row[]>): void {
    const e = this.impl.engine;
    e.clear();
    // One pass into the empty engine (ordered_set: a snapshot's rows come in key order, so no sort).
    const all: Row[] = [];
    for (const rows of chunks) for (let i = 0; i < rows.length; i++) all.push(rows[i]!);
    insertAll(e, all);
    this.applied = seq;
  }

  /** The rows as of now (stored rows are never changed in place, so the list stays a picture of this moment). */
  rows(): Row[] {
    return [...this.impl.engine.rows()];
  }
}
