import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isTermstoreError } from '../../src/errors.js';
import { runChild } from './child.js';
import { openStore, rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('size');
afterAll(() => rmDir(dir));
let n = 0;
const file = (): string => path.join(dir, `f${n++}.dets`);

function code(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return isTermstoreError(e) ? e.code : String(e);
  }
  return undefined;
}

const MAX = 64 * 1024;

describe('maxFileSize', () => {
  test('a write past the limit throws DETS_FILE_TOO_LARGE, changes nothing, the table stays usable', async () => {
    const f = file();
    const t = await openStore(f, { maxFileSize: MAX, autoSave: false });
    let i = 0;
    let c: string | undefined;
    while ((c = code(() => t.insert([i, 'v'.repeat(100)]))) === undefined) i++;
    expect(c).toBe('DETS_FILE_TOO_LARGE');
    expect(t.lookup(i).length).toBe(0); // the refused row is not there
    expect(t.rows().length).toBe(i);
    // buffered bytes counted: nothing was flushed yet
    expect(t.store.journal.projectedLength).toBeLessThanOrEqual(MAX - t.store.deleteHeadroom);
    // reads work, deletes work (headroom), smaller writes work while they fit
    expect(t.lookup(0).length).toBe(1);
    for (let k = 0; k < 50; k++) t.delete(k);
    expect(t.rows().length).toBe(i - 50);
    // after deletes, compaction makes room again for new rows
    for (let k = 0; k < 40; k++) t.insert([100_000 + k, 'v'.repeat(100)]);
    expect(t.store.compactions).toBeGreaterThan(0);
    await t.store.sync();
    expect(fs.statSync(f).size).toBeLessThanOrEqual(MAX);
    await t.store.close();
    const t2 = await openStore(f, { maxFileSize: MAX });
    expect(t2.rows().length).toBe(i - 50 + 40);
    await t2.store.close();
  });

  test('overwriting the same keys never hits the limit: compaction runs synchronously', async () => {
    const f = file();
    const t = await openStore(f, { maxFileSize: MAX, autoSave: false });
    for (let round = 0; round < 100; round++) for (let k = 0; k < 20; k++) t.insert([k, round, 'x'.repeat(50)]);
    expect(t.store.compactions).toBeGreaterThan(0);
    await t.store.close();
    expect(fs.statSync(f).size).toBeLessThanOrEqual(MAX);
    const t2 = await openStore(f);
    expect(t2.rows().every((r) => r[1] === 99)).toBe(true);
    await t2.store.close();
  });

  test('a single row larger than the limit is refused; deletes still work when full', async () => {
    const f = file();
    const t = await openStore(f, { maxFileSize: MAX, autoSave: 0 });
    let err: unknown;
    try {
      t.insert([1, 'x'.repeat(MAX)]);
    } catch (e) {
      err = e;
    }
    expect(isTermstoreError(err) && err.code).toBe('DETS_FILE_TOO_LARGE');
    // the numbers in the error add up: the file plus the write goes past the limit, and the message says the same
    const d = (err as { details: { fileSize: number; bytes: number; limit: number; maxFileSize: number } }).details;
    expect(d.maxFileSize).toBe(MAX);
    expect(d.limit).toBeLessThanOrEqual(MAX);
    expect(d.fileSize).toBeLessThanOrEqual(d.limit);
    expect(d.bytes).toBeGreaterThan(MAX);
    expect(d.fileSize + d.bytes).toBeGreaterThan(d.limit);
    const msg = (err as Error).message;
    expect(msg).toContain(`writing ${d.bytes} bytes`);
    expect(msg).toContain(`to ${d.fileSize + d.bytes} bytes`);
    expect(msg).toContain(`holds ${d.fileSize} bytes`);
    expect(t.rows().length).toBe(0);
    let i = 0;
    while (code(() => t.insert([i, 'y'.repeat(500)])) === undefined) i++;
    // fill the delete headroom with deletes of present keys
    for (let k = 0; k < i; k++) expect(code(() => t.delete(k))).toBeUndefined();
    expect(t.rows().length).toBe(0);
    expect(fs.statSync(f).size).toBeLessThanOrEqual(MAX);
    await t.store.close();
  });

  test('deletes of absent keys are not journaled', async () => {
    const t = await openStore(file(), { autoSave: false });
    t.delete('nope');
    expect(t.store.journal.pendingWrites).toBe(0);
    await t.store.close();
  });
});

describe('maxFileSize in a worker thread', () => {
  test('a write past the limit is refused (no synchronous compaction off the main thread), a background compaction starts, and the retried write goes in', async () => {
    const file = path.join(dir, 'worker-size.dets');
    const max = 128 * 1024;
    const c = runChild('worker-size.mjs', [file, String(max)]);
    expect(await c.waitFor(/^REFUSED /, 60_000)).toBe('REFUSED DETS_FILE_TOO_LARGE true');
    expect(await c.waitFor(/^ACCEPTED /, 60_000)).toMatch(/^ACCEPTED [0-9]+$/);
    const main = (await c.waitFor(/^MAIN /, 60_000)).split(' ');
    expect((await c.exited).code).toBe(0);
    expect(main[1]).toBe('50');
    expect(main[2]).toBe('last');
    expect(Number(main[3])).toBeLessThanOrEqual(max);
  });
});
