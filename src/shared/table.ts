/**
 * Shared table handles and this thread's registry of open ones.
 *
 * @module
 */
import { fail } from '../errors.js';
import { nameKey, type TableImpl } from '../ets/table.js';
import { show } from '../term/types.js';
import type { SharedStoreKind } from './options.js';
import type { Participant } from './participant.js';

/**
 * A handle to a shared table opened by {@link shared.open}. `S` is the kind
 * of store (`'sqlite'`: writes return ETS's results; `'postgres'`: writes
 * return promises of them). Pass it, or the table's name, to every
 * `shared.*` function. After `shared.close` (or once any participant
 * deletes the table) every call with it throws `ETS_NO_TABLE`.
 */
export class SharedTable<S extends SharedStoreKind = SharedStoreKind> {
  /** @internal Marks the store kind in the type. */
  declare readonly __store: S;
  /** @internal */
  readonly impl: TableImpl;
  /** @internal */
  readonly p: Participant;
  /** @internal How many `open`s this handle answers (closed at zero). */
  opens = 1;
  /** @internal */
  constructor(p: Participant) {
    this.p = p;
    this.impl = p.replica.impl;
  }
  /** The table's current name. */
  get name(): string {
    return this.impl.name;
  }
  /** Which kind of store holds the log. */
  get storeKind(): S {
    return this.p.kind as S;
  }
  toString(): string {
    return `#SharedTable<${this.impl.name}@${this.p.store}>`;
  }
}

/** What every `shared.*` function accepts as its table argument: a handle, or the name of a table open (and named) in this thread. */
export type SharedTableLike = SharedTable | string | symbol;

/** Open, named shared tables of this thread, by name. */
const byName = new Map<string, SharedTable>();
/** Every open shared table of this thread, by store and table name. */
const open = new Map<string, SharedTable>();

/** @internal The registry key of an open table. */
export function openKey(store: string, name: string): string {
  return `${store}\u0000${name}`;
}

/** @internal An already open handle to the same table, if any. */
export function findOpen(store: string, name: string): SharedTable | undefined {
  return open.get(openKey(store, name));
}

/** @internal Normalises a table name (string or atom), as ets does. */
export const nameOf: (name: unknown, fn: string) => string = nameKey;

/** @internal Checks that a name can be registered (before the table is opened). */
export function checkNameFree(name: string, named: boolean, fn: string): void {
  if (named && byName.has(name)) fail('ETS_NAME_TAKEN', `${fn}: a shared table called ${JSON.stringify(name)} is already open from another store in this thread; open it with named: false`, { position: 1 });
}

/** @internal Registers a newly opened handle; wires renames and deletion by other participants. */
export function register(t: SharedTable): void {
  const store = t.p.store;
  let key = openKey(store, t.name);
  open.set(key, t);
  if (t.impl.named) byName.set(t.name, t);
  t.p.replica.onRename = (name) => {
    open.delete(key);
    key = openKey(store, name);
    open.set(key, t);
    if (t.impl.named) {
      for (const [n, h] of byName) if (h === t) byName.delete(n);
      if (!byName.has(name)) byName.set(name, t);
    }
  };
  t.p.onGone = () => unregister(t);
}

/** @internal Removes a handle from the registry and marks its table dead. */
export function unregister(t: SharedTable): void {
  for (const [k, h] of open) if (h === t) open.delete(k);
  for (const [n, h] of byName) if (h === t) byName.delete(n);
  t.impl.alive = false;
}

/** @internal Every open handle. */
export function allOpen(): SharedTable[] {
  return [...open.values()];
}

/** @internal The named open table with this name. */
export function byNameLookup(name: string): SharedTable | undefined {
  return byName.get(name);
}

/** @internal Resolves a table argument to a live handle, or throws `ETS_NO_TABLE`/`ETS_BADARG`. */
export function resolveShared(tab: unknown, fn: string): SharedTable {
  if (tab instanceof SharedTable) {
    if (!tab.impl.alive) fail('ETS_NO_TABLE', `${fn}: shared table ${tab.name} is closed or was deleted`, { position: 1 });
    return tab;
  }
  if (typeof tab === 'string' || typeof tab === 'symbol') {
    const name = nameOf(tab, fn);
    const t = byName.get(name);
    if (t === undefined) fail('ETS_NO_TABLE', `${fn}: no shared table called ${JSON.stringify(name)} is open in this thread`, { position: 1 });
    return t;
  }
  return fail('ETS_BADARG', `${fn}: expected a shared table or its name, got ${show(tab)}`, { position: 1 });
}
