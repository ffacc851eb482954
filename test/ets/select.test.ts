/**
 * The select family: select, selectReverse, selectCount, selectDelete,
 * selectReplace, match, matchObject, matchDelete, with limits and
 * continuations, and the JS function form. Checked against OTP 25 where
 * marked.
 */
import { describe, expect, it } from 'vitest';
import { END_OF_TABLE, ErlFloat, ets, tuple, type Chunk, type MatchSpec, type Table, type TableType, type Term } from '../../src/index.js';
import { codeOf } from '../helpers.js';

const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
const ALL: MatchSpec = [{ head: '_', body: ['$_'] }];
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/** Follows a limited select to the end, checking each chunk's size. */
function collect<T>(first: Chunk<T>, limit: number, next: (c: Exclude<Chunk<T>, typeof END_OF_TABLE>[1]) => Chunk<T>): T[][] {
  const chunks: T[][] = [];
  let r = first;
  while (r !== END_OF_TABLE) {
    const [items, cont] = r;
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(limit);
    chunks.push(items);
    r = next(cont);
  }
  return chunks;
}

describe.each(TYPES)('%s', (type) => {
  const ordered = type === 'ordered_set';
  const fill = (n = 10): Table => {
    const t = ets.new(`sel_${type}`, { type, access: 'public' });
    for (let i = 1; i <= n; i++) ets.insert(t, [i, i % 2 === 0 ? 'even' : 'odd', i * 10]);
    return t;
  };

  it('select with guards and a built body', () => {
    const t = fill();
    const got = ets.select(t, [{ head: ['$1', 'even', '$2'], guards: [['>', '$2', 50]], body: [tuple('$1', '$2')] }]);
    const want = [tuple(6, 60), tuple(8, 80), tuple(10, 100)];
    if (ordered) expect(got).toEqual(want);
    else expect([...got].sort(byJson)).toEqual([...want].sort(byJson));
    ets.delete(t);
  });

  it('select with a limit returns chunks and a continuation, then END_OF_TABLE', () => {
    const t = fill();
    const chunks = collect(ets.select(t, ALL, 3), 3, (c) => ets.select(c));
    const rows = chunks.flat();
    expect(rows.length).toBe(10);
    expect([...rows].sort(byJson)).toEqual([...ets.tab2list(t)].sort(byJson));
    if (ordered) expect(rows.map((r) => (r as Term[])[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ets.select(END_OF_TABLE)).toBe(END_OF_TABLE);
    // OTP 25: an empty table with a limit gives '$end_of_table' at once
    ets.deleteAllObjects(t);
    expect(ets.select(t, ALL, 5)).toBe(END_OF_TABLE);
    ets.delete(t);
  });

  it('a continuation sees the table as it is now: deleted rows are not returned, updated rows are new (OTP 25)', () => {
    const t = fill();
    const first = ets.select(t, ALL, 2);
    if (first === END_OF_TABLE) throw new Error('expected rows');
    const seen = new Set(first[0].map((r) => (r as Term[])[0]));
    for (let i = 1; i <= 10; i++) {
      if (seen.has(i)) continue;
      if (i % 2 === 0) ets.delete(t, i);
      else if (type === 'set' || ordered) ets.updateElement(t, i, [2, 'updated']);
    }
    const rest = collect(ets.select(first[1]), 2, (c) => ets.select(c)).flat() as Term[][];
    for (const r of rest) {
      expect(seen.has(r[0])).toBe(false);
      expect((r[0] as number) % 2).toBe(1);
      if (type === 'set' || ordered) expect(r[1]).toBe('updated');
    }
    expect(rest.length).toBe(ets.info(t, 'size')! - first[0].length);
    ets.delete(t);
  });

  it(`selectReverse ${ordered ? 'walks keys backwards (OTP 25)' : 'is select'}`, () => {
    const t = fill(5);
    const rows = ets.selectReverse(t, ALL) as Term[][];
    if (ordered) {
      expect(rows.map((r) => r[0])).toEqual([5, 4, 3, 2, 1]);
      // OTP 25: select_reverse(O, all, 2) -> [{3,c},{2,b}], then [{1,a}]
      const chunks = collect(ets.selectReverse(t, ALL, 2), 2, (c) => ets.selectReverse(c));
      expect(chunks.map((c) => c.map((r) => (r as Term[])[0]))).toEqual([[5, 4], [3, 2], [1]]);
    } else {
      expect([...rows].sort(byJson)).toEqual([...(ets.select(t, ALL) as Term[][])].sort(byJson));
    }
    ets.delete(t);
  });

  it('selectCount counts rows the spec returns true for', () => {
    const t = fill();
    expect(ets.selectCount(t, [{ head: ['_', 'odd', '_'], body: [true] }])).toBe(5);
    expect(ets.selectCount(t, [{ head: ['_', 'odd', '_'], body: [Symbol.for('true')] }])).toBe(5);
    // rows for which the body is not true are not counted (OTP 25 counts only `true`)
    expect(ets.selectCount(t, [{ head: ['_', 'odd', '_'], body: ['$_'] }])).toBe(0);
    expect(ets.selectCount(t, [])).toBe(0); // OTP 25
    ets.delete(t);
  });

  it('selectDelete deletes rows the spec returns true for and says how many', () => {
    const t = fill();
    expect(ets.selectDelete(t, [{ head: ['$1', '_', '_'], guards: [['>', '$1', 7]], body: [true] }])).toBe(3);
    expect(ets.info(t, 'size')).toBe(7);
    expect(ets.selectDelete(t, [{ head: ['$1', '_', '_'], body: [false] }])).toBe(0);
    expect(ets.info(t, 'size')).toBe(7);
    ets.delete(t);
  });

  it('match gives the bindings in variable order; matchObject the rows; matchDelete removes them (OTP 25)', () => {
    const t = fill(4);
    const m = ets.match(t, ['$2', '$1', '_']);
    expect([...m].sort(byJson)).toEqual([['even', 2], ['even', 4], ['odd', 1], ['odd', 3]].sort(byJson));
    if (ordered) expect(ets.match(t, ['$1', '_', '_'])).toEqual([[1], [2], [3], [4]]);
    expect([...ets.matchObject(t, ['_', 'even', '_'])].sort(byJson)).toEqual([[2, 'even', 20], [4, 'even', 40]].sort(byJson));
    expect(ets.matchDelete(t, ['_', 'even', '_'])).toBe(true);
    expect(ets.tab2list(t).map((r) => r[1])).toEqual(['odd', 'odd']);
    const chunks = collect(ets.match(t, ['$1', '_', '_'], 1), 1, (c) => ets.match(c));
    expect(chunks.length).toBe(2);
    const objs = collect(ets.matchObject(t, '_', 1), 1, (c) => ets.matchObject(c));
    expect(objs.flat().length).toBe(2);
    ets.delete(t);
  });

  it('takes a JS function instead of a spec: false/undefined skip, true selects the row, other values are the result', () => {
    const t = fill(6);
    const f = (row: readonly Term[]) => ((row[0] as number) > 4 ? true : (row[0] as number) === 1 ? row[2] : false);
    expect([...ets.select(t, f)].sort(byJson)).toEqual([10, [5, 'odd', 50], [6, 'even', 60]].sort(byJson));
    expect(ets.selectCount(t, (row: readonly Term[]) => row[1] === 'odd')).toBe(3);
    expect(ets.selectDelete(t, (row: readonly Term[]) => row[1] === 'odd')).toBe(3);
    expect(ets.info(t, 'size')).toBe(3);
    const chunks = collect(ets.select(t, () => true, 2), 2, (c) => ets.select(c));
    expect(chunks.flat().length).toBe(3);
    ets.delete(t);
  });

  it('a body that fails gives the atom EXIT for the row, as Erlang', () => {
    const t = fill(1);
    expect(ets.select(t, [{ head: ['$1', '_', '_'], body: [['div', '$1', 0]] }])).toEqual([Symbol.for('EXIT')]);
    ets.delete(t);
  });

  it('a head with a bound key finds just that key (exactly: a head 3.0 does not match a key 3, OTP 25; 3n is 3)', () => {
    const t = fill();
    expect(ets.select(t, [{ head: [3, '$1', '_'], body: ['$1'] }])).toEqual(['odd']);
    expect(ets.select(t, [{ head: [3n, '$1', '_'], body: ['$1'] }])).toEqual(['odd']);
    expect(ets.select(t, [{ head: [new ErlFloat(3), '$1', '_'], body: ['$1'] }])).toEqual([]);
    expect(ets.select(t, [{ head: [99, '_', '_'], body: ['$_'] }], 5)).toBe(END_OF_TABLE);
    ets.delete(t);
  });
});

describe('selectReplace', () => {
  it.each(['set', 'ordered_set', 'duplicate_bag'] as const)('replaces matched rows on a %s (OTP 25: also on duplicate_bag)', (type) => {
    const t = ets.new('sr', { type });
    ets.insertMany(t, [['k', 1], ['k', 1], ['j', 2]]);
    const n = ets.selectReplace(t, [{ head: ['$1', 1], body: [tuple('$1', 5)] }]);
    // OTP 25 (duplicate_bag {k,1},{k,1},{k,2} with {{k,1}} -> {{k,5}}): 2, [{k,5},{k,5},{k,2}]
    expect(n).toBe(type === 'duplicate_bag' ? 2 : 1);
    expect(ets.lookup(t, 'k')).toEqual(type === 'duplicate_bag' ? [['k', 5], ['k', 5]] : [['k', 5]]);
    expect(ets.lookup(t, 'j')).toEqual([['j', 2]]);
    ets.delete(t);
  });

  it('refuses a replacement that changes the key, changing nothing (OTP 25: badarg)', () => {
    const t = ets.new('sr_key', { type: 'ordered_set' });
    ets.insertMany(t, [['a', 1], ['b', 2]]);
    expect(codeOf(() => ets.selectReplace(t, [{ head: ['$1', '$2'], body: [tuple('$2', '$2')] }]))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.selectReplace(t, [{ head: ['$1', '$2'], body: [Symbol.for('notarow')] }]))).toBe('ETS_BADARG');
    expect(ets.tab2list(t)).toEqual([['a', 1], ['b', 2]]);
    ets.delete(t);
  });

  it('is refused on a bag (OTP 25: badarg)', () => {
    const t = ets.new('sr_bag', { type: 'bag' });
    ets.insert(t, ['k', 1]);
    expect(codeOf(() => ets.selectReplace(t, [{ head: '_', body: ['$_'] }]))).toBe('ETS_BAD_TABLE_TYPE');
    ets.delete(t);
  });
});

describe('ordered_set key ranges', () => {
  const users = (): Table => {
    const t = ets.new('ranges', { type: 'ordered_set' });
    ets.insert(t, [1, 'number']);
    for (let i = 1; i <= 20; i++) ets.insert(t, [tuple(Symbol.for('user'), i), `u${i}`]);
    ets.insert(t, [tuple(Symbol.for('zzz'), 1), 'after']);
    ets.insert(t, ['binary', 'last']);
    return t;
  };
  const spec: MatchSpec = [{ head: [tuple(Symbol.for('user'), '$1'), '$2'], guards: [['>=', '$1', 15]], body: ['$2'] }];

  it('a partly bound key scans just its range, forwards and backwards, in chunks', () => {
    const t = users();
    expect(ets.select(t, spec)).toEqual(['u15', 'u16', 'u17', 'u18', 'u19', 'u20']);
    expect(ets.selectReverse(t, spec)).toEqual(['u20', 'u19', 'u18', 'u17', 'u16', 'u15']);
    expect(collect(ets.selectReverse(t, spec, 4), 4, (c) => ets.selectReverse(c))).toEqual([['u20', 'u19', 'u18', 'u17'], ['u16', 'u15']]);
    const all = [{ head: [tuple(Symbol.for('user'), '_'), '$1'], body: ['$1'] }];
    expect((ets.selectReverse(t, all) as string[]).length).toBe(20);
    expect(ets.selectCount(t, [{ head: [tuple(Symbol.for('user'), '$1'), '_'], guards: [['<', '$1', 5]], body: [true] }])).toBe(4);
    ets.delete(t);
  });

  it('guards on the key variable bound the scan both ways', () => {
    const t = ets.new('numrange', { type: 'ordered_set' });
    for (let i = 0; i < 50; i++) ets.insert(t, [i]);
    ets.insert(t, ['text']);
    const s: MatchSpec = [{ head: ['$1'], guards: [['>', '$1', 10], ['=<', '$1', 13]], body: ['$1'] }];
    expect(ets.select(t, s)).toEqual([11, 12, 13]);
    expect(ets.selectReverse(t, s)).toEqual([13, 12, 11]);
    ets.delete(t);
  });
});

describe('select arguments', () => {
  it('refuses a bad limit, a bad spec and a bad continuation (OTP 25: badarg), changing nothing', () => {
    const t = ets.new('selargs');
    ets.insert(t, ['k']);
    for (const limit of [0, -1, 1.5, '2']) expect(codeOf(() => ets.select(t, ALL, limit as never))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.select(t, 'foo' as never))).toBe('ETS_BAD_MATCH_SPEC');
    expect(codeOf(() => ets.selectDelete(t, [{ head: '$x' as never, body: [true] }]))).toBe('ETS_BAD_MATCH_SPEC');
    expect(codeOf(() => ets.select({} as never))).toBe('ETS_BADARG');
    const r = ets.select(t, ALL, 1);
    if (r === END_OF_TABLE) throw new Error('expected a chunk');
    ets.delete(t);
    expect(codeOf(() => ets.select(r[1]))).toBe('ETS_BAD_CONTINUATION');
  });
});
