/**
 * first/last/next/prev, END_OF_TABLE, foldl/foldr, tab2list. Checked against
 * OTP 25 where marked.
 */
import { describe, expect, it } from 'vitest';
import { END_OF_TABLE, ErlFloat, ets, type Table, type TableType, type Term } from '../../src/index.js';
import { codeOf } from '../helpers.js';

const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];

function walk(t: Table, reverse = false): Term[] {
  const keys: Term[] = [];
  for (let k = reverse ? ets.last(t) : ets.first(t); k !== END_OF_TABLE; k = reverse ? ets.prev(t, k) : ets.next(t, k)) keys.push(k);
  return keys;
}

describe('END_OF_TABLE', () => {
  it("is the atom '$end_of_table', also on ets", () => {
    expect(END_OF_TABLE).toBe(Symbol.for('$end_of_table'));
    expect(ets.END_OF_TABLE).toBe(END_OF_TABLE);
  });
});

describe.each(TYPES)('%s traversal', (type) => {
  const ordered = type === 'ordered_set';
  const fill = (): Table => {
    const t = ets.new(`trav_${type}`, { type });
    for (const k of [3, 1, 'b', 2, 'a']) ets.insert(t, [k, 'v']);
    if (!ordered && type !== 'set') ets.insert(t, [1, 'w']);
    return t;
  };

  it('first/last on an empty table are END_OF_TABLE (OTP 25)', () => {
    const t = ets.new('empty', { type });
    expect(ets.first(t)).toBe(END_OF_TABLE);
    expect(ets.last(t)).toBe(END_OF_TABLE);
    expect(ets.tab2list(t)).toEqual([]);
    expect(ets.foldl(t, (r, acc: number) => acc + 1, 0)).toBe(0);
    ets.delete(t);
  });

  it('first/next visits every key once (ordered_set: in term order)', () => {
    const t = fill();
    const keys = walk(t);
    if (ordered) expect(keys).toEqual([1, 2, 3, 'a', 'b']);
    else expect([...keys].sort()).toEqual([1, 2, 3, 'a', 'b'].sort());
    ets.delete(t);
  });

  it(`last/prev ${ordered ? 'walk backwards' : 'behave as first/next (OTP 25: first == last on a set)'}`, () => {
    const t = fill();
    if (ordered) {
      expect(walk(t, true)).toEqual(['b', 'a', 3, 2, 1]);
    } else {
      expect(ets.last(t)).toBe(ets.first(t));
      expect(walk(t, true)).toEqual(walk(t));
    }
    ets.delete(t);
  });

  it(`next/prev of an absent key: ${ordered ? 'the nearest key (OTP 25)' : 'ETS_BADARG (OTP 25: badarg)'}`, () => {
    const t = ets.new('absent', { type });
    ets.insertMany(t, [
      [1, 'a'],
      [3, 'b'],
    ]);
    if (ordered) {
      // OTP 25: next(O, 2) = 3, prev(O, 2) = 1, next(O, 3) = end, prev(O, 1) = end, next(O, x) = end, prev(O, x) = 3
      expect(ets.next(t, 2)).toBe(3);
      expect(ets.prev(t, 2)).toBe(1);
      expect(ets.next(t, 3)).toBe(END_OF_TABLE);
      expect(ets.prev(t, 1)).toBe(END_OF_TABLE);
      expect(ets.next(t, Symbol.for('x'))).toBe(END_OF_TABLE);
      expect(ets.prev(t, Symbol.for('x'))).toBe(3);
      expect(ets.next(t, 0n)).toBe(1);
      expect(ets.next(t, 1n)).toBe(3); // 1n is 1
      expect(ets.next(t, new ErlFloat(1))).toBe(3); // 1.0 == 1
    } else {
      expect(codeOf(() => ets.next(t, 2))).toBe('ETS_BADARG');
      expect(codeOf(() => ets.prev(t, 2))).toBe('ETS_BADARG');
      expect(codeOf(() => ets.next(t, new ErlFloat(1)))).toBe('ETS_BADARG'); // exact keys: 1.0 is not 1
      expect(ets.next(t, 1n)).not.toBe(1); // 1n is the key 1
      expect([ets.next(t, ets.first(t))]).not.toContain(ets.first(t));
    }
    ets.delete(t);
  });

  it('the key of an ordered_set is the one last inserted among == keys (OTP 25: {1.0,z} replaces {1,a})', () => {
    const t = ets.new('eqkeys', { type });
    ets.insert(t, [1, 'a']);
    ets.insert(t, [new ErlFloat(1), 'z']);
    if (ordered) {
      expect(ets.first(t)).toEqual(new ErlFloat(1));
      expect(ets.tab2list(t)).toEqual([[new ErlFloat(1), 'z']]);
    } else {
      expect(ets.info(t, 'size')).toBe(2);
    }
    ets.delete(t);
  });

  it('tab2list gives all rows (ordered_set: in key order; bags: per-key insertion order)', () => {
    const t = fill();
    const rows = ets.tab2list(t);
    expect(rows.length).toBe(ets.info(t, 'size'));
    if (ordered) expect(rows.map((r) => r[0])).toEqual([1, 2, 3, 'a', 'b']);
    if (type === 'bag' || type === 'duplicate_bag') {
      const ones = rows.filter((r) => r[0] === 1);
      expect(ones).toEqual([
        [1, 'v'],
        [1, 'w'],
      ]);
    }
    ets.delete(t);
  });

  it('foldl folds in table order, foldr in reverse on ordered_set (OTP 25: foldl gives [3,2,1], foldr [1,2,3])', () => {
    const t = ets.new('fold', { type });
    ets.insertMany(t, [[1], [2], [3]]);
    const l = ets.foldl(t, (r, acc: Term[]) => [r[0], ...acc], []);
    const r = ets.foldr(t, (row, acc: Term[]) => [row[0], ...acc], []);
    if (ordered) {
      expect(l).toEqual([3, 2, 1]);
      expect(r).toEqual([1, 2, 3]);
    } else {
      expect([...l].sort()).toEqual([1, 2, 3]);
      expect(r).toEqual(l);
    }
    expect(codeOf(() => ets.foldl(t, 'f' as never, 0))).toBe('ETS_BADARG');
    ets.delete(t);
  });

  it('foldl may delete the rows it visits, and sees every row once', () => {
    const t = ets.new('foldel', { type, access: 'public' });
    for (let i = 0; i < 2000; i++) ets.insert(t, [i % 700, i]);
    const size = ets.info(t, 'size')!;
    const seen = ets.foldl(
      t,
      (row, acc: number) => {
        ets.deleteObject(t, row);
        return acc + 1;
      },
      0,
    );
    expect(seen).toBe(size);
    expect(ets.info(t, 'size')).toBe(0);
    ets.delete(t);
  });

  it('an error thrown by the fold function propagates and leaves the table as it was', () => {
    const t = ets.new('foldthrow', { type });
    ets.insertMany(t, [[1], [2]]);
    expect(() =>
      ets.foldl(t, () => {
        throw new Error('stop');
      }, 0),
    ).toThrow('stop');
    expect(ets.info(t, 'size')).toBe(2);
    ets.delete(t);
  });
});

describe('hash tables: traversal while writing', () => {
  it('first/next survives deleting the current key', () => {
    const t = ets.new('travdel');
    for (let i = 0; i < 100; i++) ets.insert(t, [i]);
    let n = 0;
    let k = ets.first(t);
    while (k !== END_OF_TABLE) {
      const next = ets.next(t, k);
      ets.delete(t, k);
      k = next;
      n++;
    }
    expect(n).toBe(100);
    expect(ets.info(t, 'size')).toBe(0);
    ets.delete(t);
  });
});
