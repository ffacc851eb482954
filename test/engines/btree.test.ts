/**
 * The ordered_set engine's B+ tree: seeded model-based runs on small nodes
 * (so a few hundred keys make a tree several levels tall), with `check()`
 * after every step; the append path, bulk loads, the key-kind
 * specialisation, and walks and cursors of the engine across many leaves.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { BTree, KeyKind } from '../../src/engines/btree.js';
import { OrderedEngine } from '../../src/engines/ordered.js';
import { END_OF_TABLE, type Cursor } from '../../src/engines/types.js';
import { copyRow } from '../../src/term/copy.js';
import { compareTerms } from '../../src/term/order.js';
import { tuple, type Row, type Term } from '../../src/term/types.js';

/** A naive ordered map under the term order. */
class Model {
  entries: Array<[Term, Row]> = [];
  private find(k: Term): number {
    return this.entries.findIndex(([x]) => compareTerms(x, k) === 0);
  }
  set(k: Term, r: Row): boolean {
    const i = this.find(k);
    if (i >= 0) {
      this.entries[i] = [this.entries[i]![0], r];
      return false;
    }
    this.entries.push([k, r]);
    this.entries.sort((a, b) => compareTerms(a[0], b[0]));
    return true;
  }
  delete(k: Term): Row | undefined {
    const i = this.find(k);
    if (i < 0) return undefined;
    return this.entries.splice(i, 1)[0]![1];
  }
  get(k: Term): Row | undefined {
    const i = this.find(k);
    return i < 0 ? undefined : this.entries[i]![1];
  }
}

function contents(t: BTree): Array<[Term, Row]> {
  const out: Array<[Term, Row]> = [];
  for (let leaf: BTree['first'] | null = t.first; leaf !== null; leaf = leaf.next) {
    for (let i = 0; i < leaf.keys.length; i++) out.push([leaf.keys[i], leaf.rows[i]!]);
  }
  return out;
}

function contentsBackwards(t: BTree): Term[] {
  const out: Term[] = [];
  for (let leaf: BTree['last'] | null = t.last; leaf !== null; leaf = leaf.prev) {
    for (let i = leaf.keys.length - 1; i >= 0; i--) out.push(leaf.keys[i]);
  }
  return out;
}

type Op = { t: 'set' | 'delete' | 'get'; k: number } | { t: 'clear' } | { t: 'load'; ks: number[] } | { t: 'append'; n: number };

/** Keys: mostly numbers (the specialised path), some strings, and ==-twins of other kinds. */
function keyOf(k: number, mixed: boolean): Term {
  if (!mixed) return k;
  switch (k % 7) {
    case 0:
      return BigInt(k); // == the number k: must find it
    case 1:
      return 'k' + k;
    case 2:
      return tuple(k % 5, k);
    default:
      return k;
  }
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('set' as const), k: fc.nat(400) }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('delete' as const), k: fc.nat(400) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('get' as const), k: fc.nat(400) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('append' as const), n: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'clear' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('load' as const), ks: fc.uniqueArray(fc.nat(400), { maxLength: 200 }) }) },
);

describe('BTree against a naive model', () => {
  for (const [name, mixed] of [
    ['number keys', false],
    ['mixed keys (bigints, strings, tuples)', true],
  ] as const) {
    for (const max of [4, 5, 8, 16]) {
      test.prop([fc.array(opArb, { minLength: 1, maxLength: 300 })], { seed: 20261207 + max, numRuns: 60 })(`${name}, nodes of ${max}`, (ops) => {
        const t = new BTree(max);
        const m = new Model();
        let next = 1000;
        for (const op of ops) {
          switch (op.t) {
            case 'set': {
              const key = keyOf(op.k, mixed);
              const row = [key, op.k] as Row;
              expect(t.set(key, row)).toBe(m.set(key, row));
              break;
            }
            case 'delete': {
              const key = keyOf(op.k, mixed);
              expect(t.delete(key)).toBe(m.delete(key));
              break;
            }
            case 'get': {
              const key = keyOf(op.k, mixed);
              expect(t.get(key)).toBe(m.get(key));
              // A number key is found by its bigint twin and the other way round.
              if (typeof key === 'number') expect(t.get(BigInt(key))).toBe(m.get(key));
              break;
            }
            case 'append':
              for (let i = 0; i < op.n; i++) {
                const key = next++;
                const row = [key] as Row;
                expect(t.set(key, row)).toBe(m.set(key, row));
              }
              break;
            case 'clear':
              t.clear();
              m.entries = [];
              break;
            case 'load': {
              const keys = [...op.ks].sort((a, b) => a - b).map((x) => keyOf(x, mixed));
              const sorted = keys.map((k) => [k, [k] as Row] as [Term, Row]).sort((a, b) => compareTerms(a[0], b[0]));
              const distinct = sorted.filter((e, i) => i === 0 || compareTerms(sorted[i - 1]![0], e[0]) !== 0);
              t.load(
                distinct.map((e) => e[0]),
                distinct.map((e) => e[1]),
              );
              m.entries = distinct;
              break;
            }
          }
          t.check();
          expect(t.size).toBe(m.entries.length);
        }
        expect(contents(t).map((e) => e[0])).toEqual(m.entries.map((e) => e[0]));
        expect(contents(t).map((e) => e[1])).toEqual(m.entries.map((e) => e[1]));
        expect(contentsBackwards(t)).toEqual(m.entries.map((e) => e[0]).reverse());
      });
    }
  }
});

describe('BTree shape', () => {
  it('ascending inserts fill their nodes (a full node splits off a new one instead of halving)', () => {
    const t = new BTree(8);
    for (let i = 0; i < 10_000; i++) t.set(i, [i]);
    t.check();
    let leaves = 0;
    for (let l: BTree['first'] | null = t.first; l !== null; l = l.next) leaves++;
    expect(leaves).toBe(1250); // 10000 / 8: every leaf full
    // Deleting everything, in an order that is neither ascending nor descending, keeps it valid.
    for (let i = 0; i < 10_000; i++) {
      expect(t.delete((i * 7919) % 10_000)).toEqual([(i * 7919) % 10_000]);
      if (i % 997 === 0) t.check();
    }
    t.check();
    expect(t.size).toBe(0);
    expect(t.height).toBe(0);
  });

  it('a delete that empties a node refills it from a full sibling and keeps the greatest keys right', () => {
    const t = new BTree(8);
    t.load(
      Array.from({ length: 24 }, (_, i) => i),
      Array.from({ length: 24 }, (_, i) => [i]),
    ); // three full leaves: 0-7, 8-15, 16-23
    for (let k = 15; k >= 9; k--) {
      t.delete(k); // always the greatest key of the middle leaf; the last one takes a key from the left leaf
      t.check();
    }
    expect(contents(t).map((e) => e[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 17, 18, 19, 20, 21, 22, 23]);
    for (let k = 0; k < 8; k++) {
      t.delete(k); // the first leaf, refilled from the right
      t.check();
    }
    expect(t.get(8)).toEqual([8]);
  });

  it('compares inline while every key is a number (or a string), and falls back for good on another kind', () => {
    const t = new BTree();
    expect(t.kind).toBe(KeyKind.Empty);
    t.set(2, [2]);
    t.set(1, [1]);
    expect(t.kind).toBe(KeyKind.Number);
    expect(t.get(1n)).toEqual([1]); // a bigint key is searched with the term order
    expect(t.set(1, [1, 'again'])).toBe(false); // the same key: replaces the row, still all numbers
    expect(t.kind).toBe(KeyKind.Number);
    expect(t.set(2n, [2n])).toBe(false); // == an existing key: replaces its row and the leaf's spelling of the key
    expect(contents(t).map((e) => e[0])).toEqual([1, 2n]);
    expect(t.kind).toBe(KeyKind.Any); // a bigint is stored now
    t.set('a', ['a']);
    expect(t.kind).toBe(KeyKind.Any);
    t.delete('a');
    expect(t.kind).toBe(KeyKind.Any);
    t.clear();
    t.set('b', ['b']);
    t.set('a', ['a']);
    expect(t.kind).toBe(KeyKind.String);
    t.set('\u{1F600}', ['x']);
    t.set('\u{FFFF}', ['y']);
    expect(contents(t).map((e) => e[0])).toEqual(['a', 'b', '\u{FFFF}', '\u{1F600}']); // code point order
    t.check();
  });
});

describe('OrderedEngine over many leaves', () => {
  const N = 5000;
  const keyAt = (i: number): number => (i * 7919) % N; // a permutation of 0..N-1
  function filled(): OrderedEngine {
    const e = new OrderedEngine(0);
    for (let i = 0; i < N; i++) e.insert(copyRow([keyAt(i), i]));
    return e;
  }

  it('first/next and last/prev visit every key in order; from absent keys they give the nearest', () => {
    const e = filled();
    const fwd: Term[] = [];
    for (let k = e.first(); k !== END_OF_TABLE; k = e.next(k)) fwd.push(k);
    expect(fwd).toEqual(Array.from({ length: N }, (_, i) => i));
    const back: Term[] = [];
    for (let k = e.last(); k !== END_OF_TABLE; k = e.prev(k)) back.push(k);
    expect(back).toEqual(Array.from({ length: N }, (_, i) => N - 1 - i));
    expect(e.next(10.5)).toBe(11);
    expect(e.prev(10.5)).toBe(10);
    expect(e.next(-1)).toBe(0);
    expect(e.prev(N + 0.5)).toBe(N - 1);
    expect(e.next(N - 1)).toBe(END_OF_TABLE);
    expect(e.prev(0)).toBe(END_OF_TABLE);
    expect(e.next(3n)).toBe(4);
    e.checkInvariants();
  });

  it('hands out the spelling of the key of the row stored last, as ETS (1.0 replacing 1 there)', () => {
    // 2^60 as a number and as a bigint: == in the term order, two spellings
    // (beyond the safe range, so copy-in keeps the bigint a bigint).
    const e = new OrderedEngine(0);
    e.insert(copyRow([2 ** 60, 'a']));
    e.insert(copyRow([2n ** 60n, 'b']));
    expect(e.first()).toBe(2n ** 60n);
    expect(e.lookup(2 ** 60)).toEqual([[2n ** 60n, 'b']]);
    e.checkInvariants();
  });

  it('a walk goes on correctly when keys are added and removed around it', () => {
    const e = filled();
    const seen: Term[] = [];
    let k = e.first();
    while (k !== END_OF_TABLE) {
      seen.push(k);
      const n = k as number;
      if (n % 100 === 0) {
        e.deleteKey(n + 1); // the next key: skipped
        e.insert(copyRow([n + 0.5, 'new'])); // between: visited
        e.deleteKey(n); // the key the walk stands on: next still works
      }
      k = e.next(k);
    }
    const expected: Term[] = [];
    for (let i = 0; i < N; i++) {
      if (i % 100 === 1) continue;
      expected.push(i);
      if (i % 100 === 0) expected.push(i + 0.5);
    }
    expect(seen).toEqual(expected);
    e.checkInvariants();
  });

  it('cursors take in batches across leaves, in both directions and in ranges, through writes between batches', () => {
    const e = filled();
    const all = (c: Cursor, max: number, between?: (batch: Row[]) => void): Term[] => {
      const out: Term[] = [];
      for (let b = e.take(c, max); b.length > 0; b = e.take(c, max)) {
        out.push(...b.map((r) => r[0]));
        between?.(b);
      }
      return out;
    };
    expect(all(e.cursor(false), 97)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(all(e.cursor(true), 61)).toEqual(Array.from({ length: N }, (_, i) => N - 1 - i));
    const range = { lo: { key: 100, inclusive: false }, hi: { key: 1000, inclusive: true } };
    expect(all(e.cursor(false, range), 33)).toEqual(Array.from({ length: 900 }, (_, i) => 101 + i));
    expect(all(e.cursor(true, range), 33)).toEqual(Array.from({ length: 900 }, (_, i) => 1000 - i));
    // Writes between batches: delete the next few keys and add some behind and ahead.
    const got = all(e.cursor(false), 50, (b) => {
      const last = b[b.length - 1]![0] as number;
      e.deleteKey(last + 1);
      e.insert(copyRow([last - 0.5, 'behind']));
      e.insert(copyRow([last + 0.5, 'ahead']));
    });
    expect(got.includes(49)).toBe(true);
    expect(got.includes(50)).toBe(false); // deleted ahead of the cursor
    expect(got.includes(49.5)).toBe(true); // inserted ahead
    expect(got.includes(48.5)).toBe(false); // inserted behind
    for (let i = 1; i < got.length; i++) expect(compareTerms(got[i - 1], got[i])).toBeLessThan(0);
    e.checkInvariants();
  });

  it('bulkLoad equals inserting the rows in order (the last row of a key wins), sorted or not', () => {
    for (const rows of [
      Array.from({ length: 3000 }, (_, i) => [i, 'sorted']),
      Array.from({ length: 3000 }, (_, i) => [keyAt(i) % 1000, i]),
      [[2, 'a'], [1n, 'b'], [1, 'c'], ['x', 'd'], [tuple(1), 'e']],
    ]) {
      const a = new OrderedEngine(0);
      const b = new OrderedEngine(0);
      for (const r of rows) a.insert(copyRow(r));
      b.bulkLoad(rows.map((r) => copyRow(r)));
      expect([...b.rows()]).toEqual([...a.rows()]);
      expect(b.size()).toBe(a.size());
      b.checkInvariants();
      expect(() => b.bulkLoad([copyRow([1])])).toThrow();
    }
  });
});
