import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isTermstoreError, type TermstoreError } from '../../src/errors.js';
import { FaultyFs, FakeClock, openStore, rmDir, settle, tmpDir } from './helpers.js';

const dir = tmpDir('faults');
afterAll(() => rmDir(dir));
let n = 0;
const file = (): string => path.join(dir, `f${n++}.dets`);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('a failing disk', () => {
  test('ENOSPC mid-write: sync rejects with DETS_IO, the file is untouched, a later sync retries', async () => {
    const ffs = new FaultyFs();
    const f = file();
    const t = await openStore(f, { fs: ffs, autoSave: false });
    for (let i = 0; i < 50; i++) t.insert([i, 'before']);
    await t.store.sync();
    const onDisk = fs.readFileSync(f);
    for (let i = 50; i < 5000; i++) t.insert([i, 'after'.repeat(5)]);
    const errors: TermstoreError[] = [];
    t.store.onError = (e) => errors.push(e);
    ffs.budget = 1000; // part of a frame gets written, then the disk is full
    const err = await rejection(t.store.sync());
    expect(isTermstoreError(err, 'DETS_IO')).toBe(true);
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(fs.readFileSync(f).equals(onDisk)).toBe(true); // truncated back
    expect(t.store.journal.pendingWrites).toBe(4950);
    expect(t.store.journal.lastError?.code).toBe('DETS_IO');
    ffs.budget = Infinity;
    await t.store.sync();
    expect(t.store.journal.pendingWrites).toBe(0);
    await t.store.simulateCrash();
    const t2 = await openStore(f);
    expect(t2.rows().length).toBe(5000);
    expect(t2.store.recovered.damaged).toEqual([]);
    await t2.store.close();
  });

  test('a failing fsync keeps the data pending and reports it', async () => {
    const ffs = new FaultyFs();
    const f = file();
    const t = await openStore(f, { fs: ffs, autoSave: false });
    t.insert([1, 'a']);
    ffs.failFsync = true;
    const err = await rejection(t.store.sync());
    expect(isTermstoreError(err, 'DETS_IO')).toBe(true);
    expect(t.store.journal.pendingWrites).toBe(1);
    ffs.failFsync = false;
    await t.store.sync();
    await t.store.close();
    const t2 = await openStore(f);
    expect(t2.lookup(1).length).toBe(1);
    await t2.store.close();
  });

  test('background flush failure: one error event per streak, timer retries, data survives', async () => {
    const ffs = new FaultyFs();
    const clock = new FakeClock();
    const f = file();
    const t = await openStore(f, { fs: ffs, clock, autoSave: 1000 });
    const errors: TermstoreError[] = [];
    t.store.onError = (e) => errors.push(e);
    ffs.budget = 0;
    t.insert([1, 'a']);
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(errors.length).toBe(1);
    expect(errors[0]!.code).toBe('DETS_IO');
    expect(t.store.journal.pendingWrites).toBe(1);
    ffs.budget = Infinity;
    t.insert([2, 'b']);
    clock.advance(1000);
    await t.store.whenDurable();
    expect(t.store.journal.pendingWrites).toBe(0);
    await settle();
    ffs.budget = 0;
    t.insert([3, 'c']);
    clock.advance(1000);
    await settle();
    expect(errors.length).toBe(2); // a new streak is reported again
    ffs.budget = Infinity;
    await t.store.close();
    const t2 = await openStore(f);
    expect(t2.rows().length).toBe(3);
    await t2.store.close();
  });

  test('autoSave 0: a failed write throws DETS_IO and changes nothing', async () => {
    const ffs = new FaultyFs();
    const f = file();
    const t = await openStore(f, { fs: ffs, autoSave: 0 });
    t.insert([1, 'a']);
    const before = fs.readFileSync(f);
    ffs.budget = 5;
    let err: unknown;
    try {
      t.insert([2, 'b']);
    } catch (e) {
      err = e;
    }
    expect(isTermstoreError(err, 'DETS_IO')).toBe(true);
    expect(t.lookup(2).length).toBe(0);
    expect(fs.readFileSync(f).equals(before)).toBe(true);
    expect(t.store.journal.pendingWrites).toBe(0);
    ffs.budget = Infinity;
    t.insert([3, 'c']);
    await t.store.simulateCrash();
    const t2 = await openStore(f);
    expect(t2.rows().map((r) => r[0]).sort()).toEqual([1, 3]);
    await t2.store.close();
  });

  test('close that cannot flush rejects and leaves the table open; a retry succeeds', async () => {
    const ffs = new FaultyFs();
    const f = file();
    const t = await openStore(f, { fs: ffs, autoSave: false });
    t.insert([1, 'a']);
    ffs.code = 'EIO';
    ffs.budget = 0;
    const err = await rejection(t.store.close());
    expect(isTermstoreError(err, 'DETS_IO')).toBe(true);
    expect(t.store.state).toBe('open');
    t.insert([2, 'b']);
    ffs.budget = Infinity;
    await t.store.close();
    const t2 = await openStore(f);
    expect(t2.rows().length).toBe(2);
    await t2.store.close();
  });
});
