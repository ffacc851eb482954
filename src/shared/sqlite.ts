/**
 * The SQLite log store: one machine, any number of processes and worker
 * threads, through better-sqlite3 in WAL mode.
 *
 * Tables (one database may hold many shared tables):
 * - `termstore_tables(id, name, type, keypos, snap_seq, lease, lease_until)`
 * - `termstore_log(tab, seq, entry)`: the log, clustered on `(tab, seq)`;
 *   `seq` runs 1, 2, 3... per table with no gaps (entries below the last
 *   snapshot are trimmed)
 * - `termstore_snapshots(tab, seq, chunk, data)`
 *
 * A write (every ETS write call) runs under the database's write lock
 * (`BEGIN IMMEDIATE`): the replica catches up to the head of the log (once
 * per lock), the ets operation runs on the replica and hands its effects to
 * the table's sink, which appends them as entry head+1; only then does the
 * operation change the replica. So the call is synchronous and returns
 * ETS's result, decided at the head of the log; a call that throws (bad
 * argument, `ETS_NO_KEY`, a failed append) logged and changed nothing; a
 * call that changes nothing (`insertNew` of a present key) logs nothing.
 *
 * Group commit (the default): the lock is kept, and the writes of one
 * synchronous run of code go into one transaction, committed when the run
 * ends (a microtask) or once the batch is {@link BATCH_MS} ms old or holds
 * {@link BATCH_WRITES} writes. Each write is also written to the batch file
 * (`sqlite-batch.ts`) before its call returns, so an acknowledged write
 * survives a SIGKILL of its writer before the commit: whoever takes the
 * lock next puts a dead holder's acknowledged entries into the log first.
 * With `groupCommit: false` or `durability: 'power'` each write is
 * committed before its call returns.
 *
 * Followers need no call from the application: a timer checks
 * `PRAGMA data_version` (a read of the WAL index in shared memory) every
 * `pollInterval` ms and applies new entries, and looks for a batch whose
 * holder died, which it recovers.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { TableType } from '../engines/types.js';
import { TermstoreError, fail } from '../errors.js';
import type { ResolvedOptions } from './options.js';
import { participantId, storeError, type Participant, type ParticipantFacts } from './participant.js';
import { Replica } from './replica.js';
import { LEASE_MS, Snapshots, type SnapshotTarget } from './snapshot.js';
import { CALLS } from './calls.js';
import { BATCH_MS, BATCH_WRITES, BatchFile, RECORDS_AT } from './sqlite-batch.js';

/** Version of the schema below; a store with a newer one is refused. */
const SCHEMA_VERSION = 1;
/** Something to sleep on (`Atomics.wait` on a value that never changes). */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
/** Entries read per query while catching up. */
const READ_BATCH = 4096;
/** How long (ms) a holder that was asked to pause waits before its next batch. */
const YIELD_MS = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS termstore_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS termstore_tables (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  keypos INTEGER NOT NULL,
  snap_seq INTEGER NOT NULL DEFAULT 0,
  lease TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS termstore_log (
  tab INTEGER NOT NULL REFERENCES termstore_tables (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  entry BLOB NOT NULL,
  PRIMARY KEY (tab, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS termstore_snapshots (
  tab INTEGER NOT NULL REFERENCES termstore_tables (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (tab, seq, chunk)
);
INSERT OR IGNORE INTO termstore_meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
INSERT OR IGNORE INTO termstore_meta (key, value) VALUES ('batch', '');
`;

type Stmt = Database.Statement<unknown[], unknown>;

function isBusy(e: unknown): boolean {
  const c = (e as { code?: unknown }).code;
  return c === 'SQLITE_BUSY' || c === 'SQLITE_BUSY_SNAPSHOT' || c === 'SQLITE_LOCKED';
}

/** The write transaction a connection holds: one batch of writes. */
interface Batch {
  /** Random id, written with every record and, at commit, to `termstore_meta`. */
  readonly id: Buffer;
  /** Where the next record goes in the batch file. */
  pos: number;
  /** Writes appended. */
  count: number;
  readonly start: number;
  /** Numbers batches of this connection (a participant catches up once per batch). */
  readonly no: number;
}

/** One better-sqlite3 connection per database file per thread, shared by the tables opened on it. */
class Connection {
  readonly db: Database.Database;
  readonly tables = new Set<SqliteParticipant>();
  private timer: NodeJS.Timeout | undefined;
  private interval = Infinity;
  readonly s: Record<'begin' | 'beginRead' | 'commit' | 'rollback' | 'dataVersion' | 'append' | 'unappend' | 'after' | 'readFrom' | 'tableRow' | 'head' | 'lastBatch' | 'markBatch', Stmt>;
  private durability: 'process' | 'power' = 'process';
  /** False once a table on this connection asked for a commit per write. */
  groupCommit = true;
  readonly batchFile: BatchFile;
  /** The open write transaction, if any. */
  batch: Batch | undefined;
  private batches = 0;
  /** A batch id known to be committed (the last one looked up). */
  private committedBatch: string | undefined;
  /** A batch id seen uncommitted by the last poll (its holder may have died). */
  private suspect: string | undefined;

  constructor(
    readonly file: string,
    private readonly writeTimeout: number,
  ) {
    try {
      this.db = new Database(file, { timeout: writeTimeout });
    } catch (e) {
      throw storeError(e, `opening the SQLite store ${file}`);
    }
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // An append to a table that was deleted fails on the foreign key: no write lands in a dead table's log.
      this.db.pragma('foreign_keys = ON');
      let storeId = '';
      this.transaction(() => {
        this.db.exec(SCHEMA);
        const v = this.db.prepare(`SELECT value FROM termstore_meta WHERE key = 'schema'`).pluck().get() as string | undefined;
        if (v === undefined) this.db.prepare(`INSERT INTO termstore_meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION));
        else if (Number(v) > SCHEMA_VERSION) fail('SHARED_STORE', `shared: the SQLite store ${file} has schema version ${v}; this termstore knows up to ${SCHEMA_VERSION}`, { file });
        storeId = this.db.prepare(`SELECT value FROM termstore_meta WHERE key = 'store_id'`).pluck().get() as string;
      });
      const p = (sql: string): Stmt => this.db.prepare(sql);
      this.s = {
        begin: p('BEGIN IMMEDIATE'),
        beginRead: p('BEGIN'),
        commit: p('COMMIT'),
        rollback: p('ROLLBACK'),
        dataVersion: p('PRAGMA data_version').pluck(),
        append: p('INSERT INTO termstore_log (tab, seq, entry) VALUES (?, ?, ?)'),
        unappend: p('DELETE FROM termstore_log WHERE tab = ? AND seq = ?'),
        after: p('SELECT 1 FROM termstore_log WHERE tab = ? AND seq > ? LIMIT 1').pluck(),
        readFrom: p('SELECT seq, entry FROM termstore_log WHERE tab = ? AND seq > ? ORDER BY seq LIMIT ?').raw(),
        tableRow: p('SELECT snap_seq FROM termstore_tables WHERE id = ?').pluck(),
        head: p('SELECT max(coalesce((SELECT max(seq) FROM termstore_log WHERE tab = ?), 0), snap_seq) FROM termstore_tables WHERE id = ?').pluck(),
        lastBatch: p(`SELECT value FROM termstore_meta WHERE key = 'batch'`).pluck(),
        markBatch: p(`UPDATE termstore_meta SET value = ? WHERE key = 'batch'`),
      };
      this.batchFile = new BatchFile(`${file}-termstore-batch`, Buffer.from(storeId, 'hex'), fs.statSync(file).mode & 0o777);
      // From here on a busy database is retried by `busy` (short sleeps), not
      // by SQLite's handler, whose first sleep (1 ms) is 20 times a write.
      this.db.pragma('busy_timeout = 0');
    } catch (e) {
      this.db.close();
      throw storeError(e, `opening the SQLite store ${file}`);
    }
    live.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const c of live) if (c.batch !== undefined) c.endQuietly(c.batch);
      });
    }
  }

  /** Runs `f` in a write transaction of its own (`BEGIN IMMEDIATE`), after committing any open batch. */
  transaction<R>(f: () => R): R {
    this.flush();
    this.begin();
    try {
      const r = f();
      this.db.prepare('COMMIT').run();
      return r;
    } catch (e) {
      if (this.db.inTransaction) this.db.prepare('ROLLBACK').run();
      throw e;
    }
  }

  /**
   * Takes the write lock, waiting up to writeTimeout. While a batch holds
   * the lock, a waiter looks at the batch file's hand-over words instead of
   * trying SQLite's lock (a failed try costs 3 times a look, and each
   * one contends with the holder for SQLite's locks): it asks the holder
   * to let it in after its batch, and runs `meanwhile` each time a batch
   * ends (a writer catches up with the log while it waits, not after).
   */
  begin(meanwhile?: () => void): void {
    const bf = this.batchFile as BatchFile | undefined;
    if (bf === undefined) {
      this.busy(() => this.db.prepare('BEGIN IMMEDIATE').run());
      return;
    }
    const start = performance.now();
    const me = 1 + Math.floor(Math.random() * 0xfffffffe);
    let ends = -1;
    try {
      for (;;) {
        if (this.tryBegin()) {
          if (bf.signals().claim === me) bf.setClaim(0);
          return;
        }
        if (performance.now() - start > this.writeTimeout) {
          fail('SHARED_UNAVAILABLE', `shared: the SQLite store ${this.file} stayed locked by another connection for longer than writeTimeout`, { file: this.file, inDoubt: false });
        }
        Atomics.wait(SLEEPER, 0, 0, Math.random() * 0.1);
        // Look until the lock is free and this waiter's turn (it claims the
        // next turn when nobody does); a holder that never says it let go
        // (not a batch, or dead), or a claimant that does not come, is
        // passed over after ~2 ms.
        for (let look = 0; look < 20; look++) {
          const sig = bf.signals();
          if (sig.ends !== ends) {
            ends = sig.ends;
            meanwhile?.();
          }
          if (sig.claim === 0) bf.setClaim(me);
          if (sig.held === 0 && (sig.claim === me || sig.claim === 0 || look >= 10)) break;
          Atomics.wait(SLEEPER, 0, 0, 0.05 + Math.random() * 0.1);
        }
      }
    } catch (e) {
      throw storeError(e, 'taking the write lock');
    }
  }

  /** One try at the write lock: false if another connection holds it. */
  private tryBegin(): boolean {
    const limit = Error.stackTraceLimit;
    // A failed try builds an error: without a stack it is cheap.
    Error.stackTraceLimit = 0;
    try {
      this.s.begin.run();
      return true;
    } catch (e) {
      if (isBusy(e)) return false;
      throw e;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /**
   * Runs `f`, retrying while the database is busy (another connection holds
   * the lock it needs) with short randomised sleeps, up to writeTimeout;
   * then `SHARED_UNAVAILABLE`.
   */
  busy<R>(f: () => R): R {
    let start = 0;
    for (let n = 0; ; n++) {
      try {
        return f();
      } catch (e) {
        if (!isBusy(e)) throw e;
        const now = performance.now();
        if (n === 0) start = now;
        else if (now - start > this.writeTimeout) {
          fail('SHARED_UNAVAILABLE', `shared: the SQLite store ${this.file} stayed locked by another connection for longer than writeTimeout`, { file: this.file, inDoubt: false }, e);
        }
        Atomics.wait(SLEEPER, 0, 0, Math.random() * Math.min(2, 0.02 * 2 ** n));
      }
    }
  }

  rollback(): void {
    if (this.db.open && this.db.inTransaction) this.s.rollback.run();
  }

  setDurability(d: 'process' | 'power', groupCommit: boolean): void {
    if (d === 'power' && this.durability !== 'power') {
      this.flush();
      this.db.pragma('synchronous = FULL');
      this.durability = 'power';
    }
    if ((d === 'power' || !groupCommit) && this.groupCommit) {
      this.flush();
      this.groupCommit = false;
    }
  }

  /**
   * The open batch, or a new one: takes the write lock and first puts the
   * entries of a batch whose holder died into the log (committed on their
   * own, so that the batch file can take this batch's records).
   */
  openBatch(meanwhile?: () => void): Batch {
    if (this.batch !== undefined) return this.batch;
    this.begin(meanwhile);
    try {
      this.batchFile.claim();
      if (this.recover()) {
        this.s.commit.run();
        this.begin();
      }
    } catch (e) {
      this.rollback();
      throw storeError(e, `recovering the writes of a dead participant in ${this.file}`);
    }
    // Only batches say they hold the lock (a commit per write holds it too briefly to matter).
    if (this.groupCommit) this.batchFile.hold();
    const b: Batch = { id: randomBytes(8), pos: RECORDS_AT, count: 0, start: performance.now(), no: ++this.batches };
    this.batch = b;
    queueMicrotask(() => this.endQuietly(b));
    return b;
  }

  /**
   * Puts the acknowledged entries of an uncommitted batch (its holder died,
   * or its commit failed) into the log. Called under the write lock. True
   * if it changed anything.
   */
  private recover(): boolean {
    const first = this.batchFile.firstBatch()?.toString('hex');
    // A batch id once committed stays committed: no need to ask again.
    if (first === undefined || first === this.committedBatch) return false;
    if (first === this.s.lastBatch.get()) {
      this.committedBatch = first;
      return false;
    }
    const found = this.batchFile.readBatch();
    for (const rec of found?.records ?? []) {
      const head = this.s.head.get(rec.tab, rec.tab) as number | null | undefined;
      // A table deleted since, or an entry already there: nothing to do.
      if (head === undefined || head === null || rec.seq <= head) continue;
      if (rec.seq !== head + 1) {
        process.emitWarning(`termstore: the batch file ${this.batchFile.path} holds entry ${rec.seq} of table ${rec.tab}, but the log ends at ${head}; entries ${head + 1} to ${rec.seq - 1} are missing, so it was not applied`, { code: 'SHARED_CORRUPT' });
        continue;
      }
      this.s.append.run(rec.tab, rec.seq, rec.entry);
    }
    this.s.markBatch.run(first);
    // This connection's own commits do not move its data_version: its tables look again at the next poll.
    for (const t of this.tables) t.seenVersion = -1;
    return true;
  }

  /**
   * Appends an entry to the open batch. Without group commit, or with `now`,
   * commits it at once (throwing if that fails: the entry is not in the
   * log); else writes its batch-file record, which makes it durable.
   */
  append(b: Batch, tab: number, seq: number, entry: Buffer, now: boolean): void {
    if (this.batch !== b) fail('SHARED_STORE', 'shared: internal error: an append outside its batch');
    this.s.append.run(tab, seq, entry);
    if (now || !this.groupCommit) {
      this.end(b, false);
      return;
    }
    try {
      b.pos = this.batchFile.write(b.pos, b.id, tab, seq, entry);
    } catch (e) {
      this.s.unappend.run(tab, seq);
      throw e;
    }
    b.count++;
  }

  /**
   * Commits batch `b` if it is still open. With `handoff`, and if another
   * connection asked for the lock meanwhile, pauses briefly so that it gets it.
   */
  end(b: Batch, handoff: boolean): void {
    if (this.batch !== b) return;
    this.batch = undefined;
    if (!this.db.open) return;
    // SQLite rolled the transaction back after an error: its records are recovered by the next holder.
    if (!this.db.inTransaction) {
      if (this.groupCommit) this.release(false);
      return;
    }
    try {
      const id = b.count > 0 ? b.id.toString('hex') : undefined;
      if (id !== undefined) this.s.markBatch.run(id);
      this.s.commit.run();
      if (id !== undefined) this.committedBatch = id;
    } catch (e) {
      this.rollback();
      throw storeError(e, `committing to the SQLite store ${this.file}`);
    } finally {
      if (this.groupCommit) this.release(handoff);
    }
  }

  /** Says the lock is free; with `handoff`, pauses for a waiter that claims the next turn. */
  private release(handoff: boolean): void {
    const sig = this.batchFile.signals();
    this.batchFile.release(sig);
    // A waiter claims the next turn: pause until it holds the lock (or YIELD_MS passes).
    if (handoff && sig.claim !== 0) {
      const until = performance.now() + YIELD_MS;
      let taken = false;
      do {
        Atomics.wait(SLEEPER, 0, 0, 0.02);
        taken = this.batchFile.signals().held !== 0;
      } while (!taken && performance.now() < until);
      // Nobody came: the claimant is gone (a live one claims again).
      if (!taken) this.batchFile.setClaim(0);
    }
  }

  /** Ends a write: commits now without group commit, or once the batch is old or full enough. */
  afterWrite(b: Batch): void {
    if (!this.groupCommit) this.end(b, false);
    else if (b.count >= BATCH_WRITES || performance.now() - b.start >= BATCH_MS) this.endQuietly(b, true);
  }

  /**
   * Commits `b`, reporting a failure to the tables open here instead of
   * throwing: its writes were acknowledged and stay in the batch file,
   * from which the next holder of the lock puts them into the log.
   */
  endQuietly(b: Batch, handoff = false): void {
    try {
      this.end(b, handoff);
    } catch (e) {
      for (const t of this.tables) t.background(e);
    }
  }

  /** Commits the open batch, if any. */
  flush(): void {
    if (this.batch !== undefined) this.end(this.batch, false);
  }

  add(t: SqliteParticipant, interval: number): void {
    this.tables.add(t);
    if (interval < this.interval) {
      this.interval = interval;
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = setInterval(() => this.poll(), interval);
      this.timer.unref();
    }
  }

  remove(t: SqliteParticipant): void {
    this.tables.delete(t);
    this.releaseIfUnused();
  }

  /** Closes the connection once no table uses it. */
  releaseIfUnused(): void {
    if (this.tables.size === 0 && this.db.open) {
      if (this.timer !== undefined) clearInterval(this.timer);
      connections.delete(this.file);
      live.delete(this);
      try {
        if (this.batch !== undefined) this.endQuietly(this.batch);
      } finally {
        this.db.close();
        this.batchFile.close();
      }
    }
  }

  dataVersion(): number {
    return this.s.dataVersion.get() as number;
  }

  /**
   * The id of a batch that is in the batch file but not committed (its
   * holder is still writing it, or died), if any.
   */
  uncommitted(): string | undefined {
    const first = this.batchFile.firstBatch()?.toString('hex');
    if (first === undefined || first === this.committedBatch) return undefined;
    if (first === this.busy(() => this.s.lastBatch.get())) {
      this.committedBatch = first;
      return undefined;
    }
    return first;
  }

  /**
   * Recovers an uncommitted batch if nobody holds the write lock (its holder
   * died). True if the batch is dealt with (recovered, or committed meanwhile).
   */
  tryRecover(): boolean {
    if (this.batch !== undefined || this.db.inTransaction) return false;
    try {
      this.s.begin.run();
    } catch (e) {
      if (isBusy(e)) return false; // its holder is alive
      throw e;
    }
    try {
      this.recover();
      this.s.commit.run();
      return true;
    } finally {
      this.rollback();
    }
  }

  /** Applies other connections' commits to every table open here; recovers a dead holder's batch. */
  poll(): void {
    if (!this.db.open || this.batch !== undefined) return;
    let dv: number;
    try {
      // A batch still uncommitted at two polls in a row may have lost its holder.
      const open = this.uncommitted();
      if (open !== undefined && open === this.suspect) this.tryRecover();
      this.suspect = open;
      dv = this.dataVersion();
    } catch (e) {
      if (isBusy(e)) return; // the next tick tries again
      for (const t of this.tables) t.background(e);
      return;
    }
    for (const t of this.tables) if (t.seenVersion !== dv) t.refresh(dv);
  }

  /**
   * Resolves once no batch that was acknowledged before the call is still
   * uncommitted: waits for its holder to commit it, or recovers it if the
   * holder died. `SHARED_UNAVAILABLE` after writeTimeout.
   */
  async settle(): Promise<void> {
    this.flush();
    const start = performance.now();
    const open = this.busy(() => this.uncommitted());
    if (open === undefined) return;
    for (;;) {
      if (this.busy(() => this.uncommitted()) !== open || this.busy(() => this.tryRecover())) return;
      if (performance.now() - start > this.writeTimeout) {
        fail('SHARED_UNAVAILABLE', `shared: a batch of writes in ${this.file} stayed uncommitted for longer than writeTimeout (its writer holds the write lock)`, { file: this.file, inDoubt: false });
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}

/** Open connections, whose batches are committed when the process (or thread) exits. */
const live = new Set<Connection>();
let exitHook = false;

const connections = new Map<string, Connection>();

function connect(file: string, writeTimeout: number): Connection {
  const key = path.resolve(file);
  let c = connections.get(key);
  if (c === undefined || !c.db.open) {
    c = new Connection(key, writeTimeout);
    connections.set(key, c);
  }
  return c;
}

interface TableRecord {
  id: number;
  type: TableType;
  keypos: number;
}

/** Finds or creates the table's record; checks options against it. */
function ensureTable(c: Connection, name: string, o: ResolvedOptions): TableRecord {
  return c.transaction(() => {
    let row = c.db.prepare('SELECT id, type, keypos FROM termstore_tables WHERE name = ?').get(name) as TableRecord | undefined;
    if (row === undefined) {
      const type = o.type ?? 'set';
      const keypos = o.keypos ?? 1;
      const id = c.db.prepare('INSERT INTO termstore_tables (name, type, keypos) VALUES (?, ?, ?)').run(name, type, keypos).lastInsertRowid;
      row = { id: Number(id), type, keypos };
    }
    checkOptions(name, row, o);
    return row;
  });
}

/** Throws `SHARED_OPTIONS_MISMATCH` when the caller's type/keypos differ from the store's. */
export function checkOptions(name: string, row: { type: TableType; keypos: number }, o: ResolvedOptions): void {
  if (o.type !== undefined && o.type !== row.type) {
    fail('SHARED_OPTIONS_MISMATCH', `shared.open: table ${JSON.stringify(name)} is a ${row.type} in the store, not a ${o.type}`, { option: 'type' });
  }
  if (o.keypos !== undefined && o.keypos !== row.keypos) {
    fail('SHARED_OPTIONS_MISMATCH', `shared.open: table ${JSON.stringify(name)} has keypos ${row.keypos} in the store, not ${o.keypos}`, { option: 'keypos' });
  }
}

/** Opens a shared table on a SQLite store: creates or finds it, loads the newest snapshot and the log after it. */
export async function openSqlite(name: string, o: ResolvedOptions): Promise<SqliteParticipant> {
  const c = connect(o.address, o.writeTimeout);
  try {
    c.setDurability(o.durability, o.groupCommit);
    const rec = ensureTable(c, name, o);
    const p = new SqliteParticipant(c, rec, name, o);
    p.load();
    c.add(p, o.pollInterval);
    p.checkSnapshot();
    return p;
  } catch (e) {
    c.releaseIfUnused();
    throw storeError(e, `opening shared table ${JSON.stringify(name)}`);
  }
}

export class SqliteParticipant implements Participant {
  readonly kind = 'sqlite' as const;
  readonly replica: Replica;
  readonly store: string;
  readonly id: number;
  /** The `data_version` this replica has caught up to. */
  seenVersion = -1;
  onGone: (() => void) | undefined;
  private readonly pid = participantId();
  private nextOp = 0;
  /** The batch (its number) in which this replica last caught up to the head. */
  private caughtUp = 0;
  private readonly snapshots: Snapshots;
  private lastError: TermstoreError | undefined;
  private gone = false;

  constructor(
    private readonly c: Connection,
    rec: TableRecord,
    name: string,
    private readonly o: ResolvedOptions,
  ) {
    this.id = rec.id;
    this.store = `sqlite:${c.file}`;
    this.replica = new Replica(name, o.named, rec.type, rec.keypos);
    this.snapshots = new Snapshots(this.replica, o.snapshotEvery, () => this.target(), (e) => {
      if (!this.gone) this.background(e);
    });
  }

  facts(): ParticipantFacts {
    return { position: this.replica.applied, snapshotPosition: this.snapshots.position, participant: this.pid, lastError: this.lastError };
  }

  /** Loads the newest snapshot and the log after it, in one read transaction (a consistent view). */
  load(): void {
    const db = this.c.db;
    const own = !db.inTransaction;
    if (own) this.c.s.beginRead.run();
    try {
      this.seenVersion = this.c.busy(() => this.c.dataVersion());
      const snap = this.c.busy(() => this.c.s.tableRow.get(this.id)) as number | undefined;
      if (snap === undefined) return this.markGone();
      this.snapshots.position = snap;
      if (snap > 0) {
        const chunks = db.prepare('SELECT chunk, data FROM termstore_snapshots WHERE tab = ? AND seq = ? ORDER BY chunk').raw();
        const r = this.replica;
        const id = this.id;
        r.load(
          snap,
          (function* () {
            for (const [n, data] of chunks.iterate(id, snap) as Iterable<[number, Buffer]>) yield r.codec.unchunk(data, `snapshot ${snap} chunk ${n}`);
          })(),
        );
      } else {
        this.replica.load(0, []);
      }
      this.follow();
    } finally {
      if (own && db.inTransaction) this.c.s.commit.run();
    }
  }

  /** Applies the entries after the replica's position; reloads from the snapshot if the log was trimmed past it. */
  private follow(): void {
    const r = this.replica;
    for (;;) {
      const rows = this.c.busy(() => this.c.s.readFrom.all(this.id, r.applied, READ_BATCH)) as Array<[number, Buffer]>;
      if (rows.length === 0) return;
      if (rows[0]![0] !== r.applied + 1) {
        // Trimmed past us: start again from the snapshot.
        this.load();
        return;
      }
      for (const [seq, entry] of rows) r.apply(seq, entry, `${this.id}/${seq}`);
      if (rows.length < READ_BATCH) return;
    }
  }

  /** Called by the connection's poll when another connection committed. */
  refresh(dv: number): void {
    if (this.gone) return;
    try {
      const snap = this.c.busy(() => this.c.s.tableRow.get(this.id)) as number | undefined;
      if (snap === undefined) return this.markGone();
      this.snapshots.position = snap;
      this.follow();
      this.seenVersion = dv;
      this.checkSnapshot();
    } catch (e) {
      this.background(e);
    }
  }

  background(e: unknown): void {
    this.lastError = storeError(e, `following shared table ${this.replica.impl.name}`);
    process.emitWarning(`termstore: ${this.lastError.message}`, { code: this.lastError.code });
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    // Found inside a transaction (a write that caught up): the connection is released once it ends.
    if (this.c.db.inTransaction) queueMicrotask(() => this.c.remove(this));
    else this.c.remove(this);
    this.onGone?.();
  }

  private opId(): string {
    return `${this.pid}.${this.nextOp++}`;
  }

  /**
   * Runs `f` at the head of the log, under the write lock (in this
   * connection's open batch, or a new one); `f` may append entries through
   * `append`. The replica catches up once per batch: while a batch is open
   * nobody else appends. With `commitNow` the batch is committed before
   * this returns.
   */
  private locked<R>(f: (append: (bytes: Buffer) => void) => R, commitNow = false): R {
    if (this.gone) fail('ETS_NO_TABLE', `shared: table ${this.replica.impl.name} was deleted`, { position: 1 });
    const c = this.c;
    const r = this.replica;
    const b = c.openBatch(() => this.catchUp());
    try {
      if (this.caughtUp !== b.no) {
        if (this.behind()) {
          this.follow();
          if (this.gone) this.deleted();
        }
        this.caughtUp = b.no;
      }
      return f((bytes) => {
        const seq = r.applied + 1;
        try {
          c.append(b, this.id, seq, bytes, commitNow);
        } catch (e) {
          if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') this.deleted();
          throw storeError(e, `appending to shared table ${r.impl.name}`);
        }
        r.applied = seq;
      });
    } finally {
      if (commitNow) c.end(b, false);
      else c.afterWrite(b);
    }
  }

  /** Applies committed entries while waiting for the write lock (a failure is left to the catch-up under the lock). */
  private catchUp(): void {
    if (this.gone) return;
    try {
      this.follow();
    } catch {
      // retried under the lock
    }
  }

  /** True if the log holds an entry after this replica's position (called under the lock). */
  private behind(): boolean {
    return this.c.s.after.get(this.id, this.replica.applied) !== undefined;
  }

  /** The table was deleted by another participant: this one is gone too. */
  private deleted(): never {
    const b = this.c.batch;
    if (b !== undefined) this.c.endQuietly(b);
    this.markGone();
    return fail('ETS_NO_TABLE', `shared: table ${this.replica.impl.name} was deleted`, { position: 1 });
  }

  write(fn: string, args: readonly unknown[]): unknown {
    const f = CALLS[fn]!;
    const r = this.replica;
    const out = this.locked((append) => r.withRoute((ops) => append(r.codec.effects(this.opId(), ops)), () => f(r.impl, args)));
    this.checkSnapshot();
    return out;
  }

  /** Starts a snapshot when the log after the last one has grown past the threshold. */
  checkSnapshot(): void {
    if (!this.gone) this.snapshots.check();
  }


  rename(name: string): true {
    this.locked((append) => {
      try {
        this.c.db.prepare('UPDATE termstore_tables SET name = ? WHERE id = ?').run(name, this.id);
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') fail('ETS_NAME_TAKEN', `shared.rename: the store already has a table called ${JSON.stringify(name)}`, { position: 2 });
        throw e;
      }
      const r = this.replica;
      append(r.codec.rename(this.opId(), name));
      r.impl.name = name;
      r.onRename?.(name);
    }, true);
    return true;
  }

  drop(): true {
    this.locked(() => {
      // The log and the snapshots go with it (ON DELETE CASCADE).
      this.c.db.prepare('DELETE FROM termstore_tables WHERE id = ?').run(this.id);
    }, true);
    this.markGone();
    return true;
  }

  async sync(): Promise<void> {
    if (this.gone) return;
    // Writes acknowledged anywhere before this call are committed first (or recovered, if their writer died).
    await this.c.settle();
    if (this.gone) return;
    const dv = this.c.busy(() => this.c.dataVersion());
    this.refresh(dv);
    if (this.lastError !== undefined) {
      const e = this.lastError;
      this.lastError = undefined;
      throw e;
    }
  }

  /** Stops following; a snapshot being written is finished first. */
  async close(): Promise<void> {
    await this.snapshots.idle();
    if (!this.gone) {
      this.gone = true;
      try {
        this.c.flush();
      } finally {
        this.c.remove(this);
      }
    }
  }


  private target(): SnapshotTarget {
    const c = this.c;
    const db = c.db;
    const id = this.id;
    const me = this.pid;
    const tx = <R>(f: () => R): R => {
      if (!db.open) fail('SHARED_STORE', 'shared: the store was closed during a snapshot');
      return c.transaction(f);
    };
    return {
      claim: async () => tx(() => db.prepare('UPDATE termstore_tables SET lease = ?, lease_until = ? WHERE id = ? AND (lease IS NULL OR lease = ? OR lease_until < ?)').run(me, Date.now() + LEASE_MS, id, me, Date.now()).changes === 1),
      writeChunk: async (seq, n, data) => {
        tx(() => db.prepare('INSERT OR REPLACE INTO termstore_snapshots (tab, seq, chunk, data) VALUES (?, ?, ?, ?)').run(id, seq, n, data));
      },
      finish: async (seq) =>
        tx(() => {
          const ok = db.prepare('UPDATE termstore_tables SET snap_seq = ?, lease = NULL, lease_until = 0 WHERE id = ? AND lease = ? AND snap_seq < ?').run(seq, id, me, seq).changes === 1;
          if (ok) db.prepare('DELETE FROM termstore_snapshots WHERE tab = ? AND seq <> ?').run(id, seq);
          return ok;
        }),
      abandon: async (seq) => {
        tx(() => {
          db.prepare('DELETE FROM termstore_snapshots WHERE tab = ? AND seq = ? AND seq <> (SELECT snap_seq FROM termstore_tables WHERE id = ?)').run(id, seq, id);
          db.prepare('UPDATE termstore_tables SET lease = NULL, lease_until = 0 WHERE id = ? AND lease = ?').run(id, me);
        });
      },
      trim: async (from, to) => {
        tx(() => db.prepare('DELETE FROM termstore_log WHERE tab = ? AND seq >= ? AND seq < ?').run(id, from, to));
      },
    };
  }
}
