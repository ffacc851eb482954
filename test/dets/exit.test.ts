/**
 * The ends of a process or thread, under load: signals delivered while the
 * application keeps writing, `process.exit(n)`, worker threads ended every
 * way, and `whenDurable` at the end of a program. Real processes.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dets } from '../../src/dets/index.js';
import { ROOT } from './build.js';
import { runChild } from './child.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('exit');
afterAll(() => rmDir(dir));
let n = 0;

/** Rows of the busy child's file: its loop and timer counters must be contiguous from 0. */
async function countsOf(file: string): Promise<{ loop: number; timer: number; damaged: number }> {
  const t = await dets.openFile(`busy-check-${n++}`, { file, repair: false });
  const rows = dets.tab2list(t);
  const loop = rows.filter((r) => typeof r[0] === 'number').map((r) => r[0] as number);
  const timer = rows.filter((r) => typeof r[0] === 'string').map((r) => Number((r[0] as string).slice(1)));
  const damaged = dets.info(t, 'recovered')!.damaged.length;
  await dets.close(t);
  const contiguous = (xs: number[]): number => {
    const s = new Set(xs);
    for (let i = 0; i < xs.length; i++) if (!s.has(i)) return -1;
    return xs.length;
  };
  return { loop: contiguous(loop), timer: contiguous(timer), damaged };
}

async function busy(how: string, sig: NodeJS.Signals | undefined, autoSave = 'default') {
  const file = path.join(dir, `busy${n++}.dets`);
  const c = runChild('busy.mjs', [file, how, autoSave]);
  let last = { loop: 0, timer: 0 };
  if (sig !== undefined) {
    const line = await c.waitFor(/^AT (\d{5,}) /, 60_000);
    const [, a, b] = line.split(' ');
    last = { loop: Number(a), timer: Number(b) };
    c.proc.kill(sig);
  }
  const ex = await c.exited;
  // Lines printed before the signal was sent were written before it.
  return { ...ex, file, last, stderr: c.stderr(), out: c.lines };
}

describe('a signal while the application keeps writing', () => {
  test.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s: every write made before it is on disk, and the process ends by the signal', async (sig) => {
    const r = await busy(sig.toLowerCase(), sig);
    expect(r.stderr).not.toMatch(/UNCAUGHT|DETS_CLOSED/);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: null, signal: sig });
    const got = await countsOf(r.file);
    expect(got.damaged).toBe(0);
    expect(got.loop).toBeGreaterThanOrEqual(r.last.loop);
    expect(got.timer).toBeGreaterThanOrEqual(r.last.timer);
  });

  test('with autoSave: false too', async () => {
    const r = await busy('sigterm', 'SIGTERM', 'false');
    expect(r.signal).toBe('SIGTERM');
    expect((await countsOf(r.file)).loop).toBeGreaterThanOrEqual(r.last.loop);
  });

  test("the application's own handler decides: it exits with 7, everything written is kept", async () => {
    const r = await busy('handler', 'SIGTERM');
    expect(r.out).toContain('HANDLER');
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 7, signal: null });
    expect((await countsOf(r.file)).loop).toBeGreaterThanOrEqual(r.last.loop);
  });

  test('process.exit(5) in the middle of the writes keeps 5 and every write', async () => {
    const r = await busy('exit5', undefined);
    expect(r.stderr).not.toMatch(/UNCAUGHT/);
    expect(r.code).toBe(5);
    expect((await countsOf(r.file)).loop).toBeGreaterThanOrEqual(50_000);
  });
});

describe('one signal-exit', () => {
  test('the production dependency tree holds a single copy of signal-exit', () => {
    const out = execFileSync('npm', ['ls', 'signal-exit', '--all', '--omit=dev', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
    const copies = out.split('\n').filter((l) => /node_modules[/\\]signal-exit$/.test(l.trim()));
    expect(copies.length).toBe(1);
  });

  test('a process with an open table has one listener per signal', async () => {
    const file = path.join(dir, 'listeners.dets');
    const c = runChild('listeners.mjs', [file]);
    const line = await c.waitFor(/^LISTENERS/);
    await c.exited;
    expect(line).toBe('LISTENERS 1 1 1');
  });
});

describe('worker threads', () => {
  test.each(['natural', 'terminate', 'exit'])('a table opened in a worker that ends by %s keeps every write, and its lock is gone', async (how) => {
    const file = path.join(dir, `worker-${how}.dets`);
    const rows = 5000;
    const c = runChild('worker-host.mjs', [file, how, String(rows)]);
    await c.waitFor(/^WRITTEN/);
    if (how !== 'exit') expect(await c.waitFor(/^MAIN/)).toBe(`MAIN ${rows}`);
    const ex = await c.exited;
    expect(ex.code).toBe(0);
    expect(c.stderr()).toBe('');
    const t = await dets.openFile(`worker-check-${how}`, { file });
    expect(dets.info(t, 'size')).toBe(rows);
    await dets.close(t);
  });
});

describe('whenDurable at the end of a program', () => {
  test.each(['default', 'false'])('keeps the process alive until the write is durable (autoSave %s)', async (autoSave) => {
    const file = path.join(dir, `durable-${autoSave}.dets`);
    const c = runChild('durable.mjs', [file, autoSave]);
    const ex = await c.exited;
    expect(c.lines).toContain('AFTER');
    expect(ex.code).toBe(0);
    const t = await dets.openFile(`durable-check-${autoSave}`, { file });
    expect(dets.lookup(t, 'k').length).toBe(1);
    await dets.close(t);
    expect(fs.existsSync(file)).toBe(true);
  });
});
