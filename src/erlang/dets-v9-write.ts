/**
 * Writer of DETS version 9 files that OTP's `dets:open_file/2` opens
 * without repair (layout in `erlang-dets.ts`).
 *
 * The file is built the way `dets` itself lays out a freshly initialised
 * table, so OTP can go on writing to it:
 *
 * - `Next = M` slots, a power of two >= the number of keys (at least 256),
 *   `N = 0`, hash method `phash2`: key `K` goes to slot `phash2(K) band (M-1)`;
 * - the segment array parts, then the segments, allocated from the buddy
 *   system at BASE (1336); the buddy system is then restarted at the first
 *   free address (`FlBase`), as `dets_v9:init_file/17` does;
 * - one object collection per non-empty slot, keys sorted with
 *   `dets_utils:cmp/2` order, a bag's objects of one key oldest first;
 *   collections are allocated largest first, each in a power-of-two block;
 * - the free lists of the buddy system (`<<Size:32, FREE:32, Level:32,
 *   Addr:32...>>` chunks, ended by `<<12:32, FREE:32, 12345:32>>`), then the
 *   file size minus `FlBase`; the header is marked closed properly and
 *   carries the MD5 of its counters.
 *
 * Rows are inserted in order with DETS semantics: in a `set` a later row
 * replaces an earlier one with the same key (`=:=`); in a `bag` a row equal
 * to an earlier one replaces it (and so moves after the other objects of its
 * key, as `dets:insert/2` does); a `duplicate_bag` keeps every row.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { TermstoreError } from '../errors.js';
import { Tuple, type Term } from '../term/index.js';
import { DETS, type DetsTableType } from './dets-v9-read.js';
import { phash2 } from './phash2.js';
import { detsCompare } from './term-order.js';
import { EtfEncoder } from './etf-encode.js';
import { erlCanonical, type ErlTerm } from './terms.js';
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
/** Largest file offset the buddy system can hand out, keeping room for the free lists. */
const ADDRESS_LIMIT = 2 ** 31 - (1 << 20);

interface KeyEntry {
  key: ErlTerm;
  /** The key's objects, oldest first (a `Map` keeps insertion order; bags key it by object identity). */
  objects: Map<string | number, Uint8Array>;
}

/** The DETS buddy allocator (`dets_utils:alloc/2`): level `i` holds free blocks of 2^(i-1) bytes. */
class Buddy {
  readonly levels: number[][] = Array.from({ length: MAXBUD + 1 }, () => []);

  constructor(base: number) {
    this.levels[MAXBUD]!.push(base);
  }

  /** Allocates a block of `size` bytes (a power of two), lowest address of the smallest fitting level. */
  alloc(size: number): number {
    const pos = Math.log2(size) + 1;
    let lvl = pos;
    while (lvl <= MAXBUD && this.levels[lvl]!.length === 0) lvl++;
    if (lvl > MAXBUD) throw tooBig();
    const addr = this.levels[lvl]!.shift()!;
    if (addr + size > ADDRESS_LIMIT) throw tooBig();
    while (lvl > pos) {
      lvl--;
      insertSorted(this.levels[lvl]!, addr + 2 ** (lvl - 1));
    }
    return addr;
  }
}

function insertSorted(a: number[], x: number): void {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, x);
}

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

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v);
  return b;
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
  const type = options.type ?? 'set';
  const keypos = options.keypos ?? 1;
  if (!(type in TYPE_CODE)) throw badArg('type');
  if (!Number.isInteger(keypos) || keypos < 1) throw badArg('keypos');

  // 1. Collect the objects per key, with DETS insert semantics.
  const enc = new EtfEncoder();
  const keys = new Map<string, KeyEntry>();
  let position = 0;
  for await (const row of rows as AsyncIterable<DetsRow>) {
    if (!Array.isArray(row) || row.length < keypos) {
      throw new TermstoreError('CONVERT_UNSUPPORTED_TERM', `row ${position} is not an array of at least keypos ${keypos} elements`, {
        details: { position },
      });
    }
    const tuple = row instanceof Tuple ? row : (Tuple.from(row as Term[]) as Tuple);
    let bytes: Uint8Array;
    let keyId: string;
    try {
      bytes = enc.encode(tuple);
      keyId = erlCanonical(row[keypos - 1]);
    } catch (e) {
      if (e instanceof TermstoreError) {
        throw new TermstoreError(e.code, `row ${position}: ${e.message}`, { details: { ...e.details, position }, cause: e });
      }
      throw e;
    }
    let entry = keys.get(keyId);
    if (entry === undefined) {
      entry = { key: row[keypos - 1] as ErlTerm, objects: new Map() };
      keys.set(keyId, entry);
    }
    if (type === 'set') {
      entry.objects.clear();
      entry.objects.set(0, bytes);
    } else if (type === 'bag') {
      const id = erlCanonical(tuple);
      entry.objects.delete(id); // an identical object moves last
      entry.objects.set(id, bytes);
    } else {
      entry.objects.set(position, bytes);
    }
    position++;
  }

  // 2. Slots and collections.
  const keyCount = keys.size;
  let objectCount = 0;
  const m = Math.min(DETS.MAXSLOTS, Math.max(MIN_SLOTS, pow2ceil(keyCount)));
  const bySlot = new Map<number, KeyEntry[]>();
  for (const entry of keys.values()) {
    objectCount += entry.objects.size;
    const slot = phash2(entry.key) & (m - 1);
    const l = bySlot.get(slot);
    if (l === undefined) bySlot.set(slot, [entry]);
    else l.push(entry);
  }
  interface Coll {
    slot: number;
    entries: KeyEntry[];
    size: number;
    block: number;
    addr: number;
  }
  const colls: Coll[] = [];
  for (const [slot, entries] of bySlot) {
    entries.sort((a, b) => detsCompare(a.key, b.key));
    let size = 8;
    for (const e of entries) {
      if (type !== 'set') size += 4;
      for (const o of e.objects.values()) size += 4 + o.length;
    }
    if (size > 2 ** 31) throw tooBig();
    colls.push({ slot, entries, size, block: Math.max(16, pow2ceil(size)), addr: 0 });
  }

  // 3. Layout: parts and segments from BASE, then the buddy system for the collections.
  const nsegs = m / DETS.SEGSZP;
  const nparts = Math.ceil(nsegs / DETS.SEGPARTSZ);
  const partAt = (p: number): number => DETS.BASE + DETS.PART_BYTES * p;
  const segAt = (s: number): number => DETS.BASE + DETS.PART_BYTES * nparts + DETS.SEG_BYTES * s;
  const base = DETS.BASE + DETS.PART_BYTES * nparts + DETS.SEG_BYTES * nsegs;
  const buddy = new Buddy(base);
  colls.sort((a, b) => b.block - a.block || a.slot - b.slot);
  let end = base;
  const noColls = new Array<number>(MAXBUD).fill(0); // by log2 of the block size
  for (const c of colls) {
    c.addr = buddy.alloc(c.block);
    end = Math.max(end, c.addr + c.block);
    noColls[Math.log2(c.block)]!++;
  }
  colls.sort((a, b) => a.addr - b.addr);

  // 4. Free lists and trailer.
  const free: Uint8Array[] = [];
  let freeSize = 0;
  const MAX_PER_CHUNK = (4096 - 4 - 8) >> 2;
  for (let lvl = 1; lvl <= MAXBUD; lvl++) {
    const addrs = buddy.levels[lvl]!;
    for (let i = 0; i < addrs.length; i += MAX_PER_CHUNK) {
      const chunk = addrs.slice(i, i + MAX_PER_CHUNK);
      const b = new Uint8Array(12 + 4 * chunk.length);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, b.length);
      dv.setUint32(4, DETS.FREE);
      dv.setUint32(8, lvl);
      chunk.forEach((a, j) => dv.setUint32(12 + 4 * j, a));
      free.push(b);
      freeSize += b.length;
    }
  }
  const endFree = new Uint8Array(12);
  new DataView(endFree.buffer).setUint32(0, 12);
  new DataView(endFree.buffer).setUint32(4, DETS.FREE);
  new DataView(endFree.buffer).setUint32(8, DETS.ENDFREE);
  free.push(endFree);
  freeSize += 12;
  const freeListsAt = end;
  const fileSize = freeListsAt + freeSize + 4;
  if (fileSize > 2 ** 32 - 1) throw tooBig();

  // 5. Header.
  const header = new Uint8Array(DETS.HEADEND);
  const hv = new DataView(header.buffer);
  const fields = [freeListsAt, DETS.MAGIC, 1, TYPE_CODE[type], DETS.VERSION, m, m, keypos, objectCount, keyCount, MIN_SLOTS, DETS.MAXSLOTS, 1, 0];
  fields.forEach((v, i) => hv.setUint32(4 * i, v));
  for (let lsz = 4; lsz < MAXBUD; lsz++) hv.setUint32(56 + 4 * (lsz - 4), noColls[lsz]!);
  header.set(createHash('md5').update(header.subarray(12, 168)).digest(), 168);
  hv.setUint32(184, base);

  return writeFileAtomically(path, options, async (fh) => {
    const sink = new FileSink(fh);
    await sink.write(header);
    const segArray = new Uint8Array(4 * 256);
    for (let p = 0; p < nparts; p++) new DataView(segArray.buffer).setUint32(4 * p, partAt(p));
    await sink.write(segArray);
    for (let p = 0; p < nparts; p++) {
      const part = new Uint8Array(DETS.PART_BYTES);
      const dv = new DataView(part.buffer);
      for (let j = 0; j < DETS.SEGPARTSZ && p * DETS.SEGPARTSZ + j < nsegs; j++) dv.setUint32(4 * j, segAt(p * DETS.SEGPARTSZ + j));
      await sink.write(part);
    }
    const slotOf = new Map<number, Coll>();
    for (const c of colls) slotOf.set(c.slot, c);
    for (let s = 0; s < nsegs; s++) {
      const seg = new Uint8Array(DETS.SEG_BYTES);
      const dv = new DataView(seg.buffer);
      for (let i = 0; i < DETS.SEGSZP; i++) {
        const c = slotOf.get(s * DETS.SEGSZP + i);
        if (c === undefined) continue;
        dv.setUint32(8 * i, c.size);
        dv.setUint32(8 * i + 4, c.addr);
      }
      await sink.write(seg);
    }
    for (const c of colls) {
      if (sink.position < c.addr) await sink.write(new Uint8Array(c.addr - sink.position));
      // the whole block at once: header, objects, zero padding
      const block = new Uint8Array(c.block);
      const dv = new DataView(block.buffer);
      dv.setUint32(0, c.size);
      dv.setUint32(4, DETS.ACTIVE);
      let at = 8;
      for (const e of c.entries) {
        if (type !== 'set') {
          let keySize = 4;
          for (const o of e.objects.values()) keySize += 4 + o.length;
          dv.setUint32(at, keySize);
          at += 4;
        }
        for (const o of e.objects.values()) {
          dv.setUint32(at, 4 + o.length);
          block.set(o, at + 4);
          at += 4 + o.length;
        }
      }
      await sink.write(block);
    }
    if (sink.position < freeListsAt) await sink.write(new Uint8Array(freeListsAt - sink.position));
    for (const b of free) await sink.write(b);
    await sink.write(u32(fileSize - base));
    await sink.flush();
    return { objectCount, keyCount };
  });
}
