/**
 * `convert(input, output)`: a table file in one format to a file in
 * another, streaming batch by batch (at most one batch of rows, plus the
 * buffers of one frame, in memory, for every pair of streaming formats;
 * see `adapters.ts` for the two that are not). Also the read-only
 * operations behind `termstore info`, `verify` and `dump`.
 *
 * Formats are found from the content of the input (magic bytes) and from
 * the extension of the output, unless `from` / `to` say. Rows are read in
 * `'exact'` mode (Erlang integral floats, improper lists and bitstrings kept)
 * unless the output is a termstore dets file, whose rows must be storable:
 * then integral floats become numbers and the others are refused with
 * `CONVERT_UNSUPPORTED_TERM` naming the row. Nothing is ever dropped.
 *
 * @module
 */
import { resolve as resolvePath } from 'node:path';
import { TermstoreError, fail } from '../errors.js';
import type { RecoveryReport } from '../dets/report.js';
import { show } from '../term/types.js';
import { openSink, openSource, sinkIsExact } from './adapters.js';
import { refuseExisting } from '../io/atomic-file.js';
import { detectFormat, formatFromExtension, formatName } from './detect.js';
import { lossesOf, type DataLoss } from './losses.js';
import type { ConvertProgress, FormatName, RowSource, SourceOptions, TableMeta, TermsMode } from './types.js';

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** Input format (default: detected from the content). */
  from?: FormatName;
  /** Output format (default: from the output's extension). */
  to?: FormatName;
  /** Replace an existing output file (default: `CONVERT_EXISTS`). */
  force?: boolean;
  /** fsync the output and its directory before resolving (default `true`). */
  sync?: boolean;
  /** SQLite: the table to read from a database holding several; the table name to write. */
  table?: string;
  /** Output `tab`: also record a SHA-256 digest of the rows. */
  checksum?: boolean;
  /** Check the checksums and counts the input records (default `true`). */
  verify?: boolean;
  /** Rows per batch where the input format does not batch by itself (default 1000). */
  batchSize?: number;
  /** OTP input: total bytes compressed terms may inflate to per batch (default 256 MiB); past it, `CONVERT_LIMIT`. */
  maxInflatedBytes?: number;
  /** OTP input: total terms decoded from compressed terms per batch (default 1 000 000); past it, `CONVERT_LIMIT`. */
  maxInflatedTerms?: number;
  /** Called after each batch. */
  onProgress?: (p: ConvertProgress) => void;
  /**
   * The input is a damaged termstore dets file: write every intact row to
   * the output instead of refusing it, and report exactly what was lost
   * (`recovered`). The input is only read, never written.
   */
  salvage?: boolean;
}

/** What {@link convert} did. */
export interface ConvertResult {
  input: string;
  output: string;
  from: FormatName;
  to: FormatName;
  /** The table options carried over. */
  meta: TableMeta;
  rows: number;
  bytesRead: number;
  bytesWritten: number;
  seconds: number;
  /** Anything the output could not keep as it was (e.g. an ordered_set written to DETS as a set). */
  notes: string[];
  /**
   * Data of the input that was not read (and so is not in the output): a
   * dets file's torn last write, dropped as opening it does, and (with
   * `salvage`) its damaged ranges. Empty when nothing was lost.
   */
  losses: DataLoss[];
  /** A termstore dets input: what reading it found, and exactly which rows and writes damage cost (`recovered.lost`). */
  recovered?: RecoveryReport;
}

const CONVERT_KEYS = ['from', 'to', 'force', 'sync', 'table', 'checksum', 'verify', 'batchSize', 'maxInflatedBytes', 'maxInflatedTerms', 'onProgress', 'salvage'];
const LIMIT_KEYS = ['maxInflatedBytes', 'maxInflatedTerms'];

function optionsIn(fn: string, o: unknown, known: readonly string[]): Record<string, unknown> {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) fail('CONVERT_BADARG', `${fn}: options must be an object, got ${show(o)}`, { position: 3 });
  for (const k of Object.keys(o)) if (!known.includes(k)) fail('CONVERT_BADARG', `${fn}: unknown option ${JSON.stringify(k)}`, { option: k });
  const r = o as Record<string, unknown>;
  for (const k of ['force', 'sync', 'checksum', 'verify', 'salvage']) {
    if (r[k] !== undefined && typeof r[k] !== 'boolean') fail('CONVERT_BADARG', `${fn}: option ${k} must be a boolean, got ${show(r[k])}`, { option: k });
  }
  if (r.table !== undefined && typeof r.table !== 'string') fail('CONVERT_BADARG', `${fn}: option table must be a string, got ${show(r.table)}`, { option: 'table' });
  if (r.batchSize !== undefined && (typeof r.batchSize !== 'number' || !Number.isInteger(r.batchSize) || r.batchSize < 1)) {
    fail('CONVERT_BADARG', `${fn}: option batchSize must be an integer >= 1, got ${show(r.batchSize)}`, { option: 'batchSize' });
  }
  for (const k of LIMIT_KEYS) {
    const v = r[k];
    if (v !== undefined && v !== Infinity && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
      fail('CONVERT_BADARG', `${fn}: option ${k} must be an integer >= 0 or Infinity, got ${show(v)}`, { option: k });
    }
  }
  if (r.onProgress !== undefined && typeof r.onProgress !== 'function') fail('CONVERT_BADARG', `${fn}: option onProgress must be a function`, { option: 'onProgress' });
  return r;
}

function pathIn(fn: string, p: unknown, what: string, position: number): string {
  if (typeof p !== 'string' || p === '') fail('CONVERT_BADARG', `${fn}: the ${what} must be a non-empty path, got ${show(p)} (argument ${position})`, { position });
  return p;
}

/**
 * Converts the table file `input` into `output`. Resolves once the output
 * is complete and in place (written to a temporary file, fsynced, renamed);
 * on failure nothing is left under `output`.
 *
 * @throws TermstoreError `CONVERT_EXISTS` (output exists, no `force`),
 *   `CONVERT_UNKNOWN_FORMAT` (input in no known format, or not the one
 *   given), `CONVERT_CORRUPT` (damaged or truncated input; `details.offset`),
 *   `CONVERT_UNSUPPORTED_TERM` (a row the output cannot hold;
 *   `details.position`), `CONVERT_IO`, `CONVERT_BADARG` (a wrong argument or option).
 */
export async function convert(input: string, output: string, options?: ConvertOptions): Promise<ConvertResult> {
  const fn = 'convert';
  pathIn(fn, input, 'input', 1);
  pathIn(fn, output, 'output', 2);
  const o = optionsIn(fn, options, CONVERT_KEYS) as ConvertOptions;
  if (resolvePath(input) === resolvePath(output)) fail('CONVERT_BADARG', `${fn}: the input and the output are the same file`, { position: 2 });
  const to = o.to !== undefined ? formatName(o.to, 'to') : formatFromExtension(output);
  if (to === undefined) fail('CONVERT_BADARG', `${fn}: cannot tell the output format from the name ${output}; give to (--to)`, { option: 'to' });
  if (o.force !== true) await refuseExisting(output);
  const from = o.from !== undefined ? formatName(o.from, 'from') : await detectFormat(input);
  if (o.salvage === true && from !== 'dets') {
    fail('CONVERT_UNKNOWN_FORMAT', `${fn}: salvage reads termstore dets files; ${input} is ${from}`, { option: 'salvage', format: from });
  }
  const t0 = performance.now();
  const terms: TermsMode = sinkIsExact(to) ? 'exact' : 'storable';
  const source = await openSource(input, from, {
    terms,
    verify: o.verify !== false,
    batchSize: o.batchSize,
    table: o.table,
    salvage: o.salvage === true,
    onReplay: replayProgress(o.onProgress),
    maxInflatedBytes: o.maxInflatedBytes,
    maxInflatedTerms: o.maxInflatedTerms,
  });
  let rows = 0;
  let finished: { bytes: number; notes?: string[] };
  try {
    const sink = await openSink(output, to, source.meta, { force: o.force === true, sync: o.sync !== false, table: o.table, checksum: o.checksum === true });
    try {
      for await (const batch of source) {
        await sink.write(batch);
        rows += batch.length;
        o.onProgress?.({ phase: 'rows', rows, bytesRead: source.bytesRead(), totalBytes: source.fileBytes, expectedRows: source.expectedRows });
      }
      finished = await sink.finish();
    } catch (e) {
      await sink.abort();
      throw e;
    }
  } finally {
    await source.close();
  }
  const recovered = source.details.recovered as RecoveryReport | undefined;
  return {
    input,
    output,
    from,
    to,
    meta: source.meta,
    rows,
    bytesRead: source.fileBytes,
    bytesWritten: finished.bytes,
    seconds: (performance.now() - t0) / 1000,
    notes: finished.notes ?? [],
    losses: lossesOf(source.details),
    ...(recovered !== undefined ? { recovered } : {}),
  };
}

/** The `onReplay` of a source, reporting to an `onProgress` as the `'replay'` phase. */
function replayProgress(onProgress: ((p: ConvertProgress) => void) | undefined): SourceOptions['onReplay'] {
  if (onProgress === undefined) return undefined;
  return (bytesRead, totalBytes) => onProgress({ phase: 'replay', rows: 0, bytesRead, totalBytes, expectedRows: undefined });
}

/** Options of {@link openTableFile}. */
export interface OpenTableFileOptions extends SourceOptions {
  /** The format (default: detected from the content). */
  from?: FormatName;
}

/**
 * Opens a table file of any format for reading: `meta` is its table
 * options; iterate (once) for its rows in batches, and `close` if you stop
 * early. Rows are in `'exact'` mode unless `terms: 'storable'`.
 *
 * @example
 * ```ts
 * const src = await openTableFile('users.tab');          // an OTP ets:tab2file file
 * for await (const rows of src) for (const row of rows) console.log(row);
 * ```
 */
export async function openTableFile(file: string, options?: OpenTableFileOptions): Promise<RowSource> {
  const fn = 'openTableFile';
  pathIn(fn, file, 'file', 1);
  const o = optionsIn(fn, options, ['from', 'terms', 'verify', 'batchSize', 'table', 'onReplay', ...LIMIT_KEYS]) as OpenTableFileOptions;
  if (o.onReplay !== undefined && typeof o.onReplay !== 'function') fail('CONVERT_BADARG', `${fn}: option onReplay must be a function`, { option: 'onReplay' });
  if (o.terms !== undefined && o.terms !== 'exact' && o.terms !== 'storable') fail('CONVERT_BADARG', `${fn}: option terms must be 'exact' or 'storable'`, { option: 'terms' });
  const from = o.from !== undefined ? formatName(o.from, 'from') : await detectFormat(file);
  return openSource(file, from, o);
}

/** What {@link inspectFile} reports. */
export interface FileInfo {
  file: string;
  format: FormatName;
  meta: TableMeta;
  /** Rows the file says it holds, when it says (read from headers, not counted). */
  rows: number | undefined;
  fileBytes: number;
  /** Format-specific facts (version, checksum, ...). */
  details: Record<string, unknown>;
}

/** The format, table options and row count of a table file, from its header (a termstore dets file is replayed). */
export async function inspectFile(file: string, options?: { from?: FormatName; table?: string }): Promise<FileInfo> {
  const fn = 'inspectFile';
  pathIn(fn, file, 'file', 1);
  const o = optionsIn(fn, options, ['from', 'table']) as { from?: FormatName; table?: string };
  const from = o.from !== undefined ? formatName(o.from, 'from') : await detectFormat(file);
  const s = await openSource(file, from, { table: o.table, verify: false });
  await s.close();
  return { file, format: from, meta: s.meta, rows: s.expectedRows, fileBytes: s.fileBytes, details: s.details };
}

/** What {@link verifyFile} found. */
export interface VerifyResult extends FileInfo {
  /** Rows read (and checked). */
  rowsRead: number;
  seconds: number;
  /** Things that are not damage but worth knowing (e.g. an Erlang file that was not closed properly). */
  warnings: string[];
  /** Data that could not be read: a dets file's torn last write (dropped when it is opened). Empty when nothing was lost. */
  losses: DataLoss[];
}

/** Options of {@link verifyFile}. */
export interface VerifyFileOptions {
  /** The format (default: detected from the content). */
  from?: FormatName;
  /** SQLite: the table to read. */
  table?: string;
  /** OTP files: see {@link ConvertOptions.maxInflatedBytes}. */
  maxInflatedBytes?: number;
  /** OTP files: see {@link ConvertOptions.maxInflatedTerms}. */
  maxInflatedTerms?: number;
  /** Called after each batch. */
  onProgress?: (p: ConvertProgress) => void;
}

/**
 * Reads a whole table file, checking everything its format allows
 * (checksums, counts, structure). Resolves with what it found; rejects with
 * `CONVERT_CORRUPT` (and `details.offset`) at the first damage.
 */
export async function verifyFile(file: string, options?: VerifyFileOptions): Promise<VerifyResult> {
  const fn = 'verifyFile';
  pathIn(fn, file, 'file', 1);
  const o = optionsIn(fn, options, ['from', 'table', 'onProgress', ...LIMIT_KEYS]) as VerifyFileOptions;
  const from = o.from !== undefined ? formatName(o.from, 'from') : await detectFormat(file);
  const t0 = performance.now();
  const s = await openSource(file, from, { table: o.table, verify: true, onReplay: replayProgress(o.onProgress), maxInflatedBytes: o.maxInflatedBytes, maxInflatedTerms: o.maxInflatedTerms });
  let rows = 0;
  try {
    for await (const batch of s) {
      rows += batch.length;
      o.onProgress?.({ phase: 'rows', rows, bytesRead: s.bytesRead(), totalBytes: s.fileBytes, expectedRows: s.expectedRows });
    }
  } finally {
    await s.close();
  }
  const warnings: string[] = [];
  const d = s.details;
  if (d.closedProperly === false) warnings.push('the file was not closed properly');
  if (s.expectedRows !== undefined && s.expectedRows !== rows) {
    throw new TermstoreError('CONVERT_CORRUPT', `${file}: ${rows} rows read, the file records ${s.expectedRows}`, { details: { file, offset: s.fileBytes, reason: 'count' } });
  }
  return { file, format: from, meta: s.meta, rows: s.expectedRows, fileBytes: s.fileBytes, details: d, rowsRead: rows, seconds: (performance.now() - t0) / 1000, warnings, losses: lossesOf(d) };
}
