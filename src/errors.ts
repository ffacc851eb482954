/**
 * The one error class of termstore and its catalogue of stable codes.
 *
 * Every failure a caller can provoke is a {@link TermstoreError} whose `code`
 * is one of {@link ErrorCode}. Test and branch on `code`, never on `message`:
 * messages may be reworded, codes never change meaning. A call that throws
 * has changed nothing.
 *
 * @module
 */

/**
 * The catalogue of error codes. Keys and values are the same string.
 *
 * ETS codes mirror the reasons OTP's extended error info gives for `badarg`.
 */
export const ErrorCode = {
  /** An argument has the wrong type or value (OTP: `badarg`). */
  ETS_BADARG: 'ETS_BADARG',
  /** A row is not an array, or is shorter than the table's `keypos`. */
  ETS_BAD_OBJECT: 'ETS_BAD_OBJECT',
  /** A value is not a term: NaN, a function, a class instance, an unregistered symbol, an atom over 255 characters, or nested too deep (cyclic). */
  ETS_BAD_TERM: 'ETS_BAD_TERM',
  /** The table does not exist (never created, deleted, or its owner died). */
  ETS_NO_TABLE: 'ETS_NO_TABLE',
  /** The calling process may not read or write this table (`protected`/`private`). */
  ETS_ACCESS: 'ETS_ACCESS',
  /** A named table with this name already exists. */
  ETS_NAME_TAKEN: 'ETS_NAME_TAKEN',
  /** The key is not in the table (`lookupElement` without default, `updateCounter`/`updateElement` without default). */
  ETS_NO_KEY: 'ETS_NO_KEY',
  /** A position is outside the row, or is the key position where that is not allowed. */
  ETS_BAD_POSITION: 'ETS_BAD_POSITION',
  /** `updateCounter` found a value that is not an integer. */
  ETS_NOT_A_COUNTER: 'ETS_NOT_A_COUNTER',
  /** The operation is not defined for this table type (e.g. `updateCounter` on a bag). */
  ETS_BAD_TABLE_TYPE: 'ETS_BAD_TABLE_TYPE',
  /** A match specification does not follow the grammar. */
  ETS_BAD_MATCH_SPEC: 'ETS_BAD_MATCH_SPEC',
  /** A continuation is malformed, or belongs to a table that no longer exists. */
  ETS_BAD_CONTINUATION: 'ETS_BAD_CONTINUATION',
  /** `giveAway`/`setopts` called by a process that does not own the table. */
  ETS_NOT_OWNER: 'ETS_NOT_OWNER',
  /** The target process of `giveAway` (or `spawn` option) is not alive. */
  ETS_NO_PROCESS: 'ETS_NO_PROCESS',

  /** A disk table file is locked by another process. */
  DETS_LOCKED: 'DETS_LOCKED',
  /** A file is damaged and `repair` did not allow fixing it. */
  DETS_CORRUPT: 'DETS_CORRUPT',
  /** The file is not a termstore file (or is empty), and was left untouched. */
  DETS_NOT_A_TABLE_FILE: 'DETS_NOT_A_TABLE_FILE',
  /** The file was written by a newer, unknown format version. */
  DETS_FORMAT_UNSUPPORTED: 'DETS_FORMAT_UNSUPPORTED',
  /** A write would take the file past `maxFileSize`; nothing was written. */
  DETS_FILE_TOO_LARGE: 'DETS_FILE_TOO_LARGE',
  /** Opening an existing file with options (`type`, `keypos`) that differ from the file's. */
  DETS_OPTIONS_MISMATCH: 'DETS_OPTIONS_MISMATCH',
  /** The table is open read-only. */
  DETS_READ_ONLY: 'DETS_READ_ONLY',
  /** An I/O operation failed (see `cause`). */
  DETS_IO: 'DETS_IO',
  /** The table was closed. */
  DETS_CLOSED: 'DETS_CLOSED',

  /**
   * An argument or option of a conversion is wrong: an unknown format name,
   * an output whose format cannot be told from its name, the same file as
   * input and output, a SQLite file whose table must be chosen with `table`.
   */
  CONVERT_BADARG: 'CONVERT_BADARG',
  /** A shared table's store is malformed, unsupported or failed (see `cause`); the write changed nothing. */
  SHARED_STORE: 'SHARED_STORE',
  /** The shared table's store could not be reached within `writeTimeout`; `details.inDoubt` says whether the write may still appear in the log. */
  SHARED_UNAVAILABLE: 'SHARED_UNAVAILABLE',
  /** Opening a shared table with options (`type`, `keypos`) that differ from the table's in the store. */
  SHARED_OPTIONS_MISMATCH: 'SHARED_OPTIONS_MISMATCH',
  /** A shared table's log entry or snapshot cannot be decoded (written by a newer version, or damaged). */
  SHARED_CORRUPT: 'SHARED_CORRUPT',

  /** A file given to a reader is in no format it knows, or the wrong one. */
  CONVERT_UNKNOWN_FORMAT: 'CONVERT_UNKNOWN_FORMAT',
  /** A file is truncated or damaged; `offset` says where. */
  CONVERT_CORRUPT: 'CONVERT_CORRUPT',
  /** A term cannot be represented in the target format. */
  CONVERT_UNSUPPORTED_TERM: 'CONVERT_UNSUPPORTED_TERM',
  /** The output file exists and `force` was not given. */
  CONVERT_EXISTS: 'CONVERT_EXISTS',
  /** Reading or writing a file failed (missing file, permissions, disk full; see `cause`). */
  CONVERT_IO: 'CONVERT_IO',
  /**
   * Input goes past a reader's safety budget (e.g. what compressed Erlang
   * terms may inflate to); `details.limit` names the option that raises it.
   */
  CONVERT_LIMIT: 'CONVERT_LIMIT',
} as const;

/** One of the stable error codes of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Extra, structured facts about an error (positions, offsets, option names; never stored payloads). */
export interface ErrorDetails {
  /** Byte offset in a file, where the error concerns a file. */
  offset?: number;
  /** File path, where the error concerns a file. */
  file?: string;
  /** Argument position (1-based) or row position, where relevant. */
  position?: number;
  [k: string]: unknown;
}

/**
 * The error thrown by every termstore function.
 *
 * @example
 * ```ts
 * try { ets.lookupElement(t, 'nope', 2) }
 * catch (e) { if (e instanceof TermstoreError && e.code === 'ETS_NO_KEY') ... }
 * ```
 */
export class TermstoreError extends Error {
  /** The stable code; see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** Structured facts (offset, file, position, ...). */
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: ErrorDetails }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TermstoreError';
    this.code = code;
    this.details = options?.details ?? {};
  }
}

/** A {@link TermstoreError} whose `code` is known to be `C`. */
export type TermstoreErrorOf<C extends ErrorCode> = TermstoreError & { readonly code: C };

/**
 * True if `e` is a {@link TermstoreError}, optionally with the given code
 * (or one of the given codes); narrows `e.code` to them.
 *
 * @example
 * ```ts
 * try { ets.lookupElement(t, 'nope', 2) }
 * catch (e) { if (isTermstoreError(e, 'ETS_NO_KEY')) e.code; } // 'ETS_NO_KEY'
 * ```
 */
export function isTermstoreError<C extends ErrorCode>(e: unknown, code: C | readonly C[]): e is TermstoreErrorOf<C>;
export function isTermstoreError(e: unknown): e is TermstoreError;
export function isTermstoreError(e: unknown, code?: ErrorCode | readonly ErrorCode[]): boolean {
  if (!(e instanceof TermstoreError)) return false;
  if (code === undefined) return true;
  return typeof code === 'string' ? e.code === code : code.includes(e.code);
}

/** Internal: Shorthand used across the code base. */
export function fail(code: ErrorCode, message: string, details?: ErrorDetails, cause?: unknown): never {
  throw new TermstoreError(code, message, { details, cause });
}
