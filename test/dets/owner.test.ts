/**
 * Rewrites keep the table file's permission bits and owner: a 0600 file
 * owned by a service user stays so after compaction, repair and upgrade
 * (the tests run as root, so `chown` works; as another user they check the
 * mode only).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dets } from '../../src/dets/index.js';
import { ROOT } from './build.js';
import { framesOf } from './frames.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('owner');
afterAll(() => rmDir(dir));
const root = process.getuid?.() === 0;
const UID = 4321;
const GID = 4322;

function secure(file: string): void {
  fs.chmodSync(file, 0o600);
  if (root) fs.chownSync(file, UID, GID);
}

function expectSecure(file: string): void {
  const st = fs.statSync(file);
  expect(st.mode & 0o7777).toBe(0o600);
  if (root) expect([st.uid, st.gid]).toEqual([UID, GID]);
}

describe('mode and owner survive every rewrite', () => {
  test('compaction (manual and automatic)', async () => {
    const file = path.join(dir, 'compact.tsdb');
    const t = await dets.openFile('own-compact', { file, compaction: { minBytes: 1, ratio: 1.01 } });
    dets.insert(t, [1, 'a']);
    await dets.sync(t);
    secure(file);
    for (let i = 0; i < 200; i++) dets.insert(t, [1, `overwrite ${i}`]);
    await dets.compact(t);
    expectSecure(file);
    await dets.sync(t);
    await dets.close(t);
    expectSecure(file);
  });

  test('repair of a damaged file (and the kept original is the original)', async () => {
    const file = path.join(dir, 'repair.tsdb');
    const t = await dets.openFile('own-repair', { file });
    for (let i = 0; i < 3000; i++) dets.insert(t, [i, 'row']);
    await dets.close(t);
    const fr = framesOf(file)[1]!;
    const b = fs.readFileSync(file);
    b[fr.offset + 60]! ^= 0x01;
    fs.writeFileSync(file, b);
    secure(file);
    const t2 = await dets.openFile('own-repair', { file });
    const kept = dets.info(t2, 'recovered')!.keptAs!;
    await dets.close(t2);
    expectSecure(file);
    expectSecure(kept);
    expect(fs.readFileSync(kept).equals(b)).toBe(true);
  });

  test('the upgrade of a version-1 file', async () => {
    const file = path.join(dir, 'upgrade.tsdb');
    fs.copyFileSync(path.join(ROOT, 'fixtures', 'dets', 'v1.tsdb'), file);
    secure(file);
    const t = await dets.openFile('own-upgrade', { file });
    expect(dets.info(t, 'recovered')!.upgradedFrom).toBe(1);
    await dets.close(t);
    expectSecure(file);
  });
});
