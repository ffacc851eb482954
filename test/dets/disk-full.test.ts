/**
 * A real full disk: a 512 KiB tmpfs (mounting needs root; where it is not
 * permitted the test says why and checks that it is that). Writes past the
 * end of the space fail with DETS_IO naming ENOSPC, nothing on disk is
 * damaged, and once space is freed the same writes go through.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dets } from '../../src/dets/index.js';
import { isTermstoreError } from '../../src/errors.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('diskfull');
const mnt = path.join(dir, 'mnt');
let mounted = false;
let why = '';

beforeAll(() => {
  fs.mkdirSync(mnt);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt], { encoding: 'utf8' });
  mounted = r.status === 0;
  why = r.error?.message ?? r.stderr.trim();
});
afterAll(() => {
  if (mounted) spawnSync('umount', [mnt]);
  rmDir(dir);
});

describe('a full disk (tmpfs)', () => {
  test('sync fails with DETS_IO (ENOSPC), the file stays whole, and freeing space lets the same writes through', async () => {
    if (!mounted) {
      console.log(`tmpfs not mounted: ${why}`);
      expect(why).toMatch(/permi|denied|only root|not found/i);
      return;
    }
    const file = path.join(mnt, 't.tsdb');
    const filler = path.join(mnt, 'filler');
    const t = await dets.openFile('full', { file, autoSave: false });
    t.on('error', () => undefined);
    for (let i = 0; i < 100; i++) dets.insert(t, [i, 'before']);
    await dets.sync(t);
    // Fill the rest of the disk.
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(16 * 1024));
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const onDisk = fs.readFileSync(file);
    for (let i = 100; i < 3000; i++) dets.insert(t, [i, 'after'.repeat(10)]);
    let err: unknown;
    try {
      await dets.sync(t);
    } catch (e) {
      err = e;
    }
    expect(isTermstoreError(err, 'DETS_IO')).toBe(true);
    expect((err as { details: { errno: string } }).details.errno).toBe('ENOSPC');
    expect(fs.readFileSync(file).equals(onDisk)).toBe(true);
    expect(dets.info(t, 'pendingWrites')).toBe(2900);
    // Space again: the writes that waited go through.
    fs.rmSync(filler);
    await dets.sync(t);
    await dets.close(t);
    const again = await dets.openFile('full-again', { file, repair: false });
    expect(dets.info(again, 'size')).toBe(3000);
    await dets.close(again);
  });
});
