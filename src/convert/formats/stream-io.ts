/**
 * Pieces shared by the streaming sources and sinks: a sequential chunk
 * reader, row checks, default table options, and the output side (atomic
 * file plus pipelined writes).
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { TermstoreError } from '../../errors.js';
import { AtomicFile, PipelinedWriter, ioError } from '../../io/atomic-file.js';
import type { ConvRow, SinkOptions, TableMeta, TermsMode } from '../types.js';
import { storableRow } from '../wire.js';
import type { ErlTerm } from '../../erlang/terms.js';

/** Bytes read per chunk by the streaming readers. */
export const CHUNK = 1 << 20;

/**
 * Largest single item (a JSON Lines line, a CBOR sequence item) the
 * streaming formats hold: readers refuse a longer one, and writers refuse a
 * row that would make one (`CONVERT_UNSUPPORTED_TERM`), so that everything
 * written can be read back. 64 MiB.
 */
export const MAX_ITEM_BYTES = 64 << 20;

/** The `CONVERT_UNSUPPORTED_TERM` of a row whose item would pass `limit` bytes ({@link MAX_ITEM_BYTES}); `bytes`: its size, when known. */
export function itemTooLarge(format: string, index: number, bytes: number | undefined, limit = MAX_ITEM_BYTES): TermstoreError {
  const size = bytes === undefined ? `more than the ${limit}-byte limit` : `${bytes} bytes, over the ${limit}-byte limit`;
  return new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${index}: as ${format} it takes ${size} of one item (MAX_ITEM_BYTES)`, {
    details: { position: index, limit: 'MAX_ITEM_BYTES', maxItemBytes: limit },
  });
}

/** Table options for a file that records none: a `set` keyed on element 1, named after the file. */
export function defaultMeta(file: string): TableMeta {
  return { type: 'set', keypos: 1, name: basename(file, extname(file)), access: 'protected', named: false };
}

/** A `CONVERT_CORRUPT` error naming the file and offset. */
export function corrupt(file: string, offset: number, message: string, extra?: Record<string, unknown>): TermstoreError {
  return new TermstoreError('CONVERT_CORRUPT', `${file}: ${message} (offset ${offset})`, { details: { file, offset, ...extra } });
}

/** A file opened for sequential reading in chunks. */
export class ChunkReader {
  /** Offset of the next unread byte. */
  position = 0;

  private constructor(
    private readonly fh: FileHandle,
    /** The path. */
    readonly file: string,
    /** Size when opened. */
    readonly size: number,
  ) {}

  static async open(file: string): Promise<ChunkReader> {
    let fh: FileHandle | undefined;
    try {
      fh = await open(file, 'r');
      const size = (await fh.stat()).size;
      return new ChunkReader(fh, file, size);
    } catch (e) {
      await fh?.close();
      throw ioError(e, file, 'opening');
    }
  }

  /** The next chunk (up to `n` bytes), or an empty buffer at the end. */
  async next(n = CHUNK): Promise<Buffer> {
    const want = Math.min(n, this.size - this.position);
    if (want <= 0) return Buffer.alloc(0);
    const b = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(b, got, want - got, this.position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.position += got;
    return got === want ? b : b.subarray(0, got);
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/**
 * Checks that a decoded value is a row for `keypos` and converts it for the
 * terms mode. Throws `CONVERT_CORRUPT` (not a row) or
 * `CONVERT_UNSUPPORTED_TERM` (storable mode).
 */
export function checkRow(x: unknown, keypos: number, terms: TermsMode, place: { row: number; offset: number; file: string }): ConvRow {
  if (!Array.isArray(x)) throw corrupt(place.file, place.offset, `row ${place.row} is not an array`, { position: place.row });
  if (x.length < keypos) throw corrupt(place.file, place.offset, `row ${place.row} has ${x.length} elements, fewer than keypos ${keypos}`, { position: place.row });
  return terms === 'storable' ? (storableRow(x as ErlTerm[], place) as ConvRow) : (x as ConvRow);
}

/** The output side of a streaming sink: an atomic file written through a pipelined writer. */
export class OutputFile {
  private constructor(
    readonly atomic: AtomicFile,
    readonly out: PipelinedWriter,
  ) {}

  static async create(path: string, options: SinkOptions): Promise<OutputFile> {
    try {
      const atomic = await AtomicFile.create(path, { force: options.force === true, syncFile: options.sync !== false, syncDir: options.sync !== false });
      return new OutputFile(atomic, new PipelinedWriter(atomic.fh));
    } catch (e) {
      throw ioError(e, path, 'creating');
    }
  }

  /** Queues bytes at the end. */
  write(b: Uint8Array): Promise<void> {
    return this.out.write(b);
  }

  /** Writes bytes at `position` (before the end: e.g. a header completed at the end), after what is queued. */
  async writeAt(b: Uint8Array, position: number): Promise<void> {
    await this.out.drain();
    let done = 0;
    while (done < b.length) {
      const { bytesWritten } = await this.atomic.fh.write(b, done, b.length - done, position + done);
      if (bytesWritten <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
      done += bytesWritten;
    }
  }

  /** Drains, fsyncs and renames; returns the size. */
  async commit(): Promise<number> {
    try {
      await this.out.drain();
      await this.atomic.commit();
      return this.out.position;
    } catch (e) {
      await this.atomic.abort();
      throw ioError(e, this.atomic.path, 'writing');
    }
  }

  async abort(): Promise<void> {
    await this.out.drain().catch(() => undefined);
    await this.atomic.abort();
  }
}
