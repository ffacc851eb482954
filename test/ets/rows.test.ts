/**
 * Writing and reading rows, per table type: insert, insertMany, insertNew,
 * insertNewMany, lookup, lookupElement, member, take, delete (key),
 * deleteObject, deleteAllObjects. Checked against OTP 25 where marked.
 */
import { describe, expect, it } from 'vitest';
import { ErlFloat, ets, tuple, type TableType } from '../../src/index.js';
import { codeOf } from '../helpers.js';

const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
const sorted = (rows: unknown[][]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe.each(TYPES)('%s', (type) => {
  const isSet = type === 'set' || type === 'ordered_set';
  const newTable = (keypos = 1) => ets.new(`rows_${type}`, { type, keypos });

  it('insert: a set replaces the row of the key; a bag ignores an equal row; a duplicate_bag keeps it', () => {
    const t = newTable();
    ets.insert(t, ['k', 1]);
    ets.insert(t, ['k', 2]);
    ets.insert(t, ['k', 1]);
    const want = { set: [['k', 1]], ordered_set: [['k', 1]], bag: [['k', 1], ['k', 2]], duplicate_bag: [['k', 1], ['k', 2], ['k', 1]] }[type];
    // bags keep per-key insertion order
    expect(ets.lookup(t, 'k')).toEqual(want);
    expect(ets.info(t, 'size')).toBe(want.length);
    ets.delete(t);
  });

  it('keys are compared structurally, never by reference', () => {
    const t = newTable();
    ets.insert(t, [['user', 42], 'a']);
    expect(ets.lookup(t, ['user', 42])).toEqual([[['user', 42], 'a']]);
    expect(ets.member(t, ['user', 42])).toBe(true);
    expect(ets.lookup(t, tuple('user', 42))).toEqual([]); // a tuple is not a list
    ets.insert(t, [new Map([['m', 1]]), 'map']);
    expect(ets.lookup(t, { m: 1 })).toEqual([[new Map([['m', 1]]), 'map']]);
    ets.delete(t);
  });

  it(`1 and 1n are one key; 1 and 1.0 are ${type === 'ordered_set' ? 'the same key (term order ==)' : 'different keys (exact)'}`, () => {
    const t = newTable();
    ets.insert(t, [1, 'number']);
    ets.insert(t, [1n, 'bigint']);
    expect(ets.lookup(t, 1)).toEqual(isSet ? [[1, 'bigint']] : [[1, 'number'], [1, 'bigint']]);
    expect(ets.lookup(t, 1n)).toEqual(ets.lookup(t, 1));
    ets.deleteAllObjects(t);
    ets.insert(t, [1, 'integer']);
    ets.insert(t, [new ErlFloat(1), 'float']);
    if (type === 'ordered_set') {
      // OTP 25: {1.0, b} replaces {1, a} in an ordered_set
      expect(ets.lookup(t, 1)).toEqual([[new ErlFloat(1), 'float']]);
      expect(ets.info(t, 'size')).toBe(1);
    } else {
      expect(ets.lookup(t, 1)).toEqual([[1, 'integer']]);
      expect(ets.lookup(t, new ErlFloat(1))).toEqual([[new ErlFloat(1), 'float']]);
      expect(ets.info(t, 'size')).toBe(2);
    }
    // a string and its UTF-8 bytes are the same binary, so the same key everywhere
    ets.insert(t, ['é', 'string']);
    expect(ets.member(t, new TextEncoder().encode('é'))).toBe(true);
    ets.delete(t);
  });

  it('insertMany inserts all rows, or none if one is bad (OTP 25)', () => {
    const t = newTable();
    expect(ets.insertMany(t, [['a', 1], ['b', 2], ['a', 3]])).toBe(true);
    expect(ets.lookup(t, 'b')).toEqual([['b', 2]]);
    const before = ets.tab2list(t);
    expect(codeOf(() => ets.insertMany(t, [['c', 1], 'not a row' as never]))).toBe('ETS_BAD_OBJECT');
    expect(codeOf(() => ets.insertMany(t, [['c', 1], []]))).toBe('ETS_BAD_OBJECT');
    expect(codeOf(() => ets.insertMany(t, [['c', 1], ['d', NaN]]))).toBe('ETS_BAD_TERM');
    expect(codeOf(() => ets.insertMany(t, 'rows' as never))).toBe('ETS_BADARG');
    expect(ets.tab2list(t)).toEqual(before);
    expect(ets.insertMany(t, [])).toBe(true); // OTP 25: insert(T, []) is true
    ets.delete(t);
  });

  it('insertNew inserts only when the key is absent (OTP 25: also on bags)', () => {
    const t = newTable();
    expect(ets.insertNew(t, ['k', 1])).toBe(true);
    expect(ets.insertNew(t, ['k', 2])).toBe(false);
    expect(ets.lookup(t, 'k')).toEqual([['k', 1]]);
    ets.delete(t);
  });

  it('insertNewMany is all or nothing (OTP 25)', () => {
    const t = newTable();
    ets.insert(t, ['old', 0]);
    expect(ets.insertNewMany(t, [['new', 1], ['old', 2]])).toBe(false);
    expect(ets.member(t, 'new')).toBe(false);
    expect(ets.insertNewMany(t, [['n1', 1], ['n2', 2]])).toBe(true);
    expect(ets.member(t, 'n1') && ets.member(t, 'n2')).toBe(true);
    expect(codeOf(() => ets.insertNewMany(t, [['n3', 1], [] as never]))).toBe('ETS_BAD_OBJECT');
    expect(ets.member(t, 'n3')).toBe(false);
    expect(ets.insertNewMany(t, [])).toBe(true); // OTP 25
    ets.delete(t);
  });

  it('a row that is not an array or is shorter than keypos is refused (OTP 25: badarg)', () => {
    const t = newTable(3);
    for (const bad of [['a', 'b'], 'abc', { 0: 'a' }, null]) {
      expect(codeOf(() => ets.insert(t, bad as never))).toBe('ETS_BAD_OBJECT');
      expect(codeOf(() => ets.insertNew(t, bad as never))).toBe('ETS_BAD_OBJECT');
    }
    ets.insert(t, ['x', 'y', 'key', 'rest']);
    expect(ets.lookup(t, 'key')).toEqual([['x', 'y', 'key', 'rest']]);
    expect(ets.info(t, 'size')).toBe(1);
    ets.delete(t);
  });

  it('lookup of an absent key is [] (absence is a value)', () => {
    const t = newTable();
    expect(ets.lookup(t, 'nope')).toEqual([]);
    expect(ets.member(t, 'nope')).toBe(false);
    ets.delete(t);
  });

  it('lookupElement: one element, or the elements of every row in table order on bags', () => {
    const t = newTable();
    ets.insertMany(t, [['k', 1, 'a'], ['k', 2, 'b']]);
    // OTP 25: a list goes into a bag last row first, so [2,1]; a duplicate_bag keeps list order, [1,2]
    expect(ets.lookupElement(t, 'k', 2)).toEqual(isSet ? 2 : type === 'bag' ? [2, 1] : [1, 2]);
    expect(ets.lookupElement(t, 'k', 1)).toEqual(isSet ? 'k' : ['k', 'k']); // the key position is allowed
    ets.insert(t, ['k', 3, 'c']); // one row appends (OTP 25)
    expect(ets.lookupElement(t, 'k', 2)).toEqual(isSet ? 3 : type === 'bag' ? [2, 1, 3] : [1, 2, 3]);
    expect(codeOf(() => ets.lookupElement(t, 'nope', 2))).toBe('ETS_NO_KEY');
    expect(codeOf(() => ets.lookupElement(t, 'k', 4))).toBe('ETS_BAD_POSITION');
    expect(codeOf(() => ets.lookupElement(t, 'k', 0))).toBe('ETS_BAD_POSITION');
    if (!isSet) {
      // one short row makes the whole call fail (OTP 25)
      ets.insert(t, ['k']);
      expect(codeOf(() => ets.lookupElement(t, 'k', 2))).toBe('ETS_BAD_POSITION');
    }
    ets.delete(t);
  });

  it('lookupElement with a default returns it (as given) for an absent key only', () => {
    const t = newTable();
    ets.insert(t, ['k', 1]);
    expect(ets.lookupElement(t, 'nope', 2, 'dflt')).toBe('dflt');
    expect(ets.lookupElement(t, 'nope', 9, undefined)).toBeUndefined();
    expect(ets.lookupElement(t, 'k', 2, 'dflt')).toEqual(isSet ? 1 : [1]);
    expect(codeOf(() => ets.lookupElement(t, 'k', 3, 'dflt'))).toBe('ETS_BAD_POSITION');
    ets.delete(t);
  });

  it('take removes and returns the rows of a key', () => {
    const t = newTable();
    ets.insertMany(t, [['k', 1], ['k', 2], ['j', 3]]);
    expect(ets.take(t, 'k')).toEqual(isSet ? [['k', 2]] : type === 'bag' ? [['k', 2], ['k', 1]] : [['k', 1], ['k', 2]]);
    expect(ets.member(t, 'k')).toBe(false);
    expect(ets.take(t, 'k')).toEqual([]);
    expect(ets.tab2list(t)).toEqual([['j', 3]]);
    ets.delete(t);
  });

  it('delete(t, key) removes every row of the key; an absent key is fine', () => {
    const t = newTable();
    ets.insertMany(t, [['k', 1], ['k', 2], ['j', 3]]);
    expect(ets.delete(t, 'k')).toBe(true);
    expect(ets.delete(t, 'absent')).toBe(true);
    expect(ets.tab2list(t)).toEqual([['j', 3]]);
    ets.delete(t);
  });

  it('deleteObject removes exactly equal rows only (all copies in a duplicate_bag, OTP 25)', () => {
    const t = newTable();
    ets.insertMany(t, [['k', 1], ['k', 1], ['k', 2]]);
    expect(ets.deleteObject(t, ['k', 9])).toBe(true);
    expect(ets.deleteObject(t, ['k', new ErlFloat(1)])).toBe(true); // 1.0 is not exactly 1
    expect(ets.info(t, 'size')).toBe({ set: 1, ordered_set: 1, bag: 2, duplicate_bag: 3 }[type]);
    ets.deleteObject(t, isSet ? ['k', 2] : ['k', 1]);
    expect(ets.lookup(t, 'k')).toEqual(isSet ? [] : [['k', 2]]);
    expect(codeOf(() => ets.deleteObject(t, 'k' as never))).toBe('ETS_BAD_OBJECT');
    ets.delete(t);
  });

  it('deleteAllObjects empties the table and keeps it', () => {
    const t = newTable();
    ets.insertMany(t, [['a'], ['b']]);
    expect(ets.deleteAllObjects(t)).toBe(true);
    expect(ets.tab2list(t)).toEqual([]);
    expect(ets.info(t, 'size')).toBe(0);
    ets.insert(t, ['c']);
    expect(ets.tab2list(t)).toEqual([['c']]);
    ets.delete(t);
  });

  it('rows read back equal what was inserted, for every kind of term', () => {
    const t = newTable();
    const row = ['k', 1, -2.5, 2n ** 70n, 'str', true, null, undefined, Symbol.for('atom'), new Uint8Array([1, 255]), tuple(1, [2]), [tuple()], { a: [1] }];
    ets.insert(t, row);
    expect(ets.lookup(t, 'k')).toEqual([row]);
    expect(sorted(ets.tab2list(t) as unknown[][])).toEqual([row]);
    ets.delete(t);
  });
});
