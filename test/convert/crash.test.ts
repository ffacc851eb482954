/**
 * Crash safety of ets.tab2file: a child writes the same table to the same
 * file over and over and is SIGKILLed at random moments. Whatever the
 * moment, the file under the target name is absent (before the first write
 * completed) or a complete tab file from some round, which file2tab loads
 * with verify; never a damaged one. The temporary files the killed writers
 * leave are removed by the next write to the same target.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ets } from '../../src/index.js';
import { ensureBuilt } from '../build.js';
import { tempDir } from './support.js';

const { dir, cleanup } = tempDir('t2f-crash');
afterAll(cleanup);
const ROWS = 100_000;

/** Runs the child until `killAfterMs` after its first line, kills it, returns the versions it started and finished. */
async function runAndKill(file: string, killAfterMs: number, waitFor: RegExp): Promise<{ started: number; done: number }> {
  const dist = ensureBuilt();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'children', 'tab2file-loop.mjs'), file, String(ROWS)], {
    env: { ...process.env, TERMSTORE_DIST: dist },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let started = 0;
  let done = 0;
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const [tag, v] = line.split(' ');
        if (tag === 'W') started = Number(v);
        if (tag === 'D') done = Number(v);
        if (waitFor.test(line)) resolve();
      }
    });
    void exited.then(() => reject(new Error(`child exited early: ${err}`)));
  });
  await new Promise((r) => setTimeout(r, killAfterMs));
  child.kill('SIGKILL');
  await exited;
  return { started, done };
}

describe('tab2file under SIGKILL', () => {
  it('never leaves a damaged file under the target name', async () => {
    const file = join(dir, 'table.tstab');
    // Killed during the very first write: no file at all, or a complete one.
    await runAndKill(file, 20, /^W 1$/);
    if (existsSync(file)) expect(ets.info(await ets.file2tab(file, { verify: true }), 'size')).toBe(ROWS + 1);
    let midWrite = 0;
    for (let round = 0; round < 8; round++) {
      const { started, done } = await runAndKill(file, 17 + ((round * 37) % 140), /^D 1$/);
      expect(done).toBeGreaterThanOrEqual(1);
      const t = await ets.file2tab(file, { verify: true });
      expect(ets.info(t, 'size')).toBe(ROWS + 1);
      const v = ets.lookup(t, 'version')[0]![1] as number;
      // The file is one that some round finished writing (or was renaming when killed).
      expect(v).toBeGreaterThanOrEqual(done);
      expect(v).toBeLessThanOrEqual(started);
      if (started > done) midWrite++;
      ets.delete(t);
    }
    // Most kills land while a write is in progress (the child writes all the time).
    expect(midWrite).toBeGreaterThan(0);
    // Leftover temporary files are never under the target name, and say what they are.
    for (const f of readdirSync(dir)) expect(f === 'table.tstab' || /^\.table\.tstab\.termstore-tmp-\d+-\d+-[0-9a-f]{24}-[0-9a-f]{8}$/.test(f), f).toBe(true);
    // The next write to the same target removes what the killed writers left.
    const t = await ets.file2tab(file);
    await ets.tab2file(t, file);
    ets.delete(t);
    expect(readdirSync(dir)).toEqual(['table.tstab']);
  });
});
