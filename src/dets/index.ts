/**
 * The `dets` facade: DETS's API over an in-memory ets table whose every
 * write is journaled to a file.
 *
 * - `dets.openFile` is async (returns a promise) and the only call that
 *   reads the file; every other table operation is synchronous and works
 *   on memory, exactly as the `ets.*` function of the same name (same
 *   arguments, results and error codes: they share `ets/ops.ts`).
 * - A write is journaled before it is applied; the journal reaches the
 *   disk on the `autoSave` timer, `sync`, `close` and graceful shutdown.
 * - DETS tables have no process access control: any code may use them.
 * - As in DETS, the opens a `spawn`ed process made are closed when it ends
 *   (`openers.ts`); opens from outside any `spawn` stay until `close`
 *   (or process exit, which flushes).
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import * as fsp from 'node:fs';
import * as path from 'node:path';
import { insertAll } from '../engines/index.js';
import { END_OF_TABLE, type EndOfTable, type TableType } from '../engines/types.js';
import { TermstoreError, fail } from '../errors.js';
import { ets, type IterateFunction, type MatchFunction, type MatchObjectFunction, type SelectFunction, type SpecOrFn, type UpdateCounterFunction } from '../ets/index.js';
import { iterate as iterateImpl } from '../ets/iterate.js';
import { rowsIn } from '../ets/args.js';
import * as ops from '../ets/ops.js';
import * as sel from '../ets/select.js';
import { Continuation } from '../ets/select.js';
import { TableImpl, nameKey, rowType, type KeyArg, type KeyOf, type RowArg, type RowOf, type RowTyped, type TableLike as EtsTableLike, type TableName } from '../ets/table.js';
import type { Head } from '../match-spec/types.js';
import { rootPid } from '../process/index.js';
import { show, type Row, type Term } from '../term/types.js';
import { createCodec } from './codec.js';
import type { CompactionPolicy } from './compaction.js';
import { parseAutoSave, type AutoSave, type Clock } from './flush.js';
import { FORMAT_VERSION, decodeHeader, hasMagic } from './format.js';
import type { FsAdapter } from './fs.js';
import type { RecoveryReport } from './recovery.js';
import { withConvertHint } from './foreign.js';
import { detsCheck, detsRows, detsRowsAsync } from './iterate.js';
import { DEFAULT_MAX_FILE_SIZE, DetsStore } from './store.js';
import { Openers } from './openers.js';
import { traverse } from './traverse.js';
import { BchunkContinuation, END_OF_INPUT, bchunk, initTable, type InitFunction, type InitTableOptions } from './init-table.js';

export type { AutoSave, Clock } from './flush.js';
export type { FsAdapter } from './fs.js';
export type { RecoveryReport } from './recovery.js';
export type { CompactionPolicy } from './compaction.js';
export { DEFAULT_MAX_FILE_SIZE } from './store.js';
export { BchunkContinuation, END_OF_INPUT, type InitFunction, type InitTableOptions } from './init-table.js';

/** Options of {@link dets.openFile} (DETS's `open_file/2` arguments). */
export interface OpenOptions {
  /** Path of the table file (DETS `file`). Default: the table name. */
  file?: string;
  /** Table type (default `'set'`). `ordered_set` is termstore's addition. An existing file must match. */
  type?: TableType;
  /** 1-based key position (default 1). An existing file must match. */
  keypos?: number;
  /**
   * Flush policy: a flush every N ms that steady traffic cannot postpone
   * (default 3000); `false`: only on `sync`, `close` and graceful shutdown;
   * `0`: every write is on disk (fsynced) before the call returns.
   */
  autoSave?: number | false;
  /** `'read_write'` (default; takes the cross-process writer lock) or `'read'` (no lock; the state as of the last flush). */
  access?: 'read' | 'read_write';
  /** Largest size the file may reach, in bytes (default 2 GiB, as DETS). */
  maxFileSize?: number;
  /**
   * Damage in the middle of the file: `true` (default) keeps every intact
   * record and rewrites the file; `false` refuses with `DETS_CORRUPT`
   * leaving the file untouched; `'force'` always rewrites (compacts) on open.
   * A torn tail (an interrupted last write) is always dropped.
   */
  repair?: boolean | 'force';
  /** Automatic compaction thresholds (default: file > 1 MiB and > 2 × live data). */
  compaction?: Partial<CompactionPolicy>;
  /** File-system adapter, e.g. one that injects faults in tests (default: `node:fs`). */
  fs?: FsAdapter;
  /** Clock for the autoSave timer (tests; default: real time, unref'd timers). */
  clock?: Clock;
}

/** Everything {@link dets.info} reports. */
export interface DetsInfo {
  name: string;
  /** Absolute path of the file. */
  filename: string;
  type: TableType;
  keypos: number;
  /** Number of rows. */
  size: number;
  /** Bytes of the file on disk now. */
  fileSize: number;
  autoSave: AutoSave;
  access: 'read' | 'read_write';
  maxFileSize: number;
  /** Writes made but not yet on disk. */
  pendingWrites: number;
  /** Bytes waiting to be written. */
  pendingBytes: number;
  /** Sequence number of the last write (counts writes since open). */
  writeSeq: number;
  /** Every write with a sequence number up to this is on disk. */
  durableSeq: number;
  /** What opening the file found: dropped torn tail, damaged ranges, whether it was rewritten. */
  recovered: RecoveryReport;
  /** Compactions done since open, and whether one is running. */
  compactions: number;
  compacting: boolean;
  /** The last flush failure, if the latest flush failed. */
  lastError: TermstoreError | undefined;
  /** Set when the writer lock was lost: writes are refused. */
  failing: TermstoreError | undefined;
  /** How many `openFile` calls hold the table open. */
  openCount: number;
  /** Approximate memory of the in-memory table, in bytes. */
  memory: number;
}

/**
 * An open disk table (DETS's table name). Also an `EventEmitter`:
 * `'error'` is emitted with a `TermstoreError` when a background flush or
 * compaction fails (`DETS_IO`) or the writer lock is lost (`DETS_LOCKED`).
 * Without an `'error'` listener, these become process warnings instead of
 * crashing the process.
 *
 * `R` is the type of the table's rows (`dets.openFile<[string, number]>(...)`):
 * reads return it and writes require it. It defaults to {@link Row}. The
 * file is not checked against it: declare what the file holds.
 */
export class DetsTable<R extends Row = Row> extends EventEmitter<{ error: [TermstoreError] }> implements RowTyped<R> {
  declare readonly [rowType]?: R;
  /** @internal */
  readonly impl: TableImpl;
  /** @internal */
  readonly store: DetsStore;
  /** @internal */
  openCount = 1;
  /** @internal The last close in progress, if any. */
  closing: Promise<void> | undefined;
  /** The table name. */
  readonly name: string;
  /** Absolute path of the file. */
  readonly file: string;
  /** @internal */
  constructor(name: string, impl: TableImpl, store: DetsStore) {
    super();
    this.name = name;
    this.impl = impl;
    this.store = store;
    this.file = store.file;
  }
  /** True until the table is closed (or crashed). */
  get isOpen(): boolean {
    return this.impl.alive;
  }
  override toString(): string {
    return `#DetsTable<${this.name}:${this.file}>`;
  }
  /** The rows in table order, one at a time (`for (const row of table)`); see `dets.iterate`. */
  [Symbol.iterator](): IterableIterator<R> {
    return detsRows(this.impl, this.file, 'dets: for...of') as IterableIterator<R>;
  }
  /** The rows in table order (`for await (const row of table)`), giving the event loop a turn every 1024 rows. */
  [Symbol.asyncIterator](): AsyncIterableIterator<R> {
    return detsRowsAsync(this.impl, this.file, 'dets: for await...of') as AsyncIterableIterator<R>;
  }
}

/** What `dets.*` functions accept as a table: the handle (of any row type) or the table name. */
export type DetsTableLike = DetsTable<Row> | TableName;

const byName = new Map<string, DetsTable>();
const byFile = new Map<string, DetsTable>();

function resolve(tab: unknown, fn: string): DetsTable {
  if (tab instanceof DetsTable) {
    if (!tab.impl.alive) fail('DETS_CLOSED', `${fn}: table ${tab.name} (${tab.file}) is closed`, { position: 1, file: tab.file });
    return tab;
  }
  if (typeof tab === 'string' || typeof tab === 'symbol') {
    const n = nameKey(tab, fn);
    const t = byName.get(n);
    if (t === undefined) fail('ETS_NO_TABLE', `${fn}: no open dets table called ${JSON.stringify(n)}`, { position: 1 });
    return t;
  }
  return fail('ETS_BADARG', `${fn}: expected a dets table or its name, got ${show(tab)}`, { position: 1 });
}

function read(tab: unknown, fn: string): TableImpl {
  return resolve(tab, fn).impl;
}

function write(tab: unknown, fn: string): TableImpl {
  const t = resolve(tab, fn);
  if (t.store.access === 'read') fail('DETS_READ_ONLY', `${fn}: table ${t.name} was opened with access 'read'`, { position: 1, file: t.file });
  return t.impl;
}

/**
 * Reports a background failure: an `'error'` event, or a process warning
 * when nobody listens. A listener that throws is treated as Node treats a
 * throwing listener called from a callback: its exception is rethrown on
 * the next tick (an uncaught exception), for every kind of failure alike.
 */
function emitError(t: DetsTable, e: TermstoreError): void {
  if (t.listenerCount('error') === 0) {
    process.emitWarning(e.message, { code: e.code });
    return;
  }
  try {
    t.emit('error', e);
  } catch (thrown) {
    process.nextTick(() => {
      throw thrown;
    });
  }
}

const TYPES: readonly TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
const OPTION_KEYS = new Set(['file', 'type', 'keypos', 'autoSave', 'access', 'maxFileSize', 'repair', 'compaction', 'fs', 'clock']);

function badOption(name: string, value: unknown, expected: string): never {
  return fail('ETS_BADARG', `dets.openFile: option ${name} must be ${expected}, got ${show(value)}`, { position: 2, option: name });
}

/** Opens in progress, by table name: a second `openFile` of the same name waits for the first. */
const opening = new Map<string, Promise<unknown>>();

function validate(name: TableName, options: OpenOptions) {
  const fn = 'dets.openFile';
  const n = nameKey(name, fn);
  if (typeof options !== 'object' || options === null) fail('ETS_BADARG', `${fn}: options must be an object, got ${show(options)}`, { position: 2 });
  for (const k of Object.keys(options)) if (!OPTION_KEYS.has(k)) fail('ETS_BADARG', `${fn}: unknown option ${JSON.stringify(k)}`, { position: 2, option: k });
  const o = options;
  if (o.file !== undefined && (typeof o.file !== 'string' || o.file === '')) badOption('file', o.file, 'a non-empty path');
  if (o.type !== undefined && !TYPES.includes(o.type)) badOption('type', o.type, TYPES.join(', '));
  if (o.keypos !== undefined && (typeof o.keypos !== 'number' || !Number.isInteger(o.keypos) || o.keypos < 1)) badOption('keypos', o.keypos, 'an integer >= 1');
  const autoSave = parseAutoSave(o.autoSave);
  if (autoSave === undefined) badOption('autoSave', o.autoSave, 'a number of ms >= 0 or false');
  const access = o.access ?? 'read_write';
  if (access !== 'read' && access !== 'read_write') badOption('access', o.access, "'read' or 'read_write'");
  const maxFileSize = o.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  if (typeof maxFileSize !== 'number' || !Number.isSafeInteger(maxFileSize) || maxFileSize < 1) badOption('maxFileSize', o.maxFileSize, 'a positive integer');
  const repair = o.repair ?? true;
  if (repair !== true && repair !== false && repair !== 'force') badOption('repair', o.repair, "true, false or 'force'");
  return { fn, n, o, autoSave, access, maxFileSize, repair, file: path.resolve(o.file ?? n) };
}

/** The open table of this name, counted once more, if its options agree; undefined if the name is not open. */
function reopen(n: string, file: string, o: OpenOptions, access: string, fn: string): DetsTable | undefined {
  const existing = byName.get(n);
  if (existing === undefined) return undefined;
  const s = existing.store;
  let bad: string | undefined;
  if (existing.file !== file && s.file !== file && s.givenFile !== file) bad = 'file';
  else if (o.type !== undefined && o.type !== s.type) bad = 'type';
  else if (o.keypos !== undefined && o.keypos !== s.keypos) bad = 'keypos';
  else if (access !== s.access) bad = 'access';
  if (bad !== undefined) {
    fail('DETS_OPTIONS_MISMATCH', `${fn}: table ${n} is already open (${existing.file}, ${s.type}, keypos ${s.keypos}, ${s.access}) with a different ${bad}`, { position: 2, option: bad, file });
  }
  existing.openCount++;
  openers.opened(existing);
  return existing;
}

async function openTable(name: TableName, options: OpenOptions): Promise<DetsTable> {
  const { fn, n, o, autoSave, access, maxFileSize, repair, file } = validate(name, options);
  const again = reopen(n, file, o, access, fn);
  if (again !== undefined) return again;

  let impl: TableImpl | undefined;
  const store = await DetsStore.open(
    {
      file,
      type: o.type ?? 'set',
      typeGiven: o.type !== undefined,
      keypos: o.keypos ?? 1,
      keyposGiven: o.keypos !== undefined,
      autoSave,
      access,
      maxFileSize,
      repair,
      fs: o.fs,
      clock: o.clock,
      compaction: o.compaction,
      // The same file (through any name, symlink or hard link) open twice in this process: refused before it is read.
      claim: (real, identity) => {
        const other = byFile.get(identity);
        if (other !== undefined) fail('DETS_LOCKED', `${fn}: ${file} is already open in this process as table ${other.name} (${other.file})`, { position: 2, file });
      },
    },
    (type, keypos) => {
      impl = new TableImpl(n, false, type, keypos, 'public', rootPid(), undefined);
      impl.kind = 'dets';
      return impl.engine;
    },
  );
  impl!.sink = store;
  const t = new DetsTable(n, impl!, store);
  store.onError = (e) => emitError(t, e);
  byName.set(n, t);
  byFile.set(store.identity, t);
  openers.opened(t);
  return t;
}

/** Each process's opens, closed when it ends (as DETS). */
const openers = new Openers<DetsTable>((t) => {
  dets.close(t).catch((e: unknown) => {
    if (e instanceof TermstoreError) emitError(t, e);
  });
});

function forget(t: DetsTable): void {
  openers.forget(t);
  t.impl.alive = false;
  t.impl.engine.clear();
  if (byName.get(t.name) === t) byName.delete(t.name);
  if (byFile.get(t.store.identity) === t) byFile.delete(t.store.identity);
}

function info(tab: DetsTableLike): DetsInfo | undefined;
function info<K extends keyof DetsInfo>(tab: DetsTableLike, item: K): DetsInfo[K] | undefined;
function info(tab: DetsTableLike, item?: keyof DetsInfo): unknown {
  let t: DetsTable;
  try {
    t = resolve(tab, 'dets.info');
  } catch (e) {
    if (e instanceof TermstoreError && (e.code === 'ETS_NO_TABLE' || e.code === 'DETS_CLOSED')) return undefined;
    throw e;
  }
  const s = t.store;
  const j = s.journal;
  const all: DetsInfo = {
    name: t.name,
    filename: t.file,
    type: s.type,
    keypos: s.keypos,
    size: t.impl.engine.size(),
    fileSize: s.fileSize,
    autoSave: s.autoSave,
    access: s.access,
    maxFileSize: s.maxFileSize,
    pendingWrites: s.writable ? j.pendingWrites : 0,
    pendingBytes: s.pendingBytes,
    writeSeq: j.seq,
    durableSeq: j.durableSeq,
    recovered: s.recovered,
    compactions: s.compactions,
    compacting: s.compacting,
    lastError: j.lastError,
    failing: s.failing,
    openCount: t.openCount,
    memory: t.impl.engine.memoryBytes(),
  };
  if (item === undefined) return all;
  if (!(item in all)) fail('ETS_BADARG', `dets.info: unknown item ${show(item)} (argument 2)`, { position: 2 });
  return all[item];
}

function selectFn(fn: string, reverse: boolean) {
  return (tab: unknown, spec?: unknown, limit?: number): unknown => {
    if (tab instanceof Continuation || (spec === undefined && tab === END_OF_TABLE)) return sel.continueSelect(tab, fn);
    return sel.select(read(tab, fn), spec, limit, reverse, fn);
  };
}

function matchFn(fn: string, objects: boolean) {
  return (tab: unknown, pattern?: unknown, limit?: number): unknown => {
    if (tab instanceof Continuation || (pattern === undefined && tab === END_OF_TABLE)) return sel.continueSelect(tab, fn);
    return sel.match(read(tab, fn), pattern, limit, objects, fn);
  };
}

/** The select family on dets tables: without limit, with limit, or continuing (see `SelectFunction`). */
export type DetsSelectFunction = SelectFunction<DetsTableLike>;

/**
 * The DETS API. Table operations mirror the `ets.*` function of the same
 * name; see `ets` for their semantics. Each member names the DETS function
 * it mirrors.
 */
export const dets = Object.freeze({
  /** The end-of-table marker (the atom `'$end_of_table'`). */
  END_OF_TABLE,

  /**
   * `dets:open_file/2`: opens (creating if needed) the table file and loads
   * it; resolves with the table. Opening an open name again with the same
   * file returns the same table and counts one more open (each needs a
   * `close`). Fails with `DETS_LOCKED` if another process has the file open
   * for writing, `DETS_OPTIONS_MISMATCH` if the file's type or keypos
   * differ from the options, `DETS_NOT_A_TABLE_FILE`, `DETS_FORMAT_UNSUPPORTED`,
   * `DETS_CORRUPT` (with `repair: false`), `DETS_IO`. An Erlang DETS or tab
   * file (or another table file termstore reads) is refused with
   * `DETS_NOT_A_TABLE_FILE` and a message naming `termstore convert`.
   */
  openFile: async <R extends Row = Row>(name: TableName, options: OpenOptions = {}): Promise<DetsTable<R>> => {
    const n = nameKey(name, 'dets.openFile');
    for (;;) {
      // A table whose last close is in progress is reopened once it is closed; an open in progress is waited for.
      const t = byName.get(n);
      if (t?.closing !== undefined) {
        await t.closing.catch(() => undefined);
        continue;
      }
      const pending = opening.get(n);
      if (pending !== undefined) {
        await pending.catch(() => undefined);
        continue;
      }
      break;
    }
    const p = openTable(name, options);
    opening.set(n, p);
    try {
      return (await p) as DetsTable<R>;
    } catch (e) {
      throw withConvertHint(e);
    } finally {
      if (opening.get(n) === p) opening.delete(n);
    }
  },

  /**
   * `dets:close/1`: one open fewer; the last close flushes (fsync) and
   * releases the file. Rejects with `DETS_IO` if the data cannot be
   * written: the table then stays open, so nothing is lost.
   */
  close: async (tab: DetsTableLike): Promise<void> => {
    const t = resolve(tab, 'dets.close');
    if (t.closing !== undefined) return t.closing;
    openers.closed(t);
    if (t.openCount > 1) {
      t.openCount--;
      return;
    }
    t.closing = t.store.close().then(
      () => {
        t.openCount = 0;
        t.closing = undefined;
        forget(t);
      },
      (e: unknown) => {
        t.closing = undefined;
        throw e;
      },
    );
    return t.closing;
  },
  /** `dets:sync/1`: resolves once every write made so far is on disk (written and fsynced). Rejects with `DETS_IO`. */
  sync: (tab: DetsTableLike): Promise<void> => {
    try {
      return resolve(tab, 'dets.sync').store.sync();
    } catch (e) {
      return Promise.reject(e);
    }
  },
  /**
   * Resolves once every write made so far is on disk, without forcing a
   * flush (it waits for the next autoSave tick, `sync` or `close`).
   * Rejects with `DETS_CLOSED` if the table crashes first.
   */
  whenDurable: (tab: DetsTableLike): Promise<void> => {
    try {
      return resolve(tab, 'dets.whenDurable').store.whenDurable();
    } catch (e) {
      return Promise.reject(e);
    }
  },
  /** `dets:info/1,2`: facts about an open table; `undefined` if it is not open. */
  info,
  /** Rewrites the file without garbage, in the background (crash-safe: temp file, fsync, rename). */
  compact: (tab: DetsTableLike): Promise<void> => {
    try {
      write(tab, 'dets.compact');
      return resolve(tab, 'dets.compact').store.compact();
    } catch (e) {
      return Promise.reject(e);
    }
  },
  /**
   * Simulates a hard crash of one table, for crash-recovery tests: writes
   * not yet flushed are dropped, nothing is flushed, the table is closed
   * (every open of it). Resolves once no write of it is in flight, after
   * which the file lock is released and the file can be reopened.
   */
  simulateCrash: async (tab: DetsTableLike): Promise<void> => {
    const t = resolve(tab, 'dets.simulateCrash');
    t.openCount = 0;
    const p = t.store.simulateCrash();
    forget(t);
    await p;
  },
  /** `dets:all/0`: the open dets tables. */
  all: (): DetsTable[] => [...byName.values()],
  /**
   * `dets:is_dets_file/1`: true if `file` is a termstore dets file (of any
   * format version). Reads the header only.
   */
  isDetsFile: (file: string): boolean => {
    let fd: number | undefined;
    try {
      fd = fsp.openSync(file, 'r');
      const size = fsp.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, 64 * 1024));
      fsp.readSync(fd, buf, 0, buf.length, 0);
      if (!hasMagic(buf)) return false;
      const version = buf.length >= 10 ? buf.readUInt16LE(8) : 0;
      if (version > FORMAT_VERSION) return true;
      return 'length' in decodeHeader(createCodec(), buf, size);
    } catch {
      return false;
    } finally {
      if (fd !== undefined) fsp.closeSync(fd);
    }
  },
  /** `dets:to_ets/2`: inserts every row of the dets table into the ets table; returns the ets table. */
  toEts: <E extends EtsTableLike>(tab: DetsTableLike, etsTab: E): E => {
    const rows = ops.tab2list(read(tab, 'dets.toEts'));
    ets.insertMany(etsTab as EtsTableLike, rows);
    return etsTab;
  },
  /**
   * `dets:from_ets/2`: replaces every row of the dets table by the rows of
   * the ets table, as one write (a crash leaves the old rows or the new ones).
   */
  fromEts: (tab: DetsTableLike, etsTab: EtsTableLike): true => {
    const t = write(tab, 'dets.fromEts');
    const rows = rowsIn(t, ets.tab2list(etsTab), 'dets.fromEts', 2);
    t.sink!.append([{ op: 'clear' }, { op: 'insert', rows }]);
    t.engine.clear();
    insertAll(t.engine, rows);
    return true;
  },

  /**
   * `dets:traverse/2`: calls `f` on each row; `f` returns `'continue'` (or
   * nothing), `{ continue: v }` to collect `v`, `{ done: v }` to stop with
   * `[v, ...collected]`, or anything else to stop with that value. Values
   * are collected last first, as DETS.
   */
  traverse: (tab: DetsTableLike, f: (row: Row) => unknown): unknown => {
    if (typeof f !== 'function') fail('ETS_BADARG', `dets.traverse: expected a function, got ${show(f)} (argument 2)`, { position: 2 });
    return traverse(read(tab, 'dets.traverse'), f);
  },
  /**
   * `dets:init_table/2,3`: replaces every row with the objects of an input
   * function (DETS's protocol: `'read'` gives `END_OF_INPUT` or
   * `[objects, next]`, `'close'` ends) or of an iterable; `format: 'bchunk'`
   * loads the data of `dets.bchunk`. One atomic write; a bad input changes
   * nothing.
   */
  initTable: (tab: DetsTableLike, source: InitFunction | Iterable<unknown>, options?: InitTableOptions): true =>
    initTable(write(tab, 'dets.initTable'), source, options, 'dets.initTable'),
  /**
   * `dets:bchunk/2`: the rows in opaque chunks, for `initTable(t2, chunks,
   * { format: 'bchunk' })`: `bchunk(t, 'start')`, then `bchunk(t, cont)`,
   * until END_OF_TABLE.
   */
  bchunk: (tab: DetsTableLike, cont: 'start' | BchunkContinuation): [BchunkContinuation, Uint8Array[]] | EndOfTable =>
    bchunk(read(tab, 'dets.bchunk'), cont, 'dets.bchunk'),
  /** The atom DETS's init_table input function returns at the end: `end_of_input`. */
  END_OF_INPUT,

  /** `dets:insert/2` (one object). */
  insert: <T extends DetsTableLike>(tab: T, row: RowArg<T>): true => ops.insert(write(tab, 'dets.insert'), row, 'dets.insert'),
  /** `dets:insert/2` with a list, atomically (one journal record). */
  insertMany: <T extends DetsTableLike>(tab: T, rows: ReadonlyArray<RowArg<T>>): true => ops.insertMany(write(tab, 'dets.insertMany'), rows, 'dets.insertMany'),
  /** `dets:insert_new/2` (one object). */
  insertNew: <T extends DetsTableLike>(tab: T, row: RowArg<T>): boolean => ops.insertNew(write(tab, 'dets.insertNew'), row, 'dets.insertNew'),
  /** `dets:insert_new/2` with a list. */
  insertNewMany: <T extends DetsTableLike>(tab: T, rows: ReadonlyArray<RowArg<T>>): boolean => ops.insertNewMany(write(tab, 'dets.insertNewMany'), rows, 'dets.insertNewMany'),
  /** `dets:lookup/2`. */
  lookup: <T extends DetsTableLike>(tab: T, key: KeyArg<T>): Array<RowOf<T>> => ops.lookup(read(tab, 'dets.lookup'), key, 'dets.lookup') as Array<RowOf<T>>,
  /** `ets:lookup_element/3,4` on a dets table. */
  lookupElement: <T extends DetsTableLike, D = never>(tab: T, key: KeyArg<T>, pos: number, ...dflt: [] | [D]): KeyOf<T> | Array<KeyOf<T>> | D =>
    ops.lookupElement(read(tab, 'dets.lookupElement'), key, pos, dflt.length === 0 ? ops.NO_DEFAULT : dflt[0], 'dets.lookupElement') as KeyOf<T> | Array<KeyOf<T>> | D,
  /** `dets:member/2`. */
  member: <T extends DetsTableLike>(tab: T, key: KeyArg<T>): boolean => ops.member(read(tab, 'dets.member'), key),
  /** `ets:take/2` on a dets table. */
  take: <T extends DetsTableLike>(tab: T, key: KeyArg<T>): Array<RowOf<T>> => ops.take(write(tab, 'dets.take'), key, 'dets.take') as Array<RowOf<T>>,
  /** `dets:delete/2`: deletes the rows with `key`. */
  delete: <T extends DetsTableLike>(tab: T, key: KeyArg<T>): true => ops.deleteKey(write(tab, 'dets.delete'), key, 'dets.delete'),
  /** `dets:delete_object/2`. */
  deleteObject: <T extends DetsTableLike>(tab: T, row: RowArg<T>): true => ops.deleteObject(write(tab, 'dets.deleteObject'), row, 'dets.deleteObject'),
  /** `dets:delete_all_objects/1`. */
  deleteAllObjects: (tab: DetsTableLike): true => ops.deleteAllObjects(write(tab, 'dets.deleteAllObjects')),
  /** `dets:update_counter/3` (and ETS's `update_counter/4` forms). */
  updateCounter: ((tab: DetsTableLike, key: unknown, op: unknown, ...dflt: [] | [readonly unknown[]]) =>
    ops.updateCounter(write(tab, 'dets.updateCounter'), key, op, dflt.length === 0 ? ops.NO_DEFAULT : dflt[0], 'dets.updateCounter')) as UpdateCounterFunction<DetsTableLike>,
  /** `ets:update_element/3` on a dets table. */
  updateElement: <T extends DetsTableLike>(tab: T, key: KeyArg<T>, spec: readonly [number, unknown] | ReadonlyArray<readonly [number, unknown]>): boolean =>
    ops.updateElement(write(tab, 'dets.updateElement'), key, spec, 'dets.updateElement'),
  /** `dets:first/1`. */
  first: <T extends DetsTableLike>(tab: T): KeyOf<T> | EndOfTable => ops.first(read(tab, 'dets.first')) as KeyOf<T> | EndOfTable,
  /** `ets:last/1` on a dets table. */
  last: <T extends DetsTableLike>(tab: T): KeyOf<T> | EndOfTable => ops.last(read(tab, 'dets.last')) as KeyOf<T> | EndOfTable,
  /** `dets:next/2`. */
  next: <T extends DetsTableLike>(tab: T, key: KeyArg<T>): KeyOf<T> | EndOfTable => ops.next(read(tab, 'dets.next'), key, 'dets.next') as KeyOf<T> | EndOfTable,
  /** `ets:prev/2` on a dets table. */
  prev: <T extends DetsTableLike>(tab: T, key: KeyArg<T>): KeyOf<T> | EndOfTable => ops.prev(read(tab, 'dets.prev'), key, 'dets.prev') as KeyOf<T> | EndOfTable,
  /** `dets:foldl/3`. */
  foldl: <T extends DetsTableLike, A>(tab: T, f: (row: RowOf<T>, acc: A) => A, acc: A): A => ops.foldl(read(tab, 'dets.foldl'), f as (row: Row, acc: A) => A, acc, false, 'dets.foldl'),
  /** `dets:foldr/3`. */
  foldr: <T extends DetsTableLike, A>(tab: T, f: (row: RowOf<T>, acc: A) => A, acc: A): A => ops.foldl(read(tab, 'dets.foldr'), f as (row: Row, acc: A) => A, acc, true, 'dets.foldr'),
  /** `ets:tab2list/1` on a dets table (DETS: `match_object(T, '_')`). */
  tab2list: <T extends DetsTableLike>(tab: T): Array<RowOf<T>> => ops.tab2list(read(tab, 'dets.tab2list')) as Array<RowOf<T>>,
  /** `dets:select/1,2,3`. */
  select: selectFn('dets.select', false) as DetsSelectFunction,
  /** `ets:select_reverse/1,2,3` on a dets table. */
  selectReverse: selectFn('dets.selectReverse', true) as DetsSelectFunction,
  /** `ets:select_count/2` on a dets table. */
  selectCount: <T extends DetsTableLike>(tab: T, spec: SpecOrFn<T>): number => sel.selectCount(read(tab, 'dets.selectCount'), spec, 'dets.selectCount'),
  /** `dets:select_delete/2`. */
  selectDelete: <T extends DetsTableLike>(tab: T, spec: SpecOrFn<T>): number => sel.selectDelete(write(tab, 'dets.selectDelete'), spec, 'dets.selectDelete'),
  /** `ets:select_replace/2` on a dets table. */
  selectReplace: <T extends DetsTableLike>(tab: T, spec: SpecOrFn<T>): number => sel.selectReplace(write(tab, 'dets.selectReplace'), spec, 'dets.selectReplace'),
  /** The rows in table order, or what a match spec or JS function selects, one at a time (see `ets.iterate`). Not in DETS. */
  iterate: ((tab: DetsTableLike, a?: unknown, b?: unknown) => {
    const t = resolve(tab, 'dets.iterate');
    return iterateImpl(t.impl, a, b, detsCheck('dets.iterate', t.file), 'dets.iterate');
  }) as IterateFunction<DetsTableLike>,
  /** `dets:match/1,2,3`. */
  match: matchFn('dets.match', false) as MatchFunction<DetsTableLike>,
  /** `dets:match_object/1,2,3`. */
  matchObject: matchFn('dets.matchObject', true) as MatchObjectFunction<DetsTableLike>,
  /** `dets:match_delete/2`. */
  matchDelete: (tab: DetsTableLike, pattern: Head): true => sel.matchDelete(write(tab, 'dets.matchDelete'), pattern, 'dets.matchDelete'),
});

export type { SelectFunction };
