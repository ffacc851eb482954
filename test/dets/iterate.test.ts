/**
 * Iterating dets tables: `for...of`, `for await...of` (which gives the
 * event loop a turn every 1024 rows) and `dets.iterate(t, spec)`; a table
 * closed during the iteration ends it with DETS_CLOSED.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dets, type MatchSpec } from '../../src/index.js';
import { codeOf } from '../helpers.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('dets-iterate');
afterAll(() => rmDir(dir));
let n = 0;
const open = (type: 'set' | 'ordered_set' = 'ordered_set') => dets.openFile<[number, string]>(`iter_${n}`, { file: join(dir, `t${n++}.tsdb`), type });

describe('iterating a dets table', () => {
  it('for...of and dets.iterate give the rows in table order, and what a spec selects', async () => {
    const t = await open();
    for (let i = 9; i >= 0; i--) dets.insert(t, [i, `v${i}`]);
    const rows = [...t];
    expect(rows).toEqual(dets.tab2list(t));
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...dets.iterate(t, { reverse: true })].map((r) => r[0])).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const spec: MatchSpec = [[['$1', '_'], [['<', '$1', 3]], ['$1']]];
    expect([...dets.iterate(t, spec)]).toEqual([0, 1, 2]);
    expect([...dets.iterate(t, (row) => row[1])]).toEqual(rows.map((r) => r[1]));
    await dets.close(t);
  });

  it('for await...of gives every row and lets the event loop run between batches', async () => {
    const t = await open('set');
    dets.insertMany(t, Array.from({ length: 5000 }, (_, i) => [i, 'x'] as [number, string]));
    let turns = 0;
    let keepTicking = true;
    const tick = (): void => {
      turns++;
      if (keepTicking) setImmediate(tick);
    };
    setImmediate(tick);
    const seen: number[] = [];
    const turnsBefore = turns;
    for await (const row of t) seen.push(row[0]);
    keepTicking = false;
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    // 5000 rows: at least 4 turns of the event loop happened during the loop.
    expect(turns - turnsBefore).toBeGreaterThanOrEqual(4);
    await dets.close(t);
  });

  it('sees writes made during the iteration, as first/next does', async () => {
    const t = await open();
    for (let i = 0; i < 6; i++) dets.insert(t, [i, 'v']);
    const seen: unknown[] = [];
    for (const row of t) {
      seen.push(row[0]);
      if (row[0] === 1) {
        dets.delete(t, 4);
        dets.insert(t, [5, 'updated']);
      }
    }
    expect(seen).toEqual([0, 1, 2, 3, 5]);
    expect(dets.lookup(t, 5)).toEqual([[5, 'updated']]);
    await dets.close(t);
  });

  it('a table closed during the iteration ends it with DETS_CLOSED', async () => {
    const t = await open();
    dets.insertMany(t, [[1, 'a'], [2, 'b']]);
    const it = t[Symbol.iterator]();
    it.next();
    await dets.close(t);
    expect(codeOf(() => it.next())).toBe('DETS_CLOSED');
    const t2 = await open();
    dets.insertMany(t2, Array.from({ length: 3000 }, (_, i) => [i, 'x'] as [number, string]));
    const ait = t2[Symbol.asyncIterator]();
    expect((await ait.next()).value).toEqual([0, 'x']);
    await dets.close(t2);
    await expect(ait.next()).rejects.toMatchObject({ code: 'DETS_CLOSED' });
    expect(codeOf(() => dets.iterate(t2))).toBe('DETS_CLOSED');
    // A closed handle has no rows: deep equality (test runners) can still compare handles.
    expect([...t2]).toEqual([]);
    expect(t2).not.toBe(t);
  });
});
