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
 * | `shared`   | a replica loaded for the purpose        | a temporary shared table, renamed at the end (`formats/shared.ts`) |
 *
 * Every sink writes a temporary file and renames it into place at the end.
 *
 * @module
 */
import * as fs from 'node:fs';
import { basename, extname } from 'node:path';
import { createCodec } from '../dets/codec.js';
import { isLocked } from '../dets/lock.js';
import { FileBuilder } from '../dets/snapshot.js';
import { nodeFs } from '../dets/fs.js';
import { countingReads } from './read-progress.js';
import { loadFile, readHeader } from '../dets/recovery.js';
import { createEngine } from '../engines/index.js';
import { MergeGuard } from './merge-guard.js';
import { TermstoreError } from '../errors.js';
import { atomName } from '../term/types.js';
import { ioError } from '../io/atomic-file.js';
import { openCborSeq, createCborSeqSink } from './formats/cbor-seq.js';
import { openDetsFile } from '../erlang/dets-v9-read.js';
import { DetsFileBuilder, type DetsRow } from '../erlang/dets-v9-write.js';
import { openTab2File, writeTab2File } from '../erlang/tab2file.js';
import { createJsonlSink, openJsonl } from './formats/jsonl.js';
import { createSqliteSink, openSqlite } from './formats/sqlite.js';
import { createSharedSink, openSharedSource } from './formats/shared.js';
import { OutputFile } from './formats/stream-io.js';
import { TabFileReader, TabFileWriter } from '../tabfile/format.js';
import type { ConvRow, FormatName, RowSink, RowSource, SinkOptions, SourceOptions, TableMeta } from './types.js';
import { rowToWire } from './wire.js';

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
    const onReplay = o.onReplay;
    const rfs = onReplay === undefined ? nodeFs : countingReads(nodeFs, (at) => onReplay(at, size));
    const h = readHeader(rfs, fd, size, codec, file);
    engine = createEngine(h.type, h.keypos - 1);
    // Damage is refused unless salvaging (every intact row is read then; the file is never written). A torn tail (a write cut short) is dropped, as dets.openFile does.
    loaded = await loadFile(rfs, fd, size, codec, file, engine, o.salvage === true);
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
      recovered: report,
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
 * A termstore dets file, written as a compaction writes one: header and
 * slots, a snapshot of the rows (frames in 64 KiB blocks), a clean-close
 * marker; the snapshot's row count and the slots are filled in at the end.
 * Refused while the target is open for writing in a dets table.
 */
async function detsSink(path: string, meta: TableMeta, o: SinkOptions): Promise<RowSink> {
  if (fs.existsSync(path) && isLocked(path)) {
    throw new TermstoreError('DETS_LOCKED', `${path} is open for writing in a dets table; close it first`, { details: { file: path } });
  }
  const out = await OutputFile.create(path, o);
  const b = new FileBuilder(createCodec(), meta.type, meta.keypos);
  await out.write(b.start(0, 0));
  let rows = 0;
  // A dets file is loaded into a table: rows it would merge are refused here, naming the row.
  const guard = new MergeGuard(meta.type, meta.keypos);
  return {
    format: 'dets',
    exact: false,
    async write(batch) {
      for (const row of batch) {
        guard.check(row, rows, path);
        let wire: unknown;
        try {
          wire = rowToWire(row);
        } catch (e) {
          throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${rows}: ${(e as Error).message}`, { details: { position: rows }, cause: e });
        }
        rows++;
        const bytes = b.rowWire(wire);
        if (bytes !== undefined) await out.write(bytes);
      }
    },
    async finish() {
      await out.write(b.end());
      await out.write(b.cleanClose(1, rows));
      await out.writeAt(b.beginFrame(rows), b.beginOffset);
      await out.writeAt(b.slots(0), b.slotsAt);
      return { bytes: await out.commit() };
    },
    abort: () => out.abort(),
  };
}

// ---------------------------------------------------------------- Erlang

/** The inflate budgets of `o` that are set (unset ones keep the decoder's defaults). */
function inflateLimits(o: SourceOptions): { maxInflatedBytes?: number; maxInflatedTerms?: number } {
  const r: { maxInflatedBytes?: number; maxInflatedTerms?: number } = {};
  if (o.maxInflatedBytes !== undefined) r.maxInflatedBytes = o.maxInflatedBytes;
  if (o.maxInflatedTerms !== undefined) r.maxInflatedTerms = o.maxInflatedTerms;
  return r;
}

async function openErlTab(file: string, o: SourceOptions): Promise<RowSource> {
  const r = await openTab2File(file, { terms: o.terms ?? 'exact', verify: o.verify !== false, batchSize: o.batchSize ?? 1000, ...inflateLimits(o) });
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
  const r = await openDetsFile(file, { terms: o.terms ?? 'exact', verify: o.verify !== false, batchSize: o.batchSize ?? 1000, ...inflateLimits(o) });
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

async function openRawSource(file: string, format: FormatName, o: SourceOptions): Promise<RowSource> {
  switch (format) {
    case 'tab':
      return openTab(file, o);
    case 'dets':
      return openDets(file, o);
    case 'erl-tab':
      return openErlTab(file, o);
    case 'erl-dets':
      return openErlDets(file, o);
    case 'sqlite':
      return openSqlite(file, o);
    case 'jsonl':
      return openJsonl(file, o);
    case 'cbor-seq':
      return openCborSeq(file, o);
    case 'shared':
      return openSharedSource(file, o);
  }
}

/**
 * Opens `file` as a source of the given format. A system error while
 * opening or reading (EIO, ...) is `CONVERT_IO` naming the file, with the
 * system error as `cause`.
 */
export async function openSource(file: string, format: FormatName, o: SourceOptions = {}): Promise<RowSource> {
  let s: RowSource;
  try {
    s = await openRawSource(file, format, o);
  } catch (e) {
    throw ioError(e, file, 'reading');
  }
  return {
    get format() {
      return s.format;
    },
    get file() {
      return s.file;
    },
    get meta() {
      return s.meta;
    },
    get expectedRows() {
      return s.expectedRows;
    },
    get fileBytes() {
      return s.fileBytes;
    },
    get details() {
      return s.details;
    },
    bytesRead: () => s.bytesRead(),
    close: () => s.close(),
    async *[Symbol.asyncIterator]() {
      try {
        yield* s;
      } catch (e) {
        throw ioError(e, file, 'reading');
      }
    },
  };
}

async function openRawSink(file: string, format: FormatName, meta: TableMeta, o: SinkOptions): Promise<RowSink> {
  switch (format) {
    case 'tab':
      return tabSink(file, meta, o);
    case 'dets':
      return detsSink(file, meta, o);
    case 'erl-tab':
      return erlTabSink(file, meta, o);
    case 'erl-dets':
      return erlDetsSink(file, meta, o);
    case 'sqlite':
      return createSqliteSink(file, meta, o);
    case 'jsonl':
      return createJsonlSink(file, meta, o);
    case 'cbor-seq':
      return createCborSeqSink(file, meta, o);
    case 'shared':
      return createSharedSink(file, meta, o);
  }
}

/**
 * Creates a sink writing `meta` and the rows to `file` in the given format.
 * A system error while writing (ENOSPC, EIO, EDQUOT, ...) is `CONVERT_IO`
 * naming the file, with the system error as `cause`.
 */
export async function openSink(file: string, format: FormatName, meta: TableMeta, o: SinkOptions = {}): Promise<RowSink> {
  let k: RowSink;
  try {
    k = await openRawSink(file, format, meta, o);
  } catch (e) {
    throw ioError(e, file, 'creating');
  }
  const writing = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      throw ioError(e, file, 'writing');
    });
  return {
    format: k.format,
    exact: k.exact,
    write: (rows) => writing(k.write(rows)),
    finish: () => writing(k.finish()),
    abort: () => k.abort(),
  };
}

/** Formats whose sinks hold Erlang-only values exactly (all but termstore dets files, whose codec is strict). */
export function sinkIsExact(format: FormatName): boolean {
  return format !== 'dets' && format !== 'shared';
}
