import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dets } from '../../src/dets/index.js';
import { acquireLock, lockDir, ownerIsDead, selfOwner } from '../../src/dets/lock.js';
import { isTermstoreError } from '../../src/errors.js';
import { runChild } from './child.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('lock');
afterAll(() => rmDir(dir));

describe('one writer per file across processes', () => {
  test('a second process fails at once; after SIGKILL of the holder, reopen is immediate', async () => {
    const file = path.join(dir, 'held.dets');
    const holder = runChild('holder.mjs', [file]);
    await holder.waitFor(/^READY/);

    const second = runChild('holder.mjs', [file]);
    const line = await second.waitFor(/^ERROR/);
    const [, code, ms] = line.split(' ');
    expect(code).toBe('DETS_LOCKED');
    expect(Number(ms)).toBeLessThan(500);
    expect(line).toContain(file); // the error names the file
    expect((await second.exited).code).toBe(2);

    // In this process too:
    let err: unknown;
    try {
      await dets.openFile('other', { file });
    } catch (e) {
      err = e;
    }
    expect(isTermstoreError(err, 'DETS_LOCKED')).toBe(true);
    expect((err as { details: { pid: number } }).details.pid).toBe(holder.proc.pid);

    holder.proc.kill('SIGKILL');
    await holder.exited;
    expect(fs.existsSync(lockDir(file))).toBe(true); // the dead holder's lock is still there

    const t0 = performance.now();
    const t = await dets.openFile('taken-over', { file });
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(1000);
    expect(dets.lookup(t, holder.proc.pid!).length).toBe(1);
    await dets.close(t);
    expect(fs.existsSync(lockDir(file))).toBe(false);

    // And a fresh child can take it after we closed.
    const third = runChild('holder.mjs', [file]);
    const ready = await third.waitFor(/^READY/);
    expect(Number(ready.split(' ')[1])).toBeLessThan(1000);
    third.proc.kill('SIGKILL');
    await third.exited;
    const again = runChild('holder.mjs', [file]);
    await again.waitFor(/^READY/);
    again.proc.kill('SIGTERM');
    await again.exited;
    expect(fs.existsSync(lockDir(file))).toBe(false); // graceful exit releases the lock
  });

  test("access: 'read' takes no lock and opens while a writer holds the file", async () => {
    const file = path.join(dir, 'shared.dets');
    const holder = runChild('holder.mjs', [file]);
    await holder.waitFor(/^READY/);
    const r = await dets.openFile('reader', { file, access: 'read' });
    expect(dets.lookup(r, holder.proc.pid!).length).toBe(1);
    await dets.close(r);
    holder.proc.kill('SIGKILL');
    await holder.exited;
  });
});

describe('owner detection', () => {
  test('dead, reused and foreign owners', () => {
    const me = selfOwner();
    expect(ownerIsDead(me)).toBe(false);
    expect(ownerIsDead({ ...me, pid: 2 ** 22 + 12345 })).toBe(true); // no such pid
    if (me.startTime !== undefined) expect(ownerIsDead({ ...me, startTime: '1' })).toBe(true); // our pid, earlier process
    expect(ownerIsDead({ ...me, host: 'elsewhere', pid: 2 ** 22 + 12345 })).toBe(false); // other host: cannot tell
    if (me.bootId !== undefined) expect(ownerIsDead({ ...me, bootId: 'before-reboot' })).toBe(true);
  });

  test('a lock left by a dead owner is taken over; a live one is not', () => {
    const file = path.join(dir, 'manual.dets');
    const d = lockDir(file);
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'owner.json'), JSON.stringify({ ...selfOwner(), pid: 2 ** 22 + 777 }));
    const l = acquireLock(file, () => undefined);
    expect(JSON.parse(fs.readFileSync(path.join(d, 'owner.json'), 'utf8')).pid).toBe(process.pid);
    let err: unknown;
    try {
      acquireLock(file, () => undefined);
    } catch (e) {
      err = e;
    }
    expect(isTermstoreError(err, 'DETS_LOCKED')).toBe(true);
    l.release();
    expect(fs.existsSync(d)).toBe(false);
  });
});

describe('a lost lock', () => {
  test('is reported as an error and refuses writes, never thrown', async () => {
    const { openStore } = await import('./helpers.js');
    const file = path.join(dir, 'lost.dets');
    const t = openStore(file, { lockStale: 2000, autoSave: false });
    const errors: unknown[] = [];
    t.store.onError = (e) => errors.push(e);
    t.insert([1, 'a']);
    fs.rmSync(lockDir(file), { recursive: true, force: true }); // someone removed our lock
    for (let i = 0; i < 40 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(errors.length).toBe(1);
    expect(isTermstoreError(errors[0], 'DETS_LOCKED')).toBe(true);
    let err: unknown;
    try {
      t.insert([2, 'b']);
    } catch (e) {
      err = e;
    }
    expect(isTermstoreError(err, 'DETS_LOCKED')).toBe(true);
    expect(t.lookup(1).length).toBe(1); // reads still work
    await t.store.close();
  });
});
