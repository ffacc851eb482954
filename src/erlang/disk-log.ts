/**
 * OTP `disk_log` halt logs in the internal format: the container of
 * `ets:tab2file/2` files (`lib/kernel/src/disk_log_1.erl`, `disk_log.hrl`).
 *
 * Layout (big-endian):
 *
 *     File head (8 bytes):  <<1,2,3,4>>  then  <<99,88,77,11>> (closed)  or  <<6,7,8,9>> (open: not closed properly)
 *     Item, repeated to the end of the file:
 *       Size:32  <<98,87,76,65>> ("bWLA")  Bytes:Size                      when Size <  65528
 *       Size:32  <<98,87,76,65>>  MD5(<<Size:32>>):16  Bytes:Size          when Size >= 65528
 *       Size:32  <<12,33,44,55>>  Bytes:Size                               (format before OTP R13, read only)
 *
 * `Bytes` is a `term_to_binary` result. There is no item count and no
 * trailer: the file ends after the last item.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { TermstoreError } from '../errors.js';
import { FileSource } from '../io/file-io.js';

/** `<<1,2,3,4>>`: the first four bytes of every disk_log file. */
export const LOG_MAGIC = Uint8Array.of(1, 2, 3, 4);
/** Head bytes 4..8 of a log that was closed. */
export const LOG_CLOSED = Uint8Array.of(99, 88, 77, 11);
/** Head bytes 4..8 of a log still open (or not closed properly). */
export const LOG_OPENED = Uint8Array.of(6, 7, 8, 9);
const BIG_MAGIC = 0x62574c41;
const OLD_MAGIC = 0x0c212c37;
/** Items of at least this size carry an MD5 of their size field. */
export const MIN_MD5_TERM = 65528;

/** One logged item. */
export interface LogItem {
  /** Offset of the item's size field in the file. */
  offset: number;
  /** Offset of the item's term bytes in the file. */
  dataOffset: number;
  /** The term bytes (a `term_to_binary` result). */
  bytes: Uint8Array;
}

function startsWith(b: Uint8Array, p: Uint8Array, at = 0): boolean {
  if (b.length < at + p.length) return false;
  for (let i = 0; i < p.length; i++) if (b[at + i] !== p[i]) return false;
  return true;
}

/** Reads the items of a disk_log file one by one. */
export class DiskLogReader {
  private pos = 8;
  /** Offset where a torn last item starts, if `repair` skipped one. */
  tornTailAt: number | undefined;

  private constructor(
    private readonly src: FileSource,
    /** True if the head says the log was closed. */
    readonly closedProperly: boolean,
    private readonly repair: boolean,
  ) {}

  /**
   * Opens a disk_log file and checks its head.
   * @param repair When the log was not closed, stop at a torn last item
   *   instead of failing (the item is reported in `tornTailAt`).
   */
  static async open(src: FileSource, repair: boolean): Promise<DiskLogReader> {
    const head = await src.read(0, 8);
    const file = src.path;
    if (head.length === 0) {
      throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', 'empty file: not a disk_log file', { details: { offset: 0, file } });
    }
    const magicPrefix = LOG_MAGIC.subarray(0, Math.min(4, head.length));
    if (!startsWith(head, magicPrefix)) {
      throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', 'not a disk_log file (bad magic)', { details: { offset: 0, file } });
    }
    if (head.length < 8) {
      throw new TermstoreError('CONVERT_CORRUPT', `disk_log head truncated at ${head.length} bytes`, { details: { offset: head.length, file } });
    }
    let closed: boolean;
    if (startsWith(head, LOG_CLOSED, 4)) closed = true;
    else if (startsWith(head, LOG_OPENED, 4)) closed = false;
    else throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', 'not a disk_log file (bad open/closed marker)', { details: { offset: 4, file } });
    return new DiskLogReader(src, closed, repair);
  }

  private torn(message: string, offset: number): undefined {
    if (!this.closedProperly && this.repair) {
      this.tornTailAt = offset;
      this.pos = this.src.size;
      return undefined;
    }
    const hint = this.closedProperly ? '' : ' (the log was not closed properly; pass repair to read the intact items)';
    throw new TermstoreError('CONVERT_CORRUPT', `${message}${hint}`, {
      details: { offset, file: this.src.path, closedProperly: this.closedProperly },
    });
  }

  /** The next item, or `undefined` at the end of the file. */
  async next(): Promise<LogItem | undefined> {
    const at = this.pos;
    const size = this.src.size;
    if (at >= size) return undefined;
    if (size - at < 8) return this.torn(`item header truncated (${size - at} of 8 bytes)`, at);
    const h = await this.src.read(at, 8);
    const dv = new DataView(h.buffer, h.byteOffset, 8);
    const len = dv.getUint32(0);
    const magic = dv.getUint32(4);
    let data = at + 8;
    if (magic === BIG_MAGIC) {
      if (len >= MIN_MD5_TERM) {
        if (size - data < 16) return this.torn('item header truncated (size checksum)', at);
        const sum = await this.src.read(data, 16);
        const want = createHash('md5').update(h.subarray(0, 4)).digest();
        if (!startsWith(sum, want)) return this.torn('item size checksum mismatch', at);
        data += 16;
      }
    } else if (magic !== OLD_MAGIC) {
      return this.torn('bad item magic', at + 4);
    }
    if (len > size - data) return this.torn(`item of ${len} bytes truncated (${size - data} left)`, at);
    const bytes = await this.src.read(data, len);
    this.pos = data + len;
    return { offset: at, dataOffset: data, bytes };
  }
}

/** The bytes of one disk_log item holding `term` (a `term_to_binary` result). */
export function logItem(term: Uint8Array): Uint8Array {
  const extra = term.length >= MIN_MD5_TERM ? 16 : 0;
  const out = new Uint8Array(8 + extra + term.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, term.length);
  dv.setUint32(4, BIG_MAGIC);
  if (extra > 0) out.set(createHash('md5').update(out.subarray(0, 4)).digest(), 8);
  out.set(term, 8 + extra);
  return out;
}

/** The 8-byte head of a closed disk_log file. */
export function logHead(): Uint8Array {
  const out = new Uint8Array(8);
  out.set(LOG_MAGIC, 0);
  out.set(LOG_CLOSED, 4);
  return out;
}
