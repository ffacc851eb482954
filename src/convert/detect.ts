/**
 * Which format a file is in: from its first bytes, and for output files
 * (which do not exist yet) from the extension.
 *
 * | format     | recognised by                                                  | extensions |
 * |------------|----------------------------------------------------------------|------------|
 * | `dets`     | `89 54 53 44 45 54 53 0A` ("\x89TSDETS\n")                     | `.tsdb` |
 * | `tab`      | `89 54 53 54 41 42 0D 0A` ("\x89TSTAB\r\n")                    | `.tstab` |
 * | `erl-tab`  | `01 02 03 04` then `63 58 4D 0B` or `06 07 08 09` (disk_log)   | `.tab`, `.ets` |
 * | `erl-dets` | bytes 4..8 `00 AB CD EF`, bytes 16..20 the version              | `.dets` |
 * | `sqlite`   | "SQLite format 3\0"                                            | `.sqlite`, `.sqlite3`, `.db` |
 * | `cbor-seq` | `D9 D9 F8` (RFC 9277 sequence tag), or `D9 D9 F7`              | `.cbor`, `.cbors`, `.cborseq` |
 * | `jsonl`    | first non-blank byte `[` or `{`, first line parses as JSON      | `.jsonl`, `.ndjson` |
 *
 * @module
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { TermstoreError } from '../errors.js';
import { ioError } from '../io/atomic-file.js';
import { FORMAT_NAMES, type FormatName } from './types.js';
import { isSharedAddress } from './formats/shared.js';

const PREFIXES: Array<[FormatName, number[]]> = [
  ['dets', [0x89, 0x54, 0x53, 0x44, 0x45, 0x54, 0x53, 0x0a]],
  ['tab', [0x89, 0x54, 0x53, 0x54, 0x41, 0x42, 0x0d, 0x0a]],
  ['sqlite', [...Buffer.from('SQLite format 3\0', 'latin1')]],
  ['cbor-seq', [0xd9, 0xd9, 0xf8]],
  ['cbor-seq', [0xd9, 0xd9, 0xf7]],
];

const EXTENSIONS: Record<string, FormatName> = {
  '.tsdb': 'dets',
  '.tstab': 'tab',
  '.tab': 'erl-tab',
  '.ets': 'erl-tab',
  '.dets': 'erl-dets',
  '.sqlite': 'sqlite',
  '.sqlite3': 'sqlite',
  '.db': 'sqlite',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.cbor': 'cbor-seq',
  '.cbors': 'cbor-seq',
  '.cborseq': 'cbor-seq',
};

function startsWith(b: Uint8Array, p: readonly number[]): boolean {
  if (b.length < p.length) return false;
  for (let i = 0; i < p.length; i++) if (b[i] !== p[i]) return false;
  return true;
}

/** The format of a file's first bytes (`head`: at least 64 bytes, or the whole file), or `undefined`. */
export function detectBytes(head: Uint8Array): FormatName | undefined {
  for (const [f, p] of PREFIXES) if (startsWith(head, p)) return f;
  if (startsWith(head, [1, 2, 3, 4]) && (startsWith(head.subarray(4), [99, 88, 77, 11]) || startsWith(head.subarray(4), [6, 7, 8, 9]))) return 'erl-tab';
  if (head.length >= 20 && head[4] === 0x00 && head[5] === 0xab && head[6] === 0xcd && head[7] === 0xef) return 'erl-dets';
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (i < head.length && (head[i] === 0x5b || head[i] === 0x7b)) {
    // The first complete line must parse (a partial one only when it fills the whole head).
    const nl = head.indexOf(0x0a, i);
    const line = Buffer.from(head.buffer, head.byteOffset + i, (nl < 0 ? head.length : nl) - i).toString('utf8');
    try {
      JSON.parse(line);
      return 'jsonl';
    } catch {
      return nl < 0 ? 'jsonl' : undefined;
    }
  }
  return undefined;
}

/** The extensions that name `format` (`.tsdb` for `dets`, ...), the first being the one to use. */
export function extensionsOf(format: FormatName): string[] {
  return Object.keys(EXTENSIONS).filter((e) => EXTENSIONS[e] === format);
}

/** The format an extension suggests, or `undefined`. */
export function formatFromExtension(file: string): FormatName | undefined {
  if (isSharedAddress(file)) return 'shared';
  return EXTENSIONS[extname(file).toLowerCase()];
}

/** Validates a format name given by the user (`CONVERT_BADARG` otherwise). */
export function formatName(x: unknown, option: string): FormatName {
  if (typeof x === 'string' && (FORMAT_NAMES as readonly string[]).includes(x)) return x as FormatName;
  throw new TermstoreError('CONVERT_BADARG', `${option} must be one of ${FORMAT_NAMES.join(', ')}, got ${JSON.stringify(x)}`, { details: { option } });
}

/**
 * The format of an existing file, from its content. Throws
 * `CONVERT_UNKNOWN_FORMAT` (with `details.offset` 0) when no format
 * recognises it, `CONVERT_IO` when it cannot be read.
 */
export async function detectFormat(file: string): Promise<FormatName> {
  if (isSharedAddress(file)) return 'shared';
  let head: Buffer;
  let size: number;
  try {
    const fh = await open(file, 'r');
    try {
      size = (await fh.stat()).size;
      head = Buffer.alloc(Math.min(size, 64 * 1024));
      let got = 0;
      while (got < head.length) {
        const { bytesRead } = await fh.read(head, got, head.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      head = head.subarray(0, got);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw ioError(e, file, 'reading');
  }
  if (size === 0) throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file} is empty`, { details: { file, offset: 0 } });
  const f = detectBytes(head);
  if (f === undefined) {
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file}: not a file format termstore knows (${FORMAT_NAMES.join(', ')}); give --from if it is one of them`, {
      details: { file, offset: 0 },
    });
  }
  return f;
}
