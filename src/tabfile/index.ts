/**
 * `ets.tab2file`, `ets.file2tab` and `ets.tabfileInfo`: a table to a file
 * and back, with its options (type, keypos, name, access, named).
 *
 * - `tab2file` takes a snapshot of the rows (references: stored rows are
 *   immutable), then encodes and writes them a frame (~1 MiB) at a time, so
 *   the event loop keeps running. The file appears whole or not at all:
 *   temporary file, fsync, rename (and, with `sync`, a directory fsync).
 * - `file2tab` reads termstore tab files (`docs/tab-format.md`) and OTP
 *   `ets:tab2file` files. The table is built privately and registered only
 *   once every row is in, so a refused file leaves no table behind.
 *
 * @module
 */
import { insertAll } from '../engines/index.js';
import type { TableType } from '../engines/types.js';
import { TermstoreError, fail } from '../errors.js';
import { checkRead, watchOwner } from '../ets/owner.js';
import { TableImpl, lookupName, register, resolve, type Access, type Table, type TableLike } from '../ets/table.js';
import { currentProc, isAlive } from '../process/index.js';
import { NotATermError, copyRow, scanOut } from '../term/copy.js';
import { atomName, show, type Row } from '../term/types.js';
import { ioError } from '../io/atomic-file.js';
import { MergeGuard } from '../convert/merge-guard.js';
import { detectFormat } from '../convert/detect.js';
import { openTab2File, writeTab2File, type Tab2FileInfo } from '../erlang/tab2file.js';
import { TabFileReader, TabFileWriter, type TabFileInfo } from './format.js';

/** Options of {@link tab2file} (ETS `tab2file/3` options). */
export interface Tab2FileOptions {
  /**
   * Also record a checksum that `file2tab(file, { verify: true })` checks:
   * `true`, or ETS's list form (`['object_count', 'md5sum']`; any non-empty
   * list turns it on). The row count is always recorded.
   */
  extendedInfo?: boolean | readonly string[];
  /** Make the new file's name durable (fsync the directory) before returning. The file's bytes are always fsynced before the rename. */
  sync?: boolean;
  /** `'termstore'` (default): a termstore tab file. `'erlang'`: a file OTP's `ets:file2tab/1,2` loads. */
  format?: 'termstore' | 'erlang';
}

/** Options of {@link file2tab} (ETS `file2tab/2`). */
export interface File2TabOptions {
  /** Also check the checksum recorded with `extendedInfo` (the header CRC, frame CRCs and row count are always checked). */
  verify?: boolean;
  /** OTP files: total bytes compressed objects may inflate to per batch (default 256 MiB; past it `CONVERT_LIMIT`). */
  maxInflatedBytes?: number;
  /** OTP files: total terms decoded from compressed objects per batch (default 1 000 000; past it `CONVERT_LIMIT`). */
  maxInflatedTerms?: number;
}

/** What {@link tabfileInfo} reports (ETS `tabfile_info/1`), for termstore and Erlang tab files alike. */
export interface TabfileInfo extends Omit<TabFileInfo, 'headerBytes' | 'fileBytes'> {
  /** Which kind of file: a termstore tab file or an OTP `ets:tab2file` file. */
  format: 'termstore' | 'erlang';
  /** ETS `extended_info`: what the file records beyond the rows. */
  extendedInfo: string[];
}

function badOption(fn: string, name: string, value: unknown, expected: string): never {
  return fail('ETS_BADARG', `${fn}: option ${name} must be ${expected}, got ${show(value)}`, { position: 3, option: name });
}

function fileArg(fn: string, file: unknown, position: number): string {
  if (typeof file !== 'string' || file === '') fail('ETS_BADARG', `${fn}: the file must be a non-empty path, got ${show(file)} (argument ${position})`, { position });
  return file;
}

function optionsArg(fn: string, o: unknown, known: readonly string[], position: number): Record<string, unknown> {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) fail('ETS_BADARG', `${fn}: options must be an object, got ${show(o)} (argument ${position})`, { position });
  for (const k of Object.keys(o)) if (!known.includes(k)) fail('ETS_BADARG', `${fn}: unknown option ${JSON.stringify(k)} (argument ${position})`, { position, option: k });
  return o as Record<string, unknown>;
}

/**
 * `ets:tab2file/2,3`: writes the table's rows and options to `file`,
 * replacing it (crash-safely) if it exists. Resolves once the file is in
 * place. The rows written are those of the table when the call was made.
 */
export async function tab2file(tab: TableLike, file: string, options?: Tab2FileOptions): Promise<void> {
  const fn = 'ets.tab2file';
  const t = resolve(tab, fn);
  checkRead(t, fn);
  fileArg(fn, file, 2);
  const o = optionsArg(fn, options, ['extendedInfo', 'sync', 'format'], 3);
  const ext = o.extendedInfo;
  if (ext !== undefined && typeof ext !== 'boolean' && !(Array.isArray(ext) && ext.every((e) => typeof e === 'string'))) {
    badOption(fn, 'extendedInfo', ext, 'a boolean or a list of strings');
  }
  const checksum = ext === true || (Array.isArray(ext) && ext.length > 0);
  if (o.sync !== undefined && typeof o.sync !== 'boolean') badOption(fn, 'sync', o.sync, 'a boolean');
  const format = o.format ?? 'termstore';
  if (format !== 'termstore' && format !== 'erlang') badOption(fn, 'format', format, "'termstore' or 'erlang'");

  // The snapshot: every row now. Shared rows never change (a write stores a
  // new row); private ones (counters) would change in place, so they are
  // made shared first (the next increment copies them).
  let rows = t.engine.take(t.engine.cursor(false), Number.MAX_SAFE_INTEGER);
  if (t.engine.readsCopy) rows = rows.map(scanOut);
  try {
    if (format === 'erlang') {
      await writeTab2File(file, rows, {
        name: t.name,
        type: t.type,
        keypos: t.keypos,
        protection: t.access,
        namedTable: t.named,
        extendedInfo: checksum ? ['object_count', 'md5sum'] : [],
        force: true,
        // The Erlang writer fsyncs the file and the directory together: always, as the file must be on disk before the rename.
        sync: true,
      });
      return;
    }
    const w = await TabFileWriter.create(file, { type: t.type, keypos: t.keypos, name: t.name, access: t.access, named: t.named }, { force: true, sync: o.sync === true, checksum });
    try {
      for (let i = 0; i < rows.length; i++) {
        w.addStored(rows[i]!);
        if (w.full) await w.flushFrame();
      }
    } catch (e) {
      await w.abort();
      throw e;
    }
    await w.finish();
  } catch (e) {
    throw ioError(e, file, 'ets.tab2file: writing');
  }
}

/**
 * `ets:file2tab/1,2`: creates a table from a file written by
 * {@link tab2file} (or by OTP's `ets:tab2file`), with the file's type,
 * keypos, name, access and `named`, owned by the calling process. Resolves
 * with the table. Refuses a damaged or truncated file with
 * `CONVERT_CORRUPT` (`details.offset`), a named table whose name is taken
 * with `ETS_NAME_TAKEN`; nothing is created then.
 */
/**
 * Collects a file's rows for one bulk load of the fresh table, refusing (`CONVERT_UNSUPPORTED_TERM`,
 * naming the row) one that the table would merge with an earlier row
 * although Erlang tells them apart (see `convert/merge-guard.ts`).
 */
function loader(t: TableImpl, file: string): ((row: Row) => void) & { count: number; rows: Row[] } {
  const guard = new MergeGuard(t.type, t.keypos);
  const rows: Row[] = [];
  const load = (row: Row): void => {
    guard.check(row, load.count, file);
    rows.push(row);
    load.count++;
  };
  load.count = 0;
  load.rows = rows;
  return load;
}

export async function file2tab(file: string, options?: File2TabOptions): Promise<Table> {
  const fn = 'ets.file2tab';
  fileArg(fn, file, 1);
  const o = optionsArg(fn, options, ['verify', 'maxInflatedBytes', 'maxInflatedTerms'], 2);
  if (o.verify !== undefined && typeof o.verify !== 'boolean') badOption(fn, 'verify', o.verify, 'a boolean');
  const verify = o.verify === true;
  const owner = currentProc().pid;
  if (!isAlive(owner)) fail('ETS_NO_PROCESS', `${fn}: the calling process ${owner} has ended; it cannot own a table`, { position: 0 });
  try {
    const format = await detectFormat(file);
    let t: TableImpl;
    if (format === 'tab') {
      const r = await TabFileReader.open(file, { verify });
      try {
        const { info } = r;
        t = newTable(fn, info.name, info.named, info.type, info.keypos, info.access, owner);
        // Every row first (each checked against the ones Erlang tells apart), then one bulk load of the fresh table.
        const load = loader(t, file);
        let n = 0;
        for (let f = await r.nextFrame(); f !== undefined; f = await r.nextFrame()) {
          n += r.decodeRows(f.payload, f.offset, 'stored', n, (row) => load(row as Row));
        }
        r.finish(n);
        insertAll(t.engine, load.rows);
      } finally {
        await r.close();
      }
    } else if (format === 'erl-tab') {
      // Budget values are checked by the decoder (ETS_BADARG).
      const budgets = { maxInflatedBytes: o.maxInflatedBytes as number | undefined, maxInflatedTerms: o.maxInflatedTerms as number | undefined };
      const r = await openTab2File(file, { terms: 'storable', verify: true, ...budgets });
      try {
        const info = r.info;
        t = newTable(fn, erlName(info, file), info.namedTable, info.type, info.keypos, info.protection, owner);
        const load = loader(t, file);
        for await (const batch of r) {
          for (const row of batch) {
            let stored: Row;
            try {
              stored = copyRow(row as Row);
            } catch (e) {
              if (!(e instanceof NotATermError)) throw e;
              throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `${fn}: ${file}: row ${load.count}: ${e.message}`, { details: { file, position: load.count } });
            }
            load(stored);
          }
        }
        insertAll(t.engine, load.rows);
      } finally {
        await r.close();
      }
    } else {
      throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${fn}: ${file} is a ${format} file, not a tab file (use convert)`, { details: { file, offset: 0, format } });
    }
    register(t);
    watchOwner(owner);
    return t.ref;
  } catch (e) {
    throw ioError(e, file, `${fn}: reading`);
  }
}

function erlName(info: Tab2FileInfo, file: string): string {
  const n = atomName(info.name);
  if (n === undefined) throw new TermstoreError('CONVERT_CORRUPT', `${file}: the table name is not an atom`, { details: { file, offset: 8 } });
  return n;
}

function newTable(fn: string, name: string, named: boolean, type: TableType, keypos: number, access: Access, owner: ReturnType<typeof currentProc>['pid']): TableImpl {
  if (named && lookupName(name) !== undefined) fail('ETS_NAME_TAKEN', `${fn}: a named table called ${JSON.stringify(name)} already exists`, { position: 1 });
  return new TableImpl(name, named, type, keypos, access, owner, undefined);
}

/** `ets:tabfile_info/1`: the table options and row count a tab file records, read from its header only. */
export async function tabfileInfo(file: string): Promise<TabfileInfo> {
  const fn = 'ets.tabfileInfo';
  fileArg(fn, file, 1);
  try {
    const format = await detectFormat(file);
    if (format === 'tab') {
      const r = await TabFileReader.open(file);
      await r.close();
      const { headerBytes: _h, fileBytes: _f, ...rest } = r.info;
      return { ...rest, format: 'termstore', extendedInfo: rest.checksum ? ['object_count', 'checksum'] : ['object_count'] };
    }
    if (format === 'erl-tab') {
      const r = await openTab2File(file);
      await r.close();
      const i = r.info;
      return {
        format: 'erlang',
        name: erlName(i, file),
        type: i.type,
        keypos: i.keypos,
        access: i.protection,
        named: i.namedTable,
        version: i.majorVersion,
        size: i.size,
        checksum: i.extendedInfo.includes('md5sum'),
        digest: undefined,
        createdAt: 0,
        writer: 'erlang',
        extendedInfo: [...i.extendedInfo],
      };
    }
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${fn}: ${file} is a ${format} file, not a tab file`, { details: { file, offset: 0, format } });
  } catch (e) {
    throw ioError(e, file, `${fn}: reading`);
  }
}
