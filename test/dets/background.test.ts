/**
 * Background failures behave: a compaction that keeps failing backs off
 * instead of running after every flush, and an `'error'` listener that
 * throws is treated the same for every kind of failure.
 */
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { COMPACTION_BACKOFF_MAX, COMPACTION_BACKOFF_MIN } from '../../src/dets/store.js';
import { isTermstoreError } from '../../src/errors.js';
import { runChild } from './child.js';
import { FakeClock, FaultyFs, openStore, rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('background');
afterAll(() => rmDir(dir));

describe('a failing automatic compaction', () => {
  test('backs off (1 s, 2 s, 4 s, ... up to 5 min) instead of running after every flush; one report per attempt', async () => {
    const fs = new FaultyFs();
    fs.failOpen = (f) => f.includes('.compact-');
    const clock = new FakeClock();
    const t = await openStore(path.join(dir, 'backoff.tsdb'), { fs, clock, autoSave: false, compaction: { minBytes: 1, ratio: 1.01 } });
    const errors: unknown[] = [];
    t.store.onError = (e) => errors.push(e);
    const attempts = (): number => fs.opens;
    for (let i = 0; i < 60; i++) {
      t.insert([1, `overwrite ${i}`]);
      await t.store.sync();
      await new Promise((r) => setImmediate(r));
    }
    // 60 flushes at the same instant: one attempt, one report.
    expect(attempts()).toBe(1);
    expect(errors.length).toBe(1);
    expect(isTermstoreError(errors[0], 'DETS_IO')).toBe(true);
    const next = async (): Promise<void> => {
      t.insert([1, 'again']);
      await t.store.sync();
      await new Promise((r) => setImmediate(r));
    };
    clock.advance(COMPACTION_BACKOFF_MIN - 1);
    await next();
    expect(attempts()).toBe(1);
    clock.advance(1);
    await next();
    expect(attempts()).toBe(2);
    clock.advance(2 * COMPACTION_BACKOFF_MIN - 1);
    await next();
    expect(attempts()).toBe(2);
    clock.advance(1);
    await next();
    expect(attempts()).toBe(3);
    // The wait never grows past the maximum.
    for (let i = 0; i < 20; i++) {
      clock.advance(COMPACTION_BACKOFF_MAX);
      await next();
    }
    expect(attempts()).toBe(23);
    expect(errors.length).toBe(23);
    // The disk recovers: the next attempt succeeds and the backoff is gone.
    fs.failOpen = undefined;
    clock.advance(COMPACTION_BACKOFF_MAX);
    await next();
    await new Promise((r) => setTimeout(r, 50));
    expect(t.store.compactions).toBe(1);
    expect(errors.length).toBe(23);
    await t.store.close();
  });
});

describe("a throwing 'error' listener", () => {
  test.each(['flush', 'compaction'])('for a %s failure, its exception reaches the process as an uncaught exception', async (kind) => {
    const c = runChild('throwing-listener.mjs', [path.join(dir, `listener-${kind}.tsdb`), kind]);
    const ex = await c.exited;
    expect(ex.code).toBe(1);
    expect(c.stderr()).toContain('listener boom');
  });
});
