/**
 * Rows are the table's own and updated in place; reads hand out copies
 * (see src/term/copy.ts). These tests pin that boundary.
 */
import { describe, expect, it } from 'vitest';
import { ets, tuple, type Term } from '../../src/index.js';

describe('copies out, updates in place', () => {
  it('a row read before updateCounter keeps its old value', () => {
    const t = ets.new('vs_counter', {});
    ets.insert(t, ['k', 1]);
    expect(ets.updateCounter(t, 'k', 1)).toBe(2); // unread: may be updated in place
    const seen = ets.lookup(t, 'k')[0]!;
    expect(seen).toEqual(['k', 2]);
    expect(ets.updateCounter(t, 'k', [2, 5])).toBe(7);
    expect(seen).toEqual(['k', 2]); // the row handed out never changes
    (seen as unknown[])[1] = 100; // and changing it changes nothing in the table
    expect(ets.lookup(t, 'k')[0]).toEqual(['k', 7]);
  });

  it('rows seen through foldl, tab2list and select are snapshots', () => {
    const t = ets.new('vs_paths', { type: 'ordered_set' });
    ets.insertMany(t, [['a', 1], ['b', 2], ['c', 3]]);
    const folded = ets.foldl(t, (r, acc: (readonly Term[])[]) => [...acc, r], []);
    const listed = ets.tab2list(t);
    const selected = ets.select(t, [[['$1', '$2'], [], ['$_']]]) as (readonly Term[])[];
    for (const key of ['a', 'b', 'c']) ets.updateCounter(t, key, 10);
    for (const rows of [folded, listed, selected]) {
      expect(rows.map((r) => r[1])).toEqual([1, 2, 3]);
      for (const r of rows) (r as unknown[])[1] = -1;
    }
    expect(ets.tab2list(t).map((r) => r[1])).toEqual([11, 12, 13]);
  });

  it('a row embedded in a constructed select result cannot change the table', () => {
    const t = ets.new('vs_embed', {});
    ets.insert(t, ['k', 1]);
    const [wrapped] = ets.select(t, [[['$1', '_'], [], [{ $tuple: ['$_', 'extra'] }]]]) as Term[][];
    const row = wrapped![0] as Term[];
    expect(wrapped).toEqual(tuple(tuple('k', 1), 'extra'));
    try {
      row[1] = 99; // a fresh tuple (or a frozen row): either way the table is untouched
    } catch {
      /* frozen */
    }
    expect(ets.lookup(t, 'k')).toEqual([['k', 1]]);
    ets.updateCounter(t, 'k', 1);
    expect(ets.lookup(t, 'k')).toEqual([['k', 2]]);
  });

  it('what the caller inserted is never the stored row', () => {
    const t = ets.new('vs_insert', {});
    const mine: Term[] = ['k', 1];
    ets.insert(t, mine);
    ets.updateCounter(t, 'k', 1);
    expect(mine).toEqual(['k', 1]);
    mine[1] = 100;
    expect(ets.lookup(t, 'k')).toEqual([['k', 2]]);
  });
});
