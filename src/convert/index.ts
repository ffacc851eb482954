/**
 * File conversion: termstore tab and dets files, OTP `ets:tab2file` and DETS
 * files, SQLite, JSON Lines and CBOR sequences. See `docs/conversion.md`.
 * @module
 */
export { convert, openTableFile, inspectFile, verifyFile } from './convert.js';
export { iterateTableFile } from './iterate.js';
export type { DataLoss } from './losses.js';
export type { ConvertOptions, ConvertResult, FileInfo, VerifyResult, VerifyFileOptions, OpenTableFileOptions } from './convert.js';
export { detectFormat } from './detect.js';
export { toTaggedJson, fromTaggedJson, TaggedJsonError } from './tagged-json.js';
export type { FormatName, TableMeta, RowSource, ConvertProgress, TermsMode, ConvRow } from './types.js';
