/**
 * A B+ tree of rows keyed by the term order: the `ordered_set` engine's
 * storage.
 *
 * - Leaves hold parallel `keys` and `rows` arrays (keys contiguous, so a
 *   binary search reads no row) and are linked both ways, so a scan or a
 *   `first`/`next` walk moves from one entry to the next without going back
 *   to the root. Inner nodes hold, for each child, the greatest key below
 *   it.
 * - Comparisons are specialised to the keys the tree holds: while every key
 *   is a JS `number` (or every key a `string`), searches compare with `<`
 *   (or code points) inline; as soon as a key of any other kind arrives
 *   (a bigint, a tuple, a float box, ...) the tree uses `compareTerms` for
 *   good (until `clear`). A search for a key of another kind than the
 *   tree's always takes the general comparison, so `1n` finds `1`.
 * - Appending a key greater than every key (ascending inserts, the common
 *   way a table is built) splits a full rightmost node by starting a new one
 *   rather than halving it: nodes built that way stay full.
 * - `load` builds a tree from sorted entries bottom-up in O(n).
 *
 * Positions (a leaf and an index) stay valid until the next insert of a new
 * key or delete: `version` counts those, so a walk can check it is still
 * where it was.
 *
 * @module
 */
import { compareStrings, compareTerms } from '../term/order.js';
import type { Row, Term } from '../term/types.js';

/** Most entries in a leaf, and children in an inner node (the default; tests use small nodes to grow tall trees). */
export const MAX_NODE = 64;

/** What kind of keys a tree holds, which decides how it compares them. */
export const enum KeyKind {
  Empty = 0,
  /** Every key is a `number`. */
  Number = 1,
  /** Every key is a `string`. */
  String = 2,
  /** Anything else: `compareTerms`. */
  Any = 3,
}

export class Leaf {
  constructor(
    public keys: Term[],
    public rows: Row[],
    public prev: Leaf | null,
    public next: Leaf | null,
  ) {}
}

class Inner {
  constructor(
    /** `keys[i]` is the greatest key under `children[i]`. */
    public keys: Term[],
    public children: Node[],
  ) {}
}

type Node = Leaf | Inner;

function kindOf(key: Term): KeyKind {
  return typeof key === 'number' ? KeyKind.Number : typeof key === 'string' ? KeyKind.String : KeyKind.Any;
}

/** Sizes of `k` chunks of `n` items, as even as possible (every chunk > max/2 when k > 1). */
function chunkSizes(n: number, max: number): number[] {
  const k = Math.max(1, Math.ceil(n / max));
  const base = Math.floor(n / k);
  const extra = n - base * k;
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(base + (i < extra ? 1 : 0));
  return out;
}

export class BTree {
  /** Fewest entries (children) a node off the right edge keeps after a delete. */
  private readonly min: number;

  constructor(
    /** Most entries in a leaf, and children in an inner node (at least 4). */
    private readonly max = MAX_NODE,
  ) {
    if (!Number.isInteger(max) || max < 4) throw new Error('BTree: node size must be an integer >= 4');
    this.min = max >> 2;
  }

  root: Node = new Leaf([], [], null, null);
  /** Levels of inner nodes above the leaves. */
  height = 0;
  size = 0;
  /** Bumped by every insert of a new key, delete and clear (not by replacing a row). */
  version = 0;
  kind: KeyKind = KeyKind.Empty;
  first: Leaf = this.root as Leaf;
  last: Leaf = this.root as Leaf;

  // ------------------------------------------------------------ comparison

  /** Term order between two keys (negative, zero, positive), specialised to the tree's keys. */
  compare(a: Term, b: Term): number {
    const k = this.kind;
    if (k === KeyKind.Number && typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
    if (k === KeyKind.String && typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
    return compareTerms(a, b);
  }

  /** The first index in `keys` whose key is not less than `key`. */
  lowerBound(keys: readonly Term[], key: Term): number {
    let lo = 0;
    let hi = keys.length;
    const k = this.kind;
    if (k === KeyKind.Number && typeof key === 'number') {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((keys[mid] as number) < key) lo = mid + 1;
        else hi = mid;
      }
    } else if (k === KeyKind.String && typeof key === 'string') {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareStrings(keys[mid] as string, key) < 0) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareTerms(keys[mid], key) < 0) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }

  /** True if the stored key `a` equals `key` in the term order. */
  private same(a: Term, key: Term): boolean {
    return a === key || this.compare(a, key) === 0;
  }

  // ------------------------------------------------------------ search

  /** The leaf where `key` is or would be (the last leaf for a key above every key). */
  leafFor(key: Term): Leaf {
    let node = this.root;
    for (let d = this.height; d > 0; d--) {
      const inner = node as Inner;
      let i = this.lowerBound(inner.keys, key);
      if (i === inner.keys.length) i--;
      node = inner.children[i]!;
    }
    return node as Leaf;
  }

  /** The index of `key` in `leaf`, or -1. */
  indexIn(leaf: Leaf, key: Term): number {
    const i = this.lowerBound(leaf.keys, key);
    return i < leaf.keys.length && this.same(leaf.keys[i]!, key) ? i : -1;
  }

  /**
   * Where a forward scan from `key` starts: the leaf and index of the first
   * key not less than `key` (with `after`: greater than it). The index may
   * be one past the leaf's last entry (the scan then goes on in the next
   * leaf).
   */
  seekForward(key: Term, after: boolean): { leaf: Leaf; index: number } {
    const leaf = this.leafFor(key);
    let index = this.lowerBound(leaf.keys, key);
    if (after && index < leaf.keys.length && this.compare(leaf.keys[index], key) === 0) index++;
    return { leaf, index };
  }

  /**
   * Where a backward scan from `key` starts: the leaf and index of the last
   * key not greater than `key` (with `before`: less than it). The index may
   * be -1 (the scan then goes on in the previous leaf).
   */
  seekBackward(key: Term, before: boolean): { leaf: Leaf; index: number } {
    const leaf = this.leafFor(key);
    let index = this.lowerBound(leaf.keys, key);
    if (before || index >= leaf.keys.length || this.compare(leaf.keys[index], key) !== 0) index--;
    return { leaf, index };
  }

  get(key: Term): Row | undefined {
    const leaf = this.leafFor(key);
    const i = this.indexIn(leaf, key);
    return i < 0 ? undefined : leaf.rows[i];
  }

  // ------------------------------------------------------------ insert

  /**
   * Stores `row` under `key`: replaces the row (and the leaf's spelling of
   * the key) of an equal key, or adds the entry. Returns true if the key is
   * new. (Inner nodes may keep an older spelling: they only compare.)
   */
  set(key: Term, row: Row): boolean {
    // A key above every key goes down the right edge with no search.
    const append = this.size > 0 && this.compare(key, this.maxKey()) > 0;
    this.inserted = false;
    const split = this.height === 0 ? this.insertInLeaf(this.root as Leaf, key, row, append) : this.insertBelow(this.root as Inner, this.height, key, row, append);
    if (split !== null) this.growRoot(split);
    return this.inserted;
  }

  /** Set by `set`'s descent: whether it added an entry (else it replaced a row). */
  private inserted = false;

  private addKind(key: Term): void {
    const k = this.kind;
    if (k === KeyKind.Any) return;
    const kk = kindOf(key);
    if (k === KeyKind.Empty) this.kind = kk;
    else if (k !== kk) this.kind = KeyKind.Any;
  }

  /** The greatest key (the tree is not empty). */
  maxKey(): Term {
    const keys = this.last.keys;
    return keys[keys.length - 1];
  }

  private insertInLeaf(leaf: Leaf, key: Term, row: Row, append: boolean): Leaf | null {
    const keys = leaf.keys;
    const at = append ? keys.length : this.lowerBound(keys, key);
    if (at < keys.length && this.same(keys[at]!, key)) {
      leaf.rows[at] = row;
      // The new row's spelling of the key (1n for 1, say) is the one walks hand out, as ETS.
      if (keys[at] !== key) {
        keys[at] = key;
        this.addKind(key);
      }
      return null;
    }
    this.addKind(key);
    this.size++;
    this.version++;
    this.inserted = true;
    if (at === keys.length) {
      keys.push(key);
      leaf.rows.push(row);
    } else {
      keys.splice(at, 0, key);
      leaf.rows.splice(at, 0, row);
    }
    return keys.length > this.max ? this.splitLeaf(leaf, append) : null;
  }

  private insertBelow(node: Inner, depth: number, key: Term, row: Row, append: boolean): Node | null {
    const keys = node.keys;
    // Not appending, the key is at most this node's greatest key (the parent chose it so).
    const i = append ? keys.length - 1 : this.lowerBound(keys, key);
    const child = node.children[i]!;
    const split = depth === 1 ? this.insertInLeaf(child as Leaf, key, row, append) : this.insertBelow(child as Inner, depth - 1, key, row, append);
    if (append) keys[i] = key;
    if (split === null) return null;
    keys[i] = nodeMax(child);
    keys.splice(i + 1, 0, nodeMax(split));
    node.children.splice(i + 1, 0, split);
    return keys.length > this.max ? this.splitInner(node, append) : null;
  }

  /** Splits an overfull leaf; `append`: the new leaf takes only the last entry. */
  private splitLeaf(leaf: Leaf, append: boolean): Leaf {
    const at = append ? leaf.keys.length - 1 : leaf.keys.length >> 1;
    const right = new Leaf(leaf.keys.splice(at), leaf.rows.splice(at), leaf, leaf.next);
    if (leaf.next !== null) leaf.next.prev = right;
    else this.last = right;
    leaf.next = right;
    return right;
  }

  private splitInner(node: Inner, append: boolean): Inner {
    const at = append ? node.keys.length - 1 : node.keys.length >> 1;
    return new Inner(node.keys.splice(at), node.children.splice(at));
  }

  private growRoot(right: Node): void {
    const left = this.root;
    this.root = new Inner([nodeMax(left), nodeMax(right)], [left, right]);
    this.height++;
  }

  // ------------------------------------------------------------ delete

  /** Removes the entry of `key`; returns its row, or undefined if absent. */
  delete(key: Term): Row | undefined {
    if (this.height === 0) {
      const leaf = this.root as Leaf;
      const i = this.indexIn(leaf, key);
      if (i < 0) return undefined;
      leaf.keys.splice(i, 1);
      this.size--;
      this.version++;
      return leaf.rows.splice(i, 1)[0];
    }
    const r = this.deleteBelow(this.root as Inner, this.height, key);
    if (r !== undefined) {
      this.size--;
      this.version++;
      while (this.height > 0 && (this.root as Inner).children.length === 1) {
        this.root = (this.root as Inner).children[0]!;
        this.height--;
      }
    }
    return r;
  }

  private deleteBelow(node: Inner, depth: number, key: Term): Row | undefined {
    const i = this.lowerBound(node.keys, key);
    if (i === node.keys.length) return undefined;
    const child = node.children[i]!;
    let r: Row | undefined;
    if (depth === 1) {
      const leaf = child as Leaf;
      const j = this.indexIn(leaf, key);
      if (j < 0) return undefined;
      leaf.keys.splice(j, 1);
      r = leaf.rows.splice(j, 1)[0];
    } else {
      r = this.deleteBelow(child as Inner, depth - 1, key);
      if (r === undefined) return undefined;
    }
    this.rebalance(node, i, depth === 1);
    return r;
  }

  /** After a delete below `parent.children[i]`: merges or refills it if it got too small, and fixes the greatest keys. */
  private rebalance(parent: Inner, i: number, leaves: boolean): void {
    const ch = parent.children;
    const c = ch[i]!;
    const n = c.keys.length;
    if (n >= this.min || (ch.length === 1 && n > 0)) {
      parent.keys[i] = nodeMax(c);
      return;
    }
    if (ch.length === 1) {
      // The only child (on the right edge) is empty: drop it; the level
      // above then merges the emptied parent away.
      if (leaves) this.unlink(c as Leaf);
      ch.length = 0;
      parent.keys.length = 0;
      return;
    }
    // A sibling: the left one if there is one, else the right one.
    const li = i > 0 ? i - 1 : i;
    const left = ch[li]!;
    const right = ch[li + 1]!;
    // A leaf's entries are its keys and rows; an inner node's its keys and children.
    const lv: unknown[] = leaves ? (left as Leaf).rows : (left as Inner).children;
    const rv: unknown[] = leaves ? (right as Leaf).rows : (right as Inner).children;
    if (left.keys.length + right.keys.length <= this.max) {
      // Merge right into left.
      for (let k = 0; k < right.keys.length; k++) {
        left.keys.push(right.keys[k]);
        lv.push(rv[k]);
      }
      if (leaves) this.unlink(right as Leaf);
      parent.keys.splice(li + 1, 1);
      ch.splice(li + 1, 1);
      parent.keys[li] = nodeMax(left);
      return;
    }
    // Move one entry across, towards the small node.
    if (c === left) {
      left.keys.push(right.keys.shift());
      lv.push(rv.shift());
    } else {
      right.keys.unshift(left.keys.pop());
      rv.unshift(lv.pop());
    }
    parent.keys[li] = nodeMax(left);
    parent.keys[li + 1] = nodeMax(right);
  }

  private unlink(leaf: Leaf): void {
    if (leaf.prev !== null) leaf.prev.next = leaf.next;
    else this.first = leaf.next!;
    if (leaf.next !== null) leaf.next.prev = leaf.prev;
    else this.last = leaf.prev!;
  }

  clear(): void {
    const leaf = new Leaf([], [], null, null);
    this.root = this.first = this.last = leaf;
    this.height = 0;
    this.size = 0;
    this.kind = KeyKind.Empty;
    this.version++;
  }

  // ------------------------------------------------------------ bulk load

  /**
   * Replaces the contents by `keys`/`rows`, which must be sorted ascending
   * with no two keys equal; builds full nodes bottom-up in O(n).
   */
  load(keys: Term[], rows: Row[]): void {
    this.clear();
    const n = keys.length;
    if (n === 0) return;
    let kind: KeyKind = kindOf(keys[0]);
    for (let i = 1; i < n && kind !== KeyKind.Any; i++) if (kindOf(keys[i]) !== kind) kind = KeyKind.Any;
    this.kind = kind;
    let level: Node[] = [];
    let prev: Leaf | null = null;
    let at = 0;
    for (const size of chunkSizes(n, this.max)) {
      const leaf: Leaf = new Leaf(keys.slice(at, at + size), rows.slice(at, at + size), prev, null);
      if (prev !== null) prev.next = leaf;
      else this.first = leaf;
      prev = leaf;
      level.push(leaf);
      at += size;
    }
    this.last = prev!;
    while (level.length > 1) {
      const up: Node[] = [];
      at = 0;
      for (const size of chunkSizes(level.length, this.max)) {
        const children = level.slice(at, at + size);
        up.push(new Inner(children.map(nodeMax), children));
        at += size;
      }
      level = up;
      this.height++;
    }
    this.root = level[0]!;
    this.size = n;
  }

  // ------------------------------------------------------------ checks

  /** Throws if the structure is broken (for tests). */
  check(): void {
    let count = 0;
    let prevLeaf: Leaf | null = null;
    let prevKey: { k: Term } | undefined;
    // Appends leave the nodes on the right edge part full (see the module docs): only they may be below `min`.
    const walk = (node: Node, depth: number, isRoot: boolean, rightEdge: boolean): Term => {
      const n = node.keys.length;
      if (n > this.max) throw new Error('node over capacity');
      if (!isRoot && !rightEdge && n < this.min) throw new Error(`node under capacity (${n})`);
      if (!isRoot && n === 0) throw new Error('empty node');
      if (depth === 0) {
        const leaf = node as Leaf;
        if (leaf.rows.length !== n) throw new Error('leaf keys/rows length mismatch');
        if (leaf.prev !== prevLeaf) throw new Error('broken leaf links');
        if (prevLeaf !== null && prevLeaf.next !== leaf) throw new Error('broken leaf links');
        if (prevLeaf === null && this.first !== leaf) throw new Error('first leaf wrong');
        for (const k of leaf.keys) {
          if (this.kind !== KeyKind.Any && kindOf(k) !== this.kind) throw new Error('key kind not tracked');
          if (prevKey !== undefined && compareTerms(prevKey.k, k) >= 0) throw new Error('keys out of order');
          prevKey = { k };
        }
        count += n;
        prevLeaf = leaf;
        return n > 0 ? leaf.keys[n - 1] : undefined;
      }
      const inner = node as Inner;
      if (inner.children.length !== n) throw new Error('inner keys/children mismatch');
      if (isRoot && n < 2) throw new Error('inner root with one child');
      for (let i = 0; i < n; i++) {
        const max = walk(inner.children[i]!, depth - 1, false, rightEdge && i === n - 1);
        if (compareTerms(max, inner.keys[i]) !== 0) throw new Error('inner key is not the greatest key of its child');
      }
      return inner.keys[n - 1];
    };
    walk(this.root, this.height, true, true);
    if (count !== this.size) throw new Error(`size ${this.size} != ${count}`);
    const lastSeen = prevLeaf as Leaf | null;
    if (this.last !== lastSeen || lastSeen === null) throw new Error('last leaf wrong');
    if (lastSeen.next !== null) throw new Error('last leaf has a next');
  }
}

function nodeMax(node: Node): Term {
  const keys = node.keys;
  return keys[keys.length - 1];
}
