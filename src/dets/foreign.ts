/**
 * A hint when `dets.openFile` is given a file that is not a termstore dets
 * file but a table file termstore can convert: an Erlang DETS file (`.dets`),
 * an Erlang tab file (`ets:tab2file`, `.tab`), a termstore tab file, a
 * SQLite database. The refusal keeps its code (`DETS_NOT_A_TABLE_FILE`, the
 * file untouched); its message says what the file is and how to read it.
 *
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TermstoreError } from '../errors.js';

/** What a file's first bytes say it is, among the table files termstore converts; `undefined` otherwise. */
export function foreignKind(head: Uint8Array): string | undefined {
  const at = (offset: number, bytes: readonly number[]): boolean => bytes.every((b, i) => head[offset + i] === b);
  if (head.length >= 20 && at(4, [0x00, 0xab, 0xcd, 0xef])) return 'an Erlang DETS file';
  if (at(0, [1, 2, 3, 4]) && (at(4, [99, 88, 77, 11]) || at(4, [6, 7, 8, 9]))) return 'an Erlang tab file (ets:tab2file)';
  if (at(0, [0x89, 0x54, 0x53, 0x54, 0x41, 0x42, 0x0d, 0x0a])) return 'a termstore tab file (ets.tab2file)';
  if (at(0, [...Buffer.from('SQLite format 3\0', 'latin1')])) return 'a SQLite database';
  return undefined;
}

function head(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * `e`, or for a `DETS_NOT_A_TABLE_FILE` refusal of a file termstore can
 * convert, the same refusal saying so: `termstore convert <file> <name>.tsdb`
 * (or `convert()` in code) makes a dets file of it.
 */
export function withConvertHint(e: unknown): unknown {
  if (!(e instanceof TermstoreError) || e.code !== 'DETS_NOT_A_TABLE_FILE' || typeof e.details.file !== 'string') return e;
  const file = e.details.file;
  let kind: string | undefined;
  try {
    kind = foreignKind(head(file));
  } catch {
    return e;
  }
  if (kind === undefined) return e;
  const target = `${file.replace(/\.[^./\\]*$/, '')}.tsdb`;
  return new TermstoreError(
    'DETS_NOT_A_TABLE_FILE',
    `dets.openFile: ${file} is ${kind}, not a termstore dets file; it was left untouched. To open it as a table, convert it first: \`termstore convert ${file} ${target}\` (or convert() in code), then open ${target}`,
    { details: { ...e.details, foreign: kind }, cause: e },
  );
}
