/**
 * `dets:init_table/2,3` and `dets:bchunk/2`: replace a table's rows from an
 * input function (or any iterable), and read a table out in opaque chunks
 * that `initTable(t, chunks, { format: 'bchunk' })` loads back, as DETS.
 *
 * **initTable.** The input is DETS's input function: called with `'read'`,
 * it returns `END_OF_INPUT` (the atom `end_of_input`, also accepted as the
 * string) or `[objects, nextFunction]`; it is called once with `'close'`
 * at the end, also when something failed. Or any iterable of rows (of
 * chunks, for `format: 'bchunk'`). Every object is read and checked first;
 * then the table's rows are replaced by them in one journal write, so a
 * crash leaves the old rows or the new ones. Unlike DETS, which may leave
 * the table unusable after a bad input, a bad input changes nothing: it
 * throws (`ETS_BADARG` for a bad return value, `ETS_BAD_OBJECT` /
 * `ETS_BAD_TERM` for a bad row, `DETS_OPTIONS_MISMATCH` for chunks of a
 * table of another type or keypos). Rows go in list order (a bag does not
 * reverse them: this is not `insert`).
 *
 * **bchunk.** `bchunk(t, 'start')` returns `[continuation, data]`; pass the
 * continuation back for the next chunk, until `END_OF_TABLE`. `data` is a
 * list of `Uint8Array`s (the first call's first one records the table's
 * type and keypos; each other holds up to {@link BCHUNK_ROWS} rows in the
 * dets file format's CBOR encoding). The walk tolerates writes in between
 * (rows present throughout are returned once).
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import { END_OF_TABLE, type Cursor, type EndOfTable, type TableType } from '../engines/types.js';
import { TermstoreError, fail } from '../errors.js';
import { rowsIn } from '../ets/args.js';
import type { TableImpl } from '../ets/table.js';
import { atomName, show, type Row } from '../term/types.js';
import { WireError, createCodec, fromWire, toWire } from './codec.js';

/** What DETS's input function returns at the end: the atom `end_of_input`. */
export const END_OF_INPUT: unique symbol = Symbol.for('end_of_input') as never;

/** DETS's input function: `'read'` gives `END_OF_INPUT` or `[objects, next]`; `'close'` ends it. */
export type InitFunction = (op: 'read' | 'close') => unknown;

/** Options of `dets.initTable` (DETS `init_table/3`). */
export interface InitTableOptions {
  /** `'term'` (default): the objects are rows; `'bchunk'`: they are the data of `dets.bchunk`. */
  format?: 'term' | 'bchunk';
  /** DETS's slot hint; accepted and ignored (termstore tables have no slots). */
  minNoSlots?: number;
}

/** Rows per bchunk data item. */
export const BCHUNK_ROWS = 1000;

const HEADER = 0;
const ROWS = 1;
const VERSION = 1;

/** Where a bchunk walk stands. Pass it back to `dets.bchunk`. */
export class BchunkContinuation {
  /** @internal */
  constructor(
    /** @internal */ readonly table: TableImpl,
    /** @internal */ readonly cursor: Cursor,
  ) {
    Object.freeze(this);
  }
}

let sharedCodec: Encoder | undefined;
function codec(): Encoder {
  return (sharedCodec ??= createCodec());
}

function encodeItems(items: readonly unknown[]): Uint8Array {
  const c = codec();
  const parts = items.map((x) => c.encode(toWire(x)));
  return new Uint8Array(Buffer.concat(parts));
}

/** `dets:bchunk/2`. */
export function bchunk(t: TableImpl, cont: unknown, fn: string): [BchunkContinuation, Uint8Array[]] | EndOfTable {
  let c: BchunkContinuation;
  const data: Uint8Array[] = [];
  if (cont === 'start' || (typeof cont === 'symbol' && atomName(cont) === 'start')) {
    c = new BchunkContinuation(t, t.engine.cursor(false));
    data.push(encodeItems([[HEADER, VERSION, t.type, t.keypos]]));
  } else if (cont instanceof BchunkContinuation) {
    if (cont.table !== t || !t.alive) fail('ETS_BAD_CONTINUATION', `${fn}: the continuation is not one of table ${t.name}, or the table was closed`, { position: 2 });
    c = cont;
  } else {
    return fail('ETS_BAD_CONTINUATION', `${fn}: expected 'start' or a continuation, got ${show(cont)} (argument 2)`, { position: 2 });
  }
  const rows = t.engine.take(c.cursor, BCHUNK_ROWS);
  if (rows.length > 0) data.push(encodeItems([[ROWS], ...rows]));
  if (data.length === 0) return END_OF_TABLE;
  return [c, data];
}

function isEnd(r: unknown): boolean {
  return r === END_OF_INPUT || r === 'end_of_input';
}

/** The objects an input source gives, in order: runs DETS's input-function protocol, or walks an iterable. */
function objectsOf(source: InitFunction | Iterable<unknown>, fn: string): unknown[] {
  if (typeof source !== 'function') {
    if (source === null || typeof source !== 'object' || typeof (source as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      fail('ETS_BADARG', `${fn}: expected an input function or an iterable of objects, got ${show(source)} (argument 2)`, { position: 2 });
    }
    return [...(source as Iterable<unknown>)];
  }
  const out: unknown[] = [];
  let f = source;
  try {
    for (;;) {
      const r = f('read');
      if (isEnd(r)) return out;
      if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[0]) || typeof r[1] !== 'function') {
        fail('ETS_BADARG', `${fn}: the input function must return END_OF_INPUT or [objects, nextFunction], got ${show(r)}`, { position: 2 });
      }
      for (const o of r[0] as unknown[]) out.push(o);
      f = r[1] as InitFunction;
    }
  } finally {
    f('close');
  }
}

/** Decodes bchunk data items to rows, checking the table options the first one records. */
function rowsOfChunks(t: TableImpl, items: readonly unknown[], fn: string): unknown[] {
  const rows: unknown[] = [];
  let header = false;
  for (const item of items) {
    if (!(item instanceof Uint8Array)) fail('ETS_BADARG', `${fn}: bchunk data must be Uint8Arrays, got ${show(item)} (argument 2)`, { position: 2 });
    let decoded: unknown[];
    try {
      decoded = [];
      codec().decodeMultiple(Buffer.from(item.buffer, item.byteOffset, item.byteLength), (v: unknown) => {
        decoded.push(v);
      });
    } catch (e) {
      throw new TermstoreError('ETS_BADARG', `${fn}: bchunk data that does not decode (${(e as Error).message})`, { details: { position: 2 }, cause: e });
    }
    const [mark, ...rest] = decoded as [unknown, ...unknown[]];
    if (Array.isArray(mark) && mark[0] === HEADER && mark.length === 4) {
      const [, version, type, keypos] = mark as [number, unknown, TableType, number];
      if (version !== VERSION) fail('ETS_BADARG', `${fn}: bchunk data of version ${show(version)} (this termstore reads ${VERSION})`, { position: 2 });
      if (type !== t.type || keypos !== t.keypos) {
        fail('DETS_OPTIONS_MISMATCH', `${fn}: the chunks come from a ${String(type)} table with keypos ${String(keypos)}; table ${t.name} is a ${t.type} with keypos ${t.keypos}`, { position: 2 });
      }
      header = true;
      continue;
    }
    if (!Array.isArray(mark) || mark[0] !== ROWS) fail('ETS_BADARG', `${fn}: not bchunk data (argument 2)`, { position: 2 });
    if (!header) fail('ETS_BADARG', `${fn}: bchunk data must start with the first chunk bchunk(t, 'start') returned (argument 2)`, { position: 2 });
    for (const x of rest) {
      try {
        rows.push(fromWire(x));
      } catch (e) {
        if (e instanceof WireError) fail('ETS_BADARG', `${fn}: bchunk data holding something that is not a term (${e.message})`, { position: 2 });
        throw e;
      }
    }
  }
  return rows;
}

/** `dets:init_table/2,3`: replaces every row of `t` by the objects of `source`, atomically. */
export function initTable(t: TableImpl, source: InitFunction | Iterable<unknown>, options: InitTableOptions | undefined, fn: string): true {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) fail('ETS_BADARG', `${fn}: options must be an object, got ${show(o)} (argument 3)`, { position: 3 });
  const format = o.format ?? 'term';
  if (format !== 'term' && format !== 'bchunk') fail('ETS_BADARG', `${fn}: option format must be 'term' or 'bchunk', got ${show(format)} (argument 3)`, { position: 3, option: 'format' });
  const objects = objectsOf(source, fn);
  const rows: Row[] = rowsIn(t, format === 'bchunk' ? rowsOfChunks(t, objects, fn) : objects, fn, 2);
  t.sink!.append([{ op: 'clear' }, { op: 'insert', rows }]);
  t.engine.clear();
  for (const r of rows) t.engine.insert(r);
  return true;
}
