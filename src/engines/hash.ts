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
import { thawRow } from '../term/copy.js';
import { hashKey, rowEquals } from '../term/equal.js';
import type { HashKey } from '../term/equal.js';
import type { Row, Term } from '../term/types.js';
import { END_OF_TABLE, type Cursor, type Engine, type EngineCaps, type EndOfTable, type TableType } from './types.js';

/**
 * A `set` node: the row and the list links. Kept small (five fields) because
 * there is one per row; the key is read from the row, and the hash key is
 * recomputed when needed (free for primitive keys).
 */
class SetNode {
  next: Node | null = null;
  live = true;
  /**
   * The row was built by `setElementPrivate` and is not frozen yet: no read
   * has returned it, so it may be changed in place. Every method that hands
   * a row out freezes it first (`share`).
   */
  priv = false;
  constructor(
    public row: Row,
    public prev: Node | null,
  ) {}
}

/** A bag node: all rows of one key, in insertion order, and the list links. */
class BagNode {
  next: Node | null = null;
  live = true;
  /**
   * An increasing number per row, parallel to `rows` (kept by `replace`,
   * dropped with the row by `deleteObject`), so that a cursor can find
   * where it stopped after rows before it were deleted.
   */
  seqs: number[] = [1];
  /** The last number given to a row of this node. */
  seq = 1;
  constructor(
    /** Never empty while live. */
    public rows: Row[],
    public prev: Node | null,
  ) {}
}

type Node = SetNode | BagNode;

/** The row of a set node, frozen first if it was private (see `SetNode.priv`). */
function share(n: SetNode): Row {
  if (n.priv) {
    Object.freeze(n.row);
    n.priv = false;
  }
  return n.row;
}

interface HashCursor extends Cursor {
  /** Last node visited; null before the start. */
  node: Node | null;
  /** bags: the number (`Node.seqs`) of the last row of `node` returned. */
  seq: number;
  done: boolean;
}

const EMPTY: readonly Row[] = Object.freeze([]);

/** Rough bytes per Map entry + node object, for `info(memory)`. */
const NODE_BYTES = 80;

export class HashEngine implements Engine {
  readonly caps: EngineCaps;
  private readonly map = new Map<HashKey, Node>();
  private head: Node | null = null;
  /** The node whose key `first`/`next` returned last (see `next`). */
  private walkNode: Node | null = null;
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
    return this.bag ? (n as BagNode).rows : [share(n as SetNode)];
  }

  /** The stored row for `key` in a `set` (no array allocation). */
  lookupOne(key: Term): Row | undefined {
    const n = this.map.get(hashKey(key));
    return n === undefined ? undefined : this.bag ? (n as BagNode).rows[0] : share(n as SetNode);
  }

  /** The stored row for `key` without handing it out (it may be private: do not return it to callers). */
  peekOne(key: Term): Row | undefined {
    const n = this.map.get(hashKey(key));
    return n === undefined ? undefined : this.bag ? (n as BagNode).rows[0] : (n as SetNode).row;
  }

  /**
   * `updateCounter`'s fast path on a `set`: sets element `index` of the row
   * of `key` to `value`, in place if the row is private, else on a private
   * copy (unfrozen until a read hands it out). The caller has checked that
   * the key is present and the index valid and not the key's.
   */
  setElementPrivate(key: Term, index: number, value: Term): void {
    const n = this.map.get(hashKey(key)) as SetNode;
    if (!n.priv) {
      n.row = thawRow(n.row);
      n.priv = true;
    }
    (n.row as Term[])[index] = value;
  }

  member(key: Term): boolean {
    return this.map.has(hashKey(key));
  }

  insert(row: Row): void {
    const hk = hashKey(row[this.keyIndex]);
    const n = this.map.get(hk);
    if (n !== undefined) {
      if (!this.bag) {
        (n as SetNode).row = row;
        (n as SetNode).priv = false;
        return;
      }
      const b = n as BagNode;
      const rows = b.rows;
      if (!this.dup) {
        for (let i = 0; i < rows.length; i++) if (rowEquals(rows[i]!, row)) return;
      }
      rows.push(row);
      b.seqs.push(++b.seq);
      this.count++;
      return;
    }
    const node: Node = this.bag ? new BagNode([row], this.tail) : new SetNode(row, this.tail);
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.map.set(hk, node);
    this.count++;
  }

  /** The key of a node (from its first row). */
  private keyOf(n: Node): Term {
    return this.bag ? (n as BagNode).rows[0]![this.keyIndex] : (n as SetNode).row[this.keyIndex];
  }

  private unlink(n: Node, hk: HashKey): void {
    this.map.delete(hk);
    n.live = false;
    if (n.prev === null) this.head = n.next;
    else n.prev.next = n.next;
    if (n.next === null) this.tail = n.prev;
    else n.next.prev = n.prev;
    // n.next is kept so that cursors standing on n can move on.
  }

  deleteKey(key: Term): readonly Row[] {
    const hk = hashKey(key);
    const n = this.map.get(hk);
    if (n === undefined) return EMPTY;
    this.unlink(n, hk);
    const out = this.bag ? (n as BagNode).rows : [share(n as SetNode)];
    this.count -= out.length;
    return out;
  }

  deleteObject(row: Row): number {
    const hk = hashKey(row[this.keyIndex]);
    const node = this.map.get(hk);
    if (node === undefined) return 0;
    if (!this.bag) {
      if (!rowEquals((node as SetNode).row, row)) return 0;
      this.unlink(node, hk);
      this.count--;
      return 1;
    }
    const n = node as BagNode;
    const rows = n.rows;
    const seqs = n.seqs;
    const kept: Row[] = [];
    const keptSeqs: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (!rowEquals(rows[i]!, row)) {
        kept.push(rows[i]!);
        keptSeqs.push(seqs[i]!);
      }
    }
    const removed = rows.length - kept.length;
    if (removed === 0) return 0;
    this.count -= removed;
    if (kept.length === 0) this.unlink(n, hk);
    else {
      n.rows = kept;
      n.seqs = keptSeqs;
    }
    return removed;
  }

  replace(old: Row, next: Row): void {
    const n = this.map.get(hashKey(old[this.keyIndex]));
    if (n === undefined) throw new Error('replace: key not present');
    if (!this.bag) {
      (n as SetNode).row = next;
      (n as SetNode).priv = false;
      return;
    }
    const rows = (n as BagNode).rows;
    let i = rows.indexOf(old);
    if (i < 0) i = rows.findIndex((r) => rowEquals(r, old));
    if (i < 0) throw new Error('replace: row not present');
    rows[i] = next;
  }

  clear(): void {
    // Kill every node so live cursors end.
    for (let n = this.head; n !== null; n = n.next) n.live = false;
    this.map.clear();
    this.head = this.tail = this.walkNode = null;
    this.count = 0;
  }

  first(): Term | EndOfTable {
    this.walkNode = this.head;
    return this.head === null ? END_OF_TABLE : this.keyOf(this.head);
  }

  last(): Term | EndOfTable {
    // ETS: last/prev on hash tables behave as first/next.
    return this.first();
  }

  next(key: Term): Term | EndOfTable | undefined {
    // A first/next loop asks for the key after the one just given: take the
    // remembered node (if still live) instead of hashing the key again.
    const w = this.walkNode;
    let n: Node | undefined;
    if (w !== null && w.live && (typeof key === 'number' || typeof key === 'string') && this.keyOf(w) === key) n = w;
    else n = this.map.get(hashKey(key));
    if (n === undefined) return undefined;
    const m = n.next;
    this.walkNode = m;
    return m === null ? END_OF_TABLE : this.keyOf(m);
  }

  prev(key: Term): Term | EndOfTable | undefined {
    return this.next(key);
  }

  cursor(_reverse: boolean): Cursor {
    const c: HashCursor = { __cursor: true, node: null, seq: 0, done: false };
    return c;
  }

  take(cursor: Cursor, max: number): Row[] {
    const c = cursor as HashCursor;
    const out: Row[] = [];
    if (c.done || max <= 0) return out;
    // The node to give rows from, and the first row of it: the current node
    // if it is a live bag node with rows after the last one returned (found
    // by number, as rows before it may have been deleted), else the next
    // live node.
    let n: Node | null;
    let start = 0;
    if (c.node === null) {
      n = this.head;
    } else if (c.node.live && this.bag) {
      const b = c.node as BagNode;
      start = firstAfter(b.seqs, c.seq);
      n = start < b.rows.length ? c.node : nextLive(c.node);
      if (n !== c.node) start = 0;
    } else {
      n = nextLive(c.node);
    }
    while (n !== null) {
      c.node = n;
      if (this.bag) {
        const rows = (n as BagNode).rows;
        const seqs = (n as BagNode).seqs;
        let i = start;
        while (i < rows.length && out.length < max) {
          out.push(rows[i]!);
          c.seq = seqs[i]!;
          i++;
        }
      } else {
        out.push(share(n as SetNode));
      }
      if (out.length >= max) return out;
      n = n.next;
      start = 0;
    }
    c.done = true;
    return out;
  }

  *rows(): IterableIterator<Row> {
    for (let n = this.head; n !== null; n = nextLive(n)) {
      if (!n.live) continue;
      if (this.bag) yield* (n as BagNode).rows.slice();
      else yield share(n as SetNode);
    }
  }

  memoryBytes(): number {
    let bytes = this.map.size * NODE_BYTES;
    if (this.bag) for (let n = this.head; n !== null; n = n.next) bytes += (n as BagNode).rows.length * 16;
    return bytes + this.count * rowBytesEstimate;
  }

  checkInvariants(): void {
    let seen = 0;
    let rows = 0;
    let prev: Node | null = null;
    for (let n = this.head; n !== null; n = n.next) {
      if (!n.live) throw new Error('dead node linked');
      if (n.prev !== prev) throw new Error('broken prev link');
      if ((n instanceof BagNode) !== this.bag) throw new Error('wrong node class');
      const hk = hashKey(this.keyOf(n));
      if (this.map.get(hk) !== n) throw new Error('node not in map under its key');
      if (this.bag) {
        const b = n as BagNode;
        if (b.rows.length === 0) throw new Error('empty bag node');
        if (b.seqs.length !== b.rows.length) throw new Error('seqs/rows length mismatch');
        for (let i = 0; i < b.seqs.length; i++) {
          if (b.seqs[i]! > b.seq || (i > 0 && b.seqs[i]! <= b.seqs[i - 1]!)) throw new Error('row numbers out of order');
        }
        for (const r of b.rows) if (hashKey(r[this.keyIndex]) !== hk) throw new Error('row key mismatch');
        if (!this.dup) {
          for (let i = 0; i < b.rows.length; i++)
            for (let j = i + 1; j < b.rows.length; j++) if (rowEquals(b.rows[i]!, b.rows[j]!)) throw new Error('duplicate in bag');
        }
        rows += b.rows.length;
      } else {
        if (Object.isFrozen((n as SetNode).row) === (n as SetNode).priv) throw new Error('private flag disagrees with frozenness');
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

function nextLive(n: Node): Node | null {
  let m = n.next;
  while (m !== null && !m.live) m = m.next;
  return m;
}
