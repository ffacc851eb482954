/**
 * Erlang's External Term Format: `binary_to_term` / `term_to_binary` for JS.
 *
 * `decodeTerm(bytes)` reads what `term_to_binary/1,2` writes (including
 * compressed terms); `encodeTerm(term)` writes what `binary_to_term/1` reads.
 * The byte layouts are documented in `etf-decode.ts` and `etf-encode.ts`,
 * and in `docs/erlang-formats.md`; the JS representation of each Erlang type
 * in `erl-terms.ts`.
 *
 * Round trip: `encodeTerm(decodeTerm(b))` is `=:=` to the original term for
 * every term `term_to_binary` produces, in the default `terms: 'exact'` mode
 * (the bytes may differ: atoms are written as UTF-8 atoms, maps in their
 * decoded order, and compressed input is written uncompressed unless asked).
 *
 * @module
 */
import type { Term } from '../term/index.js';
import { decodeExternal } from './etf-decode.js';
import { EtfEncoder } from './etf-encode.js';
import type { ErlTerm } from './terms.js';
import type { DecodeOptions, EncodeOptions } from './etf-tags.js';

/**
 * Decodes a `term_to_binary` result (starting with the version byte 131).
 *
 * @throws TermstoreError `CONVERT_UNKNOWN_FORMAT` if the first byte is not
 *   131; `CONVERT_CORRUPT` for truncated or malformed input (including bytes
 *   after the term); `CONVERT_UNSUPPORTED_TERM` for input beyond the limits
 *   (`maxDepth`, `maxUncompressedSize`), distribution-only encodings, and, in
 *   `terms: 'storable'` mode, improper lists and bitstrings. `details.offset`
 *   is the byte offset of the problem.
 */
export function decodeTerm(bytes: Uint8Array, options: DecodeOptions & { terms: 'storable' }): Term;
export function decodeTerm(bytes: Uint8Array, options?: DecodeOptions): ErlTerm;
export function decodeTerm(bytes: Uint8Array, options?: DecodeOptions): ErlTerm {
  return decodeExternal(bytes, options);
}

/**
 * Encodes a term like `term_to_binary/1,2`: version byte 131, then the term.
 *
 * @throws TermstoreError `CONVERT_UNSUPPORTED_TERM` (with `details.path`) for
 *   a value Erlang cannot receive: a local `Pid`, NaN or an infinity, an
 *   unregistered symbol, a function or class instance, a string with a lone
 *   surrogate, a map with two keys that are the same Erlang term, an
 *   `Opaque` whose bytes are not one term of its kind, nesting deeper than
 *   `maxDepth`.
 */
export function encodeTerm(term: ErlTerm, options?: EncodeOptions): Uint8Array {
  return new EtfEncoder(options).encode(term);
}
