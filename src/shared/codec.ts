/**
 * The bytes of a shared table's log entries and snapshot chunks.
 *
 * A log entry is a CBOR sequence: a header item `[1, kind, opId]`, then the
 * entry's items. Terms use the dets value encoding (`dets/codec.ts`), and
 * effects use the dets op items (`dets/format.ts`), so one term model and
 * one encoder serve disk tables, conversion and shared tables.
 *
 * | kind          | items after the header                                             |
 * |---------------|--------------------------------------------------------------------|
 * | 0 `effects`   | dets op items (`insert`, `delete`, `deleteObject`, `replace`, `clear`), decided by the writer at the head of the log (SQLite) |
 * | 1 `calls`     | one `[fn, ...args]` array per ETS call, decided by every replica in log order (PostgreSQL) |
 * | 2 `rename`    | the new name (text)                                                |
 *
 * `opId` is `<participant>.<n>`: unique per write (PostgreSQL's unique index
 * makes a retried append a no-op; replicas match their own writes by it).
 *
 * A snapshot chunk is a CBOR sequence of rows.
 *
 * @module
 */
import type { Encoder } from 'cbor-x';
import type { WriteOp } from '../engines/types.js';
import { fail } from '../errors.js';
import { WireError, createCodec, fromWire, toWire } from '../dets/codec.js';
import { ItemWriter, decodeItems, opFromWire, rowFromWire } from '../dets/items.js';
import type { Row } from '../term/types.js';

/** Version of the entry layout (the first item of the header). */
export const ENTRY_VERSION = 1;

/** One ETS write call as a replica replays it. */
export interface Call {
  readonly fn: string;
  readonly args: readonly unknown[];
}

/** A decoded log entry. */
export type Entry =
  | { readonly kind: 'effects'; readonly opId: string; readonly ops: WriteOp[] }
  | { readonly kind: 'calls'; readonly opId: string; readonly calls: Call[] }
  | { readonly kind: 'rename'; readonly opId: string; readonly name: string };

const KIND = { effects: 0, calls: 1, rename: 2 } as const;

/** Thrown when a call argument cannot be put in the log (a JS function, a class instance...). */
export class NotLoggableError extends Error {}

/** Per-table encoder state (cbor-x keeps state per Encoder instance; no module globals). */
export class EntryCodec {
  private readonly codec: Encoder = createCodec();
  private readonly w: ItemWriter = new ItemWriter(this.codec, 0, 256);

  constructor(private readonly keypos: number) {}

  private start(kind: number, opId: string): void {
    this.w.reset();
    this.w.arrayHead(3);
    this.w.tiny(ENTRY_VERSION);
    this.w.tiny(kind);
    this.w.item(opId);
  }

  private take(): Buffer {
    const out = Buffer.allocUnsafe(this.w.len);
    this.w.buf.copy(out, 0, 0, this.w.len);
    return out;
  }

  /**
   * An `effects` entry. Ops hold stored rows, which are terms. The bytes
   * are a view of this codec's buffer, valid until its next use (SQLite
   * copies a bound blob at once).
   */
  effects(opId: string, ops: readonly WriteOp[]): Buffer {
    this.start(KIND.effects, opId);
    for (const op of ops) this.w.op(op);
    return this.w.buf.subarray(0, this.w.len);
  }

  /** A `calls` entry; throws {@link NotLoggableError} for an argument that is not a term. */
  calls(opId: string, calls: readonly Call[]): Buffer {
    this.start(KIND.calls, opId);
    for (const c of calls) {
      let wire: unknown[];
      try {
        wire = [c.fn, ...c.args.map(toWire)];
      } catch (e) {
        if (e instanceof WireError) throw new NotLoggableError(e.message);
        throw e;
      }
      this.w.item(wire);
    }
    return this.take();
  }

  /** A `rename` entry. */
  rename(opId: string, name: string): Buffer {
    this.start(KIND.rename, opId);
    this.w.item(toWire(name));
    return this.take();
  }

  /** Decodes an entry; throws `SHARED_CORRUPT` for bytes this version did not write. */
  decode(buf: Uint8Array, where: string): Entry {
    try {
      const items = decodeItems(this.codec, Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
      const head = items[0];
      if (!Array.isArray(head) || head.length !== 3 || head[0] !== ENTRY_VERSION || typeof head[2] !== 'string') throw new WireError('bad entry header');
      const opId = head[2];
      switch (head[1]) {
        case KIND.effects:
          return { kind: 'effects', opId, ops: items.slice(1).map((x) => opFromWire(x, this.keypos)) };
        case KIND.calls:
          return {
            kind: 'calls',
            opId,
            calls: items.slice(1).map((x) => {
              if (!Array.isArray(x) || typeof x[0] !== 'string') throw new WireError('bad call');
              return { fn: x[0], args: x.slice(1).map(fromWire) };
            }),
          };
        case KIND.rename: {
          const name = items[1];
          if (typeof name !== 'string') throw new WireError('bad rename');
          return { kind: 'rename', opId, name };
        }
      }
      throw new WireError(`unknown entry kind ${String(head[1])}`);
    } catch (e) {
      return fail('SHARED_CORRUPT', `shared: the log entry ${where} cannot be decoded (${(e as Error).message}); it was written by a newer termstore or damaged`, { entry: where }, e);
    }
  }

  /** Encodes rows as one snapshot chunk. */
  chunk(rows: readonly Row[]): Buffer {
    const w = new ItemWriter(this.codec, 0, 64 * 1024);
    for (const r of rows) w.term(r);
    return Buffer.from(w.buf.subarray(0, w.len));
  }

  /** Decodes a snapshot chunk into stored rows. */
  unchunk(buf: Uint8Array, where: string): Row[] {
    try {
      const items = decodeItems(this.codec, Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
      const out: Row[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) out[i] = rowFromWire(items[i], this.keypos);
      return out;
    } catch (e) {
      return fail('SHARED_CORRUPT', `shared: the snapshot chunk ${where} cannot be decoded (${(e as Error).message})`, { chunk: where }, e);
    }
  }
}
