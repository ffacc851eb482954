/**
 * Reader of DETS files, format version 9 (OTP R8 and later, including OTP 25;
 * `lib/stdlib/src/dets_v9.erl`, `dets.hrl`).
 *
 * Layout (all integers 32-bit big-endian; offsets in bytes):
 *
 *     0    FreeListsPointer   offset of the free lists near the end of the file
 *     4    Cookie             0x0ABCDEF
 *     8    ClosedProperly     1 when closed properly, 0 while open
 *     12   Type               1 set, 2 bag, 3 duplicate_bag
 *     16   Version            9
 *     20   M, Next, KeyPos, NoObjects, NoKeys, MinNoSlots, MaxNoSlots, HashMethod (0 phash, 1 phash2), N
 *     56   NoColls            28 counters: collections of buddy size 2^4 .. 2^31
 *     168  MD5                MD5 of bytes 12..168 (all zero in version 9(a)/(b) files)
 *     184  FlBase             base of the buddy system (0 means 1336)
 *     188  reserved (124 zero bytes)
 *     312  SegArray           256 pointers to segment array parts
 *     1336 (BASE) buddy-allocated blocks (sizes are powers of two, at least 16):
 *          segment array part: 512 pointers to segments
 *          segment: 256 slots of <<CollSize:32, CollPointer:32>> (0, 0 when empty)
 *          object collection at CollPointer, CollSize bytes:
 *            <<CollSize:32, Status:32 (0x12345678 active), Objects/binary>>
 *            set:  (<<ObjSize:32, term_to_binary(Obj)>>)*          ObjSize counts its own 4 bytes
 *            bags: (<<KeySize:32, (<<ObjSize:32, term_to_binary(Obj)>>)+ >>)*   one group per key, oldest object first
 *     ...  free lists, then <<FileSize - FlBase:32>> as the last 4 bytes
 *
 * Slot `S` (0 <= S < Next) lives in segment `S >> 8`, whose pointer is entry
 * `(S >> 8) & 511` of array part `S >> 17`. A file is closed properly when
 * ClosedProperly is 1 and the trailer matches the file size; otherwise OTP
 * repairs it on open. This reader refuses such a file unless `repair` is set,
 * in which case it walks the slots anyway, skips collections that do not
 * check out (reporting them in the summary) and does not check the counts.
 *
 * Every pointer and length is checked against the file size before it is
 * followed; damage is a `CONVERT_CORRUPT` with `details.offset`. Blocks may
 * not overlap, so the segment array parts, segments and collections read
 * add up to at most the buddy area (`FileSize - 1336` bytes): a file whose
 * slots alias one collection (or whose segments alias one segment) is
 * refused as soon as the total passes it (`details.reason: 'aliased'`, also
 * with `repair`), and so is a header whose slot count needs more segments
 * than the file can hold. A closed file is also refused as soon as it yields
 * more objects than its header records. Reading is linear in the file size.
 * Compressed objects are limited per batch by `maxInflatedBytes` /
 * `maxInflatedTerms` (see `etf-tags.ts`).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { TermstoreError } from '../errors.js';
import { Tuple } from '../term/index.js';
import { decodeExternal, inflateBudget, type InflateBudget } from './etf-decode.js';
import type { ErlTerm } from './terms.js';
import type { DecodeOptions } from './etf-tags.js';
import { FileSource } from '../io/file-io.js';
import { ioError } from '../io/atomic-file.js';

/** DETS constants (dets.hrl, dets_v9.erl). @internal */
export const DETS = {
  MAGIC: 0x0abcdef,
  FREE: 0x3abcdef,
  ACTIVE: 0x12345678,
  VERSION: 9,
  HEADSZ: 188,
  HEADEND: 312,
  BASE: 1336,
  SEGSZP: 256,
  SEGPARTSZ: 512,
  SEG_BYTES: 2048,
  PART_BYTES: 2048,
  MAXSLOTS: 256 * 512 * 256,
  ENDFREE: 12345,
} as const;

/** A DETS table type. */
export type DetsTableType = 'set' | 'bag' | 'duplicate_bag';

const TYPE_CODES: Record<number, DetsTableType> = { 1: 'set', 2: 'bag', 3: 'duplicate_bag' };
const IN_MEMORY_LIMIT = 64 * 1024 * 1024;

/** The header of a DETS file. */
export interface DetsFileInfo {
  type: DetsTableType;
  /** 1-based key position. */
  keypos: number;
  /** Number of objects the header records. */
  objectCount: number;
  /** Number of keys the header records. */
  keyCount: number;
  /** True when the file was closed properly (flag set and trailer matching the file size). */
  closedProperly: boolean;
  /** Always 9. */
  version: number;
  hashMethod: 'phash' | 'phash2';
  /** Current number of slots (`Next`). */
  slots: number;
  minSlots: number;
  maxSlots: number;
  /** True when the header carries an MD5 (format 9(c) and later), which was checked. */
  hasMd5: boolean;
}

/** Options of {@link openDetsFile} / {@link readDetsFile}. */
export interface ReadDetsFileOptions extends DecodeOptions {
  /** Objects per batch (approximately: whole collections are kept together). Default 1000. */
  batchSize?: number;
  /** Check that the objects and keys found match the header's counts (closed files only). Default `true`. */
  verify?: boolean;
  /** Read a file that was not closed properly, skipping damaged collections. Default `false`: refuse it. */
  repair?: boolean;
}

/** What a finished read found. */
export interface DetsFileSummary {
  objectCount: number;
  keyCount: number;
  /** Collections skipped by `repair` (offset and reason). */
  skipped: Array<{ offset: number; reason: string }>;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function corrupt(message: string, offset: number, file: string, extra?: Record<string, unknown>): TermstoreError {
  return new TermstoreError('CONVERT_CORRUPT', `${message} (offset ${offset})`, { details: { offset, file, ...extra } });
}

function pow2ok(x: number): boolean {
  return (x & (DETS.SEGSZP - 1)) === 0;
}

/**
 * A DETS file opened for reading: `info` is its header; iterate (once) for
 * batches of objects (`Tuple`s). Close it if you stop early.
 */
export class DetsFileReader implements AsyncIterable<ErlTerm[]> {
  /** Filled in while reading; final once the iteration has ended. */
  readonly summary: DetsFileSummary = { objectCount: 0, keyCount: 0, skipped: [] };
  private started = false;
  /** Bytes of blocks read so far: parts, segments, collections (see the module docs). */
  private blockBytes = 0;
  /** What compressed objects may still inflate to in this batch. */
  private budget: InflateBudget;

  private constructor(
    private readonly src: FileSource,
    /** The file's header. */
    readonly info: DetsFileInfo,
    private readonly options: ReadDetsFileOptions,
  ) {
    this.budget = inflateBudget(options);
  }

  /** @internal Use {@link openDetsFile}. */
  static async open(path: string, options: ReadDetsFileOptions = {}): Promise<DetsFileReader> {
    const batch = options.batchSize ?? 1000;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new TermstoreError('ETS_BADARG', "invalid option 'batchSize'", { details: { option: 'batchSize' } });
    }
    let size: number;
    try {
      ({ size } = await stat(path));
    } catch (e) {
      throw ioError(e, path, 'opening');
    }
    const src = await FileSource.open(path, size <= IN_MEMORY_LIMIT ? Infinity : 64 * 1024);
    try {
      const info = await readHeader(src, options.repair === true);
      return new DetsFileReader(src, info, options);
    } catch (e) {
      await src.close();
      throw e;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ErlTerm[]> {
    if (this.started) throw new TermstoreError('ETS_BADARG', 'a DetsFileReader can be iterated once');
    this.started = true;
    const { info, options, summary, src } = this;
    const file = src.path;
    const repair = !info.closedProperly;
    const batchSize = options.batchSize ?? 1000;
    const noSegs = info.slots === 0 ? 0 : ((info.slots - 1) >> 8) + 1;
    const noParts = noSegs === 0 ? 0 : ((noSegs - 1) >> 9) + 1;
    let batch: ErlTerm[] = [];
    try {
      const room = src.size - DETS.BASE;
      if (noParts * DETS.PART_BYTES + noSegs * DETS.SEG_BYTES > room) {
        throw corrupt(`the header's ${info.slots} slots need ${noSegs} segments, more than the file's ${src.size} bytes can hold`, 24, file, { reason: 'slots' });
      }
      const parts = await this.exact(DETS.HEADEND, 4 * noParts, 'segment array');
      // With repair, damage is skipped (and reported) instead of thrown; aliased blocks never are.
      const tolerate = async <T>(f: () => Promise<T>, at: number): Promise<T | undefined> => {
        try {
          return await f();
        } catch (e) {
          if (repair && e instanceof TermstoreError && e.code === 'CONVERT_CORRUPT' && e.details.reason !== 'aliased') {
            summary.skipped.push({ offset: typeof e.details.offset === 'number' ? e.details.offset : at, reason: e.message });
            return undefined;
          }
          throw e;
        }
      };
      for (let p = 0; p < noParts; p++) {
        const partAt = DETS.HEADEND + 4 * p;
        const partPtr = u32(parts, 4 * p);
        const segsHere = Math.min(DETS.SEGPARTSZ, noSegs - p * DETS.SEGPARTSZ);
        const part = await tolerate(async () => {
          this.checkBlock(partPtr, DETS.PART_BYTES, partAt, 'segment array part');
          this.spend(DETS.PART_BYTES, partAt);
          return (await this.exact(partPtr, 4 * segsHere, 'segment array part')).slice();
        }, partAt);
        if (part === undefined) continue;
        for (let s = 0; s < segsHere; s++) {
          const segPtr = u32(part, 4 * s);
          const seg = await tolerate(async () => {
            this.checkBlock(segPtr, DETS.SEG_BYTES, partPtr + 4 * s, 'segment');
            this.spend(DETS.SEG_BYTES, partPtr + 4 * s);
            return (await this.exact(segPtr, DETS.SEG_BYTES, 'segment')).slice();
          }, partPtr + 4 * s);
          if (seg === undefined) continue;
          for (let i = 0; i < DETS.SEGSZP; i++) {
            const collSize = u32(seg, 8 * i);
            const collPtr = u32(seg, 8 * i + 4);
            if (collPtr === 0) continue;
            const coll = await tolerate(() => this.collection(collSize, collPtr, segPtr + 8 * i), collPtr);
            if (coll === undefined) continue;
            summary.objectCount += coll.objects.length;
            summary.keyCount += coll.keys;
            if (!repair && options.verify !== false && summary.objectCount > info.objectCount) {
              throw corrupt(`more objects than the ${info.objectCount} the header records`, collPtr, file, { reason: 'count' });
            }
            for (const o of coll.objects) batch.push(o);
            if (batch.length >= batchSize) {
              yield batch;
              batch = [];
              this.budget = inflateBudget(options);
            }
          }
        }
      }
      if (options.verify !== false && !repair) {
        if (summary.objectCount !== info.objectCount || summary.keyCount !== info.keyCount) {
          throw corrupt(
            `found ${summary.objectCount} objects and ${summary.keyCount} keys, the header says ${info.objectCount} and ${info.keyCount}`,
            32,
            file,
          );
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await src.close();
    }
  }

  /** Throws unless a block of `len` bytes at `ptr` lies inside the buddy area of the file. */
  private checkBlock(ptr: number, len: number, from: number, what: string): void {
    if (ptr < DETS.BASE || ptr + len > this.src.size) {
      throw corrupt(`${what} pointer ${ptr} (read at offset ${from}) is outside the file`, from, this.src.path);
    }
  }

  /**
   * Counts `n` bytes of blocks read; refuses the file once they add up to more
   * than its buddy area holds (blocks must be aliased: linear work, not more).
   */
  private spend(n: number, from: number): void {
    this.blockBytes += n;
    if (this.blockBytes > this.src.size - DETS.BASE) {
      throw corrupt(`blocks overlap: more than the file's ${this.src.size} bytes of segments and collections are referenced (aliased slots)`, from, this.src.path, {
        reason: 'aliased',
      });
    }
  }

  private async exact(at: number, len: number, what: string): Promise<Uint8Array> {
    const b = await this.src.read(at, len);
    if (b.length !== len) throw corrupt(`${what} truncated`, at, this.src.path);
    return b;
  }

  /** Reads and decodes the object collection of one slot. */
  private async collection(size: number, ptr: number, slotAt: number): Promise<{ objects: ErlTerm[]; keys: number }> {
    const file = this.src.path;
    if (size < 8) throw corrupt(`slot records a collection of ${size} bytes`, slotAt, file);
    this.checkBlock(ptr, size, slotAt, 'object collection');
    this.spend(size, slotAt);
    const c = await this.exact(ptr, size, 'object collection');
    if (u32(c, 0) !== size) throw corrupt('object collection size differs from its slot', ptr, file);
    if (u32(c, 4) !== DETS.ACTIVE) throw corrupt('object collection is not active', ptr + 4, file);
    const out: ErlTerm[] = [];
    let keys = 0;
    const keypos = this.info.keypos;
    const object = (at: number, len: number): void => {
      const t = decodeExternal(c.subarray(at, at + len), this.options, { base: ptr + at, file }, false, this.budget);
      if (!(t instanceof Tuple) || t.length < keypos) {
        throw corrupt(`object is not a tuple of at least keypos ${keypos} elements`, ptr + at, file);
      }
      out.push(t);
    };
    let at = 8;
    if (this.info.type === 'set') {
      while (at < size) {
        if (size - at < 4) throw corrupt('object size field truncated', ptr + at, file);
        const objSize = u32(c, at);
        if (objSize < 5 || objSize > size - at) throw corrupt(`object size ${objSize} out of range`, ptr + at, file);
        object(at + 4, objSize - 4);
        at += objSize;
        keys++;
      }
    } else {
      while (at < size) {
        if (size - at < 8) throw corrupt('key group header truncated', ptr + at, file);
        const keySize = u32(c, at);
        if (keySize < 9 || keySize > size - at) throw corrupt(`key group size ${keySize} out of range`, ptr + at, file);
        const end = at + keySize;
        let o = at + 4;
        while (o < end) {
          if (end - o < 4) throw corrupt('object size field truncated', ptr + o, file);
          const objSize = u32(c, o);
          if (objSize < 5 || objSize > end - o) throw corrupt(`object size ${objSize} out of range`, ptr + o, file);
          object(o + 4, objSize - 4);
          o += objSize;
        }
        at = end;
        keys++;
      }
    }
    return { objects: out, keys };
  }

  /** Closes the file (needed only when the iteration was not run to its end). */
  async close(): Promise<void> {
    await this.src.close().catch(() => undefined);
  }
}

async function readHeader(src: FileSource, repair: boolean): Promise<DetsFileInfo> {
  const file = src.path;
  const h = await src.read(0, DETS.HEADSZ);
  if (h.length < 8) {
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `not a DETS file: ${h.length} bytes`, { details: { offset: h.length, file } });
  }
  if (u32(h, 4) !== DETS.MAGIC) {
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', 'not a DETS file (bad cookie)', { details: { offset: 4, file } });
  }
  if (h.length < 20) throw corrupt('DETS header truncated', h.length, file);
  const version = u32(h, 16);
  if (version !== DETS.VERSION) {
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `DETS format version ${version} is not supported (only 9)`, {
      details: { offset: 16, file, version },
    });
  }
  if (h.length < DETS.HEADSZ || src.size < DETS.BASE + 4) throw corrupt('DETS header truncated', Math.min(h.length, src.size), file);
  const type = TYPE_CODES[u32(h, 12)];
  if (type === undefined) throw corrupt(`invalid table type code ${u32(h, 12)}`, 12, file);
  const [m, next, keypos, objectCount, keyCount, minSlots, maxSlots, hashCode, n] = [20, 24, 28, 32, 36, 40, 44, 48, 52].map((o) => u32(h, o)) as [
    number, number, number, number, number, number, number, number, number,
  ];
  const md5 = h.subarray(168, 184);
  const hasMd5 = md5.some((x) => x !== 0);
  if (hasMd5 && !Buffer.from(createHash('md5').update(h.subarray(12, 168)).digest()).equals(md5)) {
    throw corrupt('DETS header checksum mismatch', 168, file);
  }
  if (hashCode > 1) throw corrupt(`invalid hash method code ${hashCode}`, 48, file);
  if (keypos < 1) throw corrupt(`invalid keypos ${keypos}`, 28, file);
  const invariants =
    pow2ok(n) && pow2ok(m) && pow2ok(next) && pow2ok(minSlots) && pow2ok(maxSlots) &&
    n <= m && m <= next && next <= 2 * m && minSlots <= next && next <= maxSlots && minSlots <= m && next <= DETS.MAXSLOTS;
  if (!invariants) throw corrupt('DETS hash parameters are inconsistent', 20, file);
  const flBase = u32(h, 184);
  const tail = await src.read(src.size - 4, 4);
  const trailer = u32(tail, 0) + flBase;
  const closedProperly = u32(h, 8) === 1 && trailer === src.size;
  if (!closedProperly && !repair) {
    if (u32(h, 8) !== 1) {
      throw corrupt('DETS file was not closed properly (pass repair to read what is intact)', 8, file, { reason: 'not_closed' });
    }
    throw corrupt(`DETS trailer says ${trailer} bytes, the file has ${src.size} (truncated or damaged; pass repair to read what is intact)`, src.size - 4, file, {
      reason: 'bad_trailer',
    });
  }
  return {
    type,
    keypos,
    objectCount,
    keyCount,
    closedProperly,
    version,
    hashMethod: hashCode === 1 ? 'phash2' : 'phash',
    slots: next,
    minSlots,
    maxSlots,
    hasMd5,
  };
}

/**
 * Opens a DETS (version 9) file: reads and checks its header, and returns a
 * reader that yields the objects in batches (slot order; within a key,
 * oldest first).
 *
 * @throws TermstoreError `CONVERT_UNKNOWN_FORMAT` (not a DETS file, or a
 *   version other than 9), `CONVERT_CORRUPT` (damage, or not closed properly
 *   without `repair`; `details.offset`); during iteration, `CONVERT_CORRUPT`
 *   for damage and for counts that differ from the header.
 */
export function openDetsFile(path: string, options?: ReadDetsFileOptions): Promise<DetsFileReader> {
  return DetsFileReader.open(path, options);
}

/** Reads a whole DETS file into memory; see {@link openDetsFile}. */
export async function readDetsFile(
  path: string,
  options?: ReadDetsFileOptions,
): Promise<{ info: DetsFileInfo; rows: ErlTerm[]; summary: DetsFileSummary }> {
  const r = await openDetsFile(path, options);
  const rows: ErlTerm[] = [];
  for await (const batch of r) for (const row of batch) rows.push(row);
  return { info: r.info, rows, summary: r.summary };
}
