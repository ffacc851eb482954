/**
 * `ets:i/0,1`: a look at the tables from a REPL or a script, printed in
 * Erlang's syntax. `ets.i()` lists every ets table (as ETS's `i/0` does:
 * id, name, type, size, memory, owner); `ets.i(t)` prints a table's rows
 * (ETS's `i/1` pages through them interactively; here the first `limit`
 * rows are printed, then how many more there are).
 *
 * Output goes to `options.write` (one call per line), by default standard
 * output.
 *
 * @module
 */
import { END_OF_TABLE } from '../engines/types.js';
import { fail } from '../errors.js';
import { ets, type TableLike } from '../ets/index.js';
import type { Row } from '../term/types.js';
import { cut, renderTerm } from './render.js';

/** Options of `ets.i`. */
export interface BrowseOptions {
  /** Most rows `i(t)` prints (default 100). */
  limit?: number;
  /** Where each line goes (default: standard output). */
  write?: (line: string) => void;
}

const stdout = (line: string): void => {
  process.stdout.write(line + '\n');
};

function columns(cells: ReadonlyArray<string>, widths: readonly number[]): string {
  return ' ' + cells.map((c, i) => cut(c, widths[i]!).padEnd(widths[i]!)).join(' ').trimEnd();
}

/** `ets:i/0,1`: prints the tables, or the rows of one table. */
export function browse(tab?: TableLike, options: BrowseOptions = {}): void {
  const write = options.write ?? stdout;
  if (tab === undefined) {
    const widths = [6, 20, 14, 8, 10, 10, 10];
    write(columns(['id', 'name', 'type', 'size', 'mem', 'owner', 'protection'], widths));
    write(' ' + '-'.repeat(widths.reduce((a, b) => a + b + 1, -1)));
    for (const t of ets.all()) {
      const i = ets.info(t);
      if (i === undefined) continue;
      write(columns([String(i.id), i.name, i.type, String(i.size), String(i.memory), String(i.owner), i.protection], widths));
    }
    return;
  }
  const limit = options.limit ?? 100;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    fail('ETS_BADARG', `ets.i: limit must be an integer >= 0, got ${String(limit)} (argument 2)`, { position: 2, option: 'limit' });
  }
  // select first: a table that is gone or private to another process is refused as by any read.
  const chunk = limit === 0 ? END_OF_TABLE : ets.select(tab, [['_', [], ['$_']]], limit);
  const info = ets.info(tab)!;
  write(`${info.name}: ${info.type}, keypos ${info.keypos}, ${info.size} row${info.size === 1 ? '' : 's'}, owner ${String(info.owner)}`);
  const rows = chunk === END_OF_TABLE ? [] : (chunk[0] as Row[]);
  for (const r of rows.slice(0, limit)) write(`{${r.map((v) => renderTerm(v, 200)).join(', ')}}`);
  const more = info.size - Math.min(rows.length, limit);
  if (more > 0) write(`... ${more} more row${more === 1 ? '' : 's'}`);
}
