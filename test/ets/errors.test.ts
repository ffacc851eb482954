/**
 * An error test for every ets function: a bad table argument, a deleted
 * table, and bad arguments, each asserting the error `code` and that the
 * table did not change.
 */
import { describe, expect, it } from 'vitest';
import { ets, isTermstoreError, TermstoreError, type Table, type TableLike, type TableType } from '../../src/index.js';
import { codeOf } from '../helpers.js';

/** Every function that takes a table first, called with otherwise good arguments. */
const CALLS: Record<string, (t: TableLike) => unknown> = {
  insert: (t) => ets.insert(t, ['k', 1]),
  insertMany: (t) => ets.insertMany(t, [['k', 1]]),
  insertNew: (t) => ets.insertNew(t, ['n', 1]),
  insertNewMany: (t) => ets.insertNewMany(t, [['n', 1]]),
  lookup: (t) => ets.lookup(t, 'k'),
  lookupElement: (t) => ets.lookupElement(t, 'k', 2),
  member: (t) => ets.member(t, 'k'),
  take: (t) => ets.take(t, 'k'),
  deleteKey: (t) => ets.delete(t, 'k'),
  deleteTable: (t) => ets.delete(t),
  deleteObject: (t) => ets.deleteObject(t, ['k', 1]),
  deleteAllObjects: (t) => ets.deleteAllObjects(t),
  updateCounter: (t) => ets.updateCounter(t, 'k', 1),
  updateElement: (t) => ets.updateElement(t, 'k', [2, 1]),
  first: (t) => ets.first(t),
  last: (t) => ets.last(t),
  next: (t) => ets.next(t, 'k'),
  prev: (t) => ets.prev(t, 'k'),
  foldl: (t) => ets.foldl(t, (_r, a: number) => a, 0),
  foldr: (t) => ets.foldr(t, (_r, a: number) => a, 0),
  tab2list: (t) => ets.tab2list(t),
  select: (t) => ets.select(t, [{ head: '_', body: ['$_'] }]),
  selectLimit: (t) => ets.select(t, [{ head: '_', body: ['$_'] }], 1),
  selectReverse: (t) => ets.selectReverse(t, [{ head: '_', body: ['$_'] }]),
  selectCount: (t) => ets.selectCount(t, [{ head: '_', body: [true] }]),
  selectDelete: (t) => ets.selectDelete(t, [{ head: '_', body: [true] }]),
  selectReplace: (t) => ets.selectReplace(t, [{ head: '_', body: ['$_'] }]),
  match: (t) => ets.match(t, '_'),
  matchObject: (t) => ets.matchObject(t, '_'),
  matchDelete: (t) => ets.matchDelete(t, '_'),
  rename: (t) => ets.rename(t, 'renamed_by_error_test'),
  setopts: (t) => ets.setopts(t, { heir: 'none' }),
  giveAway: (t) => ets.giveAway(t, null as never, 0),
};

function snapshot(t: Table): unknown {
  return { rows: ets.tab2list(t), info: ets.info(t) };
}

describe('a bad table argument', () => {
  it.each(Object.keys(CALLS))('%s: a non-table is ETS_BADARG, an unknown name ETS_NO_TABLE, a deleted table ETS_NO_TABLE', (name) => {
    const call = CALLS[name]!;
    for (const bad of [42, null, {}, undefined, Symbol('local')]) expect(codeOf(() => call(bad as never))).toBe('ETS_BADARG');
    expect(codeOf(() => call('no_such_table'))).toBe('ETS_NO_TABLE');
    expect(codeOf(() => call(Symbol.for('no_such_table')))).toBe('ETS_NO_TABLE');
    const t = ets.new('err_deleted', { named: true });
    ets.delete(t);
    expect(codeOf(() => call(t))).toBe('ETS_NO_TABLE');
    expect(codeOf(() => call('err_deleted'))).toBe('ETS_NO_TABLE');
  });

  it('info of a non-table is ETS_BADARG, of a missing table undefined', () => {
    expect(codeOf(() => ets.info(42 as never))).toBe('ETS_BADARG');
    expect(ets.info('no_such_table')).toBeUndefined();
  });

  it('errors are TermstoreErrors with structured details', () => {
    try {
      ets.lookup('no_such_table', 1);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TermstoreError);
      expect(isTermstoreError(e, 'ETS_NO_TABLE')).toBe(true);
      expect((e as TermstoreError).details.position).toBe(1);
    }
  });
});

/** Bad arguments per function: [what, call, code, table types it applies to]. */
const BAD: Array<[string, (t: Table) => unknown, string, TableType[]?]> = [
  ['insert a non-array', (t) => ets.insert(t, 'row' as never), 'ETS_BAD_OBJECT'],
  ['insert an empty row', (t) => ets.insert(t, []), 'ETS_BAD_OBJECT'],
  ['insert a NaN', (t) => ets.insert(t, ['k', NaN]), 'ETS_BAD_TERM'],
  ['insert a function', (t) => ets.insert(t, ['k', () => 1]), 'ETS_BAD_TERM'],
  ['insertMany a non-list', (t) => ets.insertMany(t, 'rows' as never), 'ETS_BADARG'],
  ['insertMany with one bad row', (t) => ets.insertMany(t, [['x', 1], 'bad' as never]), 'ETS_BAD_OBJECT'],
  ['insertNew a non-array', (t) => ets.insertNew(t, 5 as never), 'ETS_BAD_OBJECT'],
  ['insertNewMany a non-list', (t) => ets.insertNewMany(t, {} as never), 'ETS_BADARG'],
  ['insertNewMany with one bad row', (t) => ets.insertNewMany(t, [['x', 1], [Symbol('s')]]), 'ETS_BAD_TERM'],
  ['lookup a NaN key', (t) => ets.lookup(t, NaN), 'ETS_BAD_TERM'],
  ['lookup a function key', (t) => ets.lookup(t, () => 1), 'ETS_BAD_TERM'],
  ['lookup a class-instance key', (t) => ets.lookup(t, new Date(0)), 'ETS_BAD_TERM'],
  ['lookupElement position 0', (t) => ets.lookupElement(t, 'k', 0), 'ETS_BAD_POSITION'],
  ['lookupElement position "2"', (t) => ets.lookupElement(t, 'k', '2' as never), 'ETS_BAD_POSITION'],
  ['lookupElement past the row', (t) => ets.lookupElement(t, 'k', 9), 'ETS_BAD_POSITION'],
  ['lookupElement an absent key', (t) => ets.lookupElement(t, 'absent', 2), 'ETS_NO_KEY'],
  ['member a cyclic key', (t) => ets.member(t, cyclic()), 'ETS_BAD_TERM'],
  ['take a NaN key', (t) => ets.take(t, NaN), 'ETS_BAD_TERM'],
  ['delete a NaN key', (t) => ets.delete(t, NaN), 'ETS_BAD_TERM'],
  ['deleteObject a non-array', (t) => ets.deleteObject(t, 'k' as never), 'ETS_BAD_OBJECT'],
  ['updateCounter a float increment', (t) => ets.updateCounter(t, 'k', 0.5), 'ETS_BADARG', ['set', 'ordered_set']],
  ['updateCounter the key position', (t) => ets.updateCounter(t, 'k', [1, 1]), 'ETS_BAD_POSITION', ['set', 'ordered_set']],
  ['updateCounter a non-integer element', (t) => ets.updateCounter(t, 'k', [3, 1]), 'ETS_NOT_A_COUNTER', ['set', 'ordered_set']],
  ['updateCounter an absent key', (t) => ets.updateCounter(t, 'absent', 1), 'ETS_NO_KEY', ['set', 'ordered_set']],
  ['updateCounter on a bag', (t) => ets.updateCounter(t, 'k', 1), 'ETS_BAD_TABLE_TYPE', ['bag', 'duplicate_bag']],
  ['updateElement the key position', (t) => ets.updateElement(t, 'k', [1, 'x']), 'ETS_BAD_POSITION', ['set', 'ordered_set']],
  ['updateElement a non-pair', (t) => ets.updateElement(t, 'k', 'x' as never), 'ETS_BADARG', ['set', 'ordered_set']],
  ['updateElement on a bag', (t) => ets.updateElement(t, 'k', [2, 1]), 'ETS_BAD_TABLE_TYPE', ['bag', 'duplicate_bag']],
  ['next of an absent key on a hash table', (t) => ets.next(t, 'absent'), 'ETS_BADARG', ['set', 'bag', 'duplicate_bag']],
  ['prev of an absent key on a hash table', (t) => ets.prev(t, 'absent'), 'ETS_BADARG', ['set', 'bag', 'duplicate_bag']],
  ['next of a NaN', (t) => ets.next(t, NaN), 'ETS_BAD_TERM'],
  ['prev of a NaN', (t) => ets.prev(t, NaN), 'ETS_BAD_TERM'],
  ['foldl a non-function', (t) => ets.foldl(t, 1 as never, 0), 'ETS_BADARG'],
  ['foldr a non-function', (t) => ets.foldr(t, 1 as never, 0), 'ETS_BADARG'],
  ['select a bad spec', (t) => ets.select(t, [{ head: '_' }] as never), 'ETS_BAD_MATCH_SPEC'],
  ['select limit 0', (t) => ets.select(t, [{ head: '_', body: ['$_'] }], 0), 'ETS_BADARG'],
  ['select a bad continuation', (t) => (ets.select as (c: unknown) => unknown)({ not: 'a continuation', t }), 'ETS_BADARG'],
  ['selectReverse a bad spec', (t) => ets.selectReverse(t, 42 as never), 'ETS_BAD_MATCH_SPEC'],
  ['selectCount a bad spec', (t) => ets.selectCount(t, 'x' as never), 'ETS_BAD_MATCH_SPEC'],
  ['selectDelete a bad spec', (t) => ets.selectDelete(t, [{ head: '$x' as never, body: [true] }]), 'ETS_BAD_MATCH_SPEC'],
  ['selectReplace a bad spec', (t) => ets.selectReplace(t, [[]] as never), 'ETS_BAD_MATCH_SPEC', ['set', 'ordered_set', 'duplicate_bag']],
  ['selectReplace changing the key', (t) => ets.selectReplace(t, [{ head: ['$1', '_', '_'], body: [{ $tuple: ['new', 1, 2] }] }]), 'ETS_BADARG', ['set', 'ordered_set', 'duplicate_bag']],
  ['selectReplace on a bag', (t) => ets.selectReplace(t, [{ head: '_', body: ['$_'] }]), 'ETS_BAD_TABLE_TYPE', ['bag']],
  ['match a bad pattern', (t) => ets.match(t, '$x' as never), 'ETS_BAD_MATCH_SPEC'],
  ['matchObject a bad pattern', (t) => ets.matchObject(t, ['$x']), 'ETS_BAD_MATCH_SPEC'],
  ['matchDelete a bad pattern', (t) => ets.matchDelete(t, 7 as never), 'ETS_BAD_MATCH_SPEC'],
  ['matchObject limit -1', (t) => ets.matchObject(t, '_', -1), 'ETS_BADARG'],
  ['info an unknown item', (t) => ets.info(t, 'nope' as never), 'ETS_BADARG'],
  ['rename to a non-name', (t) => ets.rename(t, 3 as never), 'ETS_BADARG'],
  ['setopts a non-object', (t) => ets.setopts(t, 'heir' as never), 'ETS_BADARG'],
  ['setopts a bad heir', (t) => ets.setopts(t, { heir: { pid: 1 } } as never), 'ETS_BADARG'],
  ['giveAway to a non-pid', (t) => ets.giveAway(t, 'pid' as never, 0), 'ETS_BADARG'],
];

function cyclic(): unknown[] {
  const a: unknown[] = [];
  a.push(a);
  return a;
}

describe.each(['set', 'ordered_set', 'bag', 'duplicate_bag'] as TableType[])('bad arguments on a %s', (type) => {
  const cases = BAD.filter(([, , , types]) => types === undefined || types.includes(type));
  it.each(cases.map(([what, call, code]) => ({ what, call, code })))('$what: $code, nothing changed', ({ call, code }) => {
    const t = ets.new('err_args', { type });
    ets.insertMany(t, [
      ['k', 1, 'text'],
      ['j', 2, 'more'],
    ]);
    const before = snapshot(t);
    expect(codeOf(() => call(t))).toBe(code);
    expect(snapshot(t)).toEqual(before);
    ets.delete(t);
  });
});

describe('functions without a table', () => {
  it('whereis refuses a non-name', () => {
    expect(codeOf(() => ets.whereis(1 as never))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.whereis(Symbol('local')))).toBe('ETS_BADARG');
  });

  it('continuing END_OF_TABLE gives END_OF_TABLE for every select function', () => {
    expect(ets.select(ets.END_OF_TABLE)).toBe(ets.END_OF_TABLE);
    expect(ets.selectReverse(ets.END_OF_TABLE)).toBe(ets.END_OF_TABLE);
    expect(ets.match(ets.END_OF_TABLE)).toBe(ets.END_OF_TABLE);
    expect(ets.matchObject(ets.END_OF_TABLE)).toBe(ets.END_OF_TABLE);
  });
});
