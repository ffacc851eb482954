/**
 * Iteration over dets tables: `for (const row of table)`,
 * `for await (const row of table)` and `dets.iterate(t, spec)`, on the
 * shared iteration of `ets/iterate.ts` (rows from a cursor, with the write
 * tolerance of `first`/`next`). A table closed during the iteration ends it
 * with `DETS_CLOSED`.
 *
 * The async iteration gives the event loop a turn every
 * {@link ASYNC_BATCH} rows, so a scan of a large table does not keep a
 * server from answering meanwhile.
 *
 * @module
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fail } from '../errors.js';
import { tableRows, type StepCheck } from '../ets/iterate.js';
import type { TableImpl } from '../ets/table.js';
import type { Row } from '../term/types.js';

/** Rows handed out between two turns of the event loop by the async iteration. */
export const ASYNC_BATCH = 1024;

/** The dets check: the table is still open (dets tables have no access control). */
export function detsCheck(fn: string, file: string): StepCheck {
  return (t) => {
    if (!t.alive) fail('DETS_CLOSED', `${fn}: table ${t.name} (${file}) was closed during the iteration`, { position: 1, file });
  };
}

/** The rows of a dets table in table order (none once it is closed; closing it during the loop ends the loop with `DETS_CLOSED`). */
export function detsRows(t: TableImpl, file: string, fn: string): IterableIterator<Row> {
  return tableRows(t, false, detsCheck(fn, file), true);
}

/** The rows of an open dets table in table order, with a turn of the event loop every {@link ASYNC_BATCH} rows. */
export async function* detsRowsAsync(t: TableImpl, file: string, fn: string): AsyncGenerator<Row, void, undefined> {
  let n = 0;
  for (const row of tableRows(t, false, detsCheck(fn, file), true)) {
    yield row;
    if (++n % ASYNC_BATCH === 0) await nextTurn();
  }
}
