/**
 * A late joiner after 1M operations loads a snapshot, not the history.
 *
 * The 1M entries are put in the log directly, in one transaction, as 1M
 * single-row writes by other participants would have left it (written one
 * by one through the API they would take the suite a minute; the bench
 * does that). A first participant then opens the table, replays the 1M
 * entries, writes a snapshot and trims the log; a late joiner must load
 * that snapshot and the few entries after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { shared } from '../../src/index.js';
import { EntryCodec } from '../../src/shared/codec.js';
import { inProcess, ok } from './harness.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'termstore-joiner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a participant joining after 1M operations loads the snapshot and the tail', async () => {
  const file = path.join(dir, 'tables.db');
  const store = `sqlite:${file}` as const;
  const OPS = 1_000_000;
  const KEYS = 100_000;
  const t0 = await shared.open('big', { store, type: 'set' });
  await shared.close(t0);
  const db = new Database(file);
  const id = db.prepare('SELECT id FROM termstore_tables WHERE name = ?').pluck().get('big') as number;
  const codec = new EntryCodec(1);
  const ins = db.prepare('INSERT INTO termstore_log (tab, seq, entry) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= OPS; i++) ins.run(id, i, codec.effects(`filler.${i}`, [{ op: 'insert', rows: [[i % KEYS, i]] }]));
  })();
  db.close();
  // The first participant replays the history and snapshots it (it closes only once the snapshot is written).
  const first = await ok(inProcess({ task: 'rows', store, table: 'big' }));
  expect(first).toMatchObject({ rows: KEYS, position: OPS });
  const late = await shared.open('big', { store });
  try {
    expect(shared.info(late, 'snapshotPosition')).toBe(OPS);
    expect(shared.info(late, 'position')).toBe(OPS);
    expect(shared.info(late, 'size')).toBe(KEYS);
    for (const k of [0, 1, 4242, KEYS - 1]) expect(shared.lookup(late, k)).toEqual([[k, OPS - ((OPS - k) % KEYS)]]);
    shared.insert(late, ['after', 1]);
    expect(shared.info(late, 'position')).toBe(OPS + 1);
    // Committed once this synchronous run of code ends (group commit); sync waits for that.
    await shared.sync(late);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT count(*) FROM termstore_log WHERE tab = ?').pluck().get(id)).toBe(2);
    check.close();
  } finally {
    await shared.close(late);
  }
}, 300_000);

it.each(['set', 'ordered_set', 'bag', 'duplicate_bag'] as const)('a %s loaded from a snapshot holds exactly the rows, in the order, the writer had', async (type) => {
  const store = `sqlite:${path.join(dir, `types-${type}.db`)}` as const;
  const writer = await shared.open('t', { store, type, snapshotEvery: 50 });
  try {
    // Keys out of order, repeated keys, exact duplicates, deletes: 300 entries, so several snapshots.
    for (let i = 0; i < 300; i++) {
      const k = (i * 37) % 101;
      if (i % 7 === 6) shared.delete(writer, (i * 11) % 101);
      else shared.insert(writer, [k, i % 3]);
    }
    shared.insert(writer, [['a', 'tuple', 'key'] as unknown as number, 'x']);
    shared.insert(writer, [1.5, 'float key']);
    await shared.sync(writer);
    const want = shared.tab2list(writer);
    // The first write past 50 entries started a snapshot, which runs once the loop above yields: at the head.
    const head = shared.info(writer, 'position') ?? 0;
    expect(head).toBeGreaterThan(100);
    while ((shared.info(writer, 'snapshotPosition') ?? 0) < head) await new Promise((r) => setTimeout(r, 10));
    const late = await shared.open('t', { store });
    try {
      expect(shared.info(late, 'snapshotPosition')).toBeGreaterThan(0);
      expect(shared.tab2list(late)).toEqual(want);
      expect(shared.info(late, 'size')).toBe(want.length);
      for (const k of [0, 37, 74, 100]) expect(shared.lookup(late, k)).toEqual(shared.lookup(writer, k));
    } finally {
      await shared.close(late);
    }
  } finally {
    await shared.close(writer);
  }
});
