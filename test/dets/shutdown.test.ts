import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dets } from '../../src/dets/index.js';
import { runChild } from './child.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('shutdown');
afterAll(() => rmDir(dir));
let n = 0;

const signals: Record<string, NodeJS.Signals> = { sigterm: 'SIGTERM', sigint: 'SIGINT', sighup: 'SIGHUP', handler: 'SIGTERM' };

async function runCase(how: string, use: 'dets' | 'none', rows: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; file: string; out: string[] }> {
  const file = path.join(dir, `s${n++}.dets`);
  const c = runChild('shutdown.mjs', [file, how, String(rows), use]);
  const sig = signals[how];
  if (sig !== undefined) {
    await c.waitFor(/^READY/);
    c.proc.kill(sig);
  }
  const r = await c.exited;
  return { ...r, file, out: c.lines };
}

describe('graceful shutdown flushes with autoSave: false, and exits as it would without termstore', () => {
  test.each(['end', 'exit3', 'sigterm', 'sigint', 'sighup', 'handler', 'throw'])('%s', async (how) => {
    const rows = 2000;
    const [withDets, without] = await Promise.all([runCase(how, 'dets', rows), runCase(how, 'none', rows)]);
    expect({ code: withDets.code, signal: withDets.signal }).toEqual({ code: without.code, signal: without.signal });
    if (how === 'handler') expect(withDets.out).toContain('HANDLER');
    const t = await dets.openFile(`check-${how}`, { file: withDets.file });
    expect(dets.info(t, 'size')).toBe(rows);
    expect(dets.info(t, 'recovered')!.droppedTailBytes).toBe(0);
    expect(dets.lookup(t, rows - 1)).toEqual([[rows - 1, `row ${rows - 1}`]]);
    await dets.close(t);
  });

  test('the expected statuses', async () => {
    expect((await runCase('exit3', 'dets', 1)).code).toBe(3);
    expect((await runCase('sigterm', 'dets', 1)).signal).toBe('SIGTERM');
    expect((await runCase('handler', 'dets', 1)).code).toBe(7);
    expect((await runCase('end', 'dets', 1)).code).toBe(0);
  });
});

describe('the DETS seed scenario', () => {
  async function seed(autoSave: string, wait: 'none' | 'durable', stop: NodeJS.Signals): Promise<number> {
    const file = path.join(dir, `seed${n++}.dets`);
    const c = runChild('seed.mjs', [file, autoSave, wait]);
    await c.waitFor(/^WRITTEN/);
    c.proc.kill(stop);
    await c.exited;
    const t = await dets.openFile(`seed-check-${n}`, { file });
    const found = dets.lookup(t, 'k').length;
    await dets.close(t);
    return found;
  }

  test('write then SIGKILL before the autoSave timer fired: the write is lost', async () => {
    expect(await seed('600000', 'none', 'SIGKILL')).toBe(0);
  });
  test('autoSave 1000: once the timer made the write durable (no sync), SIGKILL keeps it', async () => {
    expect(await seed('1000', 'durable', 'SIGKILL')).toBe(1);
  });
  test('graceful stop (SIGTERM) right after the write: kept', async () => {
    expect(await seed('default', 'none', 'SIGTERM')).toBe(1);
  });
});
