/**
 * Many participants on one shared table, for either store: real OS
 * processes and real worker threads, each with its own replica. Nothing
 * here waits on a clock: every wait is for a message or a condition, with
 * the suite timeout only as a safety net.
 */
import { expect, it } from 'vitest';
import { shared, type SharedStore } from '../../src/index.js';
import { inProcess, inWorker, ok, sequenceWriter, type Job, type Running } from './harness.js';

let n = 0;
const unique = (p: string): string => `${p}_${process.pid}_${n++}`;

/** Resolves once `f()` is true, checking on every turn of the event loop (no fixed delay). */
export async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 1));
}

export function participantsSuite(store: () => SharedStore): void {
  const job = (task: Job['task'], table: string, extra: Record<string, unknown> = {}): Job => ({ task, store: store(), table, ...extra });

  it('4 processes and 2 worker threads increment 100 counters 10,000 times each: exact sums on every replica', async () => {
    const table = unique('counters');
    const N = 10_000;
    const KEYS = 100;
    const runs: Running[] = [];
    for (let i = 0; i < 4; i++) runs.push(inProcess(job('count', table, { n: N, keys: KEYS })));
    for (let i = 0; i < 2; i++) runs.push(inWorker(job('count', table, { n: N, keys: KEYS })));
    for (const r of runs) await r.next((m) => m.written === true || m.error !== undefined);
    for (const r of runs) r.send('check');
    const want: Record<string, number> = {};
    for (let k = 0; k < KEYS; k++) want[`k${k}`] = (6 * N) / KEYS;
    // Each participant reads its sums from its own replica after its own writes and a sync.
    for (const r of runs) expect((await ok(r)).sums).toEqual(want);
    const t = await shared.open(table, { store: store() });
    try {
      expect(shared.info(t, 'size')).toBe(KEYS);
      for (let k = 0; k < KEYS; k++) expect(shared.lookup(t, `k${k}`)).toEqual([[`k${k}`, (6 * N) / KEYS]]);
    } finally {
      await shared.delete(t);
    }
  }, 300_000);

  it('an insertNew race between 4 processes and 2 worker threads has exactly one winner', async () => {
    const table = unique('race');
    const runs: Running[] = [];
    for (let i = 0; i < 4; i++) runs.push(inProcess(job('race', table, { id: `p${i}` })));
    for (let i = 0; i < 2; i++) runs.push(inWorker(job('race', table, { id: `w${i}` })));
    const won = [];
    for (const r of runs) won.push((await ok(r)).won);
    expect(won.filter((w) => w === true)).toHaveLength(1);
    const t = await shared.open(table, { store: store() });
    try {
      const [row] = shared.lookup(t, 'race');
      expect(row).toBeDefined();
      // The stored row is the winner's.
      expect(won[['p0', 'p1', 'p2', 'p3', 'w0', 'w1'].indexOf(row![1] as string)]).toBe(true);
    } finally {
      await shared.delete(t);
    }
  }, 300_000);

  it("another process sees a write without calling anything; the writer reads its own writes after every write", async () => {
    const table = unique('visible');
    const t = await shared.open(table, { store: store() });
    try {
      const watcher = inProcess(job('watch', table, { key: 'ping' }));
      await watcher.next((m) => m.ready === true || m.error !== undefined);
      for (let i = 0; i < 50; i++) {
        await shared.insert(t, [`k${i}`, i]);
        expect(shared.lookup(t, `k${i}`)).toEqual([[`k${i}`, i]]);
        expect(await shared.updateCounter(t, `k${i}`, 1)).toBe(i + 1);
        expect(shared.lookupElement(t, `k${i}`, 2)).toBe(i + 1);
      }
      await shared.insert(t, ['ping', 1]);
      expect((await ok(watcher)).seen).toBe(true);
    } finally {
      await shared.delete(t);
    }
  }, 300_000);

  it('a participant killed (SIGKILL) in the middle of writing: every write it had a result for is there, none partly; the others go on', async () => {
    const table = unique('killed');
    const t = await shared.open(table, { store: store() });
    try {
      const w = sequenceWriter(job('sequence', table, { id: 'victim' }));
      let mine = 0;
      // Write alongside the victim until it has acknowledged 300 steps, then kill it mid-stream.
      while (w.acked() < 300) {
        await shared.insert(t, [`mine:${mine}`, mine]);
        mine++;
        if (w.child.exitCode !== null) throw new Error('the writer ended early');
        await new Promise((r) => setImmediate(r));
      }
      w.child.kill('SIGKILL');
      await w.exited;
      const acked = w.acked();
      // The survivor goes on writing, unaware.
      for (let i = 0; i < 20; i++) await shared.insert(t, [`after:${i}`, i]);
      await shared.sync(t);
      const steps = new Map<number, number>();
      for (const [key] of shared.tab2list(t)) {
        const m = /^victim:(\d+):\d$/.exec(key as string);
        if (m !== null) steps.set(Number(m[1]), (steps.get(Number(m[1])) ?? 0) + 1);
      }
      for (let i = 0; i < acked; i++) expect(steps.get(i)).toBe(5);
      // Steps past the last acknowledged one are whole or absent (one may have committed before its ack was printed).
      for (const [i, c] of steps) {
        expect(c).toBe(5);
        expect(i).toBeLessThanOrEqual(acked);
      }
      for (let i = 0; i < mine; i++) expect(shared.lookup(t, `mine:${i}`)).toEqual([[`mine:${i}`, i]]);
      for (let i = 0; i < 20; i++) expect(shared.member(t, `after:${i}`)).toBe(true);
    } finally {
      await shared.delete(t);
    }
  }, 300_000);
}
