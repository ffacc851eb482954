/**
 * The shared facade on a PostgreSQL store: promises of ETS's results,
 * arguments the log cannot carry, snapshots, rename and delete across
 * participants, and a store that is down (SHARED_UNAVAILABLE, after
 * writeTimeout, for the write that could not be sent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shared } from '../../src/index.js';
import { codeOfAsync } from '../helpers.js';
import { inProcess, ok } from './harness.js';
import { until } from './participants.js';
import { startCluster, type Cluster } from './pg-cluster.js';

describe('shared tables on PostgreSQL: the facade', () => {
  let cluster: Cluster | undefined;
  let store: `postgres://${string}`;
  beforeAll(async () => {
    cluster = await startCluster();
    store = cluster.url as `postgres://${string}`;
  }, 180_000);
  afterAll(() => cluster?.stop());
  let n = 0;
  const unique = (p: string): string => `${p}_${n++}`;

  it('writes return promises of ETS results; calls made together go out as one batch, applied in call order', async () => {
    const t = await shared.open(unique('batch'), { store });
    const results = await Promise.all([
      shared.insertNew(t, ['k', 1]),
      shared.insertNew(t, ['k', 2]),
      shared.updateCounter(t, 'k', 10),
      shared.updateCounter(t, 'absent', 1).catch((e: { code: string }) => e.code),
      shared.take(t, 'k'),
    ]);
    expect(results).toEqual([true, false, 11, 'ETS_NO_KEY', [['k', 11]]]);
    expect(shared.info(t, 'position')).toBe(1);
    await shared.delete(t);
  });

  it("a participant's writes take effect in the order they were made, across pipelined batches", async () => {
    const t = await shared.open(unique('fifo'), { store, type: 'duplicate_bag' });
    const all: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++) {
      all.push(shared.insert(t, ['k', i]));
      // Let batches go out while more calls are made.
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(shared.info(t, 'position')).toBeGreaterThan(2);
    expect(shared.lookup(t, 'k').map((r) => r[1])).toEqual(Array.from({ length: 300 }, (_, i) => i));
    await shared.delete(t);
  });

  it('a JS function spec or a NaN cannot go in the log: refused with ETS codes, nothing logged', async () => {
    const t = await shared.open(unique('refused'), { store });
    expect(await codeOfAsync(() => shared.selectDelete(t, () => true))).toBe('ETS_BADARG');
    expect(await codeOfAsync(() => shared.insert(t, ['k', NaN]))).toBe('ETS_BAD_TERM');
    expect(await codeOfAsync(() => shared.updateCounter(t, 'k', NaN as never))).toBe('ETS_BADARG');
    expect(await codeOfAsync(() => shared.insert(t, ['k', () => 1] as never))).toBe('ETS_BAD_TERM');
    expect(shared.info(t, 'position')).toBe(0);
    await shared.delete(t);
  });

  it('snapshots, rename and delete are seen by other participants', async () => {
    const name = unique('snap');
    const t = await shared.open(name, { store, snapshotEvery: 300 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => shared.insert(t, [i % 400, i]).then(() => shared.sync(t))));
    for (let i = 0; i < 400; i++) await shared.updateElement(t, i, [2, -i]);
    await until(() => shared.info(t, 'snapshotPosition')! > 0);
    const joiner = await ok(inProcess({ task: 'rows', store, table: name }));
    expect(joiner.rows).toBe(400);
    expect(joiner.snapshotPosition).toBeGreaterThan(0);
    await shared.rename(t, `${name}_new`);
    expect(shared.whereis(`${name}_new`)).toBe(t);
    await ok(inProcess({ task: 'drop', store, table: `${name}_new` }));
    await until(() => shared.info(t) === undefined);
    expect(await codeOfAsync(() => shared.insert(t, ['x']))).toBe('ETS_NO_TABLE');
  });

  it('a store that is down: a write rejects with SHARED_UNAVAILABLE after writeTimeout; reads go on from the replica', async () => {
    const own = await startCluster();
    try {
      const url = own.url as `postgres://${string}`;
      const t = await shared.open(unique('down'), { store: url, writeTimeout: 300 });
      await shared.insert(t, ['k', 1]);
      own.stop();
      const e = await shared.insert(t, ['k', 2]).then(
        () => undefined,
        (err: { code: string; details: { inDoubt: boolean } }) => err,
      );
      expect(e?.code).toBe('SHARED_UNAVAILABLE');
      expect(shared.lookup(t, 'k')).toEqual([['k', 1]]);
      await shared.close(t).catch(() => undefined);
    } finally {
      try {
        own.stop();
      } catch {
        // already stopped
      }
    }
  });
});
