/**
 * Crash tests: a child writes continuously (autoSave 15 ms, a sync after
 * every 200 writes, reporting "S n" once writes 1..n are durable) and is
 * SIGKILLed at random moments, some while a compaction runs. After each kill
 * the file must reopen holding exactly the state after some prefix P of the
 * child's writes with P >= the last reported sync: every synced write is
 * there and nothing that was never written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { dets } from '../../src/dets/index.js';
import type { Row } from '../../src/term/types.js';
import { runChild } from './child.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('crash');
afterAll(() => rmDir(dir));

// The child's write sequence (see children/writer.mjs).
const K = 500;
const payload = (s: number): string => `p${s}-${'x'.repeat(s % 61)}`;

/** The smallest prefix length P >= lo whose state equals `rows`, or -1. */
function matchingPrefix(all: readonly Row[], lo: number, ballast: number): number {
  const rows = all.filter((r) => typeof r[0] === 'number');
  const extra = all.filter((r) => typeof r[0] !== 'number');
  if (extra.length !== ballast || !extra.every((r) => /^b\d+$/.test(r[0] as string) && r[1] === -1 && r[2] === 'ballast')) return -1;
  const got = new Map<number, number>();
  let maxSeq = 0;
  for (const r of rows) {
    const [k, s, p] = r as [number, number, string];
    if (typeof s !== 'number' || s % K !== k || s % 5 === 4 || p !== payload(s)) return -1; // never written
    got.set(k, s);
    maxSeq = Math.max(maxSeq, s);
  }
  // Replay the model; candidates are maxSeq .. maxSeq + 10 (later ops can only be deletes).
  const model = new Map<number, number>();
  const same = (): boolean => model.size === got.size && [...model].every(([k, s]) => got.get(k) === s);
  for (let s = 1; s <= Math.max(maxSeq, lo) + 10; s++) {
    if (s % 5 === 4) model.delete((s * 7) % K);
    else model.set(s % K, s);
    if (s >= lo && s >= maxSeq && same()) return s;
  }
  return lo === 0 && got.size === 0 ? 0 : -1;
}

async function oneRun(i: number, mode: 'plain' | 'compact', file: string): Promise<{ synced: number; prefix: number; compactions: number }> {
  const c = runChild('writer.mjs', [file, mode]);
  await c.waitFor(/^READY/);
  if (mode === 'compact') {
    await c.waitFor(/^C$/);
    // Kill while the compaction runs, at a random point of it.
    await new Promise((r) => setTimeout(r, (i * 7) % 15));
  } else {
    await new Promise((r) => setTimeout(r, 20 + ((i * 37) % 200)));
  }
  c.proc.kill('SIGKILL');
  const ex = await c.exited;
  expect(ex.signal).toBe('SIGKILL');
  let synced = 0;
  for (const l of c.lines) if (l.startsWith('S ')) synced = Math.max(synced, Number(l.slice(2)));
  const t = await dets.openFile(`crash-${i}`, { file, repair: false });
  const rows = dets.tab2list(t);
  const prefix = matchingPrefix(rows, synced, mode === 'compact' ? 20_000 : 0);
  const rec = dets.info(t, 'recovered')!;
  expect(rec.damaged).toEqual([]);
  await dets.close(t);
  // No temporary file survives a reopen.
  expect(fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(`${path.basename(file)}.compact-`))).toEqual([]);
  return { synced, prefix, compactions: c.lines.filter((l) => l === 'c').length };
}

describe('SIGKILL at random moments', () => {
  // 60 runs: 40 plain, 20 killed during a compaction; 4 at a time.
  const runs = Array.from({ length: 60 }, (_, i) => ({ i, mode: (i % 3 === 2 ? 'compact' : 'plain') as 'plain' | 'compact' }));
  test('every synced write survives, nothing unwritten appears', { timeout: 180_000 }, async () => {
    const results: Array<{ synced: number; prefix: number; compactions: number; mode: string }> = [];
    const queue = [...runs];
    const worker = async (w: number): Promise<void> => {
      const file = path.join(dir, `w${w}.dets`);
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
        const r = await oneRun(job.i, job.mode, file);
        expect(r.prefix, `run ${job.i} (${job.mode}): synced ${r.synced}`).toBeGreaterThanOrEqual(r.synced);
        results.push({ ...r, mode: job.mode });
        // The child's write sequence restarts at 1: start each run on a fresh file.
        fs.rmSync(file, { force: true });
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    expect(results.length).toBe(60);
    const killedDuringCompaction = results.filter((r) => r.mode === 'compact' && r.compactions === 0).length;
    const synced = results.map((r) => r.synced).sort((a, b) => a - b);
    console.log(`crash runs: 60, median synced writes ${synced[30]}, max ${synced[59]}, killed before their first compaction finished: ${killedDuringCompaction}/20`);
    expect(results.every((r) => r.prefix >= r.synced)).toBe(true);
    expect(results.filter((r) => r.synced > 0).length).toBeGreaterThan(40);
  });
});
