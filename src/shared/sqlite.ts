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
 * A write (every ETS write call) is one SQLite write transaction:
 * `BEGIN IMMEDIATE` takes the database's write lock; the replica catches up
 * to the head of the log (only when `PRAGMA data_version` says another
 * connection committed); the ets operation runs on the replica and hands
 * its effects to the table's sink, which appends them as entry head+1 and
 * commits; only then does the operation change the replica. So the call is
 * synchronous, returns ETS's result, and is durable when it returns; a call
 * that throws (bad argument, `ETS_NO_KEY`, a failed commit) logged and
 * changed nothing. A call that changes nothing (`insertNew` of a present
 * key, `delete` of an absent one) logs nothing.
 *
 * Followers need no call from the application: a timer checks
 * `PRAGMA data_version` (a read of the WAL index in shared memory) every
 * `pollInterval` ms and applies new entries.
 *
 * @module
 */
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { TableType } from '../engines/types.js';
import { TermstoreError, fail } from '../errors.js';
import type { ResolvedOptions } from './options.js';
import { snapshotThreshold } from './options.js';
import { participantId, storeError, type Participant, type ParticipantFacts } from './participant.js';
import { Replica } from './replica.js';
import { LEASE_MS, writeSnapshot, type SnapshotTarget } from './snapshot.js';
import { CALLS } from './calls.js';

/** Version of the schema below; a store with a newer one is refused. */
const SCHEMA_VERSION = 1;
/** Something to sleep on (`Atomics.wait` on a value that never changes). */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
/** Thrown by an append that finds entries after the writer's position. */
const STALE: unique symbol = Symbol('stale replica');
/** Entries read per query while catching up. */
const READ_BATCH = 4096;

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
`;

type Stmt = Database.Statement<unknown[], unknown>;

function isBusy(e: unknown): boolean {
  const c = (e as { code?: unknown }).code;
  return c === 'SQLITE_BUSY' || c === 'SQLITE_BUSY_SNAPSHOT' || c === 'SQLITE_LOCKED';
}

/** One better-sqlite3 connection per database file per thread, shared by the tables opened on it. */
class Connection {
  readonly db: Database.Database;
  readonly tables = new Set<SqliteParticipant>();
  private timer: NodeJS.Timeout | undefined;
  private interval = Infinity;
  readonly s: Record<'begin' | 'beginRead' | 'commit' | 'rollback' | 'dataVersion' | 'append' | 'after' | 'readFrom' | 'tableRow', Stmt>;
  private durability: 'process' | 'power' = 'process';

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
      this.transaction(() => {
        this.db.exec(SCHEMA);
        const v = this.db.prepare(`SELECT value FROM termstore_meta WHERE key = 'schema'`).pluck().get() as string | undefined;
        if (v === undefined) this.db.prepare(`INSERT INTO termstore_meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION));
        else if (Number(v) > SCHEMA_VERSION) fail('SHARED_STORE', `shared: the SQLite store ${file} has schema version ${v}; this termstore knows up to ${SCHEMA_VERSION}`, { file });
      });
      const p = (sql: string): Stmt => this.db.prepare(sql);
      this.s = {
        begin: p('BEGIN IMMEDIATE'),
        beginRead: p('BEGIN'),
        commit: p('COMMIT'),
        rollback: p('ROLLBACK'),
        dataVersion: p('PRAGMA data_version').pluck(),
        // Appends at the head only: nothing may follow the writer's position.
        append: p('INSERT INTO termstore_log (tab, seq, entry) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM termstore_log WHERE tab = ? AND seq > ?)'),
        after: p('SELECT 1 FROM termstore_log WHERE tab = ? AND seq > ? LIMIT 1').pluck(),
        readFrom: p('SELECT seq, entry FROM termstore_log WHERE tab = ? AND seq > ? ORDER BY seq LIMIT ?').raw(),
        tableRow: p('SELECT snap_seq FROM termstore_tables WHERE id = ?').pluck(),
      };
      // From here on a busy database is retried by `busy` (short sleeps), not
      // by SQLite's handler, whose first sleep (1 ms) is 20 times a write.
      this.db.pragma('busy_timeout = 0');
    } catch (e) {
      this.db.close();
      throw storeError(e, `opening the SQLite store ${file}`);
    }
  }

  /** Runs `f` in a write transaction (`BEGIN IMMEDIATE`). */
  transaction<R>(f: () => R): R {
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

  /** Takes the write lock, waiting up to writeTimeout. */
  begin(): void {
    try {
      this.busy(() => (this.s?.begin ?? this.db.prepare('BEGIN IMMEDIATE')).run());
    } catch (e) {
      throw storeError(e, 'taking the write lock');
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

  setDurability(d: 'process' | 'power'): void {
    if (d === 'power' && this.durability !== 'power') {
      this.db.pragma('synchronous = FULL');
      this.durability = 'power';
    }
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
      this.db.close();
    }
  }

  dataVersion(): number {
    return this.s.dataVersion.get() as number;
  }

  /** Applies other connections' commits to every table open here. */
  poll(): void {
    if (!this.db.open) return;
    let dv: number;
    try {
      dv = this.dataVersion();
    } catch (e) {
      if (isBusy(e)) return; // the next tick tries again
      for (const t of this.tables) t.background(e);
      return;
    }
    for (const t of this.tables) if (t.seenVersion !== dv) t.refresh(dv);
  }
}

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
    c.setDurability(o.durability);
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
  private snapSeq = 0;
  private snapshotting = false;
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
  }

  facts(): ParticipantFacts {
    return { position: this.replica.applied, snapshotPosition: this.snapSeq, participant: this.pid, lastError: this.lastError };
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
      this.snapSeq = snap;
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
      this.snapSeq = snap;
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
   * Runs `f` at the head of the log; `f` may append one entry through
   * `append`, which is then committed.
   *
   * Optimistic first: `f` runs on the replica as it is, and its entry goes
   * in with one autocommit statement that appends only if no entry follows
   * the replica's position (SQLite holds its write lock for that
   * statement). If one does (another participant wrote since this replica
   * last looked), or if `f` decided without appending (a result, an error,
   * a no-op) on a replica that turns out to be behind, the replica catches
   * up and `f` runs again. So a write costs one `INSERT` when this
   * participant is at the head, and the decision is the one `f` would make
   * under the lock. After a few lost races (or with `pessimistic`, for
   * writes of more than the log) `f` runs under `BEGIN IMMEDIATE`, which
   * always makes progress.
   */
  private locked<R>(f: (append: (bytes: Buffer) => void) => R, pessimistic = false): R {
    if (this.gone) fail('ETS_NO_TABLE', `shared: table ${this.replica.impl.name} was deleted`, { position: 1 });
    const c = this.c;
    const r = this.replica;
    for (let attempt = 0; ; attempt++) {
      const underLock = pessimistic || attempt >= 3;
      if (underLock) c.begin();
      let done = false;
      let commitFailed = false;
      try {
        if (underLock && this.behind()) {
          // Under the lock nobody else appends: catch up once, then decide.
          this.follow();
          if (this.gone) this.deleted();
        }
        const out = f((bytes) => {
          const seq = r.applied + 1;
          let changes: number;
          try {
            changes = c.busy(() => c.s.append.run(this.id, seq, bytes, this.id, r.applied)).changes;
          } catch (e) {
            if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') this.deleted();
            throw storeError(e, `appending to shared table ${r.impl.name}`);
          }
          if (changes === 0) throw STALE;
          if (underLock) {
            try {
              c.busy(() => c.s.commit.run());
            } catch (e) {
              commitFailed = true;
              throw storeError(e, `committing to shared table ${r.impl.name}`);
            }
          }
          done = true;
          r.applied = seq;
        });
        if (!done && this.behind()) {
          this.follow();
          if (this.gone) this.deleted();
          continue;
        }
        return out;
      } catch (e) {
        if (e === STALE || (!done && !commitFailed && !this.gone && this.behind())) {
          this.follow();
          if (this.gone) this.deleted();
          continue;
        }
        throw e;
      } finally {
        if (underLock && !done) c.rollback();
      }
    }
  }

  /** True if the log holds an entry after this replica's position (called under the lock). */
  private behind(): boolean {
    return this.c.busy(() => this.c.s.after.get(this.id, this.replica.applied)) !== undefined;
  }

  private deleted(): never {
    if (this.c.db.open) this.c.rollback();
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
    const r = this.replica;
    if (r.applied - this.snapSeq >= snapshotThreshold(this.o.snapshotEvery, r.impl.engine.size())) this.maybeSnapshot();
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
      this.c.s.commit.run();
    }, true);
    this.markGone();
    return true;
  }

  async sync(): Promise<void> {
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
    while (this.snapshotting) await new Promise((r) => setImmediate(r));
    if (!this.gone) {
      this.gone = true;
      this.c.remove(this);
    }
  }

  private maybeSnapshot(): void {
    if (this.snapshotting || this.gone) return;
    this.snapshotting = true;
    setImmediate(() => {
      writeSnapshot(this.replica, this.target(), this.snapSeq)
        .then((seq) => {
          if (seq !== undefined) this.snapSeq = seq;
        })
        .catch((e: unknown) => {
          if (!this.gone) this.background(e);
        })
        .finally(() => {
          this.snapshotting = false;
        });
    });
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
