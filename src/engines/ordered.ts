/**
 * The `ordered_set` engine: a B+ tree (sorted-btree) keyed by the term order.
 *
 * Keys compare with `compareTerms` (Erlang `==`), so `1` and `1n` are one
 * key, as in ETS. Lookup, insert and delete are O(log n); `next`/`prev` on
 * any key, present or not, give the nearest key in that direction, as ETS.
 * Cursors remember the last key returned, so they survive any writes.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { compareTerms } from '../term/order.js';
import { rowEquals } from '../term/equal.js';
import { isPrivateRow, readsMustCopy, shareRow } from '../term/copy.js';
import { counterSum, storeSum } from './counter.js';
import type { Row, Term } from '../term/types.js';
import { END_OF_TABLE, type Cursor, type Engine, type EngineCaps, type EndOfTable, type KeyRange } from './types.js';

/** The part of sorted-btree's `BTree` this engine uses (it is CommonJS with `exports.default`). */
interface Tree {
  readonly size: number;
  get(key: Term): Row | undefined;
  has(key: Term): boolean;
  set(key: Term, value: Row, overwrite?: boolean): boolean;
  delete(key: Term): boolean;
  clear(): void;
  minKey(): Term | undefined;
  maxKey(): Term | undefined;
  nextHigherPair(key: Term): [Term, Row] | undefined;
  nextLowerPair(key: Term): [Term, Row] | undefined;
  entries(lowestKey?: Term): IterableIterator<[Term, Row]>;
  entriesReversed(highestKey?: Term, reusedArray?: undefined, skipHighest?: boolean): IterableIterator<[Term, Row]>;
  checkValid(checkOrdering?: boolean): void;
}
type TreeClass = new (entries: undefined, compare: (a: Term, b: Term) => number) => Tree;
const BTree = (createRequire(import.meta.url)('sorted-btree') as { default: TreeClass }).default;

interface OrderedCursor extends Cursor {
  reverse: boolean;
  range: KeyRange | undefined;
  /** Last key returned; undefined before the start. */
  last: { key: Term } | undefined;
  done: boolean;
}

const EMPTY: readonly Row[] = Object.freeze([]);

/**
 * sorted-btree reads a key of `undefined` as "no key" (start at the first or
 * last pair) in `entries`, `entriesReversed`, `findPath`, `nextHigherPair`
 * and `nextLowerPair`, and an empty tree when `maxKey()` is `undefined`.
 * `undefined` is the atom `undefined` here, so the tree holds that key as
 * the atom's other spelling, which compares equal; keys handed out are read
 * from the rows, so the caller gets back the spelling they inserted.
 */
const UNDEFINED_ATOM = Symbol.for('undefined');
function tk(key: Term): Term {
  return key === undefined ? UNDEFINED_ATOM : key;
}

const CAPS: EngineCaps = Object.freeze({ ordered: true, duplicates: 'none' });

/** A remembered `next`/`prev` walk (see `OrderedEngine.step`). */
interface Walk {
  it: IterableIterator<[Term, Row]>;
  lastKey: Term;
  /** `version` of the tree when the walk was last advanced. */
  version: number;
  reverse: boolean;
}

export class OrderedEngine implements Engine {
  /** Bumped by every change to the set of keys (not by `replace`). */
  private version = 0;
  private walk: Walk | undefined;
  readonly type = 'ordered_set' as const;
  readonly caps = CAPS;
  readsCopy = false;
  private tree: Tree;

  constructor(readonly keyIndex: number) {
    this.tree = new BTree(undefined, compareTerms);
  }

  size(): number {
    return this.tree.size;
  }

  lookup(key: Term): Row[] {
    const r = this.tree.get(tk(key));
    return r === undefined ? [] : [r];
  }

  lookupOne(key: Term): Row | undefined {
    return this.tree.get(tk(key));
  }

  /** `updateCounter`'s in-place fast path; see `HashEngine.addToElement`. */
  addToElement(key: Term, index: number, incr: number): number | undefined {
    const row = this.tree.get(tk(key));
    const sum = counterSum(row, index, incr);
    if (sum === undefined) return undefined;
    const copy = storeSum(row!, index, sum);
    if (copy !== undefined) {
      this.tree.set(tk(row![this.keyIndex]), copy, true);
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
    return this.tree.has(tk(key));
  }

  insert(row: Row): void {
    this.own(row);
    this.version++;
    this.tree.set(tk(row[this.keyIndex]), row, true);
  }

  deleteKey(key: Term): readonly Row[] {
    const r = this.tree.get(tk(key));
    if (r === undefined) return EMPTY;
    this.version++;
    this.tree.delete(tk(key));
    return [r];
  }

  deleteObject(row: Row): number {
    const key = tk(row[this.keyIndex]);
    const r = this.tree.get(key);
    if (r === undefined || !rowEquals(r, row)) return 0;
    this.version++;
    this.tree.delete(key);
    return 1;
  }

  replace(_old: Row, next: Row): void {
    this.own(next);
    // Same key, so the tree's shape does not change: walks may go on.
    this.tree.set(tk(next[this.keyIndex]), next, true);
  }

  clear(): void {
    this.version++;
    this.tree.clear();
    this.readsCopy = false;
  }

  first(): Term | EndOfTable {
    // nextHigherPair(undefined) is the lowest pair; no tree key is undefined.
    const p = this.tree.nextHigherPair(undefined);
    return p === undefined ? END_OF_TABLE : p[1][this.keyIndex];
  }

  last(): Term | EndOfTable {
    const p = this.tree.nextLowerPair(undefined);
    return p === undefined ? END_OF_TABLE : p[1][this.keyIndex];
  }

  next(key: Term): Term | EndOfTable {
    return this.step(key, false);
  }

  prev(key: Term): Term | EndOfTable {
    return this.step(key, true);
  }

  /**
   * `next`/`prev`. A `first`/`next` loop asks for the key after the one it
   * was just given: that case continues a remembered tree iterator (O(1)
   * amortised per step) as long as no key was added or removed since; any
   * other call starts a new walk from the root (O(log n)).
   */
  private step(key: Term, reverse: boolean): Term | EndOfTable {
    const w = this.walk;
    let it: IterableIterator<[Term, Row]>;
    if (w !== undefined && w.version === this.version && w.reverse === reverse && compareTerms(w.lastKey, key) === 0) {
      it = w.it;
    } else {
      const k = tk(key);
      it = reverse ? this.tree.entriesReversed(k, undefined, true) : this.tree.entries(k);
      if (!reverse) {
        // entries(k) starts at k itself when present.
        const r0 = it.next();
        if (r0.done === true) return this.endWalk();
        if (compareTerms(r0.value[0], k) !== 0) return this.remember(it, r0.value[1], reverse);
      }
    }
    const r = it.next();
    if (r.done === true) return this.endWalk();
    return this.remember(it, r.value[1], reverse);
  }

  private remember(it: IterableIterator<[Term, Row]>, row: Row, reverse: boolean): Term {
    const key = row[this.keyIndex];
    this.walk = { it, lastKey: tk(key), version: this.version, reverse };
    return key;
  }

  private endWalk(): EndOfTable {
    this.walk = undefined;
    return END_OF_TABLE;
  }

  cursor(reverse: boolean, range?: KeyRange): Cursor {
    const c: OrderedCursor = { __cursor: true, reverse, range, last: undefined, done: false };
    return c;
  }

  take(cursor: Cursor, max: number): Row[] {
    const c = cursor as OrderedCursor;
    const out: Row[] = [];
    if (c.done || max <= 0) return out;
    const { range } = c;
    const lo = range?.lo;
    const hi = range?.hi;
    if (!c.reverse) {
      let it: IterableIterator<[Term, Row]>;
      let skip: Term | undefined;
      let skipSet = false;
      if (c.last !== undefined) {
        it = this.tree.entries(c.last.key);
        skip = c.last.key;
        skipSet = true;
      } else if (lo !== undefined) {
        it = this.tree.entries(tk(lo.key));
        if (!lo.inclusive) {
          skip = lo.key;
          skipSet = true;
        }
      } else {
        it = this.tree.entries();
      }
      for (const [k, row] of it) {
        if (skipSet) {
          skipSet = false;
          if (compareTerms(k, skip) === 0) continue;
        }
        if (hi !== undefined) {
          const cmp = compareTerms(k, hi.key);
          if (cmp > 0 || (cmp === 0 && !hi.inclusive)) {
            c.done = true;
            return out;
          }
        }
        out.push(row);
        c.last = { key: k };
        if (out.length >= max) return out;
      }
    } else {
      let it: IterableIterator<[Term, Row]>;
      if (c.last !== undefined) {
        it = this.tree.entriesReversed(c.last.key, undefined, true);
      } else if (hi !== undefined) {
        it = this.tree.entriesReversed(tk(hi.key), undefined, !hi.inclusive);
      } else {
        it = this.tree.entriesReversed();
      }
      for (const [k, row] of it) {
        if (c.last !== undefined && compareTerms(k, c.last.key) >= 0) continue;
        if (lo !== undefined) {
          const cmp = compareTerms(k, lo.key);
          if (cmp < 0 || (cmp === 0 && !lo.inclusive)) {
            c.done = true;
            return out;
          }
        }
        out.push(row);
        c.last = { key: k };
        if (out.length >= max) return out;
      }
    }
    c.done = true;
    return out;
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
    // B+ tree: ~2 slots per entry plus node overhead, plus the row.
    return this.tree.size * (24 + 48);
  }

  checkInvariants(): void {
    this.tree.checkValid(true);
    let prev: Term | undefined;
    let first = true;
    for (const [k, row] of this.tree.entries()) {
      if (compareTerms(k, row[this.keyIndex]) !== 0) throw new Error('key does not match row');
      if (!isPrivateRow(row) && !Object.isFrozen(row)) throw new Error('stored row not frozen');
      if (readsMustCopy(row) && !this.readsCopy) throw new Error('a row reads must copy, but readsCopy is false');
      if (!first && compareTerms(prev, k) >= 0) throw new Error('keys out of order');
      prev = k;
      first = false;
    }
  }
}
