/**
 * Erlang interop: the External Term Format codec, Erlang term order, phash2, `ets:tab2file` files
 * and DETS (version 9) files. See `docs/erlang-formats.md`.
 * @module
 */
export { decodeTerm, encodeTerm } from './etf.js';
export { EtfEncoder } from './etf-encode.js';
export type { DecodeOptions, EncodeOptions } from './etf-tags.js';
export { MAX_INFLATED_BYTES, MAX_INFLATED_TERMS } from './etf-tags.js';
export { ErlBitstring, ErlFloat, ErlImproperList, erlCanonical, erlEquals, type ErlTerm } from './terms.js';
export {
  Tab2FileReader,
  openTab2File,
  readTab2File,
  writeTab2File,
  type EtsProtection,
  type EtsTableType,
  type ReadTab2FileOptions,
  type Tab2FileExtendedInfo,
  type Tab2FileInfo,
  type Tab2FileRow,
  type Tab2FileSummary,
  type WriteTab2FileOptions,
} from './tab2file.js';
export {
  DetsFileReader,
  openDetsFile,
  readDetsFile,
  type DetsFileInfo,
  type DetsFileSummary,
  type DetsTableType,
  type ReadDetsFileOptions,
} from './dets-v9-read.js';
export { writeDetsFile, type DetsRow, type WriteDetsFileOptions } from './dets-v9-write.js';
export { makeHash2, phash2 } from './phash2.js';
export { compareErlTerms, detsCompare } from './term-order.js';
export type { OutputFileOptions } from '../io/file-io.js';
