/**
 * Files written by `ets:tab2file/2,3` and read by `ets:file2tab/1,2`.
 *
 * The file is a `disk_log` halt log (see `disk-log.ts`) whose items are, in order:
 *
 * 1. the header: one tuple of `{Key, Value}` pairs, `ets:info(Tab)` plus
 *    `{major_version, 1}`, `{minor_version, 0}`, `{extended_info, L}` where
 *    `L` lists `object_count` and/or `md5sum`. `file2tab` requires `name`,
 *    `type`, `protection`, `named_table`, `keypos`, `size`, and uses
 *    `compressed`, `read_concurrency`, `write_concurrency` when present;
 * 2. one item per object (a tuple), in `ets:select/3` order;
 * 3. with extended info only: `['$end_of_table', [{count, N}, {md5, Digest}]]`
 *    (`count` with `object_count`, `md5` with `md5sum`), where `Digest` is the
 *    MD5 of the header item's bytes followed by every object item's bytes.
 *
 * Reading checks, with `verify` (default on): the MD5 and the count of the
 * trailer when the header announces them, else that the number of objects
 * equals the header's `size` (as `file2tab(F, [{verify, true}])` does).
 *
 * Writing produces a file `ets:file2tab/1,2` loads (OTP 25 tested), written
 * to a temporary file, fsynced and renamed into place.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { TermstoreError } from '../errors.js';
import { Tuple, atomName, type Term } from '../term/index.js';
import { DiskLogReader, logHead, logItem } from './disk-log.js';
import { decodeExternal, inflateBudget } from './etf-decode.js';
import { EtfEncoder } from './etf-encode.js';
import type { ErlTerm } from './terms.js';
import type { DecodeOptions } from './etf-tags.js';
import { FileSink, FileSource, writeFileAtomically, type OutputFileOptions } from '../io/file-io.js';

/** An ETS table type. */
export type EtsTableType = 'set' | 'ordered_set' | 'bag' | 'duplicate_bag';
/** An ETS access mode. */
export type EtsProtection = 'public' | 'protected' | 'private';
/** An `extended_info` item of `ets:tab2file/3`. */
export type Tab2FileExtendedInfo = 'object_count' | 'md5sum';

/** The header of a tab2file file (what `ets:tabfile_info/1` reports, and more). */
export interface Tab2FileInfo {
  /** The table name (an atom for tables made by ETS: a symbol, or a boolean/`null`/`undefined` atom). */
  name: ErlTerm;
  type: EtsTableType;
  protection: EtsProtection;
  namedTable: boolean;
  /** 1-based key position. */
  keypos: number;
  /** Number of objects when the table was dumped. */
  size: number;
  /** The ETS `compressed` option (false when absent). */
  compressed: boolean;
  /** Format version; files of major version above 1 are refused. */
  majorVersion: number;
  minorVersion: number;
  extendedInfo: Tab2FileExtendedInfo[];
  /** True unless the log was left open (a crash during `tab2file`). */
  closedProperly: boolean;
  /** Every `{Key, Value}` pair of the header in file order, keyed by atom name (includes `id`, `owner`, `memory`, ...). */
  header: Array<[string, ErlTerm]>;
}

/** Options of {@link openTab2File} and {@link readTab2File}. */
export interface ReadTab2FileOptions extends DecodeOptions {
  /** Objects per batch yielded by the reader (default 1000). */
  batchSize?: number;
  /** Check the MD5 / object count (see the module docs). Default `true`. */
  verify?: boolean;
  /** For a log not closed properly, read the intact objects and stop at a torn last item (default `false`: refuse). */
  repair?: boolean;
}

/** What a finished read found beyond the objects. */
export interface Tab2FileSummary {
  /** Objects read. */
  objectCount: number;
  /** The trailer's `{count, N}`, if any. */
  trailerCount: number | undefined;
  /** True if an MD5 was present and matched (with `verify`); `undefined` if there was none or it was not checked. */
  md5Verified: boolean | undefined;
  /** Offset of a torn last item skipped by `repair`. */
  tornTailAt: number | undefined;
}

const TYPES: readonly string[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
const PROTECTIONS: readonly string[] = ['public', 'protected', 'private'];
const END_OF_TABLE = '$end_of_table';

function corrupt(message: string, offset: number, file: string, extra?: Record<string, unknown>): TermstoreError {
  return new TermstoreError('CONVERT_CORRUPT', `${message} (offset ${offset})`, { details: { offset, file, ...extra } });
}

function unknown(message: string, offset: number, file: string): TermstoreError {
  return new TermstoreError('CONVERT_UNKNOWN_FORMAT', `not an ets:tab2file file: ${message}`, { details: { offset, file } });
}

function parseHeader(t: ErlTerm, offset: number, file: string, closed: boolean): Tab2FileInfo {
  if (!(t instanceof Tuple)) throw unknown('the first item is not a header tuple', offset, file);
  const header: Array<[string, ErlTerm]> = [];
  const get = new Map<string, ErlTerm>();
  for (const item of t as readonly ErlTerm[]) {
    if (item instanceof Tuple && item.length === 2) {
      const k = atomName(item[0]);
      if (k !== undefined) {
        header.push([k, item[1] as ErlTerm]);
        if (!get.has(k)) get.set(k, item[1] as ErlTerm);
      }
    }
  }
  for (const k of ['name', 'type', 'protection', 'named_table', 'keypos', 'size']) {
    if (!get.has(k)) throw unknown(`the header has no '${k}'`, offset, file);
  }
  const type = atomName(get.get('type'));
  const protection = atomName(get.get('protection'));
  const keypos = get.get('keypos');
  const size = get.get('size');
  const named = get.get('named_table');
  if (type === undefined || !TYPES.includes(type)) throw unknown("the header's 'type' is not an ETS table type", offset, file);
  if (protection === undefined || !PROTECTIONS.includes(protection)) throw unknown("the header's 'protection' is invalid", offset, file);
  if (typeof keypos !== 'number' || !Number.isInteger(keypos) || keypos < 1) throw unknown("the header's 'keypos' is invalid", offset, file);
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw unknown("the header's 'size' is invalid", offset, file);
  if (typeof named !== 'boolean') throw unknown("the header's 'named_table' is not a boolean", offset, file);
  const num = (k: string): number => {
    const v = get.get(k);
    return typeof v === 'number' && Number.isInteger(v) ? v : 0;
  };
  const ext = get.get('extended_info');
  const extendedInfo: Tab2FileExtendedInfo[] = [];
  if (Array.isArray(ext)) {
    for (const e of ext as readonly ErlTerm[]) {
      const n = atomName(e);
      if ((n === 'object_count' || n === 'md5sum') && !extendedInfo.includes(n)) extendedInfo.push(n);
    }
  }
  const majorVersion = num('major_version');
  if (majorVersion > 1) {
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `tab2file format version ${majorVersion}.${num('minor_version')} is not supported`, {
      details: { offset, file, version: majorVersion },
    });
  }
  return {
    name: get.get('name') as ErlTerm,
    type: type as EtsTableType,
    protection: protection as EtsProtection,
    namedTable: named,
    keypos,
    size,
    compressed: get.get('compressed') === true,
    majorVersion,
    minorVersion: num('minor_version'),
    extendedInfo,
    closedProperly: closed,
    header,
  };
}

/** True for `['$end_of_table', Info]`. */
function isEndMarker(t: ErlTerm): t is readonly [symbol, readonly ErlTerm[]] {
  return Array.isArray(t) && !(t instanceof Tuple) && t.length === 2 && atomName(t[0]) === END_OF_TABLE;
}

/**
 * A tab2file file opened for reading: `info` is the header; iterate (once)
 * for batches of objects (each a `Tuple`). Verification happens when the
 * iteration reaches the end. Close it if you stop early.
 */
export class Tab2FileReader implements AsyncIterable<ErlTerm[]> {
  /** Filled in as the objects are read; final once the iteration has ended. */
  readonly summary: Tab2FileSummary = { objectCount: 0, trailerCount: undefined, md5Verified: undefined, tornTailAt: undefined };
  private started = false;

  private constructor(
    private readonly src: FileSource,
    private readonly log: DiskLogReader,
    /** The file's header. */
    readonly info: Tab2FileInfo,
    private readonly headerBytes: Uint8Array,
    private readonly options: ReadTab2FileOptions,
  ) {}

  /** @internal Use {@link openTab2File}. */
  static async open(path: string, options: ReadTab2FileOptions = {}): Promise<Tab2FileReader> {
    const batch = options.batchSize ?? 1000;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new TermstoreError('ETS_BADARG', "invalid option 'batchSize'", { details: { option: 'batchSize' } });
    }
    const src = await FileSource.open(path);
    try {
      const log = await DiskLogReader.open(src, options.repair === true);
      const first = await log.next();
      if (first === undefined) {
        if (log.tornTailAt !== undefined) throw corrupt('the header item is torn', log.tornTailAt, path);
        throw unknown('the log holds no header', 8, path);
      }
      const decoded = decodeExternal(first.bytes, { ...options, terms: 'exact' }, { base: first.dataOffset, file: path });
      const info = parseHeader(decoded, first.offset, path, log.closedProperly);
      return new Tab2FileReader(src, log, info, first.bytes, options);
    } catch (e) {
      await src.close();
      throw e;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ErlTerm[]> {
    if (this.started) throw new TermstoreError('ETS_BADARG', 'a Tab2FileReader can be iterated once');
    this.started = true;
    const { info, options, summary } = this;
    const file = this.src.path;
    const verify = options.verify !== false;
    const md5 = verify && info.extendedInfo.includes('md5sum') ? createHash('md5').update(this.headerBytes) : undefined;
    const batchSize = options.batchSize ?? 1000;
    let trailer: readonly ErlTerm[] | undefined;
    let trailerAt = 0;
    let batch: ErlTerm[] = [];
    // What compressed objects may inflate to, per batch (maxInflatedBytes / maxInflatedTerms).
    let budget = inflateBudget(options);
    try {
      for (;;) {
        const item = await this.log.next();
        if (item === undefined) break;
        const t = decodeExternal(item.bytes, options, { base: item.dataOffset, file }, false, budget);
        if (trailer !== undefined) throw corrupt('an item follows the end-of-table record', item.offset, file);
        if (isEndMarker(t)) {
          trailer = t[1];
          trailerAt = item.offset;
          continue;
        }
        if (!(t instanceof Tuple) || t.length < info.keypos) {
          throw corrupt(`object is not a tuple of at least keypos ${info.keypos} elements`, item.offset, file);
        }
        md5?.update(item.bytes);
        summary.objectCount++;
        batch.push(t);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
          budget = inflateBudget(options);
        }
      }
      summary.tornTailAt = this.log.tornTailAt;
      this.finish(trailer, trailerAt, md5, verify);
      if (batch.length > 0) yield batch;
    } finally {
      await this.src.close();
    }
  }

  private finish(trailer: readonly ErlTerm[] | undefined, at: number, md5: ReturnType<typeof createHash> | undefined, verify: boolean): void {
    const { info, summary } = this;
    const file = this.src.path;
    let count: ErlTerm | undefined;
    let digest: ErlTerm | undefined;
    if (trailer !== undefined) {
      if (!Array.isArray(trailer)) throw corrupt('malformed end-of-table record', at, file);
      for (const e of trailer) {
        if (e instanceof Tuple && e.length === 2) {
          if (atomName(e[0]) === 'count' && count === undefined) count = e[1] as ErlTerm;
          if (atomName(e[0]) === 'md5' && digest === undefined) digest = e[1] as ErlTerm;
        }
      }
      if (typeof count === 'number') summary.trailerCount = count;
    }
    if (!verify) return;
    const wantCount = info.extendedInfo.includes('object_count');
    const wantMd5 = info.extendedInfo.includes('md5sum');
    if ((wantCount || wantMd5) && trailer === undefined) {
      throw corrupt('the end-of-table record announced by extended_info is missing (truncated file?)', this.src.size, file);
    }
    if (wantCount && count !== summary.objectCount) {
      throw corrupt(`object count ${summary.objectCount} differs from the recorded ${String(count)}`, at, file, { reason: 'invalid_object_count' });
    }
    if (wantMd5) {
      const got = md5!.digest();
      // A digest that happens to be valid UTF-8 was decoded to a string: compare its UTF-8 bytes.
      const want = typeof digest === 'string' ? Buffer.from(digest, 'utf8') : digest instanceof Uint8Array ? Buffer.from(digest) : undefined;
      if (want === undefined || !want.equals(got)) throw corrupt('MD5 checksum mismatch', at, file, { reason: 'checksum_error' });
      summary.md5Verified = true;
    }
    if (!wantCount && !wantMd5 && summary.objectCount !== info.size && summary.tornTailAt === undefined) {
      throw corrupt(`${summary.objectCount} objects read, the header says ${info.size} (truncated file?)`, this.src.size, file, {
        reason: 'invalid_object_count',
      });
    }
  }

  /** Closes the file (needed only when the iteration was not run to its end). */
  async close(): Promise<void> {
    await this.src.close().catch(() => undefined);
  }
}

/**
 * Opens an `ets:tab2file` file: reads and checks its header, and returns a
 * reader that yields the objects in batches.
 *
 * @example
 * ```ts
 * const r = await openTab2File('users.tab');
 * for await (const rows of r) for (const row of rows) console.log(row);
 * ```
 * @throws TermstoreError `CONVERT_UNKNOWN_FORMAT` (not a disk_log, or no
 *   tab2file header), `CONVERT_CORRUPT` (damage, with `details.offset`);
 *   during iteration, `CONVERT_CORRUPT` for damage and failed verification.
 */
export function openTab2File(path: string, options?: ReadTab2FileOptions): Promise<Tab2FileReader> {
  return Tab2FileReader.open(path, options);
}

/** Reads a whole `ets:tab2file` file into memory; see {@link openTab2File}. */
export async function readTab2File(
  path: string,
  options?: ReadTab2FileOptions,
): Promise<{ info: Tab2FileInfo; rows: ErlTerm[]; summary: Tab2FileSummary }> {
  const r = await openTab2File(path, options);
  const rows: ErlTerm[] = [];
  for await (const batch of r) for (const row of batch) rows.push(row);
  return { info: r.info, rows, summary: r.summary };
}

/** Options of {@link writeTab2File}: the table's properties as `file2tab` will create it. */
export interface WriteTab2FileOptions extends OutputFileOptions {
  /** Table name, written as an atom (default `'termstore'`). */
  name?: string | symbol;
  type?: EtsTableType;
  keypos?: number;
  protection?: EtsProtection;
  namedTable?: boolean;
  /** The ETS `compressed` option of the table `file2tab` creates. */
  compressed?: boolean;
  readConcurrency?: boolean;
  writeConcurrency?: boolean;
  /** Add `{count, N}` and/or an MD5 in an end-of-table record (default none). */
  extendedInfo?: Tab2FileExtendedInfo[];
}

/** A row to write: an array (`Tuple` or plain) of at least `keypos` elements. */
export type Tab2FileRow = readonly ErlTerm[];

/**
 * Writes an `ets:tab2file` file that `ets:file2tab/1,2` loads. Rows are
 * written as tuples, in the order given.
 *
 * @returns the number of objects written.
 * @throws TermstoreError `CONVERT_EXISTS` (file exists, no `force`),
 *   `CONVERT_UNSUPPORTED_TERM` (a row Erlang cannot hold; `details.position`
 *   is the 0-based row index, `details.path` the place inside it).
 */
export async function writeTab2File(
  path: string,
  rows: Iterable<Tab2FileRow> | AsyncIterable<Tab2FileRow>,
  options: WriteTab2FileOptions = {},
): Promise<{ objectCount: number }> {
  const keypos = options.keypos ?? 1;
  const type = options.type ?? 'set';
  const protection = options.protection ?? 'protected';
  const ext = options.extendedInfo ?? [];
  if (!Number.isInteger(keypos) || keypos < 1) throw badArg('keypos');
  if (!TYPES.includes(type)) throw badArg('type');
  if (!PROTECTIONS.includes(protection)) throw badArg('protection');
  if (!Array.isArray(ext) || ext.some((e) => e !== 'object_count' && e !== 'md5sum')) throw badArg('extendedInfo');
  const name = typeof options.name === 'symbol' ? options.name : Symbol.for(options.name ?? 'termstore');
  if (Symbol.keyFor(name) === undefined) throw badArg('name');
  const a = (n: string): symbol => Symbol.for(n);
  const pair = (k: string, v: ErlTerm): Tuple => Tuple.from([a(k), v as Term]) as Tuple;
  const extList: symbol[] = [];
  if (ext.includes('object_count')) extList.push(a('object_count'));
  if (ext.includes('md5sum')) extList.push(a('md5sum'));
  const SIZE_PLACEHOLDER = 0x7ffffffe; // encoded as INTEGER_EXT: 5 fixed bytes, patched at the end
  const header = Tuple.from([
    pair('decentralized_counters', false),
    pair('read_concurrency', options.readConcurrency === true),
    pair('write_concurrency', options.writeConcurrency === true),
    pair('compressed', options.compressed === true),
    pair('name', name),
    pair('size', SIZE_PLACEHOLDER),
    pair('named_table', options.namedTable === true),
    pair('type', a(type)),
    pair('keypos', keypos),
    pair('protection', a(protection)),
    pair('major_version', 1),
    pair('minor_version', 0),
    pair('extended_info', extList),
  ]) as Tuple;
  const enc = new EtfEncoder();
  const headerTerm = enc.encode(header);
  // SMALL_ATOM_UTF8 'size', INTEGER_EXT
  const sizeAt = indexOf(headerTerm, Uint8Array.of(119, 4, 115, 105, 122, 101, 98)) + 7;

  return writeFileAtomically(path, options, async (fh, tmpPath) => {
    const sink = new FileSink(fh);
    await sink.write(logHead());
    const headerItemAt = sink.position;
    await sink.write(logItem(headerTerm));
    let count = 0;
    for await (const row of rows as AsyncIterable<Tab2FileRow>) {
      if (!Array.isArray(row) || row.length < keypos) {
        throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${count} is not an array of at least keypos ${keypos} elements`, {
          details: { position: count },
        });
      }
      let bytes: Uint8Array;
      try {
        bytes = enc.encode(row instanceof Tuple ? row : (Tuple.from(row as Term[]) as Tuple));
      } catch (e) {
        if (e instanceof TermstoreError) {
          throw new TermstoreError(e.code, `row ${count}: ${e.message}`, { details: { ...e.details, position: count }, cause: e });
        }
        throw e;
      }
      await sink.write(logItem(bytes));
      count++;
    }
    if (count > 0x7fffffff) throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', 'more than 2^31-1 objects');
    const sizeBytes = new Uint8Array(4);
    new DataView(sizeBytes.buffer).setInt32(0, count);
    headerTerm.set(sizeBytes, sizeAt);
    await sink.pwrite(sizeBytes, headerItemAt + 8 + (headerTerm.length >= 65528 ? 16 : 0) + sizeAt);
    if (extList.length > 0) {
      const info: Tuple[] = [];
      if (ext.includes('object_count')) info.push(pair('count', count));
      if (ext.includes('md5sum')) {
        await sink.flush();
        info.push(pair('md5', await digestItems(tmpPath)));
      }
      await sink.write(logItem(enc.encode([a(END_OF_TABLE), info])));
    }
    await sink.flush();
    return { objectCount: count };
  });
}

/** MD5 of the header and object items of a tab2file file being written (read back from `tmpPath`). */
async function digestItems(tmpPath: string): Promise<Uint8Array> {
  const md5 = createHash('md5');
  const src = await FileSource.open(tmpPath);
  try {
    const log = await DiskLogReader.open(src, false);
    for (let item = await log.next(); item !== undefined; item = await log.next()) md5.update(item.bytes);
  } finally {
    await src.close();
  }
  return md5.digest();
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('internal: pattern not found');
}

function badArg(option: string): TermstoreError {
  return new TermstoreError('ETS_BADARG', `invalid option '${option}'`, { details: { option } });
}
