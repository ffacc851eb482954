/**
 * Tables in SQLite databases (better-sqlite3), for tools that speak SQL.
 *
 * Schema (see `docs/conversion.md`):
 *
 * ```sql
 * CREATE TABLE termstore_tables (        -- one row per converted table
 *   name TEXT PRIMARY KEY,               -- the termstore table name
 *   sql_table TEXT NOT NULL UNIQUE,      -- the SQLite table holding its rows
 *   type TEXT NOT NULL, keypos INTEGER NOT NULL, access TEXT NOT NULL, named INTEGER NOT NULL,
 *   encoding TEXT NOT NULL,              -- 'termstore-cbor-1'
 *   row_count INTEGER NOT NULL, created_at TEXT NOT NULL);
 * CREATE TABLE "<sql_table>" (
 *   seq INTEGER PRIMARY KEY,             -- table order (a bag's rows of one key stay in order)
 *   key BLOB NOT NULL,                   -- the key: one CBOR item, as in tab files
 *   object BLOB NOT NULL,                -- the row: one CBOR array, as in tab files (what is read back)
 *   crc INTEGER NOT NULL,                -- CRC-32 of object
 *   json TEXT NOT NULL);                 -- the row in tagged JSON, for SQL (json_extract); not read back
 * ```
 *
 * Writing goes to a temporary database (no journal: the file is not visible
 * until it is complete) in transactions of 100 000 rows, which is fsynced
 * and renamed into place. Reading streams the rows in `seq` order, checks
 * each `crc`, and with `verify` runs `PRAGMA quick_check` first and checks
 * `row_count`.
 *
 * A database is input like any file, so reading trusts nothing in its
 * schema: it is opened read-only with `trusted_schema` off (no SQL function
 * with side effects runs from the schema), and rows come only from real
 * tables: `termstore_tables` and the table it names must be ordinary tables
 * in `sqlite_master` (not a view, e.g. a recursive one that yields rows
 * forever, nor a virtual table) whose `seq`, `object` and `crc` columns are
 * stored, not generated. Anything else is `CONVERT_CORRUPT`.
 *
 * @module
 */
import Database from 'better-sqlite3';
import { rm, stat } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { createCodec } from '../../dets/codec.js';
import { crc32 } from '../../dets/crc32.js';
import { TermstoreError } from '../../errors.js';
import { AtomicFile, installFile, ioError, refuseExisting } from '../../io/atomic-file.js';
import { removeStaleTemps } from '../../io/temp-files.js';
import { toTaggedJson } from '../tagged-json.js';
import type { ConvRow, RowSink, RowSource, SinkOptions, SourceOptions, TableMeta, TermsMode } from '../types.js';
import { fromWireX, rowToWire, toWireX } from '../wire.js';
import { checkRow, corrupt } from './stream-io.js';

const ENCODING = 'termstore-cbor-1';
const TX_ROWS = 100_000;
const TYPES: ReadonlySet<string> = new Set(['set', 'ordered_set', 'bag', 'duplicate_bag']);
const ACCESS: ReadonlySet<string> = new Set(['public', 'protected', 'private']);

function quote(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

/** Maps a better-sqlite3 error to a `TermstoreError` (`position`: the row being written, if any). */
function sqliteError(e: unknown, file: string, position?: number): unknown {
  if (e instanceof TermstoreError) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const io = code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_FULL' || code === 'SQLITE_READONLY';
    // A value over SQLite's length limit: the row cannot be held, the file is not at fault.
    const kind = code === 'SQLITE_TOOBIG' ? 'CONVERT_UNSUPPORTED_TERM' : io ? 'CONVERT_IO' : 'CONVERT_CORRUPT';
    const row = position === undefined ? '' : `row ${position}: `;
    const details = position === undefined ? { file, sqlite: code } : { file, sqlite: code, position };
    return new TermstoreError(kind, `${file}: ${row}SQLite: ${(e as Error).message} (${code})`, { details, cause: e });
  }
  return ioError(e, file, 'SQLite');
}

/**
 * Refuses `name` unless it is an ordinary table of the database whose
 * `columns` are stored columns: not a view, not a virtual table, not a
 * generated column (see the module docs).
 */
function checkRealTable(db: Database.Database, file: string, name: string, columns: readonly string[]): void {
  const where = { file, table: name };
  const entry = db.prepare('SELECT type, sql FROM sqlite_master WHERE name = ? COLLATE NOCASE').get(name) as { type: string; sql: string | null } | undefined;
  if (entry === undefined) {
    throw new TermstoreError('CONVERT_CORRUPT', `${file}: the table ${JSON.stringify(name)} that termstore_tables names does not exist`, { details: { ...where, reason: 'missing-table' } });
  }
  if (entry.type !== 'table' || /^\s*create\s+virtual\b/i.test(entry.sql ?? '')) {
    const what = entry.type === 'table' ? 'a virtual table' : `a ${entry.type}`;
    throw new TermstoreError('CONVERT_CORRUPT', `${file}: ${JSON.stringify(name)} is ${what}, not a table (rows are read from tables only)`, { details: { ...where, reason: 'not-a-table' } });
  }
  // table_xinfo's `hidden`: 0 stored, 1 hidden (virtual tables), 2/3 generated.
  const cols = db.prepare(`SELECT name, hidden FROM pragma_table_xinfo(?)`).all(name) as Array<{ name: string; hidden: number }>;
  for (const c of columns) {
    const col = cols.find((x) => x.name.toLowerCase() === c);
    if (col === undefined || col.hidden !== 0) {
      throw new TermstoreError('CONVERT_CORRUPT', `${file}: table ${JSON.stringify(name)} has no stored column ${c}`, { details: { ...where, reason: 'columns', column: c } });
    }
  }
}

/**
 * Checks the 100-byte SQLite header against the file size, so a truncated
 * database is refused with an offset before SQLite reads past its end.
 */
async function checkHeader(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const h = Buffer.alloc(100);
    const { bytesRead } = await fh.read(h, 0, 100, 0);
    if (bytesRead < 100 || !h.subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1'))) {
      throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file} is not a SQLite database`, { details: { file, offset: 0 } });
    }
    const raw = h.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(file, 16, `invalid SQLite page size ${raw}`);
    if (size % pageSize !== 0) throw corrupt(file, size - (size % pageSize), `the file size ${size} is not a multiple of the page size ${pageSize} (truncated?)`, { reason: 'truncated' });
    const legacy = h[18] === 1 && h[19] === 1;
    const pages = h.readUInt32BE(28);
    if (legacy && pages > 0 && h.readUInt32BE(92) === h.readUInt32BE(24) && pages * pageSize > size) {
      throw corrupt(file, size, `the header records ${pages} pages of ${pageSize} bytes, the file has ${size} bytes (truncated)`, { reason: 'truncated' });
    }
  } finally {
    await fh.close();
  }
}

interface MetaRow {
  name: string;
  sql_table: string;
  type: string;
  keypos: number;
  access: string;
  named: number;
  encoding: string;
  row_count: number;
}

/** Opens a table of a SQLite database written by termstore. */
export async function openSqlite(file: string, options: SourceOptions = {}): Promise<RowSource> {
  try {
    await checkHeader(file);
  } catch (e) {
    throw ioError(e, file, 'opening');
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    // The schema is input: no function with side effects may run from it (views, triggers, defaults).
    db.pragma('trusted_schema = OFF');
    if (options.verify !== false) {
      const r = db.pragma('quick_check', { simple: true });
      if (r !== 'ok') throw new TermstoreError('CONVERT_CORRUPT', `${file}: SQLite quick_check: ${String(r)}`, { details: { file, reason: 'quick_check' } });
    }
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'termstore_tables'").get();
    if (has === undefined) {
      throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file}: a SQLite database without a termstore_tables table (not written by termstore)`, { details: { file, offset: 0 } });
    }
    checkRealTable(db, file, 'termstore_tables', ['name', 'sql_table']);
    const metas = db.prepare('SELECT name, sql_table, type, keypos, access, named, encoding, row_count FROM termstore_tables ORDER BY name').all() as MetaRow[];
    let m: MetaRow | undefined;
    if (options.table !== undefined) m = metas.find((x) => x.name === options.table);
    else if (metas.length === 1) m = metas[0];
    if (m === undefined) {
      const names = metas.map((x) => JSON.stringify(x.name)).join(', ');
      throw new TermstoreError('CONVERT_BADARG', `${file}: ${options.table === undefined ? `holds ${metas.length} tables` : `has no table ${JSON.stringify(options.table)}`}; choose one with table / --table (${names || 'none'})`, {
        details: { file, option: 'table', tables: metas.map((x) => x.name) },
      });
    }
    if (m.encoding !== ENCODING) throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file}: table ${m.name} uses encoding ${m.encoding}`, { details: { file, offset: 0 } });
    if (!TYPES.has(m.type) || !ACCESS.has(m.access) || !Number.isInteger(m.keypos) || m.keypos < 1 || typeof m.sql_table !== 'string') {
      throw new TermstoreError('CONVERT_CORRUPT', `${file}: the termstore_tables row of ${m.name} is invalid`, { details: { file, table: m.name } });
    }
    checkRealTable(db, file, m.sql_table, ['seq', 'object', 'crc']);
    const meta: TableMeta = { type: m.type as TableMeta['type'], keypos: m.keypos, name: m.name, access: m.access as TableMeta['access'], named: m.named === 1 };
    const size = (await stat(file)).size;
    return new SqliteSource(db, file, size, meta, m, options.terms ?? 'exact', options.batchSize ?? 1000, options.verify !== false);
  } catch (e) {
    db?.close();
    throw sqliteError(e, file);
  }
}

class SqliteSource implements RowSource {
  readonly format = 'sqlite' as const;
  readonly expectedRows: number;
  readonly details: Record<string, unknown>;
  private read = 0;

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly fileBytes: number,
    readonly meta: TableMeta,
    private readonly m: MetaRow,
    private readonly terms: TermsMode,
    private readonly batchSize: number,
    private readonly verify: boolean,
  ) {
    this.expectedRows = m.row_count;
    this.details = { sqlTable: m.sql_table, tables: (db.prepare('SELECT name FROM termstore_tables ORDER BY name').all() as Array<{ name: string }>).map((x) => x.name) };
  }

  bytesRead(): number {
    return this.expectedRows === 0 ? this.fileBytes : Math.floor((this.read / this.expectedRows) * this.fileBytes);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConvRow[]> {
    const { file, meta } = this;
    const codec = createCodec();
    let it: IterableIterator<{ seq: number; object: Buffer; crc: number }> | undefined;
    try {
      try {
        it = this.db.prepare(`SELECT seq, object, crc FROM ${quote(this.m.sql_table)} ORDER BY seq`).iterate() as IterableIterator<{ seq: number; object: Buffer; crc: number }>;
      } catch (e) {
        throw sqliteError(e, file);
      }
      let batch: ConvRow[] = [];
      for (;;) {
        let next: IteratorResult<{ seq: number; object: Buffer; crc: number }>;
        try {
          next = it.next();
        } catch (e) {
          throw sqliteError(e, file);
        }
        if (next.done === true) break;
        const { seq, object, crc } = next.value;
        const where = { file, table: meta.name, seq };
        if (!(object instanceof Uint8Array) || crc32(object) !== crc) {
          throw new TermstoreError('CONVERT_CORRUPT', `${file}: table ${meta.name}, row seq ${seq}: the object does not match its crc`, { details: where });
        }
        let v: unknown;
        try {
          v = fromWireX(codec.decode(object));
        } catch (e) {
          throw new TermstoreError('CONVERT_CORRUPT', `${file}: table ${meta.name}, row seq ${seq}: the object does not decode (${(e as Error).message})`, { details: where });
        }
        batch.push(checkRow(v, meta.keypos, this.terms, { row: this.read, offset: -1, file }));
        this.read++;
        if (batch.length >= this.batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      if (this.verify && this.read !== this.m.row_count) {
        throw new TermstoreError('CONVERT_CORRUPT', `${file}: table ${meta.name} has ${this.read} rows, termstore_tables records ${this.m.row_count}`, { details: { file, table: meta.name, reason: 'count' } });
      }
    } finally {
      try {
        it?.return?.();
      } catch {
        // the statement is finished either way
      }
      if (this.db.open) this.db.close();
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** The SQLite table name for a termstore table name. */
function sqlTableFor(name: string): string {
  return name === '' || /^sqlite_/i.test(name) || name.toLowerCase() === 'termstore_tables' ? `t_${name}` : name;
}

/** Creates a SQLite sink: a new database holding one table (plus `termstore_tables`). */
export async function createSqliteSink(path: string, meta: TableMeta, options: SinkOptions = {}): Promise<RowSink> {
  await removeStaleTemps(path);
  if (options.force !== true) await refuseExisting(path);
  const tmp = AtomicFile.tempName(path);
  const name = options.table ?? meta.name;
  const sqlTable = sqlTableFor(name);
  let db: Database.Database;
  try {
    db = new Database(tmp);
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('page_size = 16384');
    db.exec(`CREATE TABLE termstore_tables (
      name TEXT PRIMARY KEY, sql_table TEXT NOT NULL UNIQUE, type TEXT NOT NULL, keypos INTEGER NOT NULL,
      access TEXT NOT NULL, named INTEGER NOT NULL, encoding TEXT NOT NULL, row_count INTEGER NOT NULL, created_at TEXT NOT NULL);
      CREATE TABLE ${quote(sqlTable)} (seq INTEGER PRIMARY KEY, key BLOB NOT NULL, object BLOB NOT NULL, crc INTEGER NOT NULL, json TEXT NOT NULL);`);
    db.exec('BEGIN');
  } catch (e) {
    await rm(tmp, { force: true });
    throw sqliteError(e, path);
  }
  const codec = createCodec();
  const insert = db.prepare(`INSERT INTO ${quote(sqlTable)} (seq, key, object, crc, json) VALUES (?, ?, ?, ?, ?)`);
  const k = meta.keypos - 1;
  let rows = 0;
  let inTx = 0;
  const abort = async (): Promise<void> => {
    if (db.open) db.close();
    await rm(tmp, { force: true });
  };
  return {
    format: 'sqlite',
    exact: true,
    async write(batch: readonly ConvRow[]): Promise<void> {
      try {
        for (const row of batch) {
          let key: Buffer;
          let object: Buffer;
          let json: string;
          try {
            key = codec.encode(toWireX(row[k]));
            object = codec.encode(rowToWire(row));
            json = JSON.stringify(toTaggedJson(Array.from(row)));
          } catch (e) {
            throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${rows}: ${(e as Error).message}`, { details: { position: rows }, cause: e });
          }
          try {
            insert.run(rows, key, object, crc32(object), json);
          } catch (e) {
            throw sqliteError(e, path, rows);
          }
          rows++;
          if (++inTx >= TX_ROWS) {
            db.exec('COMMIT; BEGIN');
            inTx = 0;
          }
        }
      } catch (e) {
        throw sqliteError(e, path);
      }
    },
    async finish() {
      try {
        db.prepare('INSERT INTO termstore_tables VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
          name,
          sqlTable,
          meta.type,
          meta.keypos,
          meta.access,
          meta.named ? 1 : 0,
          ENCODING,
          rows,
          new Date().toISOString(),
        );
        db.exec('COMMIT');
        db.close();
        await installFile(tmp, path, { force: options.force === true, syncFile: options.sync !== false, syncDir: options.sync !== false });
      } catch (e) {
        await abort();
        throw sqliteError(e, path);
      }
      return { bytes: (await stat(path)).size };
    },
    abort,
  };
}
