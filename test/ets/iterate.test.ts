/**
 * Iteration: `for (const row of table)` and `ets.iterate(t[, spec][, options])`.
 * Rows in table order, with the write tolerance of first/next (a model
 * test interleaves random writes with the iteration), spec results lazily
 * and in chunks, access and deletion checked at each step.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { END_OF_TABLE, ets, exactEquals, type MatchSpec, type Row, type Table, type TableType, type Term } from '../../src/index.js';
import { codeOf, inProcess } from '../helpers.js';

const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];

/** The rows a first/next walk visits, per key in lookup order: the table order. */
function walk(t: Table): Row[] {
  const rows: Row[] = [];
  for (let k = ets.first(t); k !== END_OF_TABLE; k = ets.next(t, k)) rows.push(...ets.lookup(t, k));
  return rows;
}

describe.each(TYPES)('%s: for...of and ets.iterate', (type) => {
  const ordered = type === 'ordered_set';

  it('gives every row once, in table order (the order of first/next and tab2list)', () => {
    const t = ets.new('iter', { type });
    for (const k of [3, 1, 'b', 2, 'a']) ets.insert(t, [k, 'v']);
    if (type === 'bag' || type === 'duplicate_bag') ets.insertMany(t, [[1, 'w'], [1, 'x']]);
    if (type === 'duplicate_bag') ets.insert(t, [1, 'x']);
    const rows = [...t];
    expect(rows).toEqual(ets.tab2list(t));
    expect(rows).toEqual(walk(t));
    expect([...ets.iterate(t)]).toEqual(rows);
    if (ordered) expect(rows.map((r) => r[0])).toEqual([1, 2, 3, 'a', 'b']);
    expect([...ets.iterate(t, { reverse: true })]).toEqual(ordered ? [...rows].reverse() : rows);
    ets.delete(t);
  });

  it('hands out the stored rows frozen: changing a row it gave throws and changes nothing', () => {
    const t = ets.new('iter_copy', { type });
    ets.insert(t, ['k', [1, 2]]);
    for (const row of t) expect(() => ((row as Term[])[0] = 'changed')).toThrow(TypeError);
    expect(ets.lookup(t, 'k')).toEqual([['k', [1, 2]]]);
    ets.delete(t);
  });

  it('sees writes made during the iteration as first/next does', () => {
    const t = ets.new('iter_writes', { type });
    for (let i = 0; i < 10; i++) ets.insert(t, [i, 'v']);
    const seen: Row[] = [];
    for (const row of t) {
      seen.push(row);
      if (row[0] === 2) {
        ets.delete(t, 2); // the current row
        ets.delete(t, 5); // a row not reached yet
        ets.insert(t, [7, 'updated']); // a row not reached yet, changed (bags: one more row)
      }
    }
    const keys = seen.map((r) => r[0]);
    expect(keys).not.toContain(5);
    expect(new Set(keys.filter((k) => k !== 7)).size).toBe(keys.filter((k) => k !== 7).length);
    for (const k of [0, 1, 2, 3, 4, 6, 8, 9]) expect(keys).toContain(k);
    if (type === 'set' || ordered) expect(seen.find((r) => r[0] === 7)).toEqual([7, 'updated']);
    ets.delete(t);
  });

  // The model: random writes between steps never make the iteration return
  // a row that is not in the table at that moment, return a row twice
  // (unless it was written again since: a new row, which an iteration may
  // or may not see, as in ETS), or miss a row in the table from start to end.
  test.prop(
    [
      fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 3 })), { maxLength: 40 }),
      fc.array(fc.tuple(fc.constantFrom('insert', 'delete', 'deleteObject', 'none'), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 3 })), { maxLength: 60 }),
    ],
    { numRuns: 60 },
  )('random writes between steps: no row absent, none twice, none missed', (initial, writes) => {
    const t = ets.new('iter_model', { type });
    for (const [k, v] of initial) ets.insert(t, [k, v]);
    const start = ets.tab2list(t);
    const lastWrite = new Map<number, number>(); // key → step of its last write
    const returnedAt = new Map<string, number>(); // row → step it was last returned
    const returned: Row[] = [];
    let step = 0;
    for (const row of t) {
      // The row is in the table now.
      expect(ets.lookup(t, row[0]).some((r) => exactEquals(r, row))).toBe(true);
      const id = JSON.stringify(row);
      const before = returnedAt.get(id);
      if (before !== undefined && type !== 'duplicate_bag') expect(lastWrite.get(row[0] as number) ?? -1).toBeGreaterThanOrEqual(before);
      returnedAt.set(id, step);
      returned.push(row);
      const w = writes[step];
      if (w !== undefined) {
        const [op, k, v] = w;
        if (op !== 'none') lastWrite.set(k, step);
        if (op === 'insert') ets.insert(t, [k, v]);
        else if (op === 'delete') ets.delete(t, k);
        else if (op === 'deleteObject') ets.deleteObject(t, [k, v]);
      }
      step++;
    }
    // Every row present throughout (its key never written) was returned.
    for (const r of start) if (!lastWrite.has(r[0] as number)) expect(returned).toContainEqual(r);
    ets.delete(t);
  });
});

describe('ets.iterate with a match spec or a function', () => {
  const fill = (n: number): Table => {
    const t = ets.new('iter_spec', { type: 'ordered_set' });
    for (let i = 0; i < n; i++) ets.insert(t, [i, i % 3]);
    return t;
  };

  it('gives what select gives, in the same order (forwards and backwards)', () => {
    const t = fill(1000);
    const spec: MatchSpec = [[['$1', '$2'], [['=:=', '$2', 0]], ['$1']]];
    expect([...ets.iterate(t, spec)]).toEqual(ets.select(t, spec));
    expect([...ets.iterate(t, spec, { reverse: true, chunk: 7 })]).toEqual(ets.selectReverse(t, spec));
    expect([...ets.iterate(t, (row) => row[1] === 1 && row[0])]).toEqual(ets.select(t, (row) => row[1] === 1 && row[0]));
    ets.delete(t);
  });

  it('computes results a chunk at a time, when reached: nothing is collected ahead', () => {
    const t = fill(10_000);
    let calls = 0;
    const it = ets.iterate(t, (row) => (calls++, row[0]), { chunk: 10 });
    expect(it.next().value).toBe(0);
    expect(calls).toBe(10);
    for (let i = 1; i < 10; i++) it.next();
    expect(calls).toBe(10);
    expect(it.next().value).toBe(10);
    expect(calls).toBe(20);
    ets.delete(t);
  });

  it('uses the key index for a bound key', () => {
    const t = fill(10_000);
    let visited = 0;
    const spec: MatchSpec = [[[42, '$1'], [], ['$1']]];
    expect([...ets.iterate(t, spec)]).toEqual([0]);
    // A function cannot use the index: it sees every row.
    for (const _ of ets.iterate(t, () => (visited++, false))) void _;
    expect(visited).toBe(10_000);
    ets.delete(t);
  });

  it('checks its arguments and the spec at the call, not at the first step', () => {
    const t = fill(3);
    expect(codeOf(() => ets.iterate(t, [{ head: '$x' }] as never))).toBe('ETS_BAD_MATCH_SPEC');
    expect(codeOf(() => ets.iterate(t, { reverse: 'yes' } as never))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.iterate(t, { backwards: true } as never))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.iterate(t, [], { chunk: 0 }))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.iterate('no_such_table'))).toBe('ETS_NO_TABLE');
    ets.delete(t);
  });
});

describe('iteration and table life', () => {
  it('a table deleted during the iteration ends it with ETS_NO_TABLE', () => {
    const t = ets.new('iter_deleted', {});
    ets.insertMany(t, [[1], [2], [3]]);
    const it = t[Symbol.iterator]();
    expect(it.next().value).toEqual([1]);
    ets.delete(t);
    expect(codeOf(() => it.next())).toBe('ETS_NO_TABLE');
    const t2 = ets.new('iter_deleted2', {});
    ets.insertMany(t2, [[1], [2]]);
    const spec = ets.iterate(t2, [['_', [], ['$_']]], { chunk: 1 });
    spec.next();
    ets.delete(t2);
    expect(codeOf(() => spec.next())).toBe('ETS_NO_TABLE');
  });

  it("a deleted table's handle iterates as empty (so deep equality can compare handles); ets.iterate on it throws", () => {
    const a = ets.new('iter_gone_a', {});
    const b = ets.new('iter_gone_b', {});
    ets.insert(a, ['row']);
    ets.delete(a);
    ets.delete(b);
    expect([...a]).toEqual([]);
    expect(a).not.toBe(b);
    expect(codeOf(() => ets.iterate(a))).toBe('ETS_NO_TABLE');
  });

  it('a private table is iterated by its owner only (ETS_ACCESS)', async () => {
    const t = ets.new('iter_private', { access: 'private' });
    ets.insert(t, ['secret', 1]);
    expect([...t]).toEqual([['secret', 1]]);
    expect(await inProcess(() => codeOf(() => [...t]))).toBe('ETS_ACCESS');
    expect(await inProcess(() => codeOf(() => ets.iterate(t)))).toBe('ETS_ACCESS');
    ets.delete(t);
  });

  it('a typed table iterates its row type', () => {
    const t = ets.new<[string, number]>('iter_typed', {});
    ets.insert(t, ['a', 1]);
    let sum = 0;
    for (const [, n] of t) sum += n;
    expect(sum).toBe(1);
    ets.delete(t);
  });
});
