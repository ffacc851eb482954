/**
 * Value semantics: copy-in and freeze, copy-out of binaries, and refusal of
 * values that are not terms.
 */
import { ErlFloat } from '../../src/term/number.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { FrozenMap, checkTerm, copyOut, copyRow, copyTerm, privateRow, readsMustCopy, rowOut, shareRow, NotATermError, MAX_DEPTH } from '../../src/term/copy.js';
import { exactEquals } from '../../src/term/equal.js';
import { Pid, Tuple, tuple, type Term } from '../../src/term/types.js';
import { ets } from '../../src/index.js';
import { termArb } from './arbitraries.js';
import { codeOf } from '../helpers.js';

describe('copy-in', () => {
  test.prop([fc.array(termArb, { maxLength: 4 })], { seed: 11, numRuns: 500 })('copyRow gives an exactly equal row whose nested parts are all frozen', (row) => {
    const c = copyRow(row);
    expect(c).not.toBe(row);
    expect(exactEquals(c, row)).toBe(true);
    const walk = (x: unknown): void => {
      if (typeof x !== 'object' || x === null || x instanceof Uint8Array || x instanceof Pid) return;
      expect(Object.isFrozen(x)).toBe(true);
      if (Array.isArray(x)) x.forEach(walk);
      else if (x instanceof Map) for (const [k, v] of x) (walk(k), walk(v));
      else Object.values(x).forEach(walk);
    };
    // The row array is the table's own (reads copy it); everything in it is frozen.
    c.forEach(walk);
  });

  it('keeps tuples tuples and lists lists', () => {
    const c = copyTerm([tuple(1, [2]), [tuple()]]) as Term[];
    expect(c[0]).toBeInstanceOf(Tuple);
    expect((c[0] as Term[])[1]).not.toBeInstanceOf(Tuple);
    expect((c[1] as Term[])[0]).toBeInstanceOf(Tuple);
  });

  it('copies a Map into an immutable map (regression: FrozenMap threw in its constructor)', () => {
    const m = copyTerm(new Map<Term, Term>([['a', 1], [[1], 2]])) as Map<Term, Term>;
    expect(m).toBeInstanceOf(FrozenMap);
    expect(m.get('a')).toBe(1);
    expect(() => m.set('b', 2)).toThrow(TypeError);
    expect(() => m.delete('a')).toThrow(TypeError);
    expect(() => m.clear()).toThrow(TypeError);
    expect(m.size).toBe(2);
    expect(new FrozenMap([[1, 2]]).get(1)).toBe(2);
  });

  it('keeps a "__proto__" key of a map as a key (regression: it became the prototype)', () => {
    const o = copyTerm(JSON.parse('{"__proto__": {"x": 1}, "a": 2}')) as Record<string, Term>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o).sort()).toEqual(['__proto__', 'a']);
    expect(exactEquals(o, new Map<Term, Term>([['__proto__', { x: 1 }], ['a', 2]]))).toBe(true);
  });

  it('refuses non-terms with NotATermError', () => {
    class Point {
      x = 1;
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    const deep: unknown[] = [];
    let d: unknown[] = deep;
    for (let i = 0; i < MAX_DEPTH + 5; i++) d = (d[0] = []) as unknown[];
    for (const bad of [NaN, () => 1, new Point(), Symbol('local'), cyclic, deep, new Date(0), [1, [NaN]], { a: Symbol() }, new Int32Array(1)]) {
      expect(() => copyTerm(bad)).toThrow(NotATermError);
      expect(() => checkTerm(bad)).toThrow(NotATermError);
    }
  });

  it('refuses a Map holding the same term twice as a key', () => {
    const bad: unknown[] = [
      new Map([[[1], 'a'], [[1], 'b']]),
      new Map<unknown, unknown>([['a', 1], [new TextEncoder().encode('a'), 2]]),
      new Map<unknown, unknown>([[true, 1], [Symbol.for('true'), 2]]),
    ];
    for (const m of bad) {
      expect(() => copyTerm(m)).toThrow(NotATermError);
      expect(() => checkTerm(m)).toThrow(NotATermError);
    }
    // 1 and 1n are one term: refused; 1 and 1.0 are different terms: allowed
    expect(() => copyTerm(new Map<unknown, unknown>([[1, 'a'], [1n, 'b']]))).toThrow(NotATermError);
    expect((copyTerm(new Map<unknown, unknown>([[1, 'a'], [new ErlFloat(1), 'b']])) as Map<Term, Term>).size).toBe(2);
  });
});

describe('copy-out', () => {
  it('hands out a plain stored row as it is, a private row as a frozen shallow copy, and fresh binaries on every read', () => {
    const plain = copyRow(['k', [1, 2]]);
    shareRow(plain);
    expect(rowOut(plain)).toBe(plain); // frozen: nothing to copy
    expect(readsMustCopy(plain)).toBe(false);
    const priv = privateRow(plain);
    expect(readsMustCopy(priv)).toBe(true);
    const out = rowOut(priv);
    expect(out).not.toBe(priv);
    expect(out).toEqual(plain);
    expect(Object.isFrozen(out)).toBe(true);
    expect(out[1]).toBe(plain[1]); // no deep copy: the nested list is frozen and shared
    expect(Object.isFrozen(out[1])).toBe(true);
    const withBin = copyRow(['k', { b: new Uint8Array([1, 2]) }]);
    const out1 = rowOut(withBin);
    const out2 = rowOut(withBin);
    expect(out1).not.toBe(withBin);
    const b1 = (out1[1] as { b: Uint8Array }).b;
    b1[0] = 99;
    expect((out2[1] as { b: Uint8Array }).b[0]).toBe(1);
    expect((rowOut(withBin)[1] as { b: Uint8Array }).b[0]).toBe(1);
    const bin = copyTerm(new Uint8Array([5])) as Uint8Array;
    expect(copyOut(bin)).not.toBe(bin);
  });
});

describe('value semantics through a table', () => {
  it('a later mutation of the inserted object does not change the table', () => {
    const t = ets.new('vs1');
    const nested = { n: 1 };
    const m = new Map<Term, Term>([['x', 1]]);
    const bytes = new Uint8Array([1, 2, 3]);
    const row: unknown[] = ['k', [1, 2], nested, m, bytes, tuple(1)];
    ets.insert(t, row);
    row[1] = 'changed';
    (row[5] as Term[]).length = 0;
    nested.n = 2;
    m.set('y', 2);
    bytes[0] = 9;
    const [r] = ets.lookup(t, 'k');
    expect(r).toEqual(['k', [1, 2], { n: 1 }, new Map([['x', 1]]), new Uint8Array([1, 2, 3]), tuple(1)]);
    ets.delete(t);
  });

  it('rows read from a table cannot change it: frozen rows, nested arrays, objects and maps, fresh binaries', () => {
    const t = ets.new('vs2', { type: 'bag' });
    ets.insert(t, ['k', [1], { a: 1 }, new Map([['x', 1]]), new Uint8Array([7])]);
    const [r] = ets.lookup(t, 'k') as [Term[]];
    expect(() => {
      (r as unknown[])[0] = 'other';
    }).toThrow(TypeError);
    expect(() => (r[1] as unknown[]).push(2)).toThrow(TypeError);
    expect(() => {
      (r[2] as Record<string, number>).a = 5;
    }).toThrow(TypeError);
    expect(() => (r[3] as Map<Term, Term>).set('y', 1)).toThrow(TypeError);
    (r[4] as Uint8Array)[0] = 0;
    for (const read of [ets.lookup(t, 'k')[0]!, ets.tab2list(t)[0]!, ets.take(t, 'k')[0]!]) {
      expect(read).toEqual(['k', [1], { a: 1 }, new Map([['x', 1]]), new Uint8Array([7])]);
    }
    ets.delete(t);
  });

  it('lookupElement, keys from first/next and select results copy binaries', () => {
    const t = ets.new('vs3', { type: 'ordered_set' });
    ets.insert(t, [new Uint8Array([1]), new Uint8Array([2])]);
    (ets.lookupElement(t, new Uint8Array([1]), 2) as Uint8Array)[0] = 50;
    (ets.first(t) as Uint8Array)[0] = 60;
    expect(ets.lookupElement(t, new Uint8Array([1]), 2)).toEqual(new Uint8Array([2]));
    expect(ets.first(t)).toEqual(new Uint8Array([1]));
    ets.delete(t);
  });

  it('rows rewritten by updateCounter/updateElement still copy their binaries on read (regression)', () => {
    const t = ets.new('vs5');
    ets.insert(t, ['k', 1, new Uint8Array([1]), [new Uint8Array([2])]]);
    ets.updateCounter(t, 'k', 1);
    ets.updateCounter(t, 'new', 1, ['new', 0, new Uint8Array([3])]);
    ets.insert(t, ['e', 0, 'x']);
    ets.updateElement(t, 'e', [3, new Uint8Array([4])]);
    for (const key of ['k', 'new', 'e']) {
      const [r] = ets.lookup(t, key);
      (r![2] as Uint8Array)[0] = 99;
    }
    ((ets.lookup(t, 'k')[0]![3] as Uint8Array[])[0]!)[0] = 99;
    expect(ets.lookup(t, 'k')).toEqual([['k', 2, new Uint8Array([1]), [new Uint8Array([2])]]]);
    expect(ets.lookup(t, 'new')).toEqual([['new', 1, new Uint8Array([3])]]);
    expect(ets.lookup(t, 'e')).toEqual([['e', 0, new Uint8Array([4])]]);
    ets.delete(t);
  });

  it('non-terms are refused with ETS_BAD_TERM and change nothing', () => {
    const t = ets.new('vs4', { type: 'ordered_set' });
    ets.insert(t, [1, 'one']);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    class C {}
    for (const bad of [NaN, () => 1, new C(), Symbol('x'), cyclic, new Map([[[1], 1], [[1], 2]])]) {
      expect(codeOf(() => ets.insert(t, [2, bad]))).toBe('ETS_BAD_TERM');
      expect(codeOf(() => ets.insertMany(t, [[3, 'ok'], [4, bad]]))).toBe('ETS_BAD_TERM');
      expect(codeOf(() => ets.insert(t, [bad, 'as key']))).toBe('ETS_BAD_TERM');
      // keys of reads are checked too (NaN would otherwise be == to every number)
      expect(codeOf(() => ets.lookup(t, bad))).toBe('ETS_BAD_TERM');
      expect(codeOf(() => ets.member(t, bad))).toBe('ETS_BAD_TERM');
      expect(codeOf(() => ets.delete(t, bad))).toBe('ETS_BAD_TERM');
    }
    expect(ets.tab2list(t)).toEqual([[1, 'one']]);
    ets.delete(t);
  });
});
