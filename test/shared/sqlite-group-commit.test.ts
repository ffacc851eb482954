/**
 * Group commit on a SQLite store: writes acknowledged before their batch is
 * committed survive a SIGKILL of their writer (the batch file), reach every
 * replica without a call, and are never replayed into another database.
 */
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readlinkSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../src/dets/crc32.js';
import { shared, type SharedStore } from '../../src/index.js';
import { EntryCodec } from '../../src/shared/codec.js';
import { inProcess, inWorker, ok, sequenceWriter } from './harness.js';
import { until } from './participants.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'termstore-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const N = 300;

/** Runs a `burst` writer (N acknowledged inserts, then SIGKILL before its batch commits); returns how many it acknowledged. */
async function burst(store: SharedStore, table: string): Promise<number> {
  const w = sequenceWriter({ task: 'burst', store, table, n: N });
  await w.exited;
  expect(w.child.signalCode).toBe('SIGKILL');
  return w.acked();
}

/** How many descriptors of this process are open on `file` (Linux: /proc/self/fd). */
function openFiles(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** Entries of `table` committed in the log, read with a connection of SQLite's own. */
function committed(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM termstore_log WHERE tab = (SELECT id FROM termstore_tables WHERE name = ?)').pluck().get(table) as number;
  } finally {
    db.close();
  }
}

const rows = (t: Parameters<typeof shared.tab2list>[0]): number => shared.tab2list(t).filter(([k]) => String(k).startsWith('burst:')).length;

describe('shared tables on SQLite: group commit', () => {
  it('a writer killed before its batch is committed: every write it acknowledged reaches the log and a replica that calls nothing', async () => {
    const file = path.join(dir, 'killed.db');
    const store: SharedStore = `sqlite:${file}`;
    expect(await burst(store, 'k')).toBe(N);
    // Its last batch was never committed: those writes are only in the batch file.
    expect(committed(file, 'k')).toBeLessThan(N);
    expect(existsSync(`${file}-termstore-batch`)).toBe(true);
    // A replica that only reads its own copy sees all of them (its poll recovers the dead writer's batch).
    const t = await shared.open('k', { store });
    try {
      const deadline = Date.now() + 30_000; // a bound for failure only: two polls (10 ms) suffice
      await until(() => rows(t) === N || Date.now() > deadline);
      expect(rows(t)).toBe(N);
      for (let i = 0; i < N; i++) expect(shared.lookup(t, `burst:${i}`)).toEqual([[`burst:${i}`, i]]);
      expect(committed(file, 'k')).toBe(N);
      // The log goes on after them.
      shared.insert(t, ['after', 1]);
      expect(shared.info(t, 'position')).toBe(N + 1);
    } finally {
      await shared.close(t);
    }
  }, 120_000);

  it('sync after a writer died mid-batch includes every write it acknowledged; so does the next write', async () => {
    const file = path.join(dir, 'sync.db');
    const store: SharedStore = `sqlite:${file}`;
    const t = await shared.open('s', { store, pollInterval: 60_000 });
    try {
      expect(await burst(store, 's')).toBe(N);
      await shared.sync(t);
      expect(rows(t)).toBe(N);
      expect(await burst(store, 's')).toBe(N); // the same keys again, entries N+1..2N
      shared.insert(t, ['after', 1]); // recovers them first: the log has no gap
      expect(shared.info(t, 'position')).toBe(2 * N + 1);
      await Promise.resolve(); // the end of this run of code commits the write
      expect(committed(file, 's')).toBe(2 * N + 1);
    } finally {
      await shared.close(t);
    }
  }, 120_000);

  it('a worker thread terminated in the middle of a batch: every write it acknowledged reaches the other replicas', async () => {
    const file = path.join(dir, 'worker.db');
    const store: SharedStore = `sqlite:${file}`;
    const t = await shared.open('w', { store });
    try {
      let acked = -1;
      const w = inWorker({ task: 'endless', store, table: 'w' });
      await w.next((m) => {
        acked = Math.max(acked, (m.acked as number | undefined) ?? -1);
        return acked >= 500;
      });
      await w.terminate();
      // The worker's descriptors went with it: only this thread's connection has the batch file open.
      expect(openFiles(`${file}-termstore-batch`)).toBe(1);
      // Acknowledgements that were still on their way count too.
      for (let i = acked + 1; await Promise.race([w.next((m) => m.acked === i).then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]); i++) acked = i;
      await shared.sync(t);
      for (let i = 0; i <= acked; i++) expect(shared.lookup(t, `endless:${i}`)).toEqual([[`endless:${i}`, i]]);
      shared.insert(t, ['after', 1]);
      expect(shared.lookup(t, 'after')).toEqual([['after', 1]]);
    } finally {
      await shared.close(t);
    }
  }, 120_000);

  it('a process told of a write by its writer, whose batch is still open, finds it after sync', async () => {
    const file = path.join(dir, 'told.db');
    const store: SharedStore = `sqlite:${file}`;
    const t = await shared.open('h', { store, pollInterval: 60_000 });
    try {
      const w = inProcess({ task: 'hold', store, table: 'h', n: 50, holdMs: 1500 });
      // The writer says it wrote, then computes on with its batch open (the lock held).
      await w.next((m) => m.acked === 50);
      await shared.sync(t);
      for (let i = 0; i < 50; i++) expect(shared.lookup(t, `hold:${i}`)).toEqual([[`hold:${i}`, i]]);
      await ok(w);
    } finally {
      await shared.close(t);
    }
  }, 120_000);

  it('a damaged batch file: what fits the log is applied, an entry after a gap is reported, a huge length is not read', async () => {
    const file = path.join(dir, 'damaged.db');
    const store: SharedStore = `sqlite:${file}`;
    const t0 = await shared.open('d', { store });
    shared.insert(t0, ['k', 1]);
    await shared.close(t0);
    const db = new Database(file);
    const storeId = Buffer.from(db.prepare(`SELECT value FROM termstore_meta WHERE key = 'store_id'`).pluck().get() as string, 'hex');
    const tab = db.prepare('SELECT id FROM termstore_tables WHERE name = ?').pluck().get('d') as number;
    db.close();
    // As a writer that died would leave it: header, then records of one batch.
    const codec = new EntryCodec(1);
    const batch = Buffer.from('0123456789abcdef', 'hex');
    const record = (seq: number, entry: Buffer, len = entry.length): Buffer => {
      const h = Buffer.alloc(36);
      h.writeUInt32LE(0x52425354, 0);
      h.writeUInt32LE(len, 4);
      batch.copy(h, 8);
      h.writeDoubleLE(tab, 16);
      h.writeDoubleLE(seq, 24);
      h.writeUInt32LE(crc32(entry, crc32(h.subarray(0, 32))), 32);
      return Buffer.concat([h, entry]);
    };
    const header = Buffer.alloc(64);
    header.writeUInt32LE(0x46425354, 0);
    header.writeUInt32LE(1, 4);
    storeId.copy(header, 8);
    writeFileSync(
      `${file}-termstore-batch`,
      Buffer.concat([
        header,
        record(2, codec.effects('dead.0', [{ op: 'insert', rows: [['fits', 2]] }])),
        record(4, codec.effects('dead.1', [{ op: 'insert', rows: [['gap', 4]] }])),
        record(5, Buffer.alloc(16), 0xfffffff0),
      ]),
    );
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => void warnings.push(`${w.code}`);
    process.on('warning', onWarning);
    const t = await shared.open('d', { store });
    try {
      await shared.sync(t);
      expect(shared.tab2list(t).sort()).toEqual([['fits', 2], ['k', 1]]);
      expect(shared.info(t, 'position')).toBe(2);
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual(['SHARED_CORRUPT']);
    } finally {
      process.off('warning', onWarning);
      await shared.close(t);
    }
  });

  it('a batch file left over from another database is never replayed into a new one', async () => {
    const file = path.join(dir, 'reused.db');
    const store: SharedStore = `sqlite:${file}`;
    expect(await burst(store, 'b')).toBe(N);
    copyFileSync(`${file}-termstore-batch`, path.join(dir, 'kept-batch'));
    for (const s of ['', '-wal', '-shm']) rmSync(`${file}${s}`, { force: true });
    copyFileSync(path.join(dir, 'kept-batch'), `${file}-termstore-batch`);
    // A new database at the same path, with a table of the same name (and id).
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => void warnings.push(`${w.code}: ${w.message}`);
    process.on('warning', onWarning);
    const t = await shared.open('b', { store });
    try {
      await shared.sync(t);
      shared.insert(t, ['fresh', 1]);
      await shared.sync(t);
      expect(shared.tab2list(t)).toEqual([['fresh', 1]]);
      expect(committed(file, 'b')).toBe(1);
      // Not even looked at: no complaint about entries that do not fit.
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await shared.close(t);
    }
  }, 120_000);

  it('a claim on the next turn left by a waiter that went away is cleared by the holder', async () => {
    const file = path.join(dir, 'claim.db');
    const t = await shared.open('c', { store: `sqlite:${file}` });
    try {
      shared.insert(t, ['k', 0]);
      await shared.sync(t);
      // A waiter claimed the next turn and died (the claim word, after the header's store id).
      const fd = openSync(`${file}-termstore-batch`, 'r+');
      const word = Buffer.alloc(4);
      try {
        word.writeUInt32LE(12345, 0);
        writeSync(fd, word, 0, 4, 24);
        // A full batch (1,024 writes) ends with a hand-over: nobody takes the lock, so the claim goes.
        for (let i = 0; i < 1100; i++) shared.insert(t, ['k', i]);
        readSync(fd, word, 0, 4, 24);
        expect(word.readUInt32LE(0)).toBe(0);
      } finally {
        closeSync(fd);
      }
    } finally {
      await shared.close(t);
    }
  });

  it('groupCommit: false commits each write before it returns; groupCommit must be a boolean', async () => {
    const file = path.join(dir, 'each.db');
    const t = await shared.open('e', { store: `sqlite:${file}`, groupCommit: false });
    try {
      shared.insert(t, ['k', 1]);
      expect(committed(file, 'e')).toBe(1);
      shared.insert(t, ['k', 2]);
      expect(committed(file, 'e')).toBe(2);
      // No batch-file records: nothing is acknowledged before its commit.
      expect(statSync(`${file}-termstore-batch`).size).toBe(64);
    } finally {
      await shared.close(t);
    }
    await expect(shared.open('e', { store: `sqlite:${file}`, groupCommit: 'yes' as never })).rejects.toMatchObject({ code: 'ETS_BADARG' });
  });

  it('with group commit (the default), a write is acknowledged through the batch file and committed by the end of its synchronous run of code', async () => {
    const file = path.join(dir, 'run.db');
    const t = await shared.open('r', { store: `sqlite:${file}` });
    try {
      shared.insert(t, ['k', 1]);
      shared.insert(t, ['k', 2]);
      // Acknowledged through the batch file (whether or not the batch was committed yet)...
      expect(statSync(`${file}-termstore-batch`).size).toBeGreaterThan(64);
      await Promise.resolve();
      // ...and committed by the end of the run of code at the latest.
      expect(committed(file, 'r')).toBe(2);
    } finally {
      await shared.close(t);
    }
  });
});
