/**
 * The ETS write calls a shared table logs or runs, by name: each one is the
 * existing ets operation (`ets/ops.ts`, `ets/select.ts`), so results and
 * error codes are ETS's, on the writer and on every replica.
 *
 * @module
 */
import * as ops from '../ets/ops.js';
import * as sel from '../ets/select.js';
import type { TableImpl } from '../ets/table.js';

/** Runs one write call on a replica's table. */
export type CallFn = (t: TableImpl, args: readonly unknown[]) => unknown;

const dflt = (args: readonly unknown[], i: number): unknown => (args.length > i ? args[i] : ops.NO_DEFAULT);

/** Every write of the `shared` API, by the name it is logged under. */
export const CALLS: Readonly<Record<string, CallFn>> = Object.freeze({
  insert: (t, a) => ops.insert(t, a[0], 'shared.insert'),
  insertMany: (t, a) => ops.insertMany(t, a[0], 'shared.insertMany'),
  insertNew: (t, a) => ops.insertNew(t, a[0], 'shared.insertNew'),
  insertNewMany: (t, a) => ops.insertNewMany(t, a[0], 'shared.insertNewMany'),
  delete: (t, a) => ops.deleteKey(t, a[0], 'shared.delete'),
  deleteObject: (t, a) => ops.deleteObject(t, a[0], 'shared.deleteObject'),
  deleteAllObjects: (t) => ops.deleteAllObjects(t),
  take: (t, a) => ops.take(t, a[0], 'shared.take'),
  updateCounter: (t, a) => ops.updateCounter(t, a[0], a[1], dflt(a, 2), 'shared.updateCounter'),
  updateElement: (t, a) => ops.updateElement(t, a[0], a[1], 'shared.updateElement'),
  selectDelete: (t, a) => sel.selectDelete(t, a[0], 'shared.selectDelete'),
  selectReplace: (t, a) => sel.selectReplace(t, a[0], 'shared.selectReplace'),
  matchDelete: (t, a) => sel.matchDelete(t, a[0], 'shared.matchDelete'),
});
