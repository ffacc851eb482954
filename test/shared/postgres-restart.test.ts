/**
 * PostgreSQL restarted (`pg_ctl restart -m fast`) while participants write:
 * they reconnect; every resolved write is in the table exactly once; a
 * rejected write carries SHARED_UNAVAILABLE and, unless it is in doubt, is
 * absent; an in-doubt one is there at most once. Nothing vanishes, nothing
 * is applied twice (the table is a duplicate_bag: a second application
 * would be a second row).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shared } from '../../src/index.js';
import { inProcess, ok } from './harness.js';
import { startCluster, type Cluster } from './pg-cluster.js';

describe('shared tables on PostgreSQL: a server restart mid-run', () => {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 180_000);
  afterAll(() => cluster?.stop());

  it('participants reconnect; nothing lost, nothing applied twice; writes during the outage complete after it or reject with a code', async () => {
    const store = cluster!.url as `postgres://${string}`;
    const table = `restart_${process.pid}`;
    const t = await shared.open(table, { store, type: 'duplicate_bag' });
    const N = 4000;
    const runs = [0, 1, 2].map((id) => inProcess({ task: 'stream', store, table, type: 'duplicate_bag', id, n: N }));
    // Restart once every writer is under way.
    for (const r of runs) await r.next((m) => (typeof m.progress === 'number' && m.progress > 200) || m.done === true || m.error !== undefined);
    cluster!.restart();
    const results = [];
    for (const r of runs) results.push(await ok(r));
    await shared.sync(t);
    const count = new Map<string, number>();
    for (const row of shared.tab2list(t)) {
      const k = `${String(row[1])}:${String(row[2])}`;
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    for (let id = 0; id < 3; id++) {
      const { resolved, rejected } = results[id] as { resolved: number; rejected: Array<{ i: number; code: string; inDoubt: boolean }> };
      expect(resolved + rejected.length).toBe(N);
      const bad = new Set(rejected.map((x) => x.i));
      for (const x of rejected) {
        expect(x.code).toBe('SHARED_UNAVAILABLE');
        expect(count.get(`${id}:${x.i}`) ?? 0).toBeLessThanOrEqual(x.inDoubt ? 1 : 0);
      }
      for (let i = 0; i < N; i++) if (!bad.has(i)) expect(count.get(`${id}:${i}`)).toBe(1);
    }
    // The participant in this process followed the restart too: a fresh write and read work.
    await shared.insert(t, ['after', 0, 0]);
    expect(shared.lookup(t, 'after')).toEqual([['after', 0, 0]]);
    await shared.delete(t);
  }, 300_000);
});
