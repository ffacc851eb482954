/**
 * updateCounter and updateElement. Every expected value here was checked
 * against OTP 25's ets:update_counter/3,4 and ets:update_element/3 unless
 * noted.
 */
import { describe, expect, it } from 'vitest';
import { ErlFloat, ets, type Table, type TableType } from '../../src/index.js';
import { codeOf } from '../helpers.js';

describe.each(['set', 'ordered_set'] as const)('updateCounter on a %s', (type) => {
  const fresh = (): Table => {
    const t = ets.new(`uc_${type}`, { type });
    ets.insert(t, ['c', 10, 20]);
    return t;
  };

  it('adds an increment to the element after the key', () => {
    const t = fresh();
    expect(ets.updateCounter(t, 'c', 1)).toBe(11);
    expect(ets.updateCounter(t, 'c', -12)).toBe(-1);
    expect(ets.lookup(t, 'c')).toEqual([['c', -1, 20]]);
    ets.delete(t);
  });

  it('[pos, incr] updates the element at pos', () => {
    const t = fresh();
    expect(ets.updateCounter(t, 'c', [3, 5])).toBe(25);
    expect(ets.lookup(t, 'c')).toEqual([['c', 10, 25]]);
    ets.delete(t);
  });

  it('[pos, incr, threshold, setValue] resets past the threshold (above for incr >= 0, below for incr < 0)', () => {
    const t = fresh();
    // OTP 25: {c,10}: {2,0,5,0} -> 0 (incr 0 counts as increasing; 10 > 5)
    expect(ets.updateCounter(t, 'c', [2, 0, 5, 0])).toBe(0);
    ets.insert(t, ['c', 100]);
    expect(ets.updateCounter(t, 'c', [2, -1, 8, 100])).toBe(99); // 99 is not < 8
    expect(ets.updateCounter(t, 'c', [2, 1, 100, 0])).toBe(100); // 100 is not > 100
    expect(ets.updateCounter(t, 'c', [2, 1, 100, 0])).toBe(0); // 101 > 100
    expect(ets.updateCounter(t, 'c', [2, -1, 0, 7])).toBe(7); // -1 < 0
    ets.delete(t);
  });

  it('a list of ops is applied in order and returns a list (OTP 25: [{3,1},{3,10},{2,-5,0,100}] on {c,1,2} gives [3,13,100])', () => {
    const t = fresh();
    ets.insert(t, ['c', 1, 2]);
    expect(ets.updateCounter(t, 'c', [[3, 1], [3, 10], [2, -5, 0, 100]])).toEqual([3, 13, 100]);
    expect(ets.lookup(t, 'c')).toEqual([['c', 100, 13]]);
    expect(ets.updateCounter(t, 'c', [])).toEqual([]);
    ets.delete(t);
  });

  it('with a default object, inserts it (its key replaced by the key) when the key is absent', () => {
    const t = fresh();
    // OTP 25: update_counter(T, k, 1, {other, 10}) -> 11 and the row {k, 11}
    expect(ets.updateCounter(t, 'k', 1, ['other', 10])).toBe(11);
    expect(ets.lookup(t, 'k')).toEqual([['k', 11]]);
    expect(ets.updateCounter(t, 'k', 1, ['other', 10])).toBe(12); // present: the default is not used
    // OTP 25: {2,5,3,0} with default {newk,0}: 5 > 3 -> 0
    expect(ets.updateCounter(t, 'n', [2, 5, 3, 0], ['n', 0])).toBe(0);
    expect(ets.updateCounter(t, 'm', [[2, 1], [2, 1]], ['x', 10])).toEqual([11, 12]);
    expect(ets.lookup(t, 'm')).toEqual([['m', 12]]);
    ets.delete(t);
  });

  it('goes past 2^53 exactly, promoting a number counter to bigint (and back to a number when it is safe again)', () => {
    const t = fresh();
    ets.insert(t, ['big', Number.MAX_SAFE_INTEGER - 1]);
    expect(ets.updateCounter(t, 'big', 1)).toBe(Number.MAX_SAFE_INTEGER);
    // OTP 25: 9007199254740991 + 2 = 9007199254740993
    expect(ets.updateCounter(t, 'big', 2)).toBe(9007199254740993n);
    expect(ets.updateCounter(t, 'big', 1)).toBe(9007199254740994n);
    expect(ets.updateCounter(t, 'big', -3)).toBe(9007199254740991); // an integer has one stored form
    ets.insert(t, ['neg', Number.MIN_SAFE_INTEGER]);
    expect(ets.updateCounter(t, 'neg', -1)).toBe(-9007199254740992n);
    // a list of ops promotes per op
    ets.insert(t, ['two', Number.MAX_SAFE_INTEGER, 0]);
    expect(ets.updateCounter(t, 'two', [[2, 1], [3, 1]])).toEqual([2n ** 53n, 1]);
    ets.insert(t, ['b', 5n]);
    expect(ets.lookup(t, 'b')).toEqual([['b', 5]]); // stored as the number 5
    expect(ets.updateCounter(t, 'b', 1n)).toBe(6);
    expect(ets.updateCounter(t, 'c', 2n ** 64n)).toBe(2n ** 64n + 10n);
    ets.delete(t);
  });

  it('refuses the key position, positions past the row and non-integers, changing nothing (OTP 25: badarg)', () => {
    const t = fresh();
    ets.insert(t, ['f', 1.5, 'x']);
    const cases: Array<[unknown, string]> = [
      [[1, 1], 'ETS_BAD_POSITION'],
      [[4, 1], 'ETS_BAD_POSITION'],
      [[0, 1], 'ETS_BAD_POSITION'],
      [[2, 1.5], 'ETS_BADARG'],
      [1.5, 'ETS_BADARG'],
      ['1', 'ETS_BADARG'],
      [[2, 1, 50], 'ETS_BADARG'],
      [[2, 1, 'x', 0], 'ETS_BADARG'],
      // one bad op in a list: nothing is applied (OTP 25: [{2,1},{5,1}] leaves the row as it was)
      [[[2, 1], [5, 1]], 'ETS_BAD_POSITION'],
      [[[2, 1], [1, 1]], 'ETS_BAD_POSITION'],
      [[[2, 1], 'x'], 'ETS_BADARG'],
    ];
    for (const [op, code] of cases) expect(codeOf(() => ets.updateCounter(t, 'c', op as never)), JSON.stringify(op)).toBe(code);
    expect(codeOf(() => ets.updateCounter(t, 'f', 1))).toBe('ETS_NOT_A_COUNTER');
    expect(codeOf(() => ets.updateCounter(t, 'f', [3, 1]))).toBe('ETS_NOT_A_COUNTER');
    // floats are not counters, integral ones included (OTP 25: update_counter on {g, 2.0} is badarg)
    ets.insert(t, ['g', new ErlFloat(2), 1e20]);
    expect(codeOf(() => ets.updateCounter(t, 'g', 1))).toBe('ETS_NOT_A_COUNTER');
    expect(codeOf(() => ets.updateCounter(t, 'g', [3, 1]))).toBe('ETS_NOT_A_COUNTER');
    expect(codeOf(() => ets.updateCounter(t, 'c', new ErlFloat(1) as never))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.updateCounter(t, 'c', [[2, 1], [3, 1], [1, 1]]))).toBe('ETS_BAD_POSITION');
    expect(ets.lookup(t, 'c')).toEqual([['c', 10, 20]]);
    expect(ets.lookup(t, 'f')).toEqual([['f', 1.5, 'x']]);
    expect(ets.lookup(t, 'g')).toEqual([['g', new ErlFloat(2), 1e20]]);
    ets.delete(t);
  });

  it('refuses an absent key without default, and a malformed default even when the key is present (OTP 25)', () => {
    const t = fresh();
    expect(codeOf(() => ets.updateCounter(t, 'nokey', 1))).toBe('ETS_NO_KEY');
    expect(codeOf(() => ets.updateCounter(t, 'c', 1, 'notarow' as never))).toBe('ETS_BAD_OBJECT');
    expect(codeOf(() => ets.updateCounter(t, 'q', 1, ['q']))).toBe('ETS_BAD_POSITION'); // OTP 25: {q} is too short
    expect(codeOf(() => ets.updateCounter(t, 'q', 1, ['q', NaN]))).toBe('ETS_BAD_TERM');
    expect(ets.member(t, 'q')).toBe(false);
    expect(ets.lookup(t, 'c')).toEqual([['c', 10, 20]]);
    ets.delete(t);
  });

  it('works with keypos 2: the default increment goes to position 3', () => {
    const t = ets.new('uc_kp', { type, keypos: 2 });
    ets.insert(t, ['tag', 'k', 0]);
    expect(ets.updateCounter(t, 'k', 5)).toBe(5);
    expect(codeOf(() => ets.updateCounter(t, 'k', [2, 1]))).toBe('ETS_BAD_POSITION');
    expect(ets.updateCounter(t, 'new', 1, ['x', 'ignored', 0])).toBe(1);
    expect(ets.lookup(t, 'new')).toEqual([['x', 'new', 1]]);
    ets.delete(t);
  });
});

describe.each(['bag', 'duplicate_bag'] as TableType[])('on a %s', (type) => {
  it('updateCounter and updateElement are refused with ETS_BAD_TABLE_TYPE (OTP 25: badarg)', () => {
    const t = ets.new('uc_bag', { type });
    ets.insert(t, ['c', 1]);
    expect(codeOf(() => ets.updateCounter(t, 'c', 1))).toBe('ETS_BAD_TABLE_TYPE');
    expect(codeOf(() => ets.updateCounter(t, 'new', 1, ['new', 0]))).toBe('ETS_BAD_TABLE_TYPE');
    expect(codeOf(() => ets.updateElement(t, 'c', [2, 5]))).toBe('ETS_BAD_TABLE_TYPE');
    expect(ets.tab2list(t)).toEqual([['c', 1]]);
    ets.delete(t);
  });
});

describe.each(['set', 'ordered_set'] as const)('updateElement on a %s', (type) => {
  const fresh = (): Table => {
    const t = ets.new(`ue_${type}`, { type });
    ets.insert(t, ['c', 1, 2]);
    return t;
  };

  it('sets one element, or a list of them in order (OTP 25: [{2,x},{3,y},{2,z}] gives {c,z,y})', () => {
    const t = fresh();
    expect(ets.updateElement(t, 'c', [2, 'one'])).toBe(true);
    expect(ets.lookup(t, 'c')).toEqual([['c', 'one', 2]]);
    expect(ets.updateElement(t, 'c', [[2, 'x'], [3, 'y'], [2, 'z']])).toBe(true);
    expect(ets.lookup(t, 'c')).toEqual([['c', 'z', 'y']]);
    expect(ets.updateElement(t, 'c', [])).toBe(true); // OTP 25
    ets.delete(t);
  });

  it('copies the new value in (later mutation of it does not reach the table)', () => {
    const t = fresh();
    const v = [1, 2];
    ets.updateElement(t, 'c', [2, v]);
    v.push(3);
    expect(ets.lookup(t, 'c')).toEqual([['c', [1, 2], 2]]);
    ets.delete(t);
  });

  it('returns false for an absent key (OTP 25)', () => {
    const t = fresh();
    expect(ets.updateElement(t, 'nokey', [2, 'x'])).toBe(false);
    expect(ets.updateElement(t, 'nokey', [9, 'x'])).toBe(false);
    expect(ets.updateElement(t, 'nokey', [])).toBe(false);
    expect(ets.member(t, 'nokey')).toBe(false);
    ets.delete(t);
  });

  it('refuses the key position and positions past the row, changing nothing (OTP 25: badarg)', () => {
    const t = fresh();
    expect(codeOf(() => ets.updateElement(t, 'c', [1, 'k2']))).toBe('ETS_BAD_POSITION');
    expect(codeOf(() => ets.updateElement(t, 'c', [4, 'x']))).toBe('ETS_BAD_POSITION');
    expect(codeOf(() => ets.updateElement(t, 'c', [[2, 'x'], [4, 'y']]))).toBe('ETS_BAD_POSITION');
    expect(codeOf(() => ets.updateElement(t, 'c', [0, 'x']))).toBe('ETS_BAD_POSITION');
    expect(codeOf(() => ets.updateElement(t, 'c', [2, NaN]))).toBe('ETS_BAD_TERM');
    expect(codeOf(() => ets.updateElement(t, 'c', 'x' as never))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.updateElement(t, 'c', [[2]] as never))).toBe('ETS_BADARG');
    expect(ets.lookup(t, 'c')).toEqual([['c', 1, 2]]);
    ets.delete(t);
  });
});
