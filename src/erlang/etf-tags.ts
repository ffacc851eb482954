/**
 * External Term Format tag bytes (erts `external.h`) and the options shared
 * by the ETF decoder and encoder.
 * @module
 */

/** The version byte that starts every `term_to_binary` result. */
export const VERSION_MAGIC = 131;

/** ETF tags used by termstore. Values are the tag bytes. */
export const Tag = {
  COMPRESSED: 80,
  NEW_FLOAT: 70,
  BIT_BINARY: 77,
  ATOM_CACHE_REF: 82,
  DIST_HEADER: 68,
  NEW_PID: 88,
  NEW_PORT: 89,
  NEWER_REFERENCE: 90,
  SMALL_INTEGER: 97,
  INTEGER: 98,
  FLOAT: 99,
  ATOM: 100,
  REFERENCE: 101,
  PORT: 102,
  PID: 103,
  SMALL_TUPLE: 104,
  LARGE_TUPLE: 105,
  NIL: 106,
  STRING: 107,
  LIST: 108,
  BINARY: 109,
  SMALL_BIG: 110,
  LARGE_BIG: 111,
  NEW_FUN: 112,
  EXPORT: 113,
  NEW_REFERENCE: 114,
  SMALL_ATOM: 115,
  MAP: 116,
  FUN: 117,
  ATOM_UTF8: 118,
  SMALL_ATOM_UTF8: 119,
  V4_PORT: 120,
  LOCAL: 121,
} as const;

/** Options of the ETF decoder (and of every Erlang file reader). */
export interface DecodeOptions {
  /**
   * How binaries are returned. `'auto'` (default): a `string` when the bytes
   * are valid UTF-8, else a `Uint8Array`. `'bytes'`: always a `Uint8Array`.
   */
  binaries?: 'auto' | 'bytes';
  /**
   * Which representation to use for Erlang values the term model lacks.
   *
   * - `'exact'` (default): improper lists decode to `ErlImproperList`,
   *   bitstrings to `ErlBitstring`. Everything re-encodes to a term `=:=`
   *   the original.
   * - `'storable'`: only values termstore tables accept: improper lists and
   *   bitstrings are refused with `CONVERT_UNSUPPORTED_TERM` naming the
   *   offset.
   *
   * Floats are the same in both modes: a plain `number`, or an `ErlFloat`
   * (a term) when the value is a safe integer (`1.0`), so `1.0` never
   * becomes the integer `1`.
   */
  terms?: 'exact' | 'storable';
  /** Maximum nesting depth of tuples, lists and maps (default 2000). Deeper input is refused. */
  maxDepth?: number;
  /** Largest uncompressed size accepted for one compressed term, in bytes (default 256 MiB). Beyond it: `CONVERT_LIMIT`. */
  maxUncompressedSize?: number;
  /**
   * Total bytes that compressed terms (ETF tag 80) may inflate to per
   * decode: per `decodeTerm` call, per batch of the file readers (default
   * 256 MiB, {@link MAX_INFLATED_BYTES}). Zlib inflates up to ~1000x, so
   * without a total a small file of compressed terms fills any memory.
   * Beyond it: `CONVERT_LIMIT` (`details.limit` names this option).
   * `Infinity` turns the budget off.
   */
  maxInflatedBytes?: number;
  /**
   * Total terms (every number, atom, binary, list element, tuple, ...) that
   * may be decoded out of compressed terms per decode, as
   * `maxInflatedBytes` (default 1 000 000, {@link MAX_INFLATED_TERMS}):
   * each costs 40 to 200 bytes of JS heap, so a megabyte of inflated
   * one-byte terms would otherwise cost up to 200 MB. Beyond it:
   * `CONVERT_LIMIT`. `Infinity` turns the budget off.
   */
  maxInflatedTerms?: number;
}

/** Default of {@link DecodeOptions.maxInflatedBytes}: 256 MiB per decode or batch. */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024;
/** Default of {@link DecodeOptions.maxInflatedTerms}: one million terms per decode or batch. */
export const MAX_INFLATED_TERMS = 1_000_000;

/** Defaults of {@link DecodeOptions}. */
export const DECODE_DEFAULTS = {
  binaries: 'auto',
  terms: 'exact',
  maxDepth: 2000,
  maxUncompressedSize: 256 * 1024 * 1024,
  maxInflatedBytes: MAX_INFLATED_BYTES,
  maxInflatedTerms: MAX_INFLATED_TERMS,
} as const satisfies Required<DecodeOptions>;

/** Options of the ETF encoder. */
export interface EncodeOptions {
  /**
   * Compress the term (tag 80, zlib) like `term_to_binary(T, [compressed])`:
   * `true` for level 6, or a zlib level 1..9. The compressed form is used
   * only when it is smaller. Default: not compressed.
   */
  compressed?: boolean | number;
  /** Maximum nesting depth of the term (default 2000). */
  maxDepth?: number;
}
