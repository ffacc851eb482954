/**
 * The `ordered_set` engine, on termstore's own B+ tree (`btree.ts`).
 *
 * Keys compare in the term order (Erlang `==`), so `1` and `1n` are one
 * key, as in ETS; while every key is a number (or every key a string) the
 * tree compares them inline. Lookup, insert and delete are O(log n);
 * `next`/`prev` on any key, present or not, give the nearest key in that
 * direction, as ETS.
 *
 * Walks and cursors remember where they stand (a leaf and an index) and the
 * tree's `version`: while no key was added or removed since, the next step
 * is O(1) (the leaves are linked); otherwise they find their place again
 * from the last key they returned, so they survive any writes.
 *
 * @module
 */
import { compareTerms } from '../term/order.js';
import { exactEquals, rowEquals } from '../term/equal.js';
import { isPrivateRow, readsMustCopy, shareRow } from '../term/copy.js';
import { BTree, type Leaf } from './btree.js';
import { counterSum, storeSum } from './counter.js';
import type { Row, Term } from '../term/types.js';
import { END_OF_TABLE, type Cursor, type Engine, type EngineCaps, type EndOfTable, type KeyRange } from './types.js';

interface OrderedCursor extends Cursor {
  reverse: boolean;
  range: KeyRange | undefined;
  /** Whether a row was returned yet, and the key of the last one. */
  started: boolean;
  lastKey: Term;
  /** Where the next row to give is, valid while `version` is the tree's. */
  leaf: Leaf | null;
  index: number;
  version: number;
  done: boolean;
}

const EMPTY: readonly Row[] = Object.freeze([]);

const CAPS: EngineCaps = Object.freeze({ ordered: true, duplicates: 'none', bulkLoad: true });

export class OrderedEngine implements Engine {
  readonly type = 'ordered_set' as const;
  readonly caps = CAPS;
  readsCopy = false;
  private readonly tree = new BTree();
  /** The `first`/`next` walk: where the key it returned last is, while the tree's version is `walkVersion`. */
  private walkLeaf: Leaf | null = null;
  private walkIndex = 0;
  private walkVersion = -1;

  constructor(readonly keyIndex: number) {}

  size(): number {
    return this.tree.size;
  }

  lookup(key: Term): Row[] {
    const r = this.tree.get(key);
    return r === undefined ? [] : [r];
  }

  lookupOne(key: Term): Row | undefined {
    return this.tree.get(key);
  }

  /** `updateCounter`'s fast path; see `Engine.addToElement`. */
  addToElement(key: Term, index: number, incr: number): number | undefined {
    const tree = this.tree;
    const leaf = tree.leafFor(key);
    const i = tree.indexIn(leaf, key);
    if (i < 0) return undefined;
    const row = leaf.rows[i]!;
    const sum = counterSum(row, index, incr);
    if (sum === undefined) return undefined;
    const copy = storeSum(row, index, sum);
    if (copy !== undefined) {
      leaf.rows[i] = copy; // same key, same place: walks and cursors go on
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
    return this.tree.get(key) !== undefined;
  }

  insert(row: Row): void {
    this.own(row);
    this.tree.set(row[this.keyIndex], row);
  }

  /**
   * Fills the empty engine with `rows` in one pass, as inserting them in
   * order would (a later row replaces an earlier one with an equal key):
   * sorts them unless they already are, then builds the tree bottom-up.
   */
  bulkLoad(rows: readonly Row[]): void {
    if (this.tree.size !== 0) throw new Error('bulkLoad: the engine is not empty');
    const ki = this.keyIndex;
    const n = rows.length;
    for (let i = 0; i < n; i++) this.own(rows[i]!);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (compareTerms(rows[i - 1]![ki], rows[i]![ki]) >= 0) sorted = false;
    let order: readonly Row[] = rows;
    if (!sorted) {
      // A stable sort keeps equal keys in insertion order; the last of each run wins.
      const idx = Array.from({ length: n }, (_, i) => i);
      idx.sort((a, b) => compareTerms(rows[a]![ki], rows[b]![ki]));
      const out: Row[] = [];
      for (let j = 0; j < n; j++) {
        const r = rows[idx[j]!]!;
        if (out.length > 0 && compareTerms(out[out.length - 1]![ki], r[ki]) === 0) out[out.length - 1] = r;
        else out.push(r);
      }
      order = out;
    }
    this.tree.load(
      order.map((r) => r[ki]),
      order.slice(),
    );
  }

  deleteKey(key: Term): readonly Row[] {
    const r = this.tree.delete(key);
    return r === undefined ? EMPTY : [r];
  }

  deleteObject(row: Row): number {
    const key = row[this.keyIndex];
    const r = this.tree.get(key);
    if (r === undefined || !rowEquals(r, row)) return 0;
    this.tree.delete(key);
    return 1;
  }

  replace(_old: Row, next: Row): void {
    // Same key, so the tree's shape does not change: walks and cursors go on.
    this.own(next);
    this.tree.set(next[this.keyIndex], next);
  }

  clear(): void {
    this.tree.clear();
    this.readsCopy = false;
    this.walkLeaf = null;
  }

  first(): Term | EndOfTable {
    const leaf = this.tree.first;
    if (leaf.keys.length === 0) return END_OF_TABLE;
    return this.stand(leaf, 0);
  }

  last(): Term | EndOfTable {
    const leaf = this.tree.last;
    if (leaf.keys.length === 0) return END_OF_TABLE;
    return this.stand(leaf, leaf.keys.length - 1);
  }

  next(key: Term): Term | EndOfTable {
    let leaf: Leaf | null;
    let i: number;
    if (this.onWalk(key)) {
      leaf = this.walkLeaf!;
      i = this.walkIndex + 1;
    } else {
      ({ leaf, index: i } = this.tree.seekForward(key, true)); // the first key greater than `key`
    }
    if (i >= leaf.keys.length) {
      leaf = leaf.next;
      i = 0;
      if (leaf === null) return this.endWalk();
    }
    return this.stand(leaf, i);
  }

  prev(key: Term): Term | EndOfTable {
    let leaf: Leaf | null;
    let i: number;
    if (this.onWalk(key)) {
      leaf = this.walkLeaf!;
      i = this.walkIndex - 1;
    } else {
      ({ leaf, index: i } = this.tree.seekBackward(key, true)); // the last key less than `key`
    }
    if (i < 0) {
      leaf = leaf.prev;
      if (leaf === null) return this.endWalk();
      i = leaf.keys.length - 1;
    }
    return this.stand(leaf, i);
  }

  /** True if the walk stands on `key` and the tree has not changed shape since. */
  private onWalk(key: Term): boolean {
    const leaf = this.walkLeaf;
    if (leaf === null || this.walkVersion !== this.tree.version) return false;
    const k = leaf.keys[this.walkIndex];
    return k === key || compareTerms(k, key) === 0;
  }

  /** Makes the walk stand at `leaf`/`i`; returns the key there (from the leaf: the row is not read). */
  private stand(leaf: Leaf, i: number): Term {
    this.walkLeaf = leaf;
    this.walkIndex = i;
    this.walkVersion = this.tree.version;
    return leaf.keys[i];
  }

  private endWalk(): EndOfTable {
    this.walkLeaf = null;
    return END_OF_TABLE;
  }

  cursor(reverse: boolean, range?: KeyRange): Cursor {
    const c: OrderedCursor = { __cursor: true, reverse, range, started: false, lastKey: undefined, leaf: null, index: 0, version: -1, done: false };
    return c;
  }

  take(cursor: Cursor, max: number): Row[] {
    const c = cursor as OrderedCursor;
    const out: Row[] = [];
    if (c.done || max <= 0) return out;
    return c.reverse ? this.takeBackward(c, max, out) : this.takeForward(c, max, out);
  }

  private takeForward(c: OrderedCursor, max: number, out: Row[]): Row[] {
    const tree = this.tree;
    let leaf: Leaf | null;
    let i: number;
    if (c.leaf !== null && c.version === tree.version) {
      leaf = c.leaf;
      i = c.index;
    } else if (c.started) {
      ({ leaf, index: i } = tree.seekForward(c.lastKey, true)); // after the last key returned
    } else if (c.range?.lo !== undefined) {
      ({ leaf, index: i } = tree.seekForward(c.range.lo.key, !c.range.lo.inclusive));
    } else {
      leaf = tree.first;
      i = 0;
    }
    const hi = c.range?.hi;
    while (leaf !== null) {
      const keys = leaf.keys;
      const rows = leaf.rows;
      for (; i < keys.length; i++) {
        if (hi !== undefined) {
          const cmp = tree.compare(keys[i], hi.key);
          if (cmp > 0 || (cmp === 0 && !hi.inclusive)) {
            c.done = true;
            return out;
          }
        }
        if (out.length >= max) {
          this.park(c, leaf, i);
          return out;
        }
        out.push(rows[i]!);
        c.lastKey = keys[i];
      }
      leaf = leaf.next;
      i = 0;
    }
    c.done = true;
    return out;
  }

  private takeBackward(c: OrderedCursor, max: number, out: Row[]): Row[] {
    const tree = this.tree;
    let leaf: Leaf | null;
    let i: number;
    if (c.leaf !== null && c.version === tree.version) {
      leaf = c.leaf;
      i = c.index;
    } else if (c.started) {
      ({ leaf, index: i } = tree.seekBackward(c.lastKey, true)); // before the last key returned
    } else if (c.range?.hi !== undefined) {
      ({ leaf, index: i } = tree.seekBackward(c.range.hi.key, !c.range.hi.inclusive));
    } else {
      leaf = tree.last;
      i = leaf.keys.length - 1;
    }
    const lo = c.range?.lo;
    while (leaf !== null) {
      const keys = leaf.keys;
      const rows = leaf.rows;
      for (; i >= 0; i--) {
        if (lo !== undefined) {
          const cmp = tree.compare(keys[i], lo.key);
          if (cmp < 0 || (cmp === 0 && !lo.inclusive)) {
            c.done = true;
            return out;
          }
        }
        if (out.length >= max) {
          this.park(c, leaf, i);
          return out;
        }
        out.push(rows[i]!);
        c.lastKey = keys[i];
      }
      leaf = leaf.prev;
      if (leaf !== null) i = leaf.keys.length - 1;
    }
    c.done = true;
    return out;
  }

  /** Remembers where a cursor stopped: at `leaf`/`i`, the next entry to give (its last key is in `lastKey`). */
  private park(c: OrderedCursor, leaf: Leaf, i: number): void {
    c.started = true;
    c.leaf = leaf;
    c.index = i;
    c.version = this.tree.version;
  }

  *rows(reverse = false): IterableIterator<Row> {
    // Snapshot-free walk by key, robust to writes between steps.
    const c = this.cursor(reverse);
    for (;;) {
      const batch = this.take(c, 256);
      if (batch.length === 0) return;
      yield* batch;
    }
  }

  memoryBytes(): number {
    // Leaves: a key slot and a row slot per entry (plus node overhead); the row itself.
    return this.tree.size * (24 + 48);
  }

  checkInvariants(): void {
    this.tree.check();
    for (let leaf: Leaf | null = this.tree.first; leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.keys.length; i++) {
        const row = leaf.rows[i]!;
        // Walks hand out the leaf's key: it must be the row's own (=:=, the same spelling).
        if (!exactEquals(leaf.keys[i], row[this.keyIndex])) throw new Error('leaf key is not the row key');
        if (!isPrivateRow(row) && !Object.isFrozen(row)) throw new Error('stored row not frozen');
        if (readsMustCopy(row) && !this.readsCopy) throw new Error('a row reads must copy, but readsCopy is false');
      }
    }
    if (this.walkLeaf !== null && this.walkVersion === this.tree.version) {
      if (this.walkIndex < 0 || this.walkIndex >= this.walkLeaf.keys.length) throw new Error('walk stands outside its leaf');
    }
  }
}
