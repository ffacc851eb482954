/**
 * Types shared by the conversion layer: table options carried between
 * formats, the row source and sink contracts, and progress reports.
 *
 * A conversion is `source → sink`: a source is an async iterable of row
 * batches plus the table's options; a sink takes batches and, at the end,
 * makes its output appear atomically (temp file, fsync, rename) or leaves
 * nothing behind.
 *
 * @module
 */
import type { TableType } from '../engines/types.js';
import type { Access } from '../ets/table.js';
import type { ErlTerm } from '../erlang/terms.js';

/** The file formats `convert` reads and writes. */
export type FormatName = 'dets' | 'tab' | 'erl-tab' | 'erl-dets' | 'sqlite' | 'jsonl' | 'cbor-seq' | 'shared';

/** Every {@link FormatName}, in the order `detect` tries their magic bytes. */
export const FORMAT_NAMES: readonly FormatName[] = ['dets', 'tab', 'erl-tab', 'erl-dets', 'sqlite', 'cbor-seq', 'jsonl', 'shared'];

/** The table options a file records (or that are assumed for formats that record none). */
export interface TableMeta {
  type: TableType;
  /** 1-based key position. */
  keypos: number;
  /** Table name (atoms are given by name). */
  name: string;
  access: Access;
  named: boolean;
}

/** A row as the conversion layer passes it: an array whose element `keypos - 1` is the key. */
export type ConvRow = readonly ErlTerm[];

/**
 * How Erlang-only values (integral floats, improper lists, bitstrings) are
 * returned by a source: `'exact'` keeps them as `ErlFloat` &c. (for sinks
 * that can hold them), `'storable'` makes rows insertable into tables
 * (floats become numbers; the others are refused with
 * `CONVERT_UNSUPPORTED_TERM`).
 */
export type TermsMode = 'exact' | 'storable';

/** Options every source opener takes. */
export interface SourceOptions {
  terms?: TermsMode;
  /** Check checksums and counts that a format records but that cost a pass to check (default `true`). */
  verify?: boolean;
  /** Rows per batch, where the format does not batch by itself (default 1000). */
  batchSize?: number;
  /** SQLite: which table to read (default: the only one). */
  table?: string;
  /**
   * A damaged termstore dets file: read every intact row instead of
   * refusing it (the loss is in `details.recovered`). Never writes to it.
   */
  salvage?: boolean;
  /**
   * Called while a termstore dets file's journal is replayed, which happens
   * before its first batch: how many of the file's bytes the replay has read.
   */
  onReplay?: (bytesRead: number, totalBytes: number) => void;
  /** OTP files: total bytes compressed terms may inflate to per batch (default 256 MiB; see `DecodeOptions`). */
  maxInflatedBytes?: number;
  /** OTP files: total terms decoded from compressed terms per batch (default 1 000 000; see `DecodeOptions`). */
  maxInflatedTerms?: number;
}

/** A file being read: its table options and its rows in batches. Iterate once; `close` if you stop early. */
export interface RowSource extends AsyncIterable<ConvRow[]> {
  readonly format: FormatName;
  readonly file: string;
  readonly meta: TableMeta;
  /** Rows the file says it holds, when it says so before being read. */
  readonly expectedRows: number | undefined;
  /** Size of the file in bytes. */
  readonly fileBytes: number;
  /** Bytes consumed so far (for progress; approximate for some formats). */
  bytesRead(): number;
  /** Format-specific facts (for `termstore info`). */
  readonly details: Record<string, unknown>;
  close(): Promise<void>;
}

/** Options every sink opener takes. */
export interface SinkOptions {
  /** Replace an existing output file (default: `CONVERT_EXISTS`). */
  force?: boolean;
  /** fsync the output file and its directory (default `true`). */
  sync?: boolean;
  /** SQLite: the name of the table to write (default: the table name). */
  table?: string;
  /** tab files: record a SHA-256 digest of the rows (default `false`). */
  checksum?: boolean;
}

/** An output file being written. */
export interface RowSink {
  readonly format: FormatName;
  /** Whether rows may hold Erlang-only values (else the pipeline reads in `'storable'` mode). */
  readonly exact: boolean;
  write(rows: readonly ConvRow[]): Promise<void>;
  /** Makes the output appear; returns its size in bytes. */
  finish(): Promise<{ bytes: number; notes?: string[] }>;
  /** Removes everything written; the target is untouched. */
  abort(): Promise<void>;
}

/** Progress of a conversion, reported after each batch (and during a dets file's journal replay). */
export interface ConvertProgress {
  /** `'replay'`: a termstore dets input's journal is being replayed (no rows yet); `'rows'` (or absent): rows are being converted. */
  phase?: 'replay' | 'rows';
  rows: number;
  bytesRead: number;
  /** Size of the input file. */
  totalBytes: number;
  /** Rows the input says it holds, when known. */
  expectedRows: number | undefined;
}
