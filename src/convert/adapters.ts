/**
 * Sources and sinks of every format, behind one pair of functions:
 * {@link openSource} and {@link openSink}.
 *
 * | format     | source                                  | sink |
 * |------------|-----------------------------------------|------|
 * | `tab`      | streaming (a frame at a time)           | streaming |
 * | `dets`     | replays the journal into memory first (a journal can delete rows it inserted earlier) | streaming |
 * | `erl-tab`  | streaming (OTP's `disk_log`)            | streaming |
 * | `erl-dets` | streaming (slot by slot)                | collects every key in memory (the hash layout needs them all) |
 * | `sqlite`, `jsonl`, `cbor-seq` | streaming            | streaming |
 *
 * Every sink writes a temporary file and renames it into place at the end.
 *
 * @module
 */
import * as fs from 'node:fs';
import { basename, extname } from 'node:path';
import { createCodec } from '../dets/codec.js';
import { FRAME_HEADER, Kind, OpCode, encodeHeader, encodeMarker, frame, sealFrame } from '../dets/format.js';
import { nodeFs } from '../dets/fs.js';
import { loadFile, readHeader } from '../dets/recovery.js';
import { createEngine } from '../engines/index.js';
import { TermstoreError } from '../errors.js';
import { atomName } from '../term/types.js';
import { ioError } from '../io/atomic-file.js';
import { openCborSeq, createCborSeqSink } from './formats/cbor-seq.js';
import { openDetsFile } from '../erlang/dets-v9-read.js';
import { DetsFileBuilder, type DetsRow } from '../erlang/dets-v9-write.js';
import { openTab2File, writeTab2File } from '../erlang/tab2file.js';
import { createJsonlSink, openJsonl } from './formats/jsonl.js';
import { createSqliteSink, openSqlite } from './formats/sqlite.js';
import { OutputFile } from './formats/stream-io.js';
import { TabFileReader, TabFileWriter } from '../tabfile/format.js';
import type { ConvRow, FormatName, RowSink, RowSource, SinkOptions, SourceOptions, TableMeta } from './types.js';
import { WireBuffer, rowToWire } from './wire.js';

function baseName(file: string): string {
  return basename(file, extname(file));
}

// ---------------------------------------------------------------- tab

async function openTab(file: string, o: SourceOptions): Promise<RowSource> {
  const r = await TabFileReader.open(file, { verify: o.verify !== false });
  const { type, keypos, name, access, named, size, checksum, digest, version, createdAt, writer } = r.info;
  const terms = o.terms ?? 'exact';
  return {
    format: 'tab',
    file,
    meta: { type, keypos, name, access, named },
    expectedRows: size,
    fileBytes: r.info.fileBytes,
    details: { version, checksum, digest, createdAt: new Date(createdAt).toISOString(), writer },
    bytesRead: () => r.position,
    close: () => r.close(),
    async *[Symbol.asyncIterator]() {
      try {
        let n = 0;
        for (let f = await r.nextFrame(); f !== undefined; f = await r.nextFrame()) {
          const batch: ConvRow[] = [];
          n += r.decodeRows(f.payload, f.offset, terms, n, (row) => batch.push(row as ConvRow));
          yield batch;
        }
        r.finish(n);
      } finally {
        await r.close();
      }
    },
  };
}

async function tabSink(path: string, meta: TableMeta, o: SinkOptions): Promise<RowSink> {
  const w = await TabFileWriter.create(path, meta, { force: o.force === true, sync: o.sync !== false, checksum: o.checksum === true });
  return {
    format: 'tab',
    exact: true,
    write: (rows) => w.writeRows(rows),
    finish: () => w.finish(),
    abort: () => w.abort(),
  };
}

// ---------------------------------------------------------------- dets (termstore journal)

function detsError(e: unknown, file: string): unknown {
  if (!(e instanceof TermstoreError)) return ioError(e, file, 'reading');
  const offset = typeof e.details.offset === 'number' ? e.details.offset : 0;
  switch (e.code) {
    case 'DETS_NOT_A_TABLE_FILE':
    case 'DETS_FORMAT_UNSUPPORTED':
      return new TermstoreError('CONVERT_UNKNOWN_FORMAT', e.message, { details: { ...e.details, file, offset }, cause: e });
    case 'DETS_CORRUPT':
      return new TermstoreError('CONVERT_CORRUPT', e.message, { details: { ...e.details, file, offset }, cause: e });
    case 'DETS_IO':
      return new TermstoreError('CONVERT_IO', e.message, { details: { ...e.details, file }, cause: e });
    default:
      return e;
  }
}

async function openDets(file: string, o: SourceOptions): Promise<RowSource> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw ioError(e, file, 'opening');
  }
  const codec = createCodec();
  let engine;
  let loaded;
  try {
    const size = fs.fstatSync(fd).size;
    const h = readHeader(nodeFs, fd, size, codec, file);
    engine = createEngine(h.type, h.keypos - 1);
    // repair false: damage in the middle is refused, never skipped. A torn tail (a write cut short) is dropped, as dets.openFile does.
    loaded = loadFile(nodeFs, fd, size, codec, file, engine, false);
  } catch (e) {
    throw detsError(e, file);
  } finally {
    fs.closeSync(fd);
  }
  const { header, report, end } = loaded;
  const eng = engine;
  const batchSize = o.batchSize ?? 1000;
  const total = eng.size();
  let rows = 0;
  return {
    format: 'dets',
    file,
    meta: { type: header.type, keypos: header.keypos, name: baseName(file), access: 'public', named: false },
    expectedRows: eng.size(),
    fileBytes: end + report.droppedTailBytes,
    details: {
      version: header.version,
      createdAt: new Date(header.createdAt).toISOString(),
      writer: header.writer,
      frames: report.frames,
      cleanClose: report.cleanClose,
      droppedTailBytes: report.droppedTailBytes,
      tailOffset: report.tailOffset,
    },
    bytesRead: () => (total === 0 ? end : Math.floor((rows / total) * end)),
    close: async () => {
      eng.clear();
    },
    async *[Symbol.asyncIterator]() {
      const c = eng.cursor(false);
      for (let batch = eng.take(c, batchSize); batch.length > 0; batch = eng.take(c, batchSize)) {
        rows += batch.length;
        yield batch;
      }
      eng.clear();
    },
  };
}

/**
 * A termstore dets file: header, then one ops frame per ~1 MiB of rows
 * (each one insert of many rows), then a clean-close frame. `dets.openFile`
 * replays it like any journal.
 */
async function detsSink(path: string, meta: TableMeta, o: SinkOptions): Promise<RowSink> {
  if (fs.existsSync(`${path}.lock`)) {
    throw new TermstoreError('DETS_LOCKED', `${path} is open in a dets table (its .lock exists); close it first`, { details: { file: path } });
  }
  const out = await OutputFile.create(path, o);
  const codec = createCodec();
  const head = encodeHeader(codec, meta.type, meta.keypos);
  await out.write(head);
  // Reserve the array head (0x9a + u32 count) and the insert opcode in front of the rows.
  const items = new WireBuffer(codec, FRAME_HEADER + 6, 1 << 20);
  let inFrame = 0;
  let rows = 0;
  const flush = async (): Promise<void> => {
    if (inFrame === 0) return;
    const { buf, len } = items.take();
    buf[FRAME_HEADER] = 0x9a;
    buf.writeUInt32BE(inFrame + 1, FRAME_HEADER + 1);
    buf[FRAME_HEADER + 5] = OpCode.INSERT;
    inFrame = 0;
    await out.write(sealFrame(buf, Kind.OPS, len - FRAME_HEADER, out.out.position));
  };
  return {
    format: 'dets',
    exact: false,
    async write(batch) {
      for (const row of batch) {
        try {
          items.put(rowToWire(row));
        } catch (e) {
          throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${rows}: ${(e as Error).message}`, { details: { position: rows }, cause: e });
        }
        inFrame++;
        rows++;
        if (items.full) await flush();
      }
    },
    async finish() {
      await flush();
      await out.write(frame(Kind.CLEAN_CLOSE, encodeMarker(codec, { at: Date.now(), rows }), out.out.position));
      return { bytes: await out.commit() };
    },
    abort: () => out.abort(),
  };
}

// ---------------------------------------------------------------- Erlang

async function openErlTab(file: string, o: SourceOptions): Promise<RowSource> {
  const r = await openTab2File(file, { terms: o.terms ?? 'exact', verify: o.verify !== false, batchSize: o.batchSize ?? 1000 });
  const i = r.info;
  const size = fs.statSync(file).size;
  let rows = 0;
  return {
    format: 'erl-tab',
    file,
    meta: { type: i.type, keypos: i.keypos, name: atomName(i.name) ?? baseName(file), access: i.protection, named: i.namedTable },
    expectedRows: i.size,
    fileBytes: size,
    details: { version: `${i.majorVersion}.${i.minorVersion}`, extendedInfo: i.extendedInfo, closedProperly: i.closedProperly, compressed: i.compressed },
    bytesRead: () => (i.size === 0 ? size : Math.min(size, Math.floor((rows / i.size) * size))),
    close: () => r.close(),
    async *[Symbol.asyncIterator]() {
      for await (const batch of r) {
        rows += batch.length;
        yield batch as ConvRow[];
      }
    },
  };
}

async function openErlDets(file: string, o: SourceOptions): Promise<RowSource> {
  const r = await openDetsFile(file, { terms: o.terms ?? 'exact', verify: o.verify !== false, batchSize: o.batchSize ?? 1000 });
  const i = r.info;
  const size = fs.statSync(file).size;
  let rows = 0;
  return {
    format: 'erl-dets',
    file,
    meta: { type: i.type, keypos: i.keypos, name: baseName(file), access: 'public', named: false },
    expectedRows: i.objectCount,
    fileBytes: size,
    details: { version: i.version, keys: i.keyCount, slots: i.slots, hashMethod: i.hashMethod, closedProperly: i.closedProperly },
    bytesRead: () => (i.objectCount === 0 ? size : Math.min(size, Math.floor((rows / i.objectCount) * size))),
    close: () => r.close(),
    async *[Symbol.asyncIterator]() {
      for await (const batch of r) {
        rows += batch.length;
        yield batch as ConvRow[];
      }
    },
  };
}

/** Turns pushed batches into the rows an iterable-consuming writer pulls, one batch in flight. */
class Channel implements AsyncIterable<ConvRow> {
  private batch: readonly ConvRow[] | undefined;
  private closed = false;
  private error: unknown;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  /** Hands over a batch; resolves once the consumer has taken it. Rejects if the consumer failed. */
  async push(b: readonly ConvRow[]): Promise<void> {
    if (this.error !== undefined) throw this.error;
    this.batch = b;
    this.wakeReader?.();
    await new Promise<void>((resolve) => {
      this.wakeWriter = resolve;
    });
    if (this.error !== undefined) throw this.error;
  }

  close(): void {
    this.closed = true;
    this.wakeReader?.();
  }

  fail(e: unknown): void {
    this.error ??= e;
    this.wakeWriter?.();
    this.wakeReader?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConvRow> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      const b = this.batch;
      if (b !== undefined) {
        this.batch = undefined;
        for (const r of b) yield r;
        this.wakeWriter?.();
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
    }
  }
}

/** A sink over a writer that pulls rows from an iterable and writes its file atomically itself. */
function pullSink(format: FormatName, run: (rows: AsyncIterable<ConvRow>) => Promise<unknown>, path: string, notes: string[]): RowSink {
  const ch = new Channel();
  const done = run(ch).then(
    () => undefined,
    (e: unknown) => {
      ch.fail(e);
      throw e;
    },
  );
  done.catch(() => undefined);
  return {
    format,
    exact: true,
    write: (rows) => ch.push(rows),
    async finish() {
      ch.close();
      try {
        await done;
      } catch (e) {
        throw ioError(e, path, 'writing');
      }
      return { bytes: fs.statSync(path).size, notes };
    },
    async abort() {
      ch.fail(new TermstoreError('CONVERT_IO', 'conversion aborted'));
      await done.catch(() => undefined);
    },
  };
}

function erlTabSink(path: string, meta: TableMeta, o: SinkOptions): RowSink {
  return pullSink(
    'erl-tab',
    (rows) =>
      writeTab2File(path, rows, {
        name: meta.name,
        type: meta.type,
        keypos: meta.keypos,
        protection: meta.access,
        namedTable: meta.named,
        force: o.force === true,
        sync: o.sync !== false,
      }),
    path,
    [],
  );
}

/** OTP DETS: rows are added (encoded) batch by batch, then laid out and written at `finish`. */
function erlDetsSink(path: string, meta: TableMeta, o: SinkOptions): RowSink {
  const notes = meta.type === 'ordered_set' ? ['DETS has no ordered_set: written as a set'] : [];
  const b = new DetsFileBuilder(meta.type === 'ordered_set' ? 'set' : meta.type, meta.keypos);
  return {
    format: 'erl-dets',
    exact: true,
    async write(rows) {
      for (let i = 0; i < rows.length; i++) b.add(rows[i] as DetsRow);
    },
    async finish() {
      try {
        await b.write(path, { force: o.force === true, sync: o.sync !== false });
      } catch (e) {
        throw ioError(e, path, 'writing');
      }
      return { bytes: fs.statSync(path).size, notes };
    },
    // Nothing is on disk before finish (which writes a temporary file and renames it).
    async abort() {},
  };
}

// ---------------------------------------------------------------- registry

/** Opens `file` as a source of the given format. */
export async function openSource(file: string, format: FormatName, o: SourceOptions = {}): Promise<RowSource> {
  try {
    switch (format) {
      case 'tab':
        return await openTab(file, o);
      case 'dets':
        return await openDets(file, o);
      case 'erl-tab':
        return await openErlTab(file, o);
      case 'erl-dets':
        return await openErlDets(file, o);
      case 'sqlite':
        return await openSqlite(file, o);
      case 'jsonl':
        return await openJsonl(file, o);
      case 'cbor-seq':
        return await openCborSeq(file, o);
    }
  } catch (e) {
    throw ioError(e, file, 'reading');
  }
}

/** Creates a sink writing `meta` and the rows to `file` in the given format. */
export async function openSink(file: string, format: FormatName, meta: TableMeta, o: SinkOptions = {}): Promise<RowSink> {
  try {
    switch (format) {
      case 'tab':
        return await tabSink(file, meta, o);
      case 'dets':
        return await detsSink(file, meta, o);
      case 'erl-tab':
        return erlTabSink(file, meta, o);
      case 'erl-dets':
        return erlDetsSink(file, meta, o);
      case 'sqlite':
        return await createSqliteSink(file, meta, o);
      case 'jsonl':
        return await createJsonlSink(file, meta, o);
      case 'cbor-seq':
        return await createCborSeqSink(file, meta, o);
    }
  } catch (e) {
    throw ioError(e, file, 'creating');
  }
}

/** Formats whose sinks hold Erlang-only values exactly (all but termstore dets files, whose codec is strict). */
export function sinkIsExact(format: FormatName): boolean {
  return format !== 'dets';
}
