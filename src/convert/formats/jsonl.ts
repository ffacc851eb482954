/**
 * Tables as JSON Lines: one row per line, a JSON array whose elements are
 * terms in the tagged JSON form of `tagged-json.ts`.
 *
 * ```text
 * {"$termstore": {"format": "jsonl", "version": 1, "type": "set", "keypos": 1, "name": "users", "access": "protected", "named": false}}
 * [1, "ada", {"$atom": "admin"}]
 * [2, "alan", {"$tuple": [1912, 6, 23]}]
 * {"$termstore": {"end": true, "rows": 2, "crc32": 1234567890}}
 * ```
 *
 * The first line (the header) and the last (the end record: the row count
 * and the CRC-32 of every byte before the end record's line) are written by
 * termstore and checked when reading with `verify` (the default), so a
 * truncated or damaged file is refused; a file edited by hand is read with
 * `verify: false` (`--no-verify`), or without its header and end record.
 * A file whose first line is a row is read as a `set` keyed on element 1.
 * Blank lines are skipped; lines end in `\n` (a `\r` before it is
 * dropped); text must be UTF-8. Reading is streaming, a line at most 64 MiB.
 *
 * @module
 */
import { crc32 } from '../../dets/crc32.js';
import { TermstoreError } from '../../errors.js';
import { TaggedJsonError, fromTaggedJson, toTaggedJson } from '../tagged-json.js';
import type { ConvRow, RowSink, RowSource, SinkOptions, SourceOptions, TableMeta, TermsMode } from '../types.js';
import { CHUNK, ChunkReader, MAX_ITEM_BYTES, OutputFile, checkRow, corrupt, defaultMeta, itemTooLarge } from './stream-io.js';
import { isPlainObject } from '../../term/types.js';
import { ErlBitstring, ErlFloat, ErlImproperList } from '../../erlang/terms.js';

const TYPES: ReadonlySet<string> = new Set(['set', 'ordered_set', 'bag', 'duplicate_bag']);
const ACCESS: ReadonlySet<string> = new Set(['public', 'protected', 'private']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function metaFrom(j: unknown, file: string, offset: number): TableMeta {
  const h = (j as { $termstore?: unknown }).$termstore as Record<string, unknown> | undefined;
  if (typeof h !== 'object' || h === null || h.format !== 'jsonl') throw corrupt(file, offset, 'the first line is an object but not a termstore JSON Lines header');
  if (h.version !== 1) throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file}: JSON Lines header version ${String(h.version)} is not supported`, { details: { file, offset } });
  const { type, keypos, name, access, named } = h;
  if (typeof type !== 'string' || !TYPES.has(type) || typeof keypos !== 'number' || !Number.isInteger(keypos) || keypos < 1) {
    throw corrupt(file, offset, 'the header has no valid type/keypos');
  }
  if (typeof name !== 'string' || typeof access !== 'string' || !ACCESS.has(access) || typeof named !== 'boolean') {
    throw corrupt(file, offset, 'the header has no valid name/access/named');
  }
  return { type: type as TableMeta['type'], keypos, name, access: access as TableMeta['access'], named };
}

/** Opens a JSON Lines file for reading (header read at once). */
export async function openJsonl(file: string, options: SourceOptions = {}): Promise<RowSource> {
  const r = await ChunkReader.open(file);
  try {
    const s = new JsonlSource(r, options.terms ?? 'exact', options.batchSize ?? 1000, options.verify !== false);
    await s.start();
    return s;
  } catch (e) {
    await r.close();
    throw e;
  }
}

interface Line {
  offset: number;
  number: number;
  value: unknown;
  /** CRC-32 of the file's bytes before this line. */
  crcBefore: number;
}

class JsonlSource implements RowSource {
  readonly format = 'jsonl' as const;
  readonly file: string;
  meta!: TableMeta;
  readonly expectedRows = undefined;
  readonly fileBytes: number;
  readonly details: Record<string, unknown> = {};
  private pending: Buffer = Buffer.alloc(0);
  private pendingAt = 0;
  private lineNo = 0;
  private rows = 0;
  /** A line read ahead by `start` (the first line, when it is a row). */
  private first: Line | undefined;
  /** CRC-32 of the bytes consumed so far. */
  private crc = 0;
  /** The file has a header: termstore wrote it, so it must end in an end record (with `verify`). */
  private headed = false;

  constructor(
    private readonly r: ChunkReader,
    private readonly terms: TermsMode,
    private readonly batchSize: number,
    private readonly verify: boolean,
  ) {
    this.file = r.file;
    this.fileBytes = r.size;
  }

  bytesRead(): number {
    return this.pendingAt;
  }

  /** The next non-blank line parsed as JSON, or undefined at the end. */
  private async line(): Promise<Line | undefined> {
    for (;;) {
      let nl = this.pending.indexOf(0x0a);
      while (nl < 0 && this.r.position < this.r.size) {
        if (this.pending.length > MAX_ITEM_BYTES) throw corrupt(this.file, this.pendingAt, `line ${this.lineNo + 1} is longer than ${MAX_ITEM_BYTES} bytes`);
        const from = this.pending.length;
        const chunk = await this.r.next(Math.max(CHUNK, this.pending.length));
        this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
        nl = this.pending.indexOf(0x0a, from);
      }
      if (nl < 0 && this.pending.length === 0) return undefined;
      const end = nl < 0 ? this.pending.length : nl;
      const offset = this.pendingAt;
      const crcBefore = this.crc;
      if (this.verify) this.crc = crc32(this.pending.subarray(0, nl < 0 ? end : end + 1), this.crc);
      let raw = this.pending.subarray(0, end);
      this.pending = this.pending.subarray(nl < 0 ? end : end + 1);
      this.pendingAt += nl < 0 ? end : end + 1;
      this.lineNo++;
      if (raw.length > 0 && raw[raw.length - 1] === 0x0d) raw = raw.subarray(0, raw.length - 1);
      let text: string;
      try {
        text = utf8.decode(raw);
      } catch {
        throw corrupt(this.file, offset, `line ${this.lineNo} is not valid UTF-8`, { line: this.lineNo });
      }
      if (text.trim() === '') continue;
      try {
        return { offset, number: this.lineNo, value: JSON.parse(text) as unknown, crcBefore };
      } catch (e) {
        throw corrupt(this.file, offset, `line ${this.lineNo} is not JSON${nl < 0 ? ' (truncated last line?)' : ''}: ${(e as Error).message}`, { line: this.lineNo });
      }
    }
  }

  async start(): Promise<void> {
    const l = await this.line();
    if (l === undefined) {
      if (this.r.size === 0) throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${this.file} is empty`, { details: { file: this.file, offset: 0 } });
      this.meta = defaultMeta(this.file);
      return;
    }
    if (typeof l.value === 'object' && l.value !== null && !Array.isArray(l.value)) {
      this.meta = metaFrom(l.value, this.file, l.offset);
      this.headed = true;
      return;
    }
    this.meta = defaultMeta(this.file);
    this.first = l;
  }

  private row(l: Line): ConvRow {
    if (!Array.isArray(l.value)) throw corrupt(this.file, l.offset, `line ${l.number} is not a row (a JSON array)`, { line: l.number });
    let v: unknown;
    try {
      v = fromTaggedJson(l.value);
    } catch (e) {
      if (e instanceof TaggedJsonError || e instanceof RangeError) throw corrupt(this.file, l.offset, `line ${l.number}: ${e.message}`, { line: l.number, path: (e as TaggedJsonError).path });
      throw e;
    }
    const r = checkRow(v, this.meta.keypos, this.terms, { row: this.rows, offset: l.offset, file: this.file });
    this.rows++;
    return r;
  }

  /** Checks the end record (and that nothing follows it). */
  private async end(l: Line): Promise<void> {
    const e = (l.value as { $termstore?: Record<string, unknown> }).$termstore;
    const keys = typeof e === 'object' && e !== null ? Object.keys(e).sort().join(',') : '';
    if (keys !== 'crc32,end,rows' || e!.end !== true || typeof e!.rows !== 'number' || typeof e!.crc32 !== 'number') {
      throw corrupt(this.file, l.offset, `line ${l.number} is neither a row nor a valid end record`, { line: l.number });
    }
    const after = await this.line();
    if (after !== undefined) throw corrupt(this.file, after.offset, `line ${after.number} follows the end record`, { line: after.number });
    if (!this.verify) return;
    if (e!.rows !== this.rows) throw corrupt(this.file, l.offset, `${this.rows} rows read, the end record says ${String(e!.rows)}`, { reason: 'count' });
    if (e!.crc32 !== l.crcBefore) {
      throw corrupt(this.file, l.offset, 'checksum mismatch: the file changed after it was written (damaged, or edited: read it with verify off / --no-verify)', { reason: 'checksum' });
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConvRow[]> {
    try {
      let batch: ConvRow[] = [];
      let ended = false;
      if (this.first !== undefined) batch.push(this.row(this.first));
      for (let l = await this.line(); l !== undefined; l = await this.line()) {
        if (!Array.isArray(l.value) && typeof l.value === 'object' && l.value !== null && '$termstore' in l.value) {
          await this.end(l);
          ended = true;
          break;
        }
        batch.push(this.row(l));
        if (batch.length >= this.batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (this.verify && this.headed && !ended) {
        throw corrupt(this.file, this.r.size, 'no end record: the file is truncated (or was edited: read it with verify off / --no-verify)', { reason: 'truncated' });
      }
      if (batch.length > 0) yield batch;
    } finally {
      await this.r.close();
    }
  }

  async close(): Promise<void> {
    await this.r.close();
  }
}

/**
 * A lower bound of the length of `x` as tagged JSON, counted until it passes
 * `stop` (then anything above `stop`): lets a row too large for one line be
 * refused before its JSON is built.
 */
function jsonAtLeast(x: unknown, stop: number, depth = 0): number {
  if (typeof x === 'string') return x.length + 2;
  if (typeof x !== 'object' || x === null || depth > 2000) return 1;
  if (x instanceof Uint8Array) return Math.ceil(x.length / 3) * 4;
  if (x instanceof ErlBitstring) return Math.ceil(x.bytes.length / 3) * 4;
  if (x instanceof ErlFloat) return 1;
  let n = 2;
  const add = (v: unknown): boolean => (n += jsonAtLeast(v, stop - n, depth + 1) + 1) > stop;
  if (x instanceof ErlImproperList) {
    for (const v of x.items) if (add(v)) return n;
    add(x.tail);
  } else if (Array.isArray(x)) {
    for (const v of x) if (add(v)) return n;
  } else if (x instanceof Map) {
    for (const [k, v] of x) if (add(k) || add(v)) return n;
  } else if (isPlainObject(x)) {
    for (const k of Object.keys(x)) if (add(k) || add(x[k])) return n;
  }
  return n;
}

/**
 * One row as a JSON line (without the newline); throws
 * `CONVERT_UNSUPPORTED_TERM` for a value JSON Lines cannot hold and for a
 * line longer than `maxBytes` (default {@link MAX_ITEM_BYTES}, what the
 * reader accepts).
 */
export function rowToJsonLine(row: ConvRow, index: number, maxBytes: number = MAX_ITEM_BYTES): string {
  if (maxBytes !== Infinity && jsonAtLeast(row, maxBytes) > maxBytes) throw itemTooLarge('a JSON line', index, undefined, maxBytes);
  let line: string;
  try {
    line = JSON.stringify(toTaggedJson(Array.from(row)));
  } catch (e) {
    if (e instanceof TaggedJsonError) {
      throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${index}: ${e.message}`, { details: { position: index, path: e.path } });
    }
    // JSON.stringify past the longest string V8 can make (escapes can make a line 6x its text).
    if (e instanceof RangeError) throw itemTooLarge('a JSON line', index, undefined, maxBytes);
    throw e;
  }
  if (line.length > maxBytes / 3) {
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > maxBytes) throw itemTooLarge('a JSON line', index, bytes, maxBytes);
  }
  return line;
}

/** The header line for `meta`. */
export function jsonlHeader(meta: TableMeta): string {
  return JSON.stringify({ $termstore: { format: 'jsonl', version: 1, type: meta.type, keypos: meta.keypos, name: meta.name, access: meta.access, named: meta.named } });
}

/** Creates a JSON Lines sink writing the header and then one line per row. */
export async function createJsonlSink(path: string, meta: TableMeta, options: SinkOptions = {}): Promise<RowSink> {
  const out = await OutputFile.create(path, options);
  let text = jsonlHeader(meta) + '\n';
  let rows = 0;
  let crc = 0;
  const flush = async (): Promise<void> => {
    const b = Buffer.from(text, 'utf8');
    text = '';
    crc = crc32(b, crc);
    await out.write(b);
  };
  return {
    format: 'jsonl',
    exact: true,
    async write(batch: readonly ConvRow[]): Promise<void> {
      for (const row of batch) {
        text += rowToJsonLine(row, rows++) + '\n';
        if (text.length >= 1 << 19) await flush();
      }
    },
    async finish() {
      await flush();
      await out.write(Buffer.from(JSON.stringify({ $termstore: { end: true, rows, crc32: crc } }) + '\n', 'utf8'));
      return { bytes: await out.commit() };
    },
    abort: () => out.abort(),
  };
}
