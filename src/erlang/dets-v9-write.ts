/**
 * Writer of DETS version 9 files that OTP's `dets:open_file/2` opens
 * without repair (layout in `dets-v9-read.ts`).
 *
 * The file is laid out as `dets` lays out a table it has just initialised,
 * so OTP can go on writing to it:
 *
 * - Slots: DETS hashes linearly, in segments of 256 slots: `Next` slots,
 *   `M` the power of two with `M <= Next < 2M`, `N = Next - M` slots
 *   already split; key `K` goes to slot `H band (M-1)`, or `H band (2M-1)`
 *   when that is below `N` (`H = phash2(K)`, `dets_v9:db_hash/2`). `Next`
 *   is one slot per {@link KEYS_PER_SLOT} keys, rounded up to whole
 *   segments: what OTP's own table reaches when rows are inserted in
 *   batches (it grows by at most two segments per write, so 1M keys
 *   inserted 1000 at a time leave 512,256 slots). A slot's collection then
 *   holds a couple of keys, as in a file OTP wrote.
 * - The segment array parts, then the segments, from BASE (1336); the buddy
 *   system starts at the first free address after them (`FlBase`), as
 *   `dets_v9:init_file/17` does.
 * - One object collection per non-empty slot, keys sorted in
 *   `dets_utils:cmp/2` order, a bag's objects of one key oldest first, each
 *   collection in a power-of-two block; blocks are placed largest first, so
 *   each is aligned for the buddy system and they follow one another with
 *   no gap. The free lists are then the binary decomposition of the rest of
 *   the buddy system's 2 GiB space (`<<Size:32, FREE:32, Level:32,
 *   Addr:32...>>` chunks, ended by `<<12:32, FREE:32, 12345:32>>`), then
 *   the file size minus `FlBase`; the header is marked closed properly and
 *   carries the MD5 of its counters.
 *
 * Rows are inserted in order with DETS semantics: in a `set` a later row
 * replaces an earlier one with the same key (`=:=`); in a `bag` a row equal
 * to an earlier one replaces it (and so moves after the other objects of its
 * key, as `dets:insert/2` does); a `duplicate_bag` keeps every row.
 *
 * Memory: the rows are kept encoded (their `term_to_binary` bytes in one
 * buffer) with a key, a hash and an offset each; nothing per row is an
 * object but the key. The output is written in 4 MiB chunks.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { TermstoreError } from '../errors.js';
import { DETS, type DetsTableType } from './dets-v9-read.js';
import { phash2 } from './phash2.js';
import { detsCompare } from './term-order.js';
import { EtfEncoder } from './etf-encode.js';
import type { ErlTerm } from './terms.js';
import { FileSink, writeFileAtomically, type OutputFileOptions } from '../io/file-io.js';

/** Options of {@link writeDetsFile}. */
export interface WriteDetsFileOptions extends OutputFileOptions {
  /** Table type (default `'set'`). */
  type?: DetsTableType;
  /** 1-based key position (default 1). */
  keypos?: number;
}

/** A row to write: an array (`Tuple` or plain) of at least `keypos` elements. */
export type DetsRow = readonly ErlTerm[];

const TYPE_CODE: Record<DetsTableType, number> = { set: 1, bag: 2, duplicate_bag: 3 };
const MAXBUD = 32;
const MIN_SLOTS = 256;
/** Keys per slot in the files written (see the module documentation). */
export const KEYS_PER_SLOT = 2;
/** The buddy system's space: one block of 2^31 bytes at FlBase (level MAXBUD). */
const BUDDY_SPACE = 2 ** 31;
/** Largest file offset the buddy system can hand out, keeping room for the free lists. */
const ADDRESS_LIMIT = 2 ** 31 - (1 << 20);
const OUT_CHUNK = 4 << 20;

function tooBig(): TermstoreError {
  return new TermstoreError('CONVERT_UNSUPPORTED_TERM', 'the table does not fit in a DETS file (2 GiB)');
}

function badArg(option: string): TermstoreError {
  return new TermstoreError('ETS_BADARG', `invalid option '${option}'`, { details: { option } });
}

/** Smallest power of two >= n (n >= 1). */
function pow2ceil(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Slots (`Next`) for a table of `keys` keys: whole segments, at least 256, at most DETS's maximum. */
export function slotsFor(keys: number): number {
  const segs = Math.ceil(keys / (DETS.SEGSZP * KEYS_PER_SLOT));
  return Math.min(DETS.MAXSLOTS, Math.max(MIN_SLOTS, segs * DETS.SEGSZP));
}

/** The linear-hashing state for `next` slots: `M` (a power of two, M <= Next < 2M) and `N = Next - M`. */
export function hashState(next: number): { m: number; n: number } {
  let m = MIN_SLOTS;
  while (m * 2 <= next) m *= 2;
  return { m, n: next - m };
}

/** `dets_utils:cmp/2` on two keys, with the common integer keys compared inline. */
function keyCmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) return a < b ? -1 : a > b ? 1 : 0;
  return detsCompare(a, b);
}

/** Grows a `Uint32Array` (doubling) to hold at least `need` entries. */
function grow32(a: Uint32Array<ArrayBuffer>, need: number): Uint32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

/** A table's collections: which rows, in what order, and each non-empty slot's size. */
interface Layout {
  next: number;
  m: number;
  n: number;
  keyCount: number;
  objectCount: number;
  /** Row numbers in output order, slot by slot. */
  rows: Uint32Array;
  /** `rows[slotAt[s] .. slotAt[s+1]]` are slot `s`'s rows. */
  slotAt: Uint32Array;
  /** 1 where a row starts a new key in its slot (bags: a per-key size precedes the key's objects). */
  keyStart: Uint8Array;
  /** Collection size (8 + objects) per slot, 0 for an empty slot. */
  size: Uint32Array;
  /** Non-empty slots. */
  slotCount: number;
}

/**
 * Builds a DETS file from rows added in order ({@link add}); {@link write}
 * lays it out and writes it. Used by {@link writeDetsFile} and by the
 * converter's DETS sink (which adds whole batches without awaiting each row).
 */
export class DetsFileBuilder {
  private readonly enc = new EtfEncoder();
  private bytes = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  /** Row i's bytes are `bytes[starts[i] .. starts[i+1]]`. */
  private starts = new Uint32Array(1 << 12);
  private hashes = new Uint32Array(1 << 12);
  private readonly keys: ErlTerm[] = [];
  private count = 0;

  constructor(
    readonly type: DetsTableType = 'set',
    readonly keypos = 1,
  ) {
    if (!(type in TYPE_CODE)) throw badArg('type');
    if (!Number.isInteger(keypos) || keypos < 1) throw badArg('keypos');
  }

  /** Rows added so far. */
  get rowCount(): number {
    return this.count;
  }

  /** Adds one row (encoded at once); throws `CONVERT_UNSUPPORTED_TERM` naming the row for one Erlang cannot hold. */
  add(row: DetsRow): void {
    const position = this.count;
    const keypos = this.keypos;
    if (!Array.isArray(row) || row.length < keypos) {
      throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${position} is not an array of at least keypos ${keypos} elements`, { details: { position } });
    }
    const key = row[keypos - 1] as ErlTerm;
    let view: Uint8Array;
    let hash: number;
    try {
      view = this.enc.encodeRowView(row);
      hash = phash2(key);
    } catch (e) {
      if (e instanceof TermstoreError) {
        throw new TermstoreError(e.code, `row ${position}: ${e.message}`, { details: { ...e.details, position }, cause: e });
      }
      throw e;
    }
    const at = this.used;
    const end = at + view.length;
    if (end > ADDRESS_LIMIT) throw tooBig();
    if (end > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < end) size *= 2;
      const b = Buffer.allocUnsafe(Math.min(size, 2 ** 31));
      this.bytes.copy(b, 0, 0, at);
      this.bytes = b;
    }
    this.bytes.set(view, at);
    this.used = end;
    this.starts = grow32(this.starts, position + 2);
    this.hashes = grow32(this.hashes, position + 1);
    this.starts[position] = at;
    this.hashes[position] = hash;
    this.keys.push(key);
    this.count = position + 1;
  }

  /**
   * Writes the file (crash-safely: temporary file, fsync, rename).
   * @returns the numbers of objects and keys written.
   */
  async write(path: string, options: OutputFileOptions = {}): Promise<{ objectCount: number; keyCount: number }> {
    this.starts = grow32(this.starts, this.count + 1);
    this.starts[this.count] = this.used;
    // Lay out for the number of rows; if the keys turn out to need another
    // number of segments (a set with many rows per key), lay out again, as
    // OTP's init_table does ("try_again").
    let layout = this.layout(slotsFor(this.count));
    const want = slotsFor(layout.keyCount);
    if (want !== layout.next) layout = this.layout(want);
    const lay = layout;
    return writeFileAtomically(path, options, (fh) => this.emit(new FileSink(fh), lay));
  }

  private rowBytes(i: number): Buffer {
    return this.bytes.subarray(this.starts[i]!, this.starts[i + 1]!);
  }

  private layout(next: number): Layout {
    const { m, n } = hashState(next);
    const count = this.count;
    const hashes = this.hashes;
    const lowMask = m - 1;
    const highMask = 2 * m - 1;
    // Counting sort of the rows by slot (stable: insertion order within a slot).
    const slotOf = new Uint32Array(count);
    const at = new Uint32Array(next + 1);
    for (let i = 0; i < count; i++) {
      const h = hashes[i]!;
      const lo = h & lowMask;
      const s = lo < n ? h & highMask : lo;
      slotOf[i] = s;
      at[s + 1]!++;
    }
    for (let s = 0; s < next; s++) at[s + 1]! += at[s]!;
    const bySlot = new Uint32Array(count);
    const fill = at.slice(0, next);
    for (let i = 0; i < count; i++) bySlot[fill[slotOf[i]!]!++] = i;

    const rows = new Uint32Array(count);
    const keyStart = new Uint8Array(count);
    const slotAt = new Uint32Array(next + 1);
    const size = new Uint32Array(next);
    const perKeyHeader = this.type === 'set' ? 0 : 4;
    let out = 0;
    let keyCount = 0;
    let slotCount = 0;
    const group: number[] = [];
    for (let s = 0; s < next; s++) {
      slotAt[s] = out;
      const lo = at[s]!;
      const hi = at[s + 1]!;
      if (lo === hi) continue;
      slotCount++;
      let bytes = 8;
      if (hi - lo === 1) {
        const r = bySlot[lo]!;
        rows[out] = r;
        keyStart[out++] = 1;
        keyCount++;
        bytes += perKeyHeader + 4 + (this.starts[r + 1]! - this.starts[r]!);
      } else {
        group.length = 0;
        for (let j = lo; j < hi; j++) group.push(bySlot[j]!);
        this.sortByKey(group);
        // Runs of equal keys, each in insertion order.
        for (let a = 0; a < group.length; ) {
          let b = a + 1;
          while (b < group.length && keyCmp(this.keys[group[a]!], this.keys[group[b]!]) === 0) b++;
          keyCount++;
          const kept = this.keptObjects(group, a, b);
          for (let k = 0; k < kept.length; k++) {
            const r = kept[k]!;
            rows[out] = r;
            keyStart[out] = k === 0 ? 1 : 0;
            out++;
            bytes += 4 + (this.starts[r + 1]! - this.starts[r]!);
          }
          bytes += perKeyHeader;
          a = b;
        }
      }
      if (bytes > 2 ** 31) throw tooBig();
      size[s] = bytes;
    }
    slotAt[next] = out;
    return { next, m, n, keyCount, objectCount: out, rows: rows.subarray(0, out), slotAt, keyStart: keyStart.subarray(0, out), size, slotCount };
  }

  /** Sorts row numbers by key (`dets_utils:cmp/2`), keeping insertion order among equal keys. */
  private sortByKey(g: number[]): void {
    const keys = this.keys;
    if (g.length <= 16) {
      for (let i = 1; i < g.length; i++) {
        const x = g[i]!;
        let j = i - 1;
        while (j >= 0 && keyCmp(keys[g[j]!], keys[x]) > 0) {
          g[j + 1] = g[j]!;
          j--;
        }
        g[j + 1] = x;
      }
      return;
    }
    g.sort((a, b) => keyCmp(keys[a], keys[b]) || a - b);
  }

  /** The objects stored for one key, from the rows `g[a..b)` that have it (insertion order), by the table type's rules. */
  private keptObjects(g: readonly number[], a: number, b: number): number[] {
    if (this.type === 'set') return [g[b - 1]!];
    if (this.type === 'duplicate_bag' || b - a === 1) return g.slice(a, b);
    // bag: an object equal to a later one is dropped (the later one stands where it was inserted).
    const last = new Map<string, number>();
    for (let j = a; j < b; j++) last.set(this.rowBytes(g[j]!).toString('latin1'), j);
    const out: number[] = [];
    for (let j = a; j < b; j++) if (last.get(this.rowBytes(g[j]!).toString('latin1')) === j) out.push(g[j]!);
    return out;
  }

  private async emit(sink: FileSink, lay: Layout): Promise<{ objectCount: number; keyCount: number }> {
    const { next, m, n, size } = lay;
    const nsegs = next / DETS.SEGSZP;
    const nparts = Math.ceil(nsegs / DETS.SEGPARTSZ);
    const partAt = (p: number): number => DETS.BASE + DETS.PART_BYTES * p;
    const segAt = (s: number): number => DETS.BASE + DETS.PART_BYTES * nparts + DETS.SEG_BYTES * s;
    const base = DETS.BASE + DETS.PART_BYTES * nparts + DETS.SEG_BYTES * nsegs;

    // Blocks, largest first, each slot's at the next address (aligned: every earlier block is at least as large).
    const log = new Uint8Array(next);
    const perLog = new Uint32Array(MAXBUD + 1);
    const noColls = new Array<number>(MAXBUD).fill(0);
    for (let s = 0; s < next; s++) {
      if (size[s] === 0) continue;
      const l = Math.log2(Math.max(16, pow2ceil(size[s]!)));
      log[s] = l;
      perLog[l]!++;
      noColls[l]!++;
    }
    const levelAt = new Float64Array(MAXBUD + 1);
    let addr = base;
    for (let l = MAXBUD; l >= 4; l--) {
      levelAt[l] = addr;
      addr += perLog[l]! * 2 ** l;
    }
    const end = addr;
    if (end > ADDRESS_LIMIT) throw tooBig();
    const slotAddr = new Float64Array(next);
    for (let s = 0; s < next; s++) {
      if (size[s] === 0) continue;
      const l = log[s]!;
      slotAddr[s] = levelAt[l]!;
      levelAt[l] = levelAt[l]! + 2 ** l;
    }

    // Free lists: the rest of the buddy space, as the buddies the allocations split off.
    const free: number[][] = Array.from({ length: MAXBUD + 1 }, () => []);
    for (let off = end - base; off < BUDDY_SPACE; ) {
      const p = off === 0 ? BUDDY_SPACE : off & -off;
      free[Math.log2(p) + 1]!.push(base + off);
      off += p;
    }
    const freeChunks: Uint8Array[] = [];
    let freeSize = 0;
    const MAX_PER_CHUNK = (4096 - 4 - 8) >> 2;
    for (let lvl = 1; lvl <= MAXBUD; lvl++) {
      const addrs = free[lvl]!;
      for (let i = 0; i < addrs.length; i += MAX_PER_CHUNK) {
        const chunk = addrs.slice(i, i + MAX_PER_CHUNK);
        const b = new Uint8Array(12 + 4 * chunk.length);
        const dv = new DataView(b.buffer);
        dv.setUint32(0, b.length);
        dv.setUint32(4, DETS.FREE);
        dv.setUint32(8, lvl);
        chunk.forEach((a, j) => dv.setUint32(12 + 4 * j, a));
        freeChunks.push(b);
        freeSize += b.length;
      }
    }
    const endFree = new Uint8Array(12);
    const ev = new DataView(endFree.buffer);
    ev.setUint32(0, 12);
    ev.setUint32(4, DETS.FREE);
    ev.setUint32(8, DETS.ENDFREE);
    freeChunks.push(endFree);
    freeSize += 12;
    const freeListsAt = end;
    const fileSize = freeListsAt + freeSize + 4;
    if (fileSize > 2 ** 32 - 1) throw tooBig();

    // Header.
    const header = new Uint8Array(DETS.HEADEND);
    const hv = new DataView(header.buffer);
    const fields = [freeListsAt, DETS.MAGIC, 1, TYPE_CODE[this.type], DETS.VERSION, m, next, this.keypos, lay.objectCount, lay.keyCount, MIN_SLOTS, DETS.MAXSLOTS, 1, n];
    fields.forEach((v, i) => hv.setUint32(4 * i, v));
    for (let lsz = 4; lsz < MAXBUD; lsz++) hv.setUint32(56 + 4 * (lsz - 4), noColls[lsz]!);
    header.set(createHash('md5').update(header.subarray(12, 168)).digest(), 168);
    hv.setUint32(184, base);

    await sink.write(header);
    const segArray = new Uint8Array(4 * 256);
    const sav = new DataView(segArray.buffer);
    for (let p = 0; p < nparts; p++) sav.setUint32(4 * p, partAt(p));
    await sink.write(segArray);
    for (let p = 0; p < nparts; p++) {
      const part = new Uint8Array(DETS.PART_BYTES);
      const dv = new DataView(part.buffer);
      for (let j = 0; j < DETS.SEGPARTSZ && p * DETS.SEGPARTSZ + j < nsegs; j++) dv.setUint32(4 * j, segAt(p * DETS.SEGPARTSZ + j));
      await sink.write(part);
    }
    // The segments: (size, address) per slot.
    const segs = new Uint8Array(DETS.SEG_BYTES * nsegs);
    const sv = new DataView(segs.buffer);
    for (let s = 0; s < next; s++) {
      if (size[s] === 0) continue;
      sv.setUint32(8 * s, size[s]!);
      sv.setUint32(8 * s + 4, slotAddr[s]!);
    }
    await sink.write(segs);

    // The collections, in address order: by level, largest first, then by slot.
    const byAddr = new Uint32Array(next);
    {
      const put = new Float64Array(MAXBUD + 1);
      let k = 0;
      for (let l = MAXBUD; l >= 4; l--) {
        put[l] = k;
        k += perLog[l]!;
      }
      for (let s = 0; s < next; s++) if (size[s] !== 0) byAddr[put[log[s]!]!++] = s;
    }
    const nonEmpty = lay.slotCount;
    const buf = Buffer.allocUnsafe(OUT_CHUNK);
    let len = 0;
    const { rows, slotAt, keyStart } = lay;
    const bag = this.type !== 'set';
    const src = this.bytes;
    const starts = this.starts;
    for (let k = 0; k < nonEmpty; k++) {
      const s = byAddr[k]!;
      const block = 2 ** log[s]!;
      if (sink.position + len !== slotAddr[s]) throw new Error('DETS writer: collection out of place');
      // A block larger than the chunk is written from its own buffer.
      let out = buf;
      let o = len;
      if (len + block > OUT_CHUNK) {
        await sink.write(buf.subarray(0, len));
        len = 0;
        o = 0;
        if (block > OUT_CHUNK) out = Buffer.allocUnsafe(block);
      }
      const start = o;
      out.writeUInt32BE(size[s]!, o);
      out.writeUInt32BE(DETS.ACTIVE, o + 4);
      o += 8;
      let keySizeAt = -1;
      for (let j = slotAt[s]!; j < slotAt[s + 1]!; j++) {
        const r = rows[j]!;
        const from = starts[r]!;
        const to = starts[r + 1]!;
        if (bag && keyStart[j] === 1) {
          if (keySizeAt >= 0) out.writeUInt32BE(o - keySizeAt, keySizeAt);
          keySizeAt = o;
          o += 4;
        }
        out.writeUInt32BE(4 + to - from, o);
        o += 4;
        // (short rows: a byte loop beats Buffer#copy's call overhead)
        if (to - from <= 64) for (let x = from; x < to; x++) out[o++] = src[x]!;
        else o += src.copy(out, o, from, to);
      }
      if (keySizeAt >= 0) out.writeUInt32BE(o - keySizeAt, keySizeAt);
      out.fill(0, o, start + block);
      if (out === buf) len = start + block;
      else await sink.write(out);
    }
    if (len > 0) await sink.write(buf.subarray(0, len));
    if (sink.position !== freeListsAt) throw new Error('DETS writer: collections do not end at the free lists');
    for (const b of freeChunks) await sink.write(b);
    const tail = new Uint8Array(4);
    new DataView(tail.buffer).setUint32(0, fileSize - base);
    await sink.write(tail);
    await sink.flush();
    return { objectCount: lay.objectCount, keyCount: lay.keyCount };
  }
}

/**
 * Writes a DETS (format 9) file that `dets:open_file/2` opens as a table of
 * the given type and key position. See the module documentation for the
 * insertion semantics.
 *
 * @returns the numbers of objects and keys written.
 * @throws TermstoreError `CONVERT_EXISTS` (file exists, no `force`),
 *   `CONVERT_UNSUPPORTED_TERM` (a row Erlang cannot hold, with
 *   `details.position`; or a table over the 2 GiB DETS limit).
 */
export async function writeDetsFile(
  path: string,
  rows: Iterable<DetsRow> | AsyncIterable<DetsRow>,
  options: WriteDetsFileOptions = {},
): Promise<{ objectCount: number; keyCount: number }> {
  const b = new DetsFileBuilder(options.type ?? 'set', options.keypos ?? 1);
  if (Symbol.iterator in rows) for (const row of rows) b.add(row);
  else for await (const row of rows) b.add(row);
  return b.write(path, options);
}
