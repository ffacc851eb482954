/**
 * The shared facade on a SQLite store, in one process (other participants,
 * where needed, are child processes): opening and options, handles and
 * names, info, rename and delete seen by everyone, snapshots and trimming,
 * and a late joiner loading from a snapshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { shared, type SharedStore } from '../../src/index.js';
import { codeOf } from '../helpers.js';
import { inProcess, ok } from './harness.js';
import { until } from './participants.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'termstore-shared-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'tables.db');
const store: SharedStore = `sqlite:${file}`;
let n = 0;
const unique = (p: string): string => `${p}_${n++}`;

async function codeOfOpen(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('shared tables on SQLite: the facade', () => {
  it('open refuses bad stores and options with their codes', async () => {
    expect(await codeOfOpen(() => shared.open('x', { store: 'redis://localhost' as never }))).toBe('SHARED_STORE');
    expect(await codeOfOpen(() => shared.open('x', { store: 'sqlite::memory:' }))).toBe('SHARED_STORE');
    expect(await codeOfOpen(() => shared.open('x', { store, bogus: 1 } as never))).toBe('ETS_BADARG');
    expect(await codeOfOpen(() => shared.open('x', { store, type: 'heap' as never }))).toBe('ETS_BADARG');
    expect(await codeOfOpen(() => shared.open('x', { store, keypos: 0 }))).toBe('ETS_BADARG');
    expect(await codeOfOpen(() => shared.open('x', { store: `sqlite:${path.join(dir, 'missing', 'dir', 'x.db')}` }))).toBe('SHARED_STORE');
    const name = unique('opts');
    const t = await shared.open(name, { store, type: 'bag', keypos: 2 });
    expect(await codeOfOpen(() => shared.open(`${name}`, { store: `sqlite:${path.join(dir, 'other.db')}` }))).toBe('ETS_NAME_TAKEN');
    await shared.close(t);
    expect(await codeOfOpen(() => shared.open(name, { store, type: 'set' }))).toBe('SHARED_OPTIONS_MISMATCH');
    expect(await codeOfOpen(() => shared.open(name, { store, keypos: 1 }))).toBe('SHARED_OPTIONS_MISMATCH');
    const again = await shared.open(name, { store });
    expect([shared.info(again, 'type'), shared.info(again, 'keypos')]).toEqual(['bag', 2]);
    await shared.delete(again);
  });

  it('handles, names and info: the same table opened twice is one handle; closed handles say ETS_NO_TABLE', async () => {
    const name = unique('names');
    const t = await shared.open(name, { store });
    const t2 = await shared.open(name, { store });
    expect(t2).toBe(t);
    // Concurrent opens share one replica too.
    const [c1, c2] = await Promise.all([shared.open(`${name}_c`, { store }), shared.open(`${name}_c`, { store })]);
    expect(c1).toBe(c2);
    await shared.close(c1);
    await shared.delete(c2);
    shared.insert(name, ['by-name', 1]);
    expect(shared.lookup(t, 'by-name')).toEqual([['by-name', 1]]);
    expect(shared.whereis(name)).toBe(t);
    expect(shared.all()).toContain(t);
    const info = shared.info(t)!;
    expect(info).toMatchObject({ name, type: 'set', keypos: 1, protection: 'public', size: 1, onDisk: true, storeKind: 'sqlite', store, position: 1 });
    expect(shared.info(t, 'position')).toBe(1);
    expect(codeOf(() => shared.info(t, 'nope' as never))).toBe('ETS_BADARG');
    await shared.close(t);
    expect(shared.lookup(t, 'by-name')).toEqual([['by-name', 1]]);
    await shared.close(t);
    expect(codeOf(() => shared.lookup(t, 'by-name'))).toBe('ETS_NO_TABLE');
    expect(codeOf(() => shared.insert(t, ['x']))).toBe('ETS_NO_TABLE');
    expect(codeOf(() => shared.lookup(name, 'x'))).toBe('ETS_NO_TABLE');
    expect(shared.info(t)).toBeUndefined();
    expect(shared.whereis(name)).toBeUndefined();
    const back = await shared.open(name, { store, named: false });
    expect(shared.lookup(back, 'by-name')).toEqual([['by-name', 1]]);
    expect(codeOf(() => shared.lookup(name, 'x'))).toBe('ETS_NO_TABLE');
    await shared.delete(back);
  });

  it('writes return ETS results and errors; a failed write logs nothing', async () => {
    const t = await shared.open(unique('results'), { store, type: 'ordered_set' });
    expect(shared.updateCounter(t, 'c', [2, 5, 10, 0], ['c', 8])).toBe(0);
    expect(shared.updateCounter(t, 'c', [[2, 1], [2, 1]])).toEqual([1, 2]);
    expect(codeOf(() => shared.updateCounter(t, 'absent', 1))).toBe('ETS_NO_KEY');
    expect(codeOf(() => shared.insert(t, 'row' as never))).toBe('ETS_BAD_OBJECT');
    const before = shared.info(t, 'position');
    expect(shared.insertNew(t, ['c', 0])).toBe(false);
    shared.delete(t, 'absent');
    expect(shared.info(t, 'position')).toBe(before);
    expect(shared.take(t, 'c')).toEqual([['c', 2]]);
    // A JS function spec works on SQLite: the writer decides, the log holds the effects.
    shared.insertMany(t, [[1, 'a'], [2, 'b'], [3, 'c']]);
    expect(shared.selectDelete(t, (row: readonly unknown[]) => (row[0] as number) > 1)).toBe(2);
    expect(shared.tab2list(t)).toEqual([[1, 'a']]);
    await shared.delete(t);
  });

  it('rename and delete by one participant are seen by the others', async () => {
    const name = unique('renamed');
    const t = await shared.open(name, { store });
    shared.insert(t, ['k', 1]);
    expect(shared.rename(t, `${name}_new`)).toBe(t);
    expect(t.name).toBe(`${name}_new`);
    expect(shared.whereis(`${name}_new`)).toBe(t);
    expect(shared.whereis(name)).toBeUndefined();
    const other = await shared.open(unique('other'), { store });
    expect(codeOf(() => shared.rename(t, other.name))).toBe('ETS_NAME_TAKEN');
    await shared.delete(other);
    // Another process deletes the table: this replica finds out without being asked.
    await ok(inProcess({ task: 'drop', store, table: `${name}_new` }));
    await until(() => shared.info(t) === undefined);
    expect(codeOf(() => shared.lookup(t, 'k'))).toBe('ETS_NO_TABLE');
  });

  it('a write to a table another process deleted fails with ETS_NO_TABLE, even before the follower noticed', async () => {
    const name = unique('deleted');
    const t = await shared.open(name, { store, pollInterval: 1e9 });
    shared.insert(t, ['k', 1]);
    await ok(inProcess({ task: 'drop', store, table: name }));
    expect(codeOf(() => shared.insert(t, ['k', 2]))).toBe('ETS_NO_TABLE');
    expect(shared.info(t)).toBeUndefined();
    // The name is free again: a new table, empty.
    const again = await shared.open(name, { store });
    expect(shared.tab2list(again)).toEqual([]);
    await shared.delete(again);
  });

  it('snapshots: the log is trimmed behind a snapshot, and a new participant loads the snapshot and the tail', async () => {
    const name = unique('snap');
    const t = await shared.open(name, { store, snapshotEvery: 500 });
    for (let i = 0; i < 2000; i++) shared.insert(t, [i % 700, i]);
    // The snapshot is written in the background.
    await until(() => shared.info(t, 'snapshotPosition')! >= 1500);
    for (let i = 0; i < 10; i++) shared.updateElement(t, i, [2, 'tail']);
    const db = new Database(file, { readonly: true });
    const id = (db.prepare('SELECT id FROM termstore_tables WHERE name = ?').pluck().get(name) as number);
    const snap = db.prepare('SELECT snap_seq FROM termstore_tables WHERE id = ?').pluck().get(id) as number;
    await until(() => (db.prepare('SELECT min(seq) FROM termstore_log WHERE tab = ?').pluck().get(id) as number) >= snap);
    db.close();
    const joiner = await ok(inProcess({ task: 'rows', store, table: name }));
    expect(joiner).toMatchObject({ rows: 700, position: 2010, snapshotPosition: snap });
    const want = shared.tab2list(t);
    await shared.close(t);
    const back = await shared.open(name, { store });
    expect(shared.info(back, 'snapshotPosition')).toBe(snap);
    expect(shared.tab2list(back)).toEqual(want);
    await shared.delete(back);
  });
});
