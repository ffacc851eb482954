/**
 * `dets:traverse/2`: applies a function to every row, collecting values or
 * stopping early, as DETS does.
 *
 * What the function returns decides what happens next:
 *
 * | returns                                            | DETS             | then                                         |
 * |----------------------------------------------------|------------------|----------------------------------------------|
 * | `'continue'`, the atom `continue`, or nothing       | `continue`        | go on                                        |
 * | `{ continue: v }` or `tuple(atom('continue'), v)`  | `{continue, Val}` | go on, collecting `v`                        |
 * | `{ done: v }` or `tuple(atom('done'), v)`          | `{done, Value}`   | stop: `[v, ...collected]`                    |
 * | anything else                                      | `OtherValue`      | stop: that value is the result               |
 *
 * As in DETS, values are collected last first (`[Val | Acc]`): a traversal
 * that collects every row returns them in reverse table order. Returning
 * nothing (`undefined`) continues, which is what a JS callback that only
 * looks at rows does (in DETS the atom `undefined` would stop the walk).
 * The walk tolerates writes to the table from the function (each row
 * present throughout is visited once). An exception from the function
 * propagates.
 *
 * @module
 */
import { Tuple, atomName, isPlainObject, type Row, type Term } from '../term/types.js';
import { rowOut } from '../term/copy.js';
import type { TableImpl } from '../ets/table.js';

/** What a {@link traverse} function may return; see the module documentation. */
export type TraverseStep = 'continue' | symbol | undefined | { readonly continue: unknown } | { readonly done: unknown } | Tuple | Term;

/** The value a one-key object or a 2-tuple `{Tag, V}` carries for `tag`, if it is that. */
function tagged(r: unknown, tag: 'continue' | 'done'): { v: unknown } | undefined {
  if (r instanceof Tuple) return r.length === 2 && atomName(r[0]) === tag ? { v: r[1] } : undefined;
  if (isPlainObject(r)) {
    const keys = Object.keys(r);
    return keys.length === 1 && keys[0] === tag ? { v: r[tag] } : undefined;
  }
  return undefined;
}

export function traverse(t: TableImpl, f: (row: Row) => unknown): unknown {
  const acc: unknown[] = [];
  const e = t.engine;
  const c = e.cursor(false);
  for (let batch = e.take(c, 256); batch.length > 0; batch = e.take(c, 256)) {
    for (const row of batch) {
      const r = f(rowOut(row));
      if (r === undefined || r === 'continue' || (typeof r === 'symbol' && atomName(r) === 'continue')) continue;
      const more = tagged(r, 'continue');
      if (more !== undefined) {
        acc.push(more.v);
        continue;
      }
      const done = tagged(r, 'done');
      if (done !== undefined) {
        acc.push(done.v);
        return acc.reverse();
      }
      return r;
    }
  }
  return acc.reverse();
}
