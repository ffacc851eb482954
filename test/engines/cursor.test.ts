/**
 * Cursor robustness (writes during a traversal) and the cost of a full
 * first/next traversal of a large hash table, counted in steps, not timed.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, END_OF_TABLE, HashEngine, type Engine, type TableType } from '../../src/engines/index.js';
import { copyRow } from '../../src/term/copy.js';
import type { Row, Term } from '../../src/term/types.js';

const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];

function fill(e: Engine, n: number, perKey = 1): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < (e.caps.duplicates === 'none' ? 1 : perKey); j++) {
      const r = copyRow([i, j]);
      e.insert(r);
      rows.push(r);
    }
  }
  return rows;
}

function drain(e: Engine, c = e.cursor(false), max = 2): Row[] {
  const out: Row[] = [];
  for (let b = e.take(c, max); b.length > 0; b = e.take(c, max)) out.push(...b);
  return out;
}

describe.each(TYPES)('%s cursor', (type) => {
  it('survives deleting the row it stands on, and goes on with the next one', () => {
    const e = createEngine(type, 0);
    const rows = fill(e, 10, 3);
    const c = e.cursor(false);
    const seen: Row[] = [];
    for (;;) {
      const b = e.take(c, 1);
      if (b.length === 0) break;
      seen.push(b[0]!);
      // delete the current row (the whole key on set-like tables, the object on bags)
      if (e.caps.duplicates === 'none') e.deleteKey(b[0]![0]);
      else e.deleteObject(b[0]!);
      e.checkInvariants();
    }
    expect(seen).toEqual(rows);
    expect(e.size()).toBe(0);
  });

  it('survives deleting the rows just ahead of it, and never returns them', () => {
    const e = createEngine(type, 0);
    const rows = fill(e, 20, 2);
    const c = e.cursor(false);
    const first = e.take(c, 3);
    const deleted = new Set<Term>([first[first.length - 1]![0] as number + 1, first[first.length - 1]![0] as number + 2]);
    for (const k of deleted) e.deleteKey(k);
    const rest = drain(e, c);
    const seen = [...first, ...rest];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(rows.filter((r) => !deleted.has(r[0])));
  });

  it('ends cleanly when the table is cleared under it, and does not revisit rows', () => {
    const e = createEngine(type, 0);
    fill(e, 5, 2);
    const c = e.cursor(false);
    const first = e.take(c, 2);
    e.clear();
    fill(e, 3);
    const rest = drain(e, c);
    for (const r of rest) expect(first).not.toContain(r);
    e.checkInvariants();
  });

  it('take(cursor, 0) returns nothing and does not move the cursor', () => {
    const e = createEngine(type, 0);
    const rows = fill(e, 4, 2);
    const c = e.cursor(false);
    expect(e.take(c, 1)).toEqual([rows[0]]);
    expect(e.take(c, 0)).toEqual([]);
    expect(e.take(c, 0)).toEqual([]);
    expect(drain(e, c, 100)).toEqual(rows.slice(1));
  });
});

describe('bag cursors across deleteObject', () => {
  it.each(['bag', 'duplicate_bag'] as const)('%s: deleting a returned row of the current key does not skip the next one (regression)', (type) => {
    const e = createEngine(type, 0);
    const [r1, r2, r3] = [copyRow(['k', 1]), copyRow(['k', 2]), copyRow(['k', 3])] as [Row, Row, Row];
    const r4 = copyRow(['z', 1]);
    for (const r of [r1, r2, r3, r4]) e.insert(r);
    const c = e.cursor(false);
    expect(e.take(c, 1)).toEqual([r1]);
    e.deleteObject(r1);
    expect(e.take(c, 1)).toEqual([r2]);
    // a row appended to the current key after the cursor is still ahead of it
    const r5 = copyRow(['k', 5]);
    e.insert(r5);
    e.deleteObject(r2);
    expect(drain(e, c, 10)).toEqual([r3, r5, r4]);
    e.checkInvariants();
  });

  it('deleting rows of the current key after the cursor drops them from the traversal', () => {
    const e = createEngine('duplicate_bag', 0);
    const rows = [1, 2, 2, 3].map((v) => copyRow(['k', v]));
    rows.forEach((r) => e.insert(r));
    const c = e.cursor(false);
    expect(e.take(c, 1)).toEqual([rows[0]]);
    expect(e.deleteObject(copyRow(['k', 2]))).toBe(2);
    expect(drain(e, c)).toEqual([rows[3]]);
  });
});

describe('ordered_set cursors follow keys', () => {
  it('see keys inserted ahead of them and not those inserted behind', () => {
    const e = createEngine('ordered_set', 0);
    for (const k of [10, 20, 30]) e.insert(copyRow([k]));
    const c = e.cursor(false);
    expect(e.take(c, 1).map((r) => r[0])).toEqual([10]);
    e.insert(copyRow([5]));
    e.insert(copyRow([15]));
    e.deleteKey(20);
    expect(drain(e, c).map((r) => r[0])).toEqual([15, 30]);
    const rc = e.cursor(true);
    expect(e.take(rc, 2).map((r) => r[0])).toEqual([30, 15]);
    e.deleteKey(10);
    e.insert(copyRow([40]));
    expect(drain(e, rc).map((r) => r[0])).toEqual([5]);
  });

  it('handle the atom undefined as a key like any other (regression: sorted-btree reads undefined as "no key")', () => {
    const e = createEngine('ordered_set', 0);
    // number < atoms (by name: nil < true < undefined < zzz) < tuple/list/binary
    const keys: Term[] = [1, null, true, undefined, Symbol.for('zzz'), 'bin'];
    for (const k of keys) e.insert(copyRow([k, 'v']));
    const walked: Term[] = [];
    for (let k = e.first(); k !== END_OF_TABLE; k = e.next(k as Term) as Term) walked.push(k);
    expect(walked).toEqual(keys);
    expect(e.prev(undefined)).toBe(true);
    expect(e.next(undefined)).toBe(Symbol.for('zzz'));
    expect(drain(e, e.cursor(true)).map((r) => r[0])).toEqual([...keys].reverse());
    expect(drain(e, e.cursor(false, { lo: { key: undefined, inclusive: false } })).map((r) => r[0])).toEqual([Symbol.for('zzz'), 'bin']);
    expect(drain(e, e.cursor(true, { hi: { key: Symbol.for('undefined'), inclusive: true } })).map((r) => r[0])).toEqual([undefined, true, null, 1]);
    // largest key undefined, in a tree deep enough to have inner nodes
    const big = createEngine('ordered_set', 0);
    for (let i = 0; i < 1000; i++) big.insert(copyRow([i]));
    big.insert(copyRow([undefined]));
    expect(big.last()).toBe(undefined);
    expect(big.prev([1])).toBe(undefined);
    expect(drain(big, big.cursor(true), 600).length).toBe(1001);
    big.checkInvariants();
  });
});

describe('first/next over 1M rows of a hash table', () => {
  it('visits every key exactly once, O(1) per step: one Map iterator per walk, at most one probe per step', () => {
    const N = 1_000_000;
    const e = new HashEngine('set', 0);
    for (let i = 0; i < N; i++) e.insert(Object.freeze([i]));
    // Count work on the engine's private Map: probes (get/has) and new iterators.
    const map = (e as unknown as { map: Map<unknown, unknown> }).map;
    let probes = 0;
    let iterators = 0;
    let iterated = 0;
    for (const m of ['get', 'has'] as const) {
      const orig = map[m].bind(map) as (k: unknown) => unknown;
      (map as unknown as Record<string, unknown>)[m] = (k: unknown) => (probes++, orig(k));
    }
    for (const m of ['keys', 'values', 'entries', Symbol.iterator] as const) {
      const orig = (map as unknown as Record<PropertyKey, () => Iterator<unknown>>)[m]!.bind(map);
      (map as unknown as Record<PropertyKey, unknown>)[m] = () => {
        iterators++;
        const it = orig();
        return {
          next: () => (iterated++, it.next()),
          [Symbol.iterator]() {
            return this;
          },
        };
      };
    }
    const seen = new Uint8Array(N);
    let steps = 0;
    for (let k = e.first(); k !== END_OF_TABLE; k = e.next(k as Term) as Term) {
      seen[k as number]!++;
      steps++;
    }
    expect(steps).toBe(N);
    expect(seen.every((x) => x === 1)).toBe(true);
    expect(iterators).toBe(1); // one walk, one iterator: linear in total
    expect(iterated).toBe(N + 1);
    expect(probes).toBeLessThanOrEqual(N);
    // Two interleaved walks each continue their own remembered iterator.
    iterators = iterated = probes = 0;
    let a = e.first() as Term; // walk 1
    let b = e.next(500) as Term; // no walk stands on 500: walk 2 finds it from the start
    for (let i = 0; i < 1000; i++) {
      a = e.next(a) as Term;
      b = e.next(b) as Term;
    }
    expect(a).toBe(1000);
    expect(b).toBe(1501);
    expect(iterators).toBe(2);
    expect(iterated).toBeLessThanOrEqual(1 + 1000 + 502 + 1000);
  });
});

describe('bag keys with one row are stored bare, and become buckets on the second row', () => {
  for (const type of ['bag', 'duplicate_bag'] as const) {
    it(`${type}: order, lookups and a cursor across the change`, () => {
      const e = new HashEngine(type, 0);
      e.insert(Object.freeze(['a', 1]));
      e.insert(Object.freeze(['b', 1]));
      const c = e.cursor(false);
      expect(e.take(c, 1)).toEqual([['a', 1]]);
      e.insert(Object.freeze(['a', 2])); // 'a' becomes a bucket, in place
      e.insert(Object.freeze(['b', 2]));
      e.checkInvariants();
      // The cursor is past 'a' (not revisited) and sees all of 'b'.
      expect(e.take(c, 10)).toEqual([['b', 1], ['b', 2]]);
      expect(e.lookup('a')).toEqual([['a', 1], ['a', 2]]);
      expect(e.first()).toBe('a'); // the key keeps its place
      expect(e.deleteObject(Object.freeze(['a', 1]))).toBe(1);
      expect(e.lookup('a')).toEqual([['a', 2]]);
      e.checkInvariants();
      expect(e.size()).toBe(3);
    });
  }
});
