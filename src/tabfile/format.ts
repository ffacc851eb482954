/**
 * termstore tab files, format version 1: what `ets.tab2file` writes and
 * `ets.file2tab` reads (`docs/tab-format.md`). All header integers are
 * little-endian; frames are those of the dets format (`src/dets/format.ts`),
 * values the dets codec (`src/dets/codec.ts`) plus the Erlang tags of
 * `src/convert/wire.ts`.
 *
 * ```text
 * File   = Header Frame*
 *
 * Header (56 + N + 4 bytes):
 *   0   8  magic    89 54 53 54 41 42 0D 0A   ("\x89TSTAB\r\n")
 *   8   2  version  u16 = 1
 *  10   2  flags    u16: bit 0 = `digest` holds a SHA-256; other bits 0
 *  12   4  N        u32, length of the body (<= 1 MiB)
 *  16   8  rows     u64, number of rows in the file
 *  24  32  digest   SHA-256 of the payloads of all frames, in order (zero when flag 0 is clear)
 *  56   N  body     CBOR map, text keys: "type", "keypos", "name", "access",
 *                   "named", "createdAt", "writer" (readers ignore others)
 *  56+N 4  crc      CRC-32 of bytes [0, 56 + N)
 *
 * Frame (24 + L bytes), exactly as in dets files, kind 3 only:
 *   0   4  marker   A5 54 53 52
 *   4   1  kind     3 (rows)
 *   5   3  zero
 *   8   4  L        u32, payload length
 *  12   8  offset   u64, the file offset of this frame
 *  20   4  crc      CRC-32 of bytes [4, 20) and the payload
 *  24   L  payload  CBOR sequence: one row (a CBOR array) per item
 * ```
 *
 * Frames follow the header back to back up to the end of the file. A reader
 * checks the header CRC, each frame (marker, kind, offset, length against
 * the file size, CRC) and that the rows add up to the header's `rows`, so
 * any flipped byte and any truncation is found; `verify` also checks the
 * digest. Files are written to a temporary file, fsynced and renamed.
 *
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { Encoder } from 'cbor-x';
import { WireError, createCodec, fromWire, toWire } from '../dets/codec.js';
import { crc32 } from '../dets/crc32.js';
import { Kind } from '../dets/format.js';
import { FRAME_HEADER_V1 as FRAME_HEADER, checkFrameV1 as checkFrame, sealFrameV1 as sealFrame } from '../dets/frame-v1.js';
import { isScalarRow } from '../dets/items.js';
import { TermstoreError } from '../errors.js';
import { copyRow } from '../term/copy.js';
import type { Row } from '../term/types.js';
import { AtomicFile, PipelinedWriter, writeAll } from '../io/atomic-file.js';
import type { ConvRow, TableMeta, TermsMode } from '../convert/types.js';
import { WireBuffer, fromWireX, rowToWire, storableRow } from '../convert/wire.js';
import type { ErlTerm } from '../erlang/terms.js';

/** The 8 bytes a tab file starts with. */
export const TAB_MAGIC = Buffer.from([0x89, 0x54, 0x53, 0x54, 0x41, 0x42, 0x0d, 0x0a]);
/** The format version this module reads and writes. */
export const TAB_VERSION = 1;
const FIXED = 56;
const MAX_BODY = 1 << 20;
const FLAG_DIGEST = 1;
/** Target payload bytes per frame. */
const FRAME_PAYLOAD = 1 << 20;

const TYPES: ReadonlySet<string> = new Set(['set', 'ordered_set', 'bag', 'duplicate_bag']);
const ACCESS: ReadonlySet<string> = new Set(['public', 'protected', 'private']);

/** What a tab file's header says (`ets.tabfileInfo`). */
export interface TabFileInfo extends TableMeta {
  /** Format version. */
  version: number;
  /** Rows in the file (ETS `size`). */
  size: number;
  /** True if the file records a SHA-256 digest of its rows (`extendedInfo`). */
  checksum: boolean;
  /** The digest, hex, when recorded. */
  digest: string | undefined;
  /** When the file was written (ms since the epoch). */
  createdAt: number;
  /** Who wrote it, e.g. `termstore/1`. */
  writer: string;
  /** Bytes of the header; frames start here. */
  headerBytes: number;
  /** Size of the file. */
  fileBytes: number;
}

function corrupt(message: string, offset: number, file: string, extra?: Record<string, unknown>): TermstoreError {
  return new TermstoreError('CONVERT_CORRUPT', `${file}: ${message} (offset ${offset})`, { details: { offset, file, ...extra } });
}

function encodeHeader(body: Uint8Array, rows: number, digest: Uint8Array | undefined): Buffer {
  const out = Buffer.alloc(FIXED + body.length + 4);
  TAB_MAGIC.copy(out, 0);
  out.writeUInt16LE(TAB_VERSION, 8);
  out.writeUInt16LE(digest === undefined ? 0 : FLAG_DIGEST, 10);
  out.writeUInt32LE(body.length, 12);
  out.writeUInt32LE(rows % 0x100000000, 16);
  out.writeUInt32LE(Math.floor(rows / 0x100000000), 20);
  if (digest !== undefined) out.set(digest, 24);
  out.set(body, FIXED);
  out.writeUInt32LE(crc32(out.subarray(0, FIXED + body.length)), FIXED + body.length);
  return out;
}

function encodeBody(codec: Encoder, meta: TableMeta, createdAt: number): Buffer {
  // A copy: the encoder's buffer is reused by later encodes.
  return Buffer.from(codec.encode({
    type: meta.type,
    keypos: meta.keypos,
    name: toWire(meta.name),
    access: meta.access,
    named: meta.named,
    createdAt,
    writer: 'termstore/1',
  }));
}

/** Parses a header from the first bytes of a file (`b` holds at least `min(size, FIXED + MAX_BODY + 4)` bytes). */
function decodeHeader(codec: Encoder, b: Buffer, fileBytes: number, file: string): TabFileInfo {
  if (fileBytes === 0) throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file}: the file is empty`, { details: { offset: 0, file } });
  if (b.length < TAB_MAGIC.length || !b.subarray(0, TAB_MAGIC.length).equals(TAB_MAGIC)) {
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file} is not a termstore tab file (no magic bytes)`, { details: { offset: 0, file } });
  }
  if (b.length < FIXED) throw corrupt('the file ends inside the tab file header', b.length, file);
  const version = b.readUInt16LE(8);
  if (version !== TAB_VERSION) {
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file}: tab file format version ${version} is not supported (this termstore reads version ${TAB_VERSION})`, {
      details: { offset: 8, file, version },
    });
  }
  const flags = b.readUInt16LE(10);
  if ((flags & ~FLAG_DIGEST) !== 0) throw corrupt(`unknown header flags ${flags}`, 10, file);
  const n = b.readUInt32LE(12);
  if (n > MAX_BODY) throw corrupt(`header body length ${n} is over the 1 MiB limit`, 12, file);
  if (FIXED + n + 4 > fileBytes) throw corrupt(`header body length ${n} runs past the end of the file`, 12, file);
  if (crc32(b.subarray(0, FIXED + n)) !== b.readUInt32LE(FIXED + n)) throw corrupt('header checksum mismatch', FIXED + n, file);
  const rows = b.readUInt32LE(16) + b.readUInt32LE(20) * 0x100000000;
  let body: unknown;
  try {
    body = codec.decode(b.subarray(FIXED, FIXED + n));
  } catch {
    throw corrupt('the header body is not CBOR', FIXED, file);
  }
  const get = (k: string): unknown => (body instanceof Map ? body.get(k) : undefined);
  const type = get('type');
  const keypos = get('keypos');
  const access = get('access');
  const named = get('named');
  let name: unknown;
  try {
    name = fromWire(get('name'));
  } catch {
    name = undefined;
  }
  if (typeof type !== 'string' || !TYPES.has(type)) throw corrupt('the header has no valid "type"', FIXED, file);
  if (typeof keypos !== 'number' || !Number.isInteger(keypos) || keypos < 1) throw corrupt('the header has no valid "keypos"', FIXED, file);
  if (typeof access !== 'string' || !ACCESS.has(access)) throw corrupt('the header has no valid "access"', FIXED, file);
  if (typeof named !== 'boolean' || typeof name !== 'string') throw corrupt('the header has no valid "name"/"named"', FIXED, file);
  const createdAt = get('createdAt');
  const writer = get('writer');
  const hasDigest = (flags & FLAG_DIGEST) !== 0;
  return {
    type: type as TabFileInfo['type'],
    keypos,
    name,
    access: access as TabFileInfo['access'],
    named,
    version,
    size: rows,
    checksum: hasDigest,
    digest: hasDigest ? b.subarray(24, 56).toString('hex') : undefined,
    createdAt: typeof createdAt === 'number' ? createdAt : 0,
    writer: typeof writer === 'string' ? writer : '',
    headerBytes: FIXED + n + 4,
    fileBytes,
  };
}

/** Options of {@link TabFileWriter.create}. */
export interface TabWriteOptions {
  /** Replace an existing file (default `true`, as `ets:tab2file`; `convert` passes its own `force`). */
  force?: boolean;
  /** fsync the directory after the rename, so the new name is durable on return (the file itself is always fsynced). */
  sync?: boolean;
  /** Record a SHA-256 digest of the rows. */
  checksum?: boolean;
}

/**
 * Writes a tab file: `create`, then `addStored`/`add` rows (awaiting
 * `flushIfFull` now and then) and `finish`, or `abort`.
 */
export class TabFileWriter {
  private readonly items: WireBuffer;
  private readonly hash: Hash | undefined;
  /** Rows added so far. */
  rows = 0;

  private constructor(
    private readonly file: AtomicFile,
    private readonly out: PipelinedWriter,
    codec: Encoder,
    private readonly body: Buffer,
    checksum: boolean,
  ) {
    this.items = new WireBuffer(codec, FRAME_HEADER, FRAME_PAYLOAD);
    this.hash = checksum ? createHash('sha256') : undefined;
  }

  /** Creates the temporary file and writes a provisional header. */
  static async create(path: string, meta: TableMeta, options: TabWriteOptions = {}): Promise<TabFileWriter> {
    const file = await AtomicFile.create(path, { force: options.force !== false, syncFile: true, syncDir: options.sync === true });
    try {
      const codec = createCodec();
      const body = encodeBody(codec, meta, Date.now());
      const header = encodeHeader(body, 0, options.checksum === true ? new Uint8Array(32) : undefined);
      const out = new PipelinedWriter(file.fh);
      await out.write(header);
      return new TabFileWriter(file, out, codec, body, options.checksum === true);
    } catch (e) {
      await file.abort();
      throw e;
    }
  }

  private put(wire: unknown): void {
    this.items.put(wire);
    this.rows++;
  }

  /** Adds a row read from a table (a term array). */
  addStored(row: Row): void {
    try {
      this.put(toWire(row));
    } catch (e) {
      throw unsupported(e, this.rows);
    }
  }

  /** Adds any row (Tuple rows are written as arrays; Erlang values with their tags). */
  add(row: ConvRow): void {
    try {
      this.put(rowToWire(row));
    } catch (e) {
      throw unsupported(e, this.rows);
    }
  }

  /** True when the current frame is full and should be written. */
  get full(): boolean {
    return this.items.full;
  }

  /** Seals the current frame (if any rows) and queues its write; the next frame gets a fresh buffer. */
  async flushFrame(): Promise<void> {
    if (this.items.size === 0) return;
    const { buf, len } = this.items.take();
    const frame = sealFrame(buf, Kind.SNAPSHOT_ROWS, len - FRAME_HEADER, this.out.position);
    this.hash?.update(frame.subarray(FRAME_HEADER));
    await this.out.write(frame);
  }

  /** Writes the rows (flushing frames as they fill). */
  async writeRows(rows: readonly ConvRow[]): Promise<void> {
    for (const r of rows) {
      this.add(r);
      if (this.full) await this.flushFrame();
    }
  }

  /** Writes the last frame and the final header, fsyncs and renames; returns the file size. */
  async finish(): Promise<{ bytes: number }> {
    try {
      await this.flushFrame();
      await this.out.drain();
      const header = encodeHeader(this.body, this.rows, this.hash?.digest());
      await writeAll(this.file.fh, header, 0);
      await this.file.commit();
    } catch (e) {
      await this.file.abort();
      throw e;
    }
    return { bytes: this.out.position };
  }

  /** Removes the temporary file. */
  async abort(): Promise<void> {
    await this.out.drain().catch(() => undefined);
    await this.file.abort();
  }
}

function unsupported(e: unknown, row: number): unknown {
  if (e instanceof WireError) {
    return new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${row}: ${e.message}`, { details: { position: row }, cause: e });
  }
  return e;
}

/** Options of {@link TabFileReader.open}. */
export interface TabReadOptions {
  /** Check the SHA-256 digest when the file has one (default `false`). */
  verify?: boolean;
}

/** Reads a tab file frame by frame; see the module docs for what is checked. */
export class TabFileReader {
  private buf = Buffer.alloc(0);
  /** File offset of `buf[0]`. */
  private bufAt = 0;
  /** Offset of the next frame. */
  private at: number;
  private readonly hash: Hash | undefined;
  /** The codec rows are decoded with. */
  readonly codec: Encoder;

  private constructor(
    private readonly fh: FileHandle,
    /** The path, for errors. */
    readonly file: string,
    /** The header. */
    readonly info: TabFileInfo,
    verify: boolean,
    codec: Encoder,
  ) {
    this.at = info.headerBytes;
    this.codec = codec;
    this.hash = verify && info.checksum ? createHash('sha256') : undefined;
  }

  /** Opens a file and reads its header. */
  static async open(file: string, options: TabReadOptions = {}): Promise<TabFileReader> {
    const fh = await open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      const head = Buffer.alloc(Math.min(size, FIXED + MAX_BODY + 4));
      let got = 0;
      while (got < head.length) {
        const { bytesRead } = await fh.read(head, got, head.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const codec = createCodec();
      const info = decodeHeader(codec, head.subarray(0, got), size, file);
      return new TabFileReader(fh, file, info, options.verify === true, codec);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.at;
  }

  /** Makes `buf` hold file bytes [at, at + n). */
  private async load(at: number, n: number): Promise<Buffer> {
    if (at >= this.bufAt && at + n <= this.bufAt + this.buf.length) return this.buf.subarray(at - this.bufAt, at - this.bufAt + n);
    const want = Math.min(Math.max(n, 1 << 20), this.info.fileBytes - at);
    // A fresh buffer: views handed out earlier stay valid.
    const b = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(b, got, want - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.buf = b.subarray(0, got);
    this.bufAt = at;
    if (got < n) throw corrupt(`the file changed while being read (${got} of ${n} bytes)`, at + got, this.file);
    return this.buf.subarray(0, n);
  }

  /**
   * The next frame's payload and offset, or `undefined` at the end of the
   * file. Throws `CONVERT_CORRUPT` for a damaged or truncated frame.
   */
  async nextFrame(): Promise<{ offset: number; payload: Buffer } | undefined> {
    const at = this.at;
    const size = this.info.fileBytes;
    if (at === size) return undefined;
    const file = this.file;
    if (size - at < FRAME_HEADER) throw corrupt(`truncated: ${size - at} bytes after the last frame, less than a frame header`, at, file);
    const h = await this.load(at, FRAME_HEADER);
    if (h[0] !== 0xa5 || h[1] !== 0x54 || h[2] !== 0x53 || h[3] !== 0x52) throw corrupt('no frame marker where a frame should start', at, file);
    if (h[4] !== Kind.SNAPSHOT_ROWS || h[5] !== 0 || h[6] !== 0 || h[7] !== 0) throw corrupt(`bad frame kind/flags (${h[4]})`, at + 4, file);
    const len = h.readUInt32LE(8);
    const recorded = h.readUInt32LE(12) + h.readUInt32LE(16) * 0x100000000;
    if (recorded !== at) throw corrupt(`the frame records offset ${recorded}`, at + 12, file);
    if (len > size - at - FRAME_HEADER) {
      throw corrupt(`truncated: the frame needs ${FRAME_HEADER + len} bytes, the file has ${size - at} left`, at, file, { reason: 'truncated' });
    }
    const f = await this.load(at, FRAME_HEADER + len);
    if (!checkFrame(f, 0, at).ok) throw corrupt('frame checksum mismatch', at, file, { reason: 'checksum' });
    this.at = at + FRAME_HEADER + len;
    const payload = f.subarray(FRAME_HEADER);
    this.hash?.update(payload);
    return { offset: at, payload };
  }

  /** After the last frame: checks the row count (and the digest with `verify`). */
  finish(rowsRead: number): void {
    const { info, file } = this;
    if (rowsRead !== info.size) {
      throw corrupt(`${rowsRead} rows read, the header records ${info.size} (truncated or damaged file)`, info.fileBytes, file, { reason: 'count' });
    }
    if (this.hash !== undefined && this.hash.digest('hex') !== info.digest) throw corrupt('SHA-256 digest mismatch', 24, file, { reason: 'digest' });
  }

  /**
   * Decodes a frame's rows (`'stored'`: ready to insert into a table; else
   * as the conversion layer passes them). Throws `CONVERT_CORRUPT` for an
   * item that is not a row, `CONVERT_UNSUPPORTED_TERM` (stored/storable
   * modes) for an Erlang value a table cannot hold.
   */
  decodeRows(payload: Buffer, offset: number, mode: TermsMode | 'stored', firstRow: number, each: (row: Row | ConvRow) => void): number {
    const keypos = this.info.keypos;
    const file = this.file;
    let n = 0;
    try {
      this.codec.decodeMultiple(payload, (x: unknown) => {
        each(rowFrom(x, keypos, mode, { row: firstRow + n, offset, file }));
        n++;
      });
    } catch (e) {
      if (e instanceof TermstoreError) throw e;
      throw corrupt(`row ${firstRow + n} of the frame does not decode (${e instanceof Error ? e.message : String(e)})`, offset, file);
    }
    return n;
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Turns a decoded CBOR item into a row of the requested kind; throws `WireError` or `TermstoreError`. */
function rowFrom(x: unknown, keypos: number, mode: TermsMode | 'stored', place: { row: number; offset: number; file: string }): Row | ConvRow {
  if (!Array.isArray(x) || x.length < keypos) throw new WireError(`not an array of at least keypos ${keypos} elements`);
  if (isScalarRow(x)) return x as Row;
  const r = fromWireX(x) as ErlTerm[];
  if (mode === 'exact') return r;
  const s = storableRow(r, place);
  return mode === 'stored' ? copyRow(s) : s;
}
