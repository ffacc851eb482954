/**
 * Hash engines for `set`, `bag` and `duplicate_bag`.
 *
 * One `Map` from {@link hashKey} (exact key equality; primitive keys are
 * their own hash key, structured keys a canonical string, so lookups never
 * probe) straight to the stored value: the row itself for a `set` and for
 * a bag key with one row (no per-row node object: one pointer less to chase
 * on every lookup), a {@link Bucket} of rows in insertion order for a bag key
 * that has had more than one.
 *
 * Order and traversal come from the `Map` itself, which keeps insertion
 * order and whose iterators survive writes (an entry deleted ahead of an
 * iterator is skipped, one added is visited, a value replaced in place is
 * seen as it is then). So:
 *
 * - cursors (select continuations, folds, `tab2list`) are `Map` iterators:
 *   O(1) per row, robust to concurrent writes;
 * - `first`/`next` remember the iterators of the last few walks, keyed by
 *   the key they last returned, so a `first`/`next` loop is O(1) per step.
 *   A `next(key)` that continues no remembered walk scans from the start
 *   to find `key` (O(position)); ETS does not promise more for hash tables,
 *   and such calls are rare (resuming a walk after more than
 *   {@link MAX_WALKS} others, or from a stored key).
 *
 * Rows are stored frozen and handed out as they are (see `term/copy.ts`);
 * `updateCounter` on a `set` copies a shared row once into a private one
 * and then changes that in place ({@link HashEngine.addToElement}).
 *
 * @module
 */
import { hashKey, rowEquals } from '../term/equal.js';
import { isPrivateRow, readsMustCopy, shareRow } from '../term/copy.js';
import { counterSum, storeSum } from './counter.js';
import type { HashKey } from '../term/equal.js';
import type { Row, Term } from '../term/types.js';
import { END_OF_TABLE, type Cursor, type Engine, type EngineCaps, type EndOfTable, type TableType } from './types.js';

/** All rows of one key of a bag, in insertion order. */
class Bucket {
  /**
   * An increasing number per row, parallel to `rows` (kept by `replace`,
   * dropped with the row by `deleteObject`), so that a cursor can find
   * where it stopped after rows before it were deleted.
   */
  seqs: number[] = [1];
  /** The last number given to a row of this bucket. */
  seq = 1;
  /** False once the key was deleted. */
  live = true;
  constructor(
    /** Never empty while live. */
    public rows: Row[],
  ) {}
}

type Value = Row | Bucket;
type Entries = IterableIterator<[HashKey, Value]>;

interface HashCursor extends Cursor {
  it: Entries | undefined;
  /** `clear` count when the cursor started: a clear ends it. */
  epoch: number;
  /** bags: the bucket being given out, and the number of its last row given. */
  bucket: Bucket | undefined;
  seq: number;
  done: boolean;
}

const EMPTY: readonly Row[] = Object.freeze([]);

/** Walks remembered for `first`/`next` (see the module documentation). */
export const MAX_WALKS = 8;

/** Rough bytes per Map entry, for `info(memory)`. */
const ENTRY_BYTES = 40;

/** Average bytes of a small row (array header + 3 slots), for memory estimates. */
const ROW_BYTES = 48;

export class HashEngine implements Engine {
  readonly caps: EngineCaps;
  readsCopy = false;
  private readonly map = new Map<HashKey, Value>();
  private count = 0;
  /** Bumped by `clear`, which ends every cursor and walk. */
  private epoch = 0;
  /** Iterators of recent first/next walks, by the hash key they returned last. */
  private readonly walks = new Map<HashKey, Entries>();
  /** The walk that returned a key last, that key, and `dels` then. */
  private lastIt: Entries | undefined;
  private lastHk: HashKey | undefined;
  private lastDels = 0;
  /** Counts removals of keys (a walk's key is surely present if none happened since). */
  private dels = 0;
  private readonly bag: boolean;
  private readonly dup: boolean;
  /** Buckets in the map: while none, every value is a row (a bag lookup need not look at it). */
  private buckets = 0;

  constructor(
    readonly type: Exclude<TableType, 'ordered_set'>,
    readonly keyIndex: number,
  ) {
    this.bag = type !== 'set';
    this.dup = type === 'duplicate_bag';
    this.caps = Object.freeze({ ordered: false, duplicates: type === 'set' ? 'none' : type === 'bag' ? 'bag' : 'duplicate', bulkLoad: true });
  }

  size(): number {
    return this.count;
  }

  lookup(key: Term): Row[] {
    const v = this.map.get(hashKey(key));
    if (v === undefined) return [];
    // A set's value is always a row, and so is a bag's while it has no
    // bucket: no need to look at it (one cache miss less).
    if (!this.bag || this.buckets === 0) return [v as Row];
    return v instanceof Bucket ? v.rows.slice() : [v as Row];
  }

  /** The stored row for `key` in a `set` (no array allocation). */
  lookupOne(key: Term): Row | undefined {
    const v = this.map.get(hashKey(key));
    if (!this.bag || v === undefined) return v as Row | undefined;
    return v instanceof Bucket ? v.rows[0] : (v as Row);
  }

  /**
   * `updateCounter`'s fast path in one probe (see `Engine.addToElement`):
   * a shared row is replaced by a private copy once, then changed in place.
   * Only for tables with no journal (a journaled table's rows stay shared:
   * its journal and compaction may hold them).
   */
  addToElement(key: Term, index: number, incr: number): number | undefined {
    if (this.bag) return undefined;
    const hk = hashKey(key);
    const row = this.map.get(hk) as Row | undefined;
    const sum = counterSum(row, index, incr);
    if (sum === undefined) return undefined;
    const copy = storeSum(row!, index, sum);
    if (copy !== undefined) {
      this.map.set(hk, copy); // same entry, same place in the order
      this.readsCopy = true;
    }
    return sum;
  }

  /** Takes a row over: freezes it and notes whether reads must copy it. */
  private own(row: Row): void {
    shareRow(row);
    if (!this.readsCopy && readsMustCopy(row)) this.readsCopy = true;
  }

  member(key: Term): boolean {
    return this.map.has(hashKey(key));
  }

  insert(row: Row): void {
    this.own(row);
    const hk = hashKey(row[this.keyIndex]);
    if (!this.bag) {
      // Map.set keeps an existing key's place in the order, as the table should.
      const before = this.map.size;
      this.map.set(hk, row);
      this.count += this.map.size - before;
      return;
    }
    const v = this.map.get(hk);
    if (v === undefined) {
      // A key's first row is stored bare; a bucket only once there are two.
      this.map.set(hk, row);
      this.count++;
      return;
    }
    if (!(v instanceof Bucket)) {
      if (!this.dup && rowEquals(v as Row, row)) return;
      const nb = new Bucket([v as Row, row]);
      this.buckets++;
      nb.seqs.push(2);
      nb.seq = 2;
      this.map.set(hk, nb); // same entry, same place in the order
      this.count++;
      return;
    }
    const b = v;
    const rows = b.rows;
    if (!this.dup) {
      for (let i = 0; i < rows.length; i++) if (rowEquals(rows[i]!, row)) return;
    }
    rows.push(row);
    b.seqs.push(++b.seq);
    this.count++;
  }

  /** Fills the empty engine with `rows` (see `Engine.bulkLoad`). */
  bulkLoad(rows: readonly Row[]): void {
    if (this.map.size !== 0) throw new Error('bulkLoad: the engine is not empty');
    if (this.bag) {
      for (let i = 0; i < rows.length; i++) this.insert(rows[i]!);
      return;
    }
    const map = this.map;
    const ki = this.keyIndex;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      this.own(row);
      map.set(hashKey(row[ki]), row);
    }
    this.count = map.size;
  }

  /** The key of a stored value. */
  private keyOf(v: Value): Term {
    return v instanceof Bucket ? v.rows[0]![this.keyIndex] : (v as Row)[this.keyIndex];
  }

  deleteKey(key: Term): readonly Row[] {
    const hk = hashKey(key);
    const v = this.map.get(hk);
    if (v === undefined) return EMPTY;
    if (v instanceof Bucket) {
      this.map.delete(hk);
      this.dels++;
      this.buckets--;
      v.live = false;
      this.count -= v.rows.length;
      return v.rows;
    }
    this.map.delete(hk);
    this.dels++;
    this.count--;
    return [v as Row];
  }

  deleteObject(row: Row): number {
    const hk = hashKey(row[this.keyIndex]);
    const v = this.map.get(hk);
    if (v === undefined) return 0;
    if (!(v instanceof Bucket)) {
      if (!rowEquals(v as Row, row)) return 0;
      this.map.delete(hk);
      this.dels++;
      this.count--;
      return 1;
    }
    const b = v as Bucket;
    const kept: Row[] = [];
    const keptSeqs: number[] = [];
    for (let i = 0; i < b.rows.length; i++) {
      if (!rowEquals(b.rows[i]!, row)) {
        kept.push(b.rows[i]!);
        keptSeqs.push(b.seqs[i]!);
      }
    }
    const removed = b.rows.length - kept.length;
    if (removed === 0) return 0;
    this.count -= removed;
    if (kept.length === 0) {
      this.map.delete(hk);
      this.dels++;
      this.buckets--;
      b.live = false;
    } else {
      b.rows = kept;
      b.seqs = keptSeqs;
    }
    return removed;
  }

  replace(old: Row, next: Row): void {
    this.own(next);
    const hk = hashKey(old[this.keyIndex]);
    const v = this.map.get(hk);
    if (v === undefined) throw new Error('replace: key not present');
    if (!(v instanceof Bucket)) {
      this.map.set(hk, next);
      return;
    }
    const rows = v.rows;
    let i = rows.indexOf(old);
    if (i < 0) i = rows.findIndex((r) => rowEquals(r, old));
    if (i < 0) throw new Error('replace: row not present');
    rows[i] = next;
  }

  clear(): void {
    if (this.bag) for (const v of this.map.values()) if (v instanceof Bucket) v.live = false;
    this.map.clear();
    this.walks.clear();
    this.lastIt = this.lastHk = undefined;
    this.dels++;
    this.count = 0;
    this.buckets = 0;
    this.epoch++;
    this.readsCopy = false;
  }

  first(): Term | EndOfTable {
    const it = this.map.entries();
    return this.advance(it);
  }

  last(): Term | EndOfTable {
    // ETS: last/prev on hash tables behave as first/next.
    return this.first();
  }

  next(key: Term, fixed = false): Term | EndOfTable | undefined {
    const hk = hashKey(key);
    // The common case: the walk that just returned `key` goes on, and no
    // key was deleted since, so `key` is still there: no hashing, no probe.
    if (hk === this.lastHk && this.lastDels === this.dels && this.lastIt !== undefined) return this.advance(this.lastIt);
    if (!this.map.has(hk)) return fixed ? this.resumeDeleted(hk) : undefined; // ETS: badarg for a key not in a hash table
    let it: Entries | undefined;
    if (hk === this.lastHk && this.lastIt !== undefined) {
      it = this.lastIt;
    } else {
      it = this.walks.get(hk);
      if (it !== undefined) this.walks.delete(hk);
      // Park the current walk where a later call can find it again.
      if (this.lastIt !== undefined) this.park(this.lastHk!, this.lastIt);
      if (it === undefined) {
        // No remembered walk stands on `key`: find it from the start.
        it = this.map.entries();
        for (let r = it.next(); !r.done; r = it.next()) if (r.value[0] === hk) break;
      }
    }
    return this.advance(it);
  }

  /**
   * On a fixed table (`safeFixtable`), `next` of a key deleted since a walk
   * returned it continues that walk, as ETS; `undefined` when no
   * remembered walk stands on it.
   */
  private resumeDeleted(hk: HashKey): Term | EndOfTable | undefined {
    if (hk === this.lastHk && this.lastIt !== undefined) return this.advance(this.lastIt);
    const it = this.walks.get(hk);
    if (it === undefined) return undefined;
    this.walks.delete(hk);
    if (this.lastIt !== undefined) this.park(this.lastHk!, this.lastIt);
    return this.advance(it);
  }

  private park(hk: HashKey, it: Entries): void {
    const walks = this.walks;
    walks.delete(hk);
    walks.set(hk, it);
    if (walks.size > MAX_WALKS) walks.delete(walks.keys().next().value!);
  }

  prev(key: Term, fixed = false): Term | EndOfTable | undefined {
    return this.next(key, fixed);
  }

  /** Takes the next entry of a walk and makes it the current walk. */
  private advance(it: Entries): Term | EndOfTable {
    const r = it.next();
    if (r.done === true) {
      if (this.lastIt === it) this.lastIt = this.lastHk = undefined;
      return END_OF_TABLE;
    }
    const [hk, v] = r.value;
    if (this.lastIt !== it && this.lastIt !== undefined) this.park(this.lastHk!, this.lastIt);
    this.lastIt = it;
    this.lastHk = hk;
    this.lastDels = this.dels;
    // A number (or bigint) key is its own hash key: no need to read the row.
    return typeof hk === 'number' || typeof hk === 'bigint' ? hk : this.keyOf(v);
  }

  cursor(_reverse: boolean): Cursor {
    const c: HashCursor = { __cursor: true, it: undefined, epoch: this.epoch, bucket: undefined, seq: 0, done: false };
    return c;
  }

  take(cursor: Cursor, max: number): Row[] {
    const c = cursor as HashCursor;
    const out: Row[] = [];
    if (c.done || max <= 0) return out;
    if (c.epoch !== this.epoch) {
      c.done = true;
      return out;
    }
    // Rows left in the current bag bucket (found by number: rows before
    // them may have been deleted since).
    if (c.bucket !== undefined) {
      const b = c.bucket;
      if (b.live) {
        let i = firstAfter(b.seqs, c.seq);
        while (i < b.rows.length && out.length < max) {
          out.push(b.rows[i]!);
          c.seq = b.seqs[i]!;
          i++;
        }
        if (out.length >= max) return out;
      }
      c.bucket = undefined;
    }
    const it = (c.it ??= this.map.entries());
    while (out.length < max) {
      const r = it.next();
      if (r.done === true) {
        c.done = true;
        return out;
      }
      const v = r.value[1];
      if (!(v instanceof Bucket)) {
        out.push(v as Row);
        continue;
      }
      const b = v as Bucket;
      let i = 0;
      while (i < b.rows.length && out.length < max) {
        out.push(b.rows[i]!);
        c.seq = b.seqs[i]!;
        i++;
      }
      if (i < b.rows.length) c.bucket = b;
    }
    return out;
  }

  *rows(): IterableIterator<Row> {
    const c = this.cursor(false);
    for (;;) {
      const batch = this.take(c, 256);
      if (batch.length === 0) return;
      yield* batch;
    }
  }

  memoryBytes(): number {
    let bytes = this.map.size * ENTRY_BYTES;
    if (this.bag) for (const v of this.map.values()) if (v instanceof Bucket) bytes += 64 + v.rows.length * 16;
    return bytes + this.count * ROW_BYTES;
  }

  checkInvariants(): void {
    let rows = 0;
    const checkRow = (r: Row): void => {
      if (isPrivateRow(r)) {
        if (this.bag) throw new Error('private row in a bag');
      } else if (!Object.isFrozen(r)) throw new Error('stored row not frozen');
      if (readsMustCopy(r) && !this.readsCopy) throw new Error('a row reads must copy, but readsCopy is false');
    };
    for (const [hk, v] of this.map) {
      if (v instanceof Bucket) v.rows.forEach(checkRow);
      else checkRow(v as Row);
      if (hashKey(this.keyOf(v)) !== hk) throw new Error('entry not under its key');
      if (v instanceof Bucket) {
        if (!this.bag) throw new Error('set value is a bucket');
        if (!v.live) throw new Error('dead bucket in the map');
        if (v.rows.length === 0) throw new Error('empty bag bucket');
        if (v.seqs.length !== v.rows.length) throw new Error('seqs/rows length mismatch');
        for (let i = 0; i < v.seqs.length; i++) {
          if (v.seqs[i]! > v.seq || (i > 0 && v.seqs[i]! <= v.seqs[i - 1]!)) throw new Error('row numbers out of order');
        }
        for (const r of v.rows) if (hashKey(r[this.keyIndex]) !== hk) throw new Error('row key mismatch');
        if (!this.dup) {
          for (let i = 0; i < v.rows.length; i++)
            for (let j = i + 1; j < v.rows.length; j++) if (rowEquals(v.rows[i]!, v.rows[j]!)) throw new Error('duplicate in bag');
        }
        rows += v.rows.length;
      } else {
        rows++; // a set row, or a bag key's only row
      }
    }
    if (rows !== this.count) throw new Error(`count ${this.count} != ${rows}`);
    let buckets = 0;
    for (const v of this.map.values()) if (v instanceof Bucket) buckets++;
    if (buckets !== this.buckets) throw new Error(`buckets ${this.buckets} != ${buckets}`);
    if (this.walks.size > MAX_WALKS) throw new Error('too many remembered walks');
    if (this.lastIt !== undefined && this.lastDels === this.dels && !this.map.has(this.lastHk!)) throw new Error('current walk stands on a missing key');
  }
}

/** Index of the first entry of the ascending `seqs` greater than `seq`. */
function firstAfter(seqs: readonly number[], seq: number): number {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqs[mid]! <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
