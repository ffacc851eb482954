/**
 * `ets:slot/2`: the rows of one slot, for traversals by number.
 *
 * ETS's slots are its hash buckets (`set`, `bag`, `duplicate_bag`) or the
 * positions of the total order (`ordered_set`). termstore has no buckets,
 * so a slot of a hash table is one key: slot `i` holds the rows of the
 * `i`-th key in table order (never `[]`, as an empty ETS bucket can be). As
 * in ETS, slot `n` (the number of keys) is `END_OF_TABLE` and a larger `i`
 * is refused. Each call walks from the first key: `slot(t, i)` costs O(i),
 * so a loop over every slot costs O(n²); `first`/`next` or `foldl` walk in
 * O(1) per step.
 *
 * @module
 */
import { END_OF_TABLE, type EndOfTable } from '../engines/types.js';
import { fail } from '../errors.js';
import { rowOut } from '../term/copy.js';
import { show, type Row } from '../term/types.js';
import type { TableImpl } from './table.js';

export function slot(t: TableImpl, i: unknown, fn: string): Row[] | EndOfTable {
  if (typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0) {
    fail('ETS_BADARG', `${fn}: the slot must be an integer >= 0, got ${show(i)} (argument 2)`, { position: 2 });
  }
  const e = t.engine;
  let k = e.first();
  for (let n = 0; n < i && k !== END_OF_TABLE; n++) k = e.next(k) as typeof k;
  if (k === END_OF_TABLE) {
    // ETS: the slot just past the last is the end; any later one is out of range.
    if (i === keyCount(t)) return END_OF_TABLE;
    return fail('ETS_BADARG', `${fn}: slot ${i} is out of range (table ${t.name} has ${keyCount(t)} slots) (argument 2)`, { position: 2 });
  }
  return e.lookup(k).map(rowOut);
}

function keyCount(t: TableImpl): number {
  if (t.single) return t.engine.size();
  let n = 0;
  for (let k = t.engine.first(); k !== END_OF_TABLE; k = t.engine.next(k) as typeof k) n++;
  return n;
}
