/**
 * DETS closes a table when the process that opened it ends: each
 * `open_file` by a process counts, and its opens are undone when it
 * terminates. termstore does the same for processes started with `spawn`:
 * the opens a process made are closed (as by `dets.close`) when it ends,
 * and the table closes once no open is left. Code outside any `spawn` runs
 * in the root process, which lives as long as Node: its opens stay until
 * `dets.close` (or process exit, which flushes every table).
 *
 * `dets.close` called by a process that holds an open undoes one of its
 * own; called by a process that holds none (DETS refuses: `not_owner`), it
 * undoes the oldest open left, so a table opened in a spawned process can
 * still be closed from outside it.
 *
 * @module
 */
import { currentProc, onProcessExit, rootPid, type Proc } from '../process/index.js';

/** How a table is closed for an opener that ended (errors are the caller's to report). */
export type CloseForOpener<T> = (table: T) => void;

/** The opens of one table, per process, oldest first. */
export class Openers<T extends object> {
  readonly #byTable = new WeakMap<T, Map<number, { proc: Proc; count: number }>>();
  readonly #hooked = new WeakSet<Proc>();
  readonly #tablesOf = new WeakMap<Proc, Set<T>>();
  /** The ended process whose opens are being undone (`closed` runs synchronously inside `closeFor`). */
  #closingAs: Proc | undefined;

  constructor(private readonly closeFor: CloseForOpener<T>) {}

  /** Counts an open of `table` by the running process. */
  opened(table: T): void {
    const p = currentProc();
    let m = this.#byTable.get(table);
    if (m === undefined) this.#byTable.set(table, (m = new Map()));
    const e = m.get(p.pid.id);
    if (e === undefined) m.set(p.pid.id, { proc: p, count: 1 });
    else e.count++;
    if (p.pid.id === rootPid().id) return;
    let tables = this.#tablesOf.get(p);
    if (tables === undefined) this.#tablesOf.set(p, (tables = new Set()));
    tables.add(table);
    if (!this.#hooked.has(p)) {
      this.#hooked.add(p);
      onProcessExit(p, (dead) => this.#ended(dead));
    }
  }

  /** Undoes one open of `table`: the running process's own if it holds one, else the oldest. */
  closed(table: T): void {
    const m = this.#byTable.get(table);
    if (m === undefined || m.size === 0) return;
    const mine = m.get((this.#closingAs ?? currentProc()).pid.id);
    const e = mine ?? m.values().next().value!;
    if (--e.count === 0) {
      m.delete(e.proc.pid.id);
      this.#tablesOf.get(e.proc)?.delete(table);
    }
  }

  /** Forgets every open of `table` (it was closed for good, or crashed). */
  forget(table: T): void {
    const m = this.#byTable.get(table);
    if (m === undefined) return;
    for (const e of m.values()) this.#tablesOf.get(e.proc)?.delete(table);
    this.#byTable.delete(table);
  }

  #ended(p: Proc): void {
    for (const table of [...(this.#tablesOf.get(p) ?? [])]) {
      const e = this.#byTable.get(table)?.get(p.pid.id);
      for (let i = e?.count ?? 0; i > 0; i--) {
        this.#closingAs = p;
        try {
          this.closeFor(table);
        } finally {
          this.#closingAs = undefined;
        }
      }
    }
    this.#tablesOf.delete(p);
  }
}
