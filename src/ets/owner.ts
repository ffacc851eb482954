/**
 * Table ownership: creation, access checks, owner death, heir and giveAway.
 *
 * @module
 */
import { fail } from '../errors.js';
import { currentProc, isAlive, onProcessExit, procOf, send, type Proc } from '../process/index.js';
import { Pid, show } from '../term/types.js';
import { allTables, unregister, type Heir, type Table, type TableImpl } from './table.js';

/** The message a process receives when it is given a table (by `giveAway` or as heir): ETS's `{'ETS-TRANSFER', Tab, FromPid, GiftData}`. */
export interface EtsTransfer {
  readonly tag: 'ETS-TRANSFER';
  /** The table now owned by the receiver. */
  readonly table: Table;
  /** The previous owner. */
  readonly from: Pid;
  /** The data given with `giveAway`, or the heir data. */
  readonly data: unknown;
}

/** True if `m` is an {@link EtsTransfer} notice (for `receive({ match })`). */
export function isEtsTransfer(m: unknown): m is EtsTransfer {
  return typeof m === 'object' && m !== null && (m as { tag?: unknown }).tag === 'ETS-TRANSFER';
}

/** Internal: True if the running process owns `t`. */
export function isOwner(t: TableImpl): boolean {
  return currentProc().pid.id === t.owner.id;
}

/** Internal: Throws ETS_ACCESS unless the running process may read `t`. */
export function checkRead(t: TableImpl, fn: string): void {
  if (t.access === 'private' && t.kind === 'ets' && !isOwner(t)) {
    fail('ETS_ACCESS', `${fn}: table ${t.name} is private to ${t.owner}; ${currentProc().pid} may not read it`, { position: 1 });
  }
}

/** Internal: Throws ETS_ACCESS unless the running process may write `t`. */
export function checkWrite(t: TableImpl, fn: string): void {
  if (t.access !== 'public' && t.kind === 'ets' && !isOwner(t)) {
    fail('ETS_ACCESS', `${fn}: table ${t.name} is ${t.access} and owned by ${t.owner}; ${currentProc().pid} may not write it`, { position: 1 });
  }
}

/** Internal: Throws ETS_NOT_OWNER unless the running process owns `t`. */
export function checkOwner(t: TableImpl, fn: string): void {
  if (!isOwner(t)) fail('ETS_NOT_OWNER', `${fn}: only the owner ${t.owner} may do this to table ${t.name}, not ${currentProc().pid}`, { position: 1 });
}

/** Internal: Validates a heir option: `{ pid, data }`, or `'none'`/undefined for none. */
export function heirIn(heir: unknown, fn: string): Heir | undefined {
  if (heir === undefined || heir === 'none') return undefined;
  if (typeof heir === 'object' && heir !== null && (heir as Heir).pid instanceof Pid) {
    return { pid: (heir as Heir).pid, data: (heir as Heir).data };
  }
  return fail('ETS_BADARG', `${fn}: heir must be { pid, data } or 'none', got ${show(heir)}`, { position: 2 });
}

const hooked = new WeakSet<Proc>();

/** Internal: Makes sure the tables of `pid` are handled when it ends. */
export function watchOwner(pid: Pid): void {
  const p = procOf(pid);
  if (p === undefined || hooked.has(p)) return;
  hooked.add(p);
  onProcessExit(p, ownerDied);
}

function ownerDied(p: Proc): void {
  for (const t of allTables()) {
    if (t.owner.id !== p.pid.id) continue;
    const heir = t.heir;
    if (heir !== undefined && heir.pid.id !== p.pid.id && isAlive(heir.pid)) {
      // As ETS (checked against OTP 25), the heir option stays set: the heir
      // is now the owner, so when it ends in turn the table is deleted.
      transfer(t, heir.pid, p.pid, heir.data);
    } else {
      unregister(t);
    }
  }
}

/** Internal: Moves ownership and notifies the new owner. */
export function transfer(t: TableImpl, to: Pid, from: Pid, data: unknown): void {
  t.owner = to;
  watchOwner(to);
  const notice: EtsTransfer = Object.freeze({ tag: 'ETS-TRANSFER', table: t.ref, from, data });
  send(to, notice);
}

/** Internal: `giveAway`: checks and transfers. */
export function giveAway(t: TableImpl, pid: unknown, data: unknown, fn: string): true {
  checkOwner(t, fn);
  if (!(pid instanceof Pid)) fail('ETS_BADARG', `${fn}: expected a pid, got ${show(pid)} (argument 2)`, { position: 2 });
  if (!isAlive(pid)) fail('ETS_NO_PROCESS', `${fn}: process ${pid} is not alive (argument 2)`, { position: 2 });
  if (pid.id === t.owner.id) fail('ETS_BADARG', `${fn}: ${pid} already owns table ${t.name} (argument 2)`, { position: 2 });
  transfer(t, pid, t.owner, data);
  return true;
}
