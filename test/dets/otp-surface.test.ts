/**
 * The DETS functions added to match OTP 25's surface: traverse, init_table
 * (with an input function, an iterable, or bchunk data), bchunk, select
 * continuations across calls, and "a table is closed when the process that
 * opened it ends". Expected values were checked against OTP 25 where marked.
 */
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { END_OF_INPUT, END_OF_TABLE, ErlFloat, atom, dets, spawn, tuple, whenExited, type BchunkContinuation, type DetsTable, type MatchSpec, type Row } from '../../src/index.js';
import { codeOf } from '../helpers.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('surface');
afterAll(() => rmDir(dir));
let n = 0;
async function open(type: 'set' | 'bag' | 'ordered_set' | 'duplicate_bag' = 'set', keypos = 1): Promise<DetsTable> {
  const name = `surface_${n++}`;
  return dets.openFile(name, { file: path.join(dir, `${name}.tsdb`), type, keypos, autoSave: false });
}

describe('dets.traverse (dets:traverse/2)', () => {
  it('collects {continue, V} last first, stops at {done, V} or any other value (OTP 25)', async () => {
    const t = await open('ordered_set');
    dets.insertMany(t, [1, 2, 3, 4, 5].map((i) => [i, i * 10]));
    // erl (keys 1..5): fun(X) -> {continue, X} end -> [{5,50},{4,40},{3,30},{2,20},{1,10}]
    expect(dets.traverse(t, (r) => ({ continue: r }))).toEqual([[5, 50], [4, 40], [3, 30], [2, 20], [1, 10]]);
    expect(dets.traverse(t, () => 'continue')).toEqual([]);
    expect(dets.traverse(t, () => undefined)).toEqual([]);
    // the Erlang spellings work too
    expect(dets.traverse(t, (r) => tuple(atom('continue'), r[0]!))).toEqual([5, 4, 3, 2, 1]);
    // erl: {done, X} at key 3 -> [{3,30},{2,20},{1,10}]; another value is returned as it is
    expect(dets.traverse(t, (r) => (r[0] === 3 ? { done: r } : { continue: r }))).toEqual([[3, 30], [2, 20], [1, 10]]);
    expect(dets.traverse(t, (r) => (r[0] === 3 ? atom('stop') : { continue: r }))).toBe(atom('stop'));
    expect(() => dets.traverse(t, () => { throw new Error('boom'); })).toThrow('boom');
    expect(codeOf(() => dets.traverse(t, 'f' as never))).toBe('ETS_BADARG');
    await dets.close(t);
  });

  it('tolerates writes from the function: every row present throughout is visited once', async () => {
    const t = await open();
    dets.insertMany(t, [1, 2, 3, 4].map((i) => [i]));
    const seen = dets.traverse(t, (r) => {
      dets.delete(t, r[0]);
      dets.insert(t, [(r[0] as number) + 100]);
      return { continue: r[0] };
    }) as number[];
    expect([...seen].sort((a, b) => a - b).slice(0, 4)).toEqual([1, 2, 3, 4]);
    await dets.close(t);
  });
});

describe('dets.initTable (dets:init_table/2,3)', () => {
  it('replaces the rows with those of the input function, calling it with close at the end (OTP 25)', async () => {
    const t = await open();
    dets.insert(t, ['old', 1]);
    const calls: string[] = [];
    const chunks = [[['a', 1], ['b', 2]], [['c', new ErlFloat(3)]]];
    const input = (op: 'read' | 'close'): unknown => {
      calls.push(op);
      if (op === 'close') return undefined;
      const next = chunks.shift();
      return next === undefined ? END_OF_INPUT : [next, input];
    };
    expect(dets.initTable(t, input)).toBe(true);
    expect(calls).toEqual(['read', 'read', 'read', 'close']);
    expect(dets.tab2list(t)).toEqual([['a', 1], ['b', 2], ['c', new ErlFloat(3)]]);
    // on disk: a reopen sees the same rows
    const file = t.file;
    await dets.close(t);
    const again = await dets.openFile('reinit', { file });
    expect(dets.tab2list(again).length).toBe(3);
    expect(dets.lookup(again, 'old')).toEqual([]);
    await dets.close(again);
  });

  it('takes any iterable of rows; the string end_of_input works as the atom', async () => {
    const t = await open('bag');
    dets.initTable(t, [['k', 1], ['k', 2]]);
    expect(dets.lookup(t, 'k')).toEqual([['k', 1], ['k', 2]]); // not insert: no bag reversal
    dets.initTable(t, (op) => (op === 'read' ? 'end_of_input' : undefined));
    expect(dets.info(t, 'size')).toBe(0);
    await dets.close(t);
  });

  it('a bad input changes nothing and is refused (DETS: {error, invalid_objects_list})', async () => {
    const t = await open();
    dets.insert(t, ['keep', 1]);
    const closed: string[] = [];
    const last = (op: 'read' | 'close'): unknown => (op === 'close' ? closed.push('last') : END_OF_INPUT);
    const bad = (op: 'read' | 'close'): unknown => (op === 'close' ? closed.push('first') : [['not a row'], last]);
    expect(codeOf(() => dets.initTable(t, bad))).toBe('ETS_BAD_OBJECT');
    expect(closed).toEqual(['last']); // the function in use is called with close, once
    expect(codeOf(() => dets.initTable(t, () => 42))).toBe('ETS_BADARG');
    expect(codeOf(() => dets.initTable(t, 42 as never))).toBe('ETS_BADARG');
    expect(codeOf(() => dets.initTable(t, [], { format: 'xml' as never }))).toBe('ETS_BADARG');
    expect(dets.tab2list(t)).toEqual([['keep', 1]]);
    await dets.close(t);
  });
});

describe('dets.bchunk (dets:bchunk/2) and initTable with format bchunk', () => {
  it('copies a table chunk by chunk into another of the same type and keypos', async () => {
    const src = await open('duplicate_bag', 2);
    const rows: Row[] = [];
    for (let i = 0; i < 2500; i++) rows.push([i % 7 === 0 ? 'dup' : `v${i}`, i % 50, i % 3 === 0 ? new Uint8Array([i & 255]) : tuple(i, [1n, 2 ** 60])]);
    dets.insertMany(src, rows);
    const data: Uint8Array[] = [];
    let calls = 0;
    for (let r = dets.bchunk(src, 'start'); r !== END_OF_TABLE; r = dets.bchunk(src, r[0] as BchunkContinuation)) {
      data.push(...r[1]);
      calls++;
    }
    expect(calls).toBe(3); // 1000 rows per chunk
    const dst = await open('duplicate_bag', 2);
    dets.insert(dst, ['gone', 'gone']);
    expect(dets.initTable(dst, data, { format: 'bchunk' })).toBe(true);
    expect(dets.tab2list(dst)).toEqual(dets.tab2list(src));
    // chunks of another type or keypos are refused, changing nothing
    const other = await open('set', 2);
    expect(codeOf(() => dets.initTable(other, data, { format: 'bchunk' }))).toBe('DETS_OPTIONS_MISMATCH');
    expect(codeOf(() => dets.initTable(dst, data.slice(1), { format: 'bchunk' }))).toBe('ETS_BADARG');
    expect(codeOf(() => dets.initTable(dst, [new Uint8Array([0xff])], { format: 'bchunk' }))).toBe('ETS_BADARG');
    expect(dets.info(dst, 'size')).toBe(2500);
    for (const t of [src, dst, other]) await dets.close(t);
  });

  it('an empty table gives one chunk (its options), then END_OF_TABLE; a foreign continuation is refused', async () => {
    const a = await open();
    const b = await open();
    const r = dets.bchunk(a, 'start');
    if (r === END_OF_TABLE) throw new Error('expected the first chunk');
    expect(r[1].length).toBe(1);
    expect(dets.bchunk(a, r[0])).toBe(END_OF_TABLE);
    expect(codeOf(() => dets.bchunk(b, r[0]))).toBe('ETS_BAD_CONTINUATION');
    expect(codeOf(() => dets.bchunk(b, 'go' as never))).toBe('ETS_BAD_CONTINUATION');
    await dets.close(a);
    await dets.close(b);
  });
});

describe('dets.select continuations across calls (dets:select/1,3)', () => {
  it('go on after writes between chunks, and end with END_OF_TABLE; a closed table refuses them', async () => {
    const t = await open('ordered_set');
    dets.insertMany(t, [1, 2, 3, 4, 5, 6].map((i) => [i, 'x']));
    const spec: MatchSpec = [[['$1', '_'], [], ['$1']]];
    const c1 = dets.select(t, spec, 2);
    if (c1 === END_OF_TABLE) throw new Error('chunk');
    expect(c1[0]).toEqual([1, 2]);
    dets.delete(t, 3); // not reached yet: not returned
    dets.insert(t, [7, 'x']); // ahead: returned
    const c2 = dets.select(c1[1] as never);
    if (c2 === END_OF_TABLE) throw new Error('chunk');
    expect(c2[0]).toEqual([4, 5]);
    const c3 = dets.select(c2[1] as never);
    expect(c3).toEqual([[6, 7], expect.anything()]);
    const rest = c3 === END_OF_TABLE ? END_OF_TABLE : dets.select(c3[1] as never);
    expect(rest).toBe(END_OF_TABLE);
    const c4 = dets.select(t, spec, 1);
    await dets.close(t);
    if (c4 === END_OF_TABLE) throw new Error('chunk');
    expect(codeOf(() => dets.select(c4[1] as never))).toBe('ETS_BAD_CONTINUATION');
  });
});

describe('a table is closed when the process that opened it ends (DETS)', () => {
  it('a spawned process that opens a table and ends without closing it: the table is closed and its file released', async () => {
    const file = path.join(dir, 'owned.tsdb');
    const pid = spawn(async () => {
      const t = await dets.openFile('owned_by_proc', { file, autoSave: false });
      dets.insert(t, ['written', 1]);
      return t;
    });
    const exit = await whenExited(pid);
    const t = (exit as { value: DetsTable }).value;
    // the process's end started a close (which flushes): wait for it, then the name is free and the data on disk
    await (t as unknown as { closing?: Promise<void> }).closing;
    expect(t.isOpen).toBe(false);
    expect(dets.info('owned_by_proc')).toBeUndefined();
    const again = await dets.openFile('owned_again', { file });
    expect(dets.lookup(again, 'written')).toEqual([['written', 1]]);
    await dets.close(again);
  });

  it('each open counts: the table stays open while another opener (here the root) holds it', async () => {
    const file = path.join(dir, 'shared.tsdb');
    const t = await dets.openFile('shared_open', { file, autoSave: false });
    const pid = spawn(async () => {
      await dets.openFile('shared_open', { file, autoSave: false });
    });
    await whenExited(pid); // its exit hooks ran before this resolves: one open fewer, synchronously
    expect(dets.info(t, 'openCount')).toBe(1);
    expect(t.isOpen).toBe(true);
    await dets.close(t);
    expect(t.isOpen).toBe(false);
  });

  it('a process that closes what it opened leaves nothing to close at its end', async () => {
    const file = path.join(dir, 'tidy.tsdb');
    const root = await dets.openFile('tidy', { file, autoSave: false });
    const pid = spawn(async () => {
      const t = await dets.openFile('tidy', { file, autoSave: false });
      await dets.close(t);
    });
    await whenExited(pid);
    expect(root.isOpen).toBe(true);
    expect(dets.info(root, 'openCount')).toBe(1);
    await dets.close(root);
  });
});
