/**
 * termstore: Erlang's ETS and DETS for TypeScript/Node.js.
 *
 * The one entry point; everything public is exported here by name.
 *
 * @packageDocumentation
 */
import { ets as etsTables } from './ets/index.js';
import { file2tab, tab2file, tabfileInfo } from './tabfile/index.js';
import { browse } from './cli/browse.js';

/**
 * The ETS API: every `ets:*` function (see the README's table), plus the
 * tab-file functions. The in-memory part lives in `src/ets`; the tab-file
 * part in `src/tabfile`, which builds on it (so `ets/` never imports a file
 * format).
 */
export const ets = Object.freeze({
  ...etsTables,
  /** `ets:tab2file/2,3`: writes the table (rows and options) to a file, crash-safely. See `docs/tab-format.md`. */
  tab2file,
  /** `ets:file2tab/1,2`: creates a table from a tab file (termstore's or OTP's), owned by the caller. */
  file2tab,
  /** `ets:tabfile_info/1`: a tab file's table options and row count, from its header. */
  tabfileInfo,
  /** `ets:i/0,1`: prints every ets table (id, name, type, size, memory, owner), or the first rows of one, in Erlang syntax. */
  i: browse,
});
export { Continuation, Table, isEtsTransfer } from './ets/index.js';
export type { NewOptions, TableInfo, InfoItem, Chunk, SelectFunction, CounterOp, UpdateCounterFunction, SafeFixed, TestMsResult } from './ets/index.js';
export type { BrowseOptions } from './cli/browse.js';
export type { Access, Heir, TableLike, TableName, SelectFn, EtsTransfer } from './ets/index.js';
export type { MatchFunction, MatchObjectFunction, IterateFunction, IterateOptions, Selected, SpecOrFn, RowOf, RowArg, KeyArg, KeyOf, RowTyped } from './ets/index.js';
export { END_OF_TABLE } from './engines/types.js';
export type { EndOfTable, TableType } from './engines/types.js';
export { TermstoreError, ErrorCode, isTermstoreError } from './errors.js';
export type { ErrorDetails, TermstoreErrorOf } from './errors.js';
export { Tuple, tuple, atom, atomName, isAtom, isTuple, Pid, Opaque } from './term/types.js';
export { isIntegerTerm, isFloatTerm } from './term/number.js';
export type { Term, Row, OpaqueKind } from './term/types.js';
export { compareTerms } from './term/order.js';
export { exactEquals } from './term/equal.js';
export { spawn, self, send, receive, whenExited, isAlive, rootPid, TIMEOUT } from './process/index.js';
export type { ExitReason, ReceiveOptions } from './process/index.js';
export { dets, DetsTable, DEFAULT_MAX_FILE_SIZE, BchunkContinuation, END_OF_INPUT } from './dets/index.js';
export type {
  InitFunction,
  InitTableOptions,
  OpenOptions as DetsOpenOptions,
  DetsInfo,
  DetsTableLike,
  DetsSelectFunction,
  RecoveryReport,
  FsAdapter,
  Clock,
  AutoSave,
  CompactionPolicy,
} from './dets/index.js';
export { ms, matchSpecToJSON, compileMatchSpec, compileMatchPattern, isCompiledMatchSpec, specKeepsKey, NO_MATCH, EXIT } from './match-spec/index.js';
export type { MatchSpec, MatchClause, MatchClauseObject, MatchClauseTriple, Pattern, Head, Expr, Call, GuardFunction, MsVar } from './match-spec/index.js';
export type { Scalar, ConstForm, TaggedScalar, TupleForm, ListForm, MapForm, MapPattern, MapExpr } from './match-spec/index.js';
export type { ListTailForm, CompiledMatchSpec, CompiledMatchPattern, KeyConstraint, NoMatch } from './match-spec/index.js';
export { convert, openTableFile, iterateTableFile, inspectFile, verifyFile, detectFormat, toTaggedJson, fromTaggedJson, TaggedJsonError } from './convert/index.js';
export type {
  ConvertOptions,
  ConvertResult,
  FileInfo,
  VerifyResult,
  VerifyFileOptions,
  OpenTableFileOptions,
  FormatName,
  TableMeta,
  RowSource,
  ConvertProgress,
  TermsMode,
  ConvRow,
  DataLoss,
} from './convert/index.js';
export type { Tab2FileOptions, File2TabOptions, TabfileInfo } from './tabfile/index.js';
export {
  decodeTerm,
  encodeTerm,
  EtfEncoder,
  ErlFloat,
  ErlImproperList,
  ErlBitstring,
  erlEquals,
  erlCanonical,
  phash2,
  makeHash2,
  compareErlTerms,
  detsCompare,
  openTab2File,
  readTab2File,
  writeTab2File,
  Tab2FileReader,
  openDetsFile,
  readDetsFile,
  writeDetsFile,
  DetsFileReader,
} from './erlang/index.js';
export type {
  ErlTerm,
  DecodeOptions as ErlDecodeOptions,
  EncodeOptions as ErlEncodeOptions,
  Tab2FileInfo,
  Tab2FileSummary,
  Tab2FileRow,
  Tab2FileExtendedInfo,
  EtsProtection,
  EtsTableType,
  ReadTab2FileOptions,
  WriteTab2FileOptions,
  DetsFileInfo,
  DetsFileSummary,
  DetsTableType,
  DetsRow,
  ReadDetsFileOptions,
  WriteDetsFileOptions,
  OutputFileOptions,
} from './erlang/index.js';
// Reader safety limits (issue 8): Erlang's atom length, and the inflate budgets of compressed Erlang terms.
export { MAX_ATOM_CHARS } from './term/types.js';
export { MAX_INFLATED_BYTES, MAX_INFLATED_TERMS } from './erlang/index.js';
export { MAX_ITEM_BYTES } from './convert/formats/stream-io.js';
export { shared, SharedTable } from './shared/index.js';
export type {
  SharedTableLike,
  SharedOpenOptions,
  SharedStore,
  SharedStoreKind,
  SharedResult,
  SharedTableInfo,
  SharedInfoItem,
  SharedUpdateCounter,
  SharedSelectFunction,
  StoreKindOf,
} from './shared/index.js';
