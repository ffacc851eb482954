import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FlushPolicy, parseAutoSave } from '../../src/dets/flush.js';
import { FakeClock, openStore, rmDir, settle, tmpDir } from './helpers.js';

const dir = tmpDir('flush');
afterAll(() => rmDir(dir));
let n = 0;
const file = (): string => path.join(dir, `f${n++}.dets`);

describe('FlushPolicy', () => {
  test('arms once per dirty period; steady writes do not postpone it', async () => {
    const clock = new FakeClock();
    let flushes = 0;
    let dirty = false;
    const p = new FlushPolicy(3000, clock, async () => {
      flushes++;
      dirty = false;
    }, () => dirty);
    for (let i = 0; i < 100; i++) {
      dirty = true;
      p.noteWrite();
      clock.advance(100);
      await Promise.resolve();
      await Promise.resolve();
    }
    // 10 s of writes every 100 ms: flushed at 3 s, 6 s, 9 s (+ flush time).
    expect(flushes).toBe(3);
    p.dispose();
    expect(clock.armed).toBe(0);
  });

  test('false and 0 never arm a timer', () => {
    const clock = new FakeClock();
    for (const a of [false, 0] as const) {
      const p = new FlushPolicy(a, clock, async () => undefined, () => true);
      p.noteWrite();
      expect(clock.armed).toBe(0);
      expect(p.synchronous).toBe(a === 0);
    }
  });

  test('a failed flush re-arms the timer while data is pending', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const p = new FlushPolicy(1000, clock, () => (++calls === 1 ? Promise.reject(new Error('x')) : Promise.resolve()), () => calls < 2);
    p.noteWrite();
    clock.advance(1000);
    await settle(1);
    expect(clock.armed).toBe(1);
    clock.advance(1000);
    await settle(1);
    expect(calls).toBe(2);
    expect(clock.armed).toBe(0);
  });

  test('parseAutoSave', () => {
    expect(parseAutoSave(undefined)).toBe(3000);
    expect(parseAutoSave(false)).toBe(false);
    expect(parseAutoSave(0)).toBe(0);
    expect(parseAutoSave(-1)).toBeUndefined();
    expect(parseAutoSave(1.5)).toBeUndefined();
    expect(parseAutoSave(true)).toBeUndefined();
  });
});

describe('autoSave on a real file', () => {
  test('default 3000: nothing reaches the disk before the tick, everything after it', async () => {
    const clock = new FakeClock();
    const f = file();
    const t = await openStore(f, { clock });
    const base = fs.statSync(f).size;
    for (let i = 0; i < 100; i++) {
      t.insert([i, 'x'.repeat(10)]);
      clock.advance(29);
    }
    await settle();
    expect(fs.statSync(f).size).toBe(base);
    expect(t.store.journal.pendingWrites).toBe(100);
    clock.advance(100); // t = 3000
    await t.store.whenDurable();
    expect(t.store.journal.pendingWrites).toBe(0);
    expect(fs.statSync(f).size).toBeGreaterThan(base);
    await t.store.close();
  });

  test('autoSave false: only sync writes', async () => {
    const clock = new FakeClock();
    const f = file();
    const t = await openStore(f, { clock, autoSave: false });
    const base = fs.statSync(f).size;
    t.insert([1, 'a']);
    clock.advance(1e9);
    await settle();
    expect(fs.statSync(f).size).toBe(base);
    await t.store.sync();
    expect(fs.statSync(f).size).toBeGreaterThan(base);
    await t.store.close();
  });

  test('autoSave 0: every write is on disk when the call returns', async () => {
    const f = file();
    const t = await openStore(f, { autoSave: 0 });
    let size = fs.statSync(f).size;
    for (let i = 0; i < 20; i++) {
      t.insert([i, i]);
      expect(t.store.journal.pendingWrites).toBe(0);
      const s = fs.statSync(f).size;
      expect(s).toBeGreaterThan(size);
      size = s;
    }
    await t.store.simulateCrash();
    const t2 = await openStore(f);
    expect(t2.rows().length).toBe(20);
    await t2.store.close();
  });

  test('whenDurable resolves after the next flush, not before', async () => {
    const clock = new FakeClock();
    const t = await openStore(file(), { clock, autoSave: 500 });
    t.insert([1, 1]);
    let done = false;
    void t.store.whenDurable().then(() => (done = true));
    await settle();
    expect(done).toBe(false);
    clock.advance(500);
    await settle();
    expect(done).toBe(true);
    await t.store.close();
  });
});
