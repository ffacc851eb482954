/**
 * Tables as a CBOR sequence (RFC 8742): any CBOR library can read them one
 * item at a time.
 *
 * ```text
 * D9 D9 F8 DA 63 74 54 53 43 42 4F 52    the RFC 9277 sequence tag: 55800(1668576339(h'424F52'))
 * {"termstore": "rows", "version": 1, "type": ..., "keypos": ..., "name": ..., "access": ..., "named": ...}
 * row                                    one CBOR array per row, the terms encoded as in tab files
 * row ...
 * {"termstore": "end", "rows": N, "crc32": C}   C: CRC-32 of every byte before this item
 * ```
 *
 * The end record is checked with `verify` (the default) when the file has
 * a header, so truncation and damage are found; `verify: false` reads a
 * file edited by other tools.
 * A sequence without the tag and header (first item a row) is read as a
 * `set` keyed on element 1. Reading is streaming: the item boundaries of
 * each chunk are found first (`src/dets/cbor-scan.ts`), so a truncated file or a
 * damaged length field is refused with the item's offset before anything is
 * allocated for it.
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import { createCodec, fromWire, toWire } from '../../dets/codec.js';
import { crc32 } from '../../dets/crc32.js';
import { TermstoreError } from '../../errors.js';
import type { ConvRow, RowSink, RowSource, SinkOptions, SourceOptions, TableMeta, TermsMode } from '../types.js';
import { WireBuffer, fromWireX, rowToWire } from '../wire.js';
import { CborScanError, scanItem } from '../../dets/cbor-scan.js';
import { CHUNK, ChunkReader, MAX_ITEM_BYTES, OutputFile, checkRow, corrupt, defaultMeta, itemTooLarge } from './stream-io.js';

/** The 12 bytes a termstore CBOR sequence starts with. */
export const CBOR_SEQ_MAGIC = Buffer.from([0xd9, 0xd9, 0xf8, 0xda, 0x63, 0x74, 0x54, 0x53, 0x43, 0x42, 0x4f, 0x52]);

const TYPES: ReadonlySet<string> = new Set(['set', 'ordered_set', 'bag', 'duplicate_bag']);
const ACCESS: ReadonlySet<string> = new Set(['public', 'protected', 'private']);

function metaFrom(x: unknown, file: string, offset: number): TableMeta | undefined {
  if (!(x instanceof Map) || x.get('termstore') !== 'rows') return undefined;
  const version = x.get('version');
  if (version !== 1) throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file}: CBOR sequence version ${String(version)} is not supported`, { details: { file, offset } });
  const type = x.get('type');
  const keypos = x.get('keypos');
  const access = x.get('access');
  const named = x.get('named');
  let name: unknown;
  try {
    name = fromWire(x.get('name'));
  } catch {
    name = undefined;
  }
  if (typeof type !== 'string' || !TYPES.has(type) || typeof keypos !== 'number' || !Number.isInteger(keypos) || keypos < 1) {
    throw corrupt(file, offset, 'the header item has no valid type/keypos');
  }
  if (typeof access !== 'string' || !ACCESS.has(access) || typeof named !== 'boolean' || typeof name !== 'string') {
    throw corrupt(file, offset, 'the header item has no valid name/access/named');
  }
  return { type: type as TableMeta['type'], keypos, name, access: access as TableMeta['access'], named };
}

/** Opens a CBOR sequence for reading (header read at once). */
export async function openCborSeq(file: string, options: SourceOptions = {}): Promise<RowSource> {
  const r = await ChunkReader.open(file);
  try {
    const codec = createCodec();
    const s = new CborSeqSource(r, codec, options.terms ?? 'exact', options.batchSize ?? 1000, options.verify !== false);
    await s.start();
    return s;
  } catch (e) {
    await r.close();
    throw e;
  }
}

class CborSeqSource implements RowSource {
  readonly format = 'cbor-seq' as const;
  readonly file: string;
  meta!: TableMeta;
  readonly expectedRows = undefined;
  readonly fileBytes: number;
  readonly details: Record<string, unknown> = {};
  /** Unconsumed bytes; `pendingAt` is the file offset of `pending[0]`. */
  private pending: Buffer = Buffer.alloc(0);
  private pendingAt = 0;
  private rows = 0;
  /** CRC-32 of the bytes consumed so far (with `verify`). */
  private crc = 0;
  private headed = false;

  constructor(
    private readonly r: ChunkReader,
    private readonly codec: Encoder,
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

  /** Scans complete items from `pending`, reading more as needed; returns their end offsets in `pending`, or [] at the end. */
  private async items(max: number): Promise<number[]> {
    for (;;) {
      const ends: number[] = [];
      let p = 0;
      const limit = this.r.size - (this.pendingAt + this.pending.length);
      try {
        while (ends.length < max && p < this.pending.length) {
          const e = scanItem(this.pending, p, limit);
          if (e < 0) break;
          ends.push(e);
          p = e;
        }
      } catch (e) {
        if (e instanceof CborScanError) throw corrupt(this.file, this.pendingAt + e.at, `not well-formed CBOR: ${e.message}`);
        throw e;
      }
      if (ends.length > 0 || this.r.position >= this.r.size) {
        if (ends.length === 0 && this.pending.length > 0) {
          throw corrupt(this.file, this.pendingAt, `truncated: the last item is incomplete (${this.pending.length} bytes)`, { reason: 'truncated' });
        }
        return ends;
      }
      if (this.pending.length > MAX_ITEM_BYTES) throw corrupt(this.file, this.pendingAt, `an item larger than ${MAX_ITEM_BYTES} bytes`);
      // Read at least as much as is pending: a long item costs O(n) copying, not O(n²).
      const chunk = await this.r.next(Math.max(CHUNK, this.pending.length));
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    }
  }

  /** Decodes the items [0, ends[last]) of `pending` and consumes them. */
  private decode(ends: number[]): unknown[] {
    const region = this.pending.subarray(0, ends[ends.length - 1]);
    const out: unknown[] = [];
    try {
      this.codec.decodeMultiple(region, (v: unknown) => {
        out.push(v);
      });
    } catch {
      const i = out.length;
      throw corrupt(this.file, this.pendingAt + (i === 0 ? 0 : ends[i - 1]!), `item ${i} does not decode`);
    }
    return out;
  }

  private consume(to: number): void {
    if (this.verify) this.crc = crc32(this.pending.subarray(0, to), this.crc);
    this.pendingAt += to;
    this.pending = this.pending.subarray(to);
  }

  async start(): Promise<void> {
    const head = await this.r.next(CBOR_SEQ_MAGIC.length);
    if (head.length === 0) throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${this.file} is empty`, { details: { file: this.file, offset: 0 } });
    const magic = head.equals(CBOR_SEQ_MAGIC);
    if (magic) {
      this.pendingAt = CBOR_SEQ_MAGIC.length;
      this.crc = crc32(head);
    } else this.pending = head;
    const ends = await this.items(1);
    if (ends.length === 0) {
      if (magic) throw corrupt(this.file, this.pendingAt, 'truncated: no header item after the magic bytes', { reason: 'truncated' });
      this.meta = defaultMeta(this.file);
      return;
    }
    const [first] = this.decode(ends);
    const meta = metaFrom(first, this.file, this.pendingAt);
    if (magic && meta === undefined) throw corrupt(this.file, this.pendingAt, 'the item after the magic bytes is not a termstore header');
    if (meta !== undefined) this.consume(ends[0]!);
    this.headed = meta !== undefined;
    this.meta = meta ?? defaultMeta(this.file);
  }

  /** Checks the end record at `offset` (decoded as `v`) and that nothing follows it. */
  private async end(v: Map<unknown, unknown>, offset: number, crcBefore: number): Promise<void> {
    const keys = [...v.keys()].sort().join(',');
    const rows = v.get('rows');
    const crc = v.get('crc32');
    if (keys !== 'crc32,rows,termstore' || typeof rows !== 'number' || typeof crc !== 'number') throw corrupt(this.file, offset, 'a malformed end record');
    const more = await this.items(1);
    if (more.length > 0) throw corrupt(this.file, this.pendingAt, 'an item follows the end record');
    if (!this.verify) return;
    if (rows !== this.rows) throw corrupt(this.file, offset, `${this.rows} rows read, the end record says ${rows}`, { reason: 'count' });
    if (crc !== crcBefore) throw corrupt(this.file, offset, 'checksum mismatch: the file changed after it was written (damaged, or edited: read it with verify off / --no-verify)', { reason: 'checksum' });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConvRow[]> {
    try {
      let ended = false;
      while (!ended) {
        const ends = await this.items(this.batchSize);
        if (ends.length === 0) break;
        const values = this.decode(ends);
        const batch: ConvRow[] = [];
        let used = ends[ends.length - 1]!;
        for (let i = 0; i < values.length; i++) {
          const start = i === 0 ? 0 : ends[i - 1]!;
          const offset = this.pendingAt + start;
          const x = values[i];
          if (x instanceof Map && x.get('termstore') === 'end') {
            const crcBefore = this.verify ? crc32(this.pending.subarray(0, start), this.crc) : 0;
            if (i !== values.length - 1) throw corrupt(this.file, this.pendingAt + ends[i]!, 'an item follows the end record');
            this.consume(ends[i]!);
            used = 0;
            await this.end(x, offset, crcBefore);
            ended = true;
            break;
          }
          let v: unknown;
          try {
            v = fromWireX(x);
          } catch (e) {
            throw corrupt(this.file, offset, `row ${this.rows} is not a term (${(e as Error).message})`, { position: this.rows });
          }
          batch.push(checkRow(v, this.meta.keypos, this.terms, { row: this.rows, offset, file: this.file }));
          this.rows++;
        }
        if (used > 0) this.consume(used);
        if (batch.length > 0) yield batch;
      }
      if (this.verify && this.headed && !ended) {
        throw corrupt(this.file, this.r.size, 'no end record: the file is truncated (or was edited: read it with verify off / --no-verify)', { reason: 'truncated' });
      }
    } finally {
      await this.r.close();
    }
  }

  async close(): Promise<void> {
    await this.r.close();
  }
}

/** Creates a CBOR sequence sink writing `meta` and then the rows. */
export async function createCborSeqSink(path: string, meta: TableMeta, options: SinkOptions = {}): Promise<RowSink> {
  const out = await OutputFile.create(path, options);
  const codec = createCodec();
  const items = new WireBuffer(codec, 0, 1 << 20);
  items.bytes(CBOR_SEQ_MAGIC);
  items.put({ termstore: 'rows', version: 1, type: meta.type, keypos: meta.keypos, name: toWire(meta.name), access: meta.access, named: meta.named });
  let rows = 0;
  let crc = 0;
  const flush = async (): Promise<void> => {
    const { buf, len } = items.take();
    const b = buf.subarray(0, len);
    crc = crc32(b, crc);
    if (len > 0) await out.write(b);
  };
  return {
    format: 'cbor-seq',
    exact: true,
    async write(batch: readonly ConvRow[]): Promise<void> {
      for (const row of batch) {
        const before = items.size;
        try {
          items.put(rowToWire(row));
        } catch (e) {
          throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${rows}: ${(e as Error).message}`, { details: { position: rows }, cause: e });
        }
        // The reader refuses an item over MAX_ITEM_BYTES: never write one.
        if (items.size - before > MAX_ITEM_BYTES) throw itemTooLarge('a CBOR item', rows, items.size - before);
        rows++;
        if (items.full) await flush();
      }
    },
    async finish() {
      await flush();
      items.put({ termstore: 'end', rows, crc32: crc });
      await flush();
      return { bytes: await out.commit() };
    },
    abort: () => out.abort(),
  };
}
