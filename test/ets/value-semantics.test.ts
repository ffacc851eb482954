/**
 * Stored rows are frozen and handed out as they are; `updateCounter` copies
 * a row once (copy-on-write) and then updates the private copy in place,
 * and reads of such a row hand out frozen copies (see src/term/copy.ts).
 * These tests pin that boundary: nothing a caller holds can change the
 * table, and nothing the table does changes what a caller holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ets, tuple, type Term } from '../../src/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'termstore-vs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('frozen rows out, copy-on-write counters', () => {
  it('a read hands out the stored row itself, frozen; reading again gives the same row', () => {
    const t = ets.new('vs_shared', {});
    ets.insert(t, ['k', 1, [2]]);
    const [a] = ets.lookup(t, 'k');
    const [b] = ets.lookup(t, 'k');
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as unknown[])[1] = 100;
    }).toThrow(TypeError);
    expect(() => (a as unknown[]).push(1)).toThrow(TypeError);
    expect(ets.lookup(t, 'k')).toEqual([['k', 1, [2]]]);
  });

  it('a row read before updateCounter keeps its old value; later reads are frozen copies of the counted row', () => {
    const t = ets.new('vs_counter', {});
    ets.insert(t, ['k', 1]);
    const seen = ets.lookup(t, 'k')[0]!;
    expect(ets.updateCounter(t, 'k', 1)).toBe(2); // copy-on-write: `seen` is untouched
    expect(seen).toEqual(['k', 1]);
    const counted = ets.lookup(t, 'k')[0]!;
    expect(counted).toEqual(['k', 2]);
    expect(Object.isFrozen(counted)).toBe(true);
    expect(ets.updateCounter(t, 'k', [2, 5])).toBe(7); // in place on the private copy
    expect(counted).toEqual(['k', 2]); // the copy handed out never changes
    expect(seen).toEqual(['k', 1]);
    expect(() => {
      (counted as unknown[])[1] = 100;
    }).toThrow(TypeError);
    expect(ets.lookup(t, 'k')[0]).toEqual(['k', 7]);
    expect(ets.lookupElement(t, 'k', 2)).toBe(7);
  });

  it('rows seen through foldl, tab2list, select and take are snapshots, whether counted or not', () => {
    for (const type of ['set', 'ordered_set'] as const) {
      const t = ets.new('vs_paths', { type });
      ets.insertMany(t, [['a', 1], ['b', 2], ['c', 3]]);
      ets.updateCounter(t, 'b', 0); // 'b' is now a private row
      const folded = ets.foldl(t, (r, acc: (readonly Term[])[]) => [...acc, r], []);
      const listed = ets.tab2list(t);
      const selected = ets.select(t, [[['$1', '$2'], [], ['$_']]]) as (readonly Term[])[];
      const byFn = ets.select(t, (r: readonly Term[]) => r) as (readonly Term[])[];
      for (const key of ['a', 'b', 'c']) ets.updateCounter(t, key, 10);
      for (const rows of [folded, listed, selected, byFn]) {
        expect([...rows].sort((x, y) => String(x[0]).localeCompare(String(y[0]))).map((r) => r[1])).toEqual([1, 2, 3]);
        for (const r of rows) {
          expect(Object.isFrozen(r)).toBe(true);
          expect(() => {
            (r as unknown[])[1] = -1;
          }).toThrow(TypeError);
        }
      }
      const taken = ets.take(t, 'b');
      ets.insert(t, ['b', 0]);
      expect(taken).toEqual([['b', 12]]);
      expect(Object.isFrozen(taken[0])).toBe(true);
      expect(ets.tab2list(t).map((r) => r[1]).sort((x, y) => (x as number) - (y as number))).toEqual([0, 11, 13]);
      ets.delete(t);
    }
  });

  it('reads of a counted row copy it (increments stay in place); a tab2file snapshot makes it shared again (the next increment copies it)', async () => {
    for (const type of ['set', 'ordered_set'] as const) {
      const t = ets.new('vs_reshare', { type });
      ets.insert(t, ['k', 0]);
      ets.updateCounter(t, 'k', 1); // private now
      const engine = (t as unknown as { impl: { engine: { lookupOne(k: unknown): unknown; checkInvariants(): void } } }).impl.engine;
      const priv = engine.lookupOne('k');
      for (const read of [ets.lookup(t, 'k')[0], ets.tab2list(t)[0], (ets.select(t, [[['$1', '_'], [], ['$_']]]) as Term[][])[0]]) {
        expect(read).not.toBe(priv); // a frozen copy
        expect(Object.isFrozen(read)).toBe(true);
      }
      ets.updateCounter(t, 'k', 1);
      expect(engine.lookupOne('k')).toBe(priv); // still private: in place
      await ets.tab2file(t, path.join(dir, `reshare-${type}.tab`));
      expect(engine.lookupOne('k')).toBe(priv); // the same row, now shared: frozen
      expect(Object.isFrozen(priv)).toBe(true);
      expect(ets.lookup(t, 'k')[0]).toBe(priv); // and handed out as it is
      engine.checkInvariants();
      ets.updateCounter(t, 'k', 1);
      expect(priv).toEqual(['k', 2]); // never changes again
      expect(engine.lookupOne('k')).not.toBe(priv); // copied again
      expect(ets.lookup(t, 'k')).toEqual([['k', 3]]);
      engine.checkInvariants();
      ets.delete(t);
    }
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

  it('what the caller inserted is never the stored row, and is not frozen by the insert', () => {
    const t = ets.new('vs_insert', {});
    const mine: Term[] = ['k', 1];
    ets.insert(t, mine);
    expect(Object.isFrozen(mine)).toBe(false);
    ets.updateCounter(t, 'k', 1);
    expect(mine).toEqual(['k', 1]);
    mine[1] = 100;
    expect(ets.lookup(t, 'k')).toEqual([['k', 2]]);
  });

  it('tab2file writes the rows as they were at the call, even while counters change them in place', async () => {
    const t = ets.new('vs_tab2file', { type: 'set' });
    const n = 20_000; // several frames, so the write yields to the event loop between them
    for (let i = 0; i < n; i++) ets.insert(t, [i, 0]);
    for (let i = 0; i < n; i++) ets.updateCounter(t, i, 1); // every row private: in-place updates from here on
    const file = path.join(dir, 'snap.tab');
    const writing = ets.tab2file(t, file);
    for (let i = 0; i < n; i++) ets.updateCounter(t, i, 1000); // while the file is being written
    await writing;
    const back = await ets.file2tab(file);
    expect(ets.info(back, 'size')).toBe(n);
    for (const r of ets.tab2list(back)) expect(r[1]).toBe(1);
    for (const r of ets.tab2list(t)) expect(r[1]).toBe(1001);
    ets.delete(back);
    ets.delete(t);
  });
});
