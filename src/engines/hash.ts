/**
 * Hash engines for `set`, `bag` and `duplicate_bag`.
 *
 * One `Map` from {@link hashKey} (exact key equality; primitive keys are
 * their own hash key, structured keys a canonical string, so lookups never
 * probe) to a per-key node. Nodes also form a doubly linked list in
 * insertion order, which gives:
 *
 * - `first`/`next` in O(1) per step (a `Map` cannot resume iteration at a key);
 * - cursors that survive writes: a deleted node keeps its `next` pointer, so
 *   a traversal standing on it walks on to the next live node, as V8's own
 *   ordered hash table iterators do.
 *
 * A `set` node holds one row; a bag node holds its rows in insertion order.
 *
 * @module
 */
import { hashKey, rowEquals } from '../term/equal.js';
import type { HashKey } from '../term/equal.js';
import type { Row, Term } from '../term/types.js';
import { END_OF_TABLE, type Cursor, type Engine, type EngineCaps, type EndOfTable, type TableType } from './types.js';

interface Node {
  key: Term;
  hk: HashKey;
  /** `set`: the row. */
  row: Row | undefined;
  /** bags: the rows, insertion order (never empty while live). */
  rows: Row[] | undefined;
  prev: Node | null;
  next: Node | null;
  live: boolean;
}

interface HashCursor extends Cursor {
  /** Last node visited; null before the start. */
  node: Node | null;
  /** Rows of `node` already returned (bags). */
  index: number;
  done: boolean;
}

const EMPTY: readonly Row[] = Object.freeze([]);

/** Rough bytes per Map entry + node object, for `info(memory)`. */
const NODE_BYTES = 96;

export class HashEngine implements Engine {
  readonly caps: EngineCaps;
  private readonly map = new Map<HashKey, Node>();
  private head: Node | null = null;
  private tail: Node | null = null;
  private count = 0;
  private readonly bag: boolean;
  private readonly dup: boolean;

  constructor(
    readonly type: Exclude<TableType, 'ordered_set'>,
    readonly keyIndex: number,
  ) {
    this.bag = type !== 'set';
    this.dup = type === 'duplicate_bag';
    this.caps = Object.freeze({ ordered: false, duplicates: type === 'set' ? 'none' : type === 'bag' ? 'bag' : 'duplicate' });
  }

  size(): number {
    return this.count;
  }

  lookup(key: Term): readonly Row[] {
    const n = this.map.get(hashKey(key));
    if (n === undefined) return EMPTY;
    return this.bag ? n.rows! : [n.row!];
  }

  /** The stored row for `key` in a `set` (no array allocation). */
  lookupOne(key: Term): Row | undefined {
    const n = this.map.get(hashKey(key));
    return n === undefined ? undefined : this.bag ? n.rows![0] : n.row;
  }

  member(key: Term): boolean {
    return this.map.has(hashKey(key));
  }

  insert(row: Row): void {
    const key = row[this.keyIndex];
    const hk = hashKey(key);
    const n = this.map.get(hk);
    if (n !== undefined) {
      if (!this.bag) {
        n.row = row;
        n.key = key;
        return;
      }
      const rows = n.rows!;
      if (!this.dup) {
        for (let i = 0; i < rows.length; i++) if (rowEquals(rows[i]!, row)) return;
      }
      rows.push(row);
      this.count++;
      return;
    }
    const node: Node = {
      key,
      hk,
      row: this.bag ? undefined : row,
      rows: this.bag ? [row] : undefined,
      prev: this.tail,
      next: null,
      live: true,
    };
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.map.set(hk, node);
    this.count++;
  }

  private unlink(n: Node): void {
    this.map.delete(n.hk);
    n.live = false;
    if (n.prev === null) this.head = n.next;
    else n.prev.next = n.next;
    if (n.next === null) this.tail = n.prev;
    else n.next.prev = n.prev;
    // n.next is kept so that cursors standing on n can move on.
  }

  deleteKey(key: Term): readonly Row[] {
    const n = this.map.get(hashKey(key));
    if (n === undefined) return EMPTY;
    this.unlink(n);
    const out = this.bag ? n.rows! : [n.row!];
    this.count -= out.length;
    return out;
  }

  deleteObject(row: Row): number {
    const n = this.map.get(hashKey(row[this.keyIndex]));
    if (n === undefined) return 0;
    if (!this.bag) {
      if (!rowEquals(n.row!, row)) return 0;
      this.unlink(n);
      this.count--;
      return 1;
    }
    const rows = n.rows!;
    const kept = rows.filter((r) => !rowEquals(r, row));
    const removed = rows.length - kept.length;
    if (removed === 0) return 0;
    this.count -= removed;
    if (kept.length === 0) this.unlink(n);
    else n.rows = kept;
    return removed;
  }

  replace(old: Row, next: Row): void {
    const n = this.map.get(hashKey(old[this.keyIndex]));
    if (n === undefined) throw new Error('replace: key not present');
    if (!this.bag) {
      n.row = next;
      n.key = next[this.keyIndex];
      return;
    }
    const rows = n.rows!;
    let i = rows.indexOf(old);
    if (i < 0) i = rows.findIndex((r) => rowEquals(r, old));
    if (i < 0) throw new Error('replace: row not present');
    rows[i] = next;
  }

  clear(): void {
    // Kill every node so live cursors end.
    for (let n = this.head; n !== null; n = n.next) n.live = false;
    this.map.clear();
    this.head = this.tail = null;
    this.count = 0;
  }

  first(): Term | EndOfTable {
    return this.head === null ? END_OF_TABLE : this.head.key;
  }

  last(): Term | EndOfTable {
    // ETS: last/prev on hash tables behave as first/next.
    return this.first();
  }

  next(key: Term): Term | EndOfTable | undefined {
    const n = this.map.get(hashKey(key));
    if (n === undefined) return undefined;
    return n.next === null ? END_OF_TABLE : n.next.key;
  }

  prev(key: Term): Term | EndOfTable | undefined {
    return this.next(key);
  }

  cursor(_reverse: boolean): Cursor {
    const c: HashCursor = { __cursor: true, node: null, index: 0, done: false };
    return c;
  }

  take(cursor: Cursor, max: number): Row[] {
    const c = cursor as HashCursor;
    const out: Row[] = [];
    if (c.done) return out;
    // The node to give rows from: the current one if it is a live bag node
    // with rows left, else the next live node.
    let n: Node | null;
    if (c.node === null) {
      n = this.head;
      c.index = 0;
    } else if (c.node.live && this.bag && c.index < c.node.rows!.length) {
      n = c.node;
    } else {
      n = nextLive(c.node);
      c.index = 0;
    }
    while (n !== null) {
      c.node = n;
      if (this.bag) {
        const rows = n.rows!;
        while (c.index < rows.length && out.length < max) out.push(rows[c.index++]!);
      } else {
        out.push(n.row!);
        c.index = 1;
      }
      if (out.length >= max) return out;
      n = n.next;
      c.index = 0;
    }
    c.done = true;
    return out;
  }

  *rows(): IterableIterator<Row> {
    for (let n = this.head; n !== null; n = nextLive(n)) {
      if (!n.live) continue;
      if (this.bag) yield* n.rows!.slice();
      else yield n.row!;
    }
  }

  memoryBytes(): number {
    let bytes = this.map.size * NODE_BYTES;
    for (let n = this.head; n !== null; n = n.next) bytes += this.bag ? n.rows!.length * 16 : 0;
    return bytes + this.count * rowBytesEstimate;
  }

  checkInvariants(): void {
    let seen = 0;
    let rows = 0;
    let prev: Node | null = null;
    for (let n = this.head; n !== null; n = n.next) {
      if (!n.live) throw new Error('dead node linked');
      if (n.prev !== prev) throw new Error('broken prev link');
      if (this.map.get(n.hk) !== n) throw new Error('node not in map');
      if (n.hk !== hashKey(n.key)) throw new Error('hash key mismatch');
      if (this.bag) {
        if (n.rows!.length === 0) throw new Error('empty bag node');
        for (const r of n.rows!) if (hashKey(r[this.keyIndex]) !== n.hk) throw new Error('row key mismatch');
        if (!this.dup) {
          for (let i = 0; i < n.rows!.length; i++)
            for (let j = i + 1; j < n.rows!.length; j++) if (rowEquals(n.rows![i]!, n.rows![j]!)) throw new Error('duplicate in bag');
        }
        rows += n.rows!.length;
      } else {
        if (hashKey(n.row![this.keyIndex]) !== n.hk) throw new Error('row key mismatch');
        rows++;
      }
      prev = n;
      seen++;
    }
    if (prev !== this.tail) throw new Error('tail mismatch');
    if (seen !== this.map.size) throw new Error('map/list size mismatch');
    if (rows !== this.count) throw new Error(`count ${this.count} != ${rows}`);
  }
}

/** Average bytes of a small row (array header + 3 slots), for memory estimates. */
const rowBytesEstimate = 48;

function nextLive(n: Node): Node | null {
  let m = n.next;
  while (m !== null && !m.live) m = m.next;
  return m;
}
