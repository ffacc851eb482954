import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { shouldCompact } from '../../src/dets/compaction.js';
import { isTermstoreError } from '../../src/errors.js';
import { writerTag } from '../../src/io/temp-files.js';
import { canonical } from '../../src/term/equal.js';
import type { Row } from '../../src/term/types.js';
import { FaultyFs, openStore, rmDir, tmpDir, type TestTable } from './helpers.js';

const dir = tmpDir('compaction');
afterAll(() => rmDir(dir));
let n = 0;
const file = (): string => path.join(dir, `c${n++}.dets`);
const state = (rows: Iterable<Row>): string[] => [...rows].map((r) => canonical(r)).sort();
const temps = (f: string): string[] => fs.readdirSync(path.dirname(f)).filter((x) => x.startsWith(`${path.basename(f)}.compact-`));

async function reopenState(f: string): Promise<string[]> {
  const t = await openStore(f);
  const s = state(t.rows());
  await t.store.simulateCrash();
  return s;
}

describe('thresholds', () => {
  test('shouldCompact: file > minBytes and > ratio × live', () => {
    const p = { minBytes: 1000, ratio: 2 };
    expect(shouldCompact(999, 10, p)).toBe(false);
    expect(shouldCompact(5000, 2500, p)).toBe(false);
    expect(shouldCompact(5001, 2500, p)).toBe(true);
  });

  test('overwrites trigger an automatic compaction after a flush; the file shrinks and reopens the same', async () => {
    const f = file();
    const t = await openStore(f, { autoSave: false, compaction: { minBytes: 20_000, ratio: 2 } });
    for (let round = 0; round < 30; round++) {
      for (let k = 0; k < 100; k++) t.insert([k, round, 'x'.repeat(40)]);
      await t.store.sync();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(t.store.compactions).toBeGreaterThan(0);
    expect(fs.statSync(f).size).toBeLessThan(40_000);
    const s = state(t.rows());
    await t.store.close();
    expect(await reopenState(f)).toEqual(s);
  });
});

describe('background compaction with concurrent writes', () => {
  async function fill(t: TestTable, rows: number): Promise<void> {
    for (let i = 0; i < rows; i++) t.insert([i, 'v'.repeat(30), i]);
    await t.store.sync();
  }

  test('writes and syncs made while it runs are in the new file', async () => {
    const f = file();
    const t = await openStore(f, { autoSave: 5 });
    await fill(t, 60_000);
    const p = t.store.compact();
    let syncsDuring = 0;
    let done = false;
    void p.then(() => (done = true));
    let i = 0;
    while (!done) {
      t.insert([100_000 + i, 'during', i]);
      if (i % 3 === 0) t.delete(i);
      i++;
      await t.store.sync();
      if (!done) syncsDuring++;
    }
    await p;
    expect(syncsDuring).toBeGreaterThan(0);
    t.insert([-1, 'after']);
    await t.store.sync();
    const s = state(t.rows());
    await t.store.simulateCrash(); // no clean close: the file alone must hold it
    expect(temps(f)).toEqual([]);
    expect(await reopenState(f)).toEqual(s);
  });

  test('heavy writes during a slow compaction are carried over (asynchronously, then the rest)', async () => {
    const slow = new FaultyFs();
    const write = slow.write;
    slow.write = async (fd, b, o, l, p) => {
      await new Promise((r) => setTimeout(r, 15));
      return write(fd, b, o, l, p);
    };
    const f = file();
    const t = await openStore(f, { autoSave: false, fs: slow });
    await fill(t, 60_000);
    let done = false;
    const p = t.store.compact().then(() => (done = true));
    let k = 0;
    let bursts = 0;
    while (!done) {
      for (let i = 0; i < 3000; i++, k++) t.insert([200_000 + k, 'y'.repeat(100)]);
      await t.store.sync();
      bursts++;
    }
    await p;
    expect(bursts).toBeGreaterThan(1);
    const s = state(t.rows());
    await t.store.simulateCrash();
    expect(await reopenState(f)).toEqual(s);
  });

  test('a crash during compaction leaves the old file with every synced write', async () => {
    const f = file();
    const t = await openStore(f, { autoSave: false });
    await fill(t, 60_000);
    const p = t.store.compact();
    t.insert([-5, 'synced during compaction']);
    await t.store.sync();
    t.insert([-6, 'not synced']);
    const s = state(t.rows().filter((r) => r[0] !== -6));
    await t.store.simulateCrash();
    await p;
    expect(await reopenState(f)).toEqual(s);
    expect(temps(f)).toEqual([]);
  });

  test('a failing compaction is reported; the old file stays in use; a retry works', async () => {
    const ffs = new FaultyFs();
    const f = file();
    const t = await openStore(f, { autoSave: false, fs: ffs });
    await fill(t, 5000);
    const before = fs.statSync(f).size;
    ffs.budget = 10_000;
    let err: unknown;
    try {
      await t.store.compact();
    } catch (e) {
      err = e;
    }
    expect(isTermstoreError(err, 'DETS_IO')).toBe(true);
    expect(temps(f)).toEqual([]);
    expect(fs.statSync(f).size).toBe(before);
    ffs.budget = Infinity;
    t.insert([-1, 'still writing']);
    await t.store.sync();
    await t.store.compact();
    const s = state(t.rows());
    await t.store.close();
    expect(await reopenState(f)).toEqual(s);
  });

  test('temporary files of a crashed compaction are removed by the next read-write open', async () => {
    const f = file();
    const t = await openStore(f);
    t.insert([1]);
    await t.store.close();
    fs.writeFileSync(`${f}.compact-999999-1`, 'partial');
    const t2 = await openStore(f, { access: 'read' });
    expect(temps(f).length).toBe(1); // a reader leaves them alone
    await t2.store.close();
    const t3 = await openStore(f);
    expect(temps(f)).toEqual([]);
    expect(t3.rows().length).toBe(1);
    await t3.store.close();
  });

  test('compact() while a compaction runs since before the last writes compacts again: nothing carried is left over', async () => {
    const f = file();
    const t = await openStore(f, { autoSave: 0 });
    for (let i = 0; i < 2000; i += 100) t.insert(...Array.from({ length: 100 }, (_, j) => [i + j, `v1-${i + j}`]));
    const first = t.store.compact();
    for (let i = 0; i < 2000; i++) t.insert([i, `v2-${i}`]); // each carried into the running compaction's file
    const second = t.store.compact();
    await first;
    await second;
    const after = fs.statSync(f).size;
    await t.store.compact();
    expect(fs.statSync(f).size).toBe(after); // the second call left no garbage behind
    expect(t.lookup(1999)).toEqual([[1999, 'v2-1999']]);
    await t.store.close();
    const again = await openStore(f);
    expect(again.rows().length).toBe(2000);
    expect(again.lookup(7)).toEqual([[7, 'v2-7']]);
    await again.store.close();
  });

  test("a creation temp is removed only when its writer is surely dead (same machine, boot and pid namespace)", async () => {
    const f = file();
    const t = await openStore(f);
    await t.store.close();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: no such process now
    const [, start, where, rnd] = /^[0-9]+-([0-9]+)-([0-9a-f]{24})-([0-9a-f]{8})$/.exec(writerTag())!;
    const otherNs = `${where!.slice(0, 16)}${where!.slice(16) === 'abcdef01' ? 'abcdef02' : 'abcdef01'}`;
    const gone = `${f}.create-${dead}-${start}-${where}-${rnd}`;
    const live = `${f}.create-${process.pid}-${start}-${where}-${rnd}`;
    const container = `${f}.create-${dead}-${start}-${otherNs}-${rnd}`;
    const oldStyle = `${f}.create-${dead}-1`;
    for (const p of [gone, live, container, oldStyle]) fs.writeFileSync(p, 'partial');
    const t2 = await openStore(f);
    await t2.store.close();
    expect(fs.existsSync(gone)).toBe(false);
    expect(fs.existsSync(live)).toBe(true); // this process is alive
    expect(fs.existsSync(container)).toBe(true); // another pid namespace: that pid means another process
    expect(fs.existsSync(oldStyle)).toBe(true); // no identity in the name: cannot be judged
    for (const p of [live, container, oldStyle]) fs.rmSync(p);
  });
});
