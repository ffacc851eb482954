/**
 * The PostgreSQL log store: participants on many machines that share a
 * PostgreSQL URL, through postgres.js (`postgres` on npm).
 *
 * Why postgres.js: it pipelines queries on a connection (a participant's
 * next batch is on the wire while the previous one commits), reconnects by
 * itself, re-LISTENs after a reconnect and calls us back so we can catch
 * up, and has no native parts. node-postgres (`pg`) waits for each reply
 * before sending the next query.
 *
 * Tables: `termstore_tables(id, name, type, keypos, head, snap_seq, lease,
 * lease_until)`, `termstore_log(tab, seq, op_id, entry)` with a unique index
 * on `(tab, op_id)`, `termstore_snapshots(tab, seq, chunk, data)`.
 *
 * Order without gaps. A bigserial read as "seq > last" would skip an entry
 * whose transaction commits after a later one. Here one statement both
 * takes the table's row lock and assigns the next position
 * (`UPDATE termstore_tables SET head = head + 1 ... RETURNING head`), then
 * inserts the entry at it; the lock is held until the commit, and a
 * transaction is visible to every new snapshot before its locks are
 * released, so entry n+1 can only commit once entry n is visible: the
 * committed entries are always a prefix 1..head.
 *
 * Writes. ETS calls are batched: the calls made while the participant's
 * previous batches are in flight go out together as one entry (one
 * statement, one commit), and up to two batches are pipelined on the one
 * connection appends use (so they take positions in call order). Every
 * replica runs the calls in log order, so conditional calls are decided
 * the same way everywhere; a call's promise settles with ETS's result (or
 * error) when this replica applies the entry (read-your-writes).
 *
 * Idempotence. Each batch has an op id; a retry after a lost connection
 * sends the same id, and the unique index turns a second copy into an
 * error that tells us the first one committed. A write retries through
 * outages until `writeTimeout`, then rejects with `SHARED_UNAVAILABLE`
 * (`details.inDoubt`: whether an attempt may have reached the server, in
 * which case the entry may still appear, once, in the log).
 *
 * Followers are woken by LISTEN/NOTIFY (`pg_notify` in the append
 * statement, delivered at commit), by every reconnect of the listener, and
 * by a slow safety poll.
 *
 * @module
 */
import postgres from 'postgres';
import type { TableType } from '../engines/types.js';
import { TermstoreError, fail } from '../errors.js';
import type { Row } from '../term/types.js';
import { NotLoggableError, type Call } from './codec.js';
import { redact, type ResolvedOptions } from './options.js';
import { participantId, storeError, type Participant, type ParticipantFacts } from './participant.js';
import { Replica, type Outcome } from './replica.js';
import { LEASE_MS, Snapshots, type SnapshotTarget } from './snapshot.js';
import { checkOptions } from './sqlite.js';
import { CALLS } from './calls.js';

const SCHEMA_VERSION = 1;
const CHANNEL = 'termstore_log';
/** Calls per batch entry. */
const MAX_BATCH = 4096;
/** Batches of one participant on the wire at once. */
const MAX_IN_FLIGHT = 2;
/** Entries read per query while catching up. */
const READ_BATCH = 4096;
/** Key of the advisory lock that serialises schema creation. */
const SCHEMA_LOCK = 7_418_231_905;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS termstore_meta (key text PRIMARY KEY, value text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS termstore_tables (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    type text NOT NULL,
    keypos integer NOT NULL,
    head bigint NOT NULL DEFAULT 0,
    snap_seq bigint NOT NULL DEFAULT 0,
    lease text,
    lease_until timestamptz
  )`,
  `CREATE TABLE IF NOT EXISTS termstore_log (
    tab bigint NOT NULL REFERENCES termstore_tables (id) ON DELETE CASCADE,
    seq bigint NOT NULL,
    op_id text NOT NULL,
    entry bytea NOT NULL,
    PRIMARY KEY (tab, seq)
  )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS termstore_log_op ON termstore_log (tab, op_id)`,
  `CREATE TABLE IF NOT EXISTS termstore_snapshots (
    tab bigint NOT NULL REFERENCES termstore_tables (id) ON DELETE CASCADE,
    seq bigint NOT NULL,
    chunk integer NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (tab, seq, chunk)
  )`,
];

type Sql = postgres.Sql<{ bigint: number }>;

/** Connection-level failures after which a retry may succeed. */
const TRANSIENT = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '40001',
  '40P01',
]);

function transient(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (TRANSIENT.has(code) || code.startsWith('08'));
}

/** Whether a failed attempt may have reached the server (so may have committed). */
function mayHaveReached(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return !(code === 'ECONNREFUSED' || code === 'CONNECT_TIMEOUT' || code === '57P03' || code === '53300' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EAI_AGAIN');
}

/** True if `x` is or holds NaN (which is not a term, and which the log's encoding would not refuse). */
function holdsNaN(x: unknown, depth = 0): boolean {
  if (typeof x === 'number') return x !== x;
  if (typeof x !== 'object' || x === null || depth > 100) return false;
  if (Array.isArray(x)) return x.some((v) => holdsNaN(v, depth + 1));
  if (x instanceof Map) {
    for (const [k, v] of x) if (holdsNaN(k, depth + 1) || holdsNaN(v, depth + 1)) return true;
    return false;
  }
  if (ArrayBuffer.isView(x)) return false;
  return Object.values(x).some((v) => holdsNaN(v, depth + 1));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One postgres.js client per URL per thread, shared by the tables opened on it. */
class Connection {
  readonly sql: Sql;
  /**
   * The one connection appends go through: queries on one connection run in
   * the order sent, so a participant's pipelined batches take positions in
   * the order its calls were made.
   */
  readonly appends: Sql;
  readonly tables = new Map<number, PostgresParticipant>();
  private timer: NodeJS.Timeout | undefined;
  private interval = Infinity;
  private listening: Promise<unknown> | undefined;
  private ready: Promise<void> | undefined;

  constructor(readonly url: string) {
    const options = (max: number): postgres.Options<{}> => ({
      max,
      connect_timeout: 10,
      // No array types are used; and postgres.js leaves the rejection of its type query unhandled when a
      // connection drops in the middle of it (a server restart), which would end a user's process.
      fetch_types: false,
      onnotice: () => undefined,
      connection: { application_name: 'termstore' },
      types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    });
    this.sql = postgres(url, options(3)) as unknown as Sql;
    this.appends = postgres(url, options(1)) as unknown as Sql;
  }

  /** Creates the schema (once per store; serialised by an advisory lock) and starts listening. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await this.sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`;
        for (const s of SCHEMA) await tx.unsafe(s);
        const [v] = await tx`SELECT value FROM termstore_meta WHERE key = 'schema'`;
        if (v === undefined) await tx`INSERT INTO termstore_meta (key, value) VALUES ('schema', ${String(SCHEMA_VERSION)})`;
        else if (Number(v.value) > SCHEMA_VERSION) fail('SHARED_STORE', `shared: the PostgreSQL store has schema version ${String(v.value)}; this termstore knows up to ${SCHEMA_VERSION}`);
      });
      this.listening = this.sql.listen(
        CHANNEL,
        (payload) => this.tables.get(Number(payload))?.wake(),
        () => {
          for (const t of this.tables.values()) t.wake();
        },
      );
      await this.listening;
    })();
    return this.ready;
  }

  add(t: PostgresParticipant, interval: number): void {
    this.tables.set(t.id, t);
    if (interval < this.interval) {
      this.interval = interval;
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = setInterval(() => {
        for (const p of this.tables.values()) p.wake();
      }, interval);
      this.timer.unref();
    }
  }

  async remove(t: PostgresParticipant): Promise<void> {
    if (this.tables.get(t.id) === t) this.tables.delete(t.id);
    await this.releaseIfUnused();
  }

  async releaseIfUnused(): Promise<void> {
    if (this.tables.size > 0 || connections.get(this.url) !== this) return;
    connections.delete(this.url);
    if (this.timer !== undefined) clearInterval(this.timer);
    await Promise.all([this.sql.end({ timeout: 5 }), this.appends.end({ timeout: 5 })]);
  }
}

const connections = new Map<string, Connection>();

interface TableRecord {
  id: number;
  type: TableType;
  keypos: number;
}

/** Opens a shared table on a PostgreSQL store. */
export async function openPostgres(name: string, o: ResolvedOptions): Promise<PostgresParticipant> {
  let c = connections.get(o.address);
  if (c === undefined) {
    c = new Connection(o.address);
    connections.set(o.address, c);
  }
  try {
    await c.init();
    const sql = c.sql;
    await sql`INSERT INTO termstore_tables (name, type, keypos) VALUES (${name}, ${o.type ?? 'set'}, ${o.keypos ?? 1}) ON CONFLICT (name) DO NOTHING`;
    const [row] = await sql<TableRecord[]>`SELECT id, type, keypos FROM termstore_tables WHERE name = ${name}`;
    if (row === undefined) fail('ETS_NO_TABLE', `shared.open: table ${JSON.stringify(name)} was deleted while it was being opened`, { position: 1 });
    checkOptions(name, row, o);
    const p = new PostgresParticipant(c, row, name, o);
    c.add(p, o.pollInterval);
    try {
      await p.catchUp();
    } catch (e) {
      await c.remove(p);
      throw e;
    }
    return p;
  } catch (e) {
    await c.releaseIfUnused().catch(() => undefined);
    if (e instanceof TermstoreError) throw e;
    if (transient(e)) fail('SHARED_UNAVAILABLE', `shared.open: the PostgreSQL store ${redact(o.address)} cannot be reached (${String((e as { code?: unknown }).code)})`, { inDoubt: false }, e);
    throw storeError(e, `opening shared table ${JSON.stringify(name)}`);
  }
}

interface Pending {
  call: Call;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class PostgresParticipant implements Participant {
  readonly kind = 'postgres' as const;
  readonly replica: Replica;
  readonly store: string;
  readonly id: number;
  onGone: (() => void) | undefined;
  private readonly sql: Sql;
  private readonly pid = participantId();
  private nextOp = 0;
  private queue: Pending[] = [];
  private lastBatch: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private scheduled = false;
  private following: Promise<void> | undefined;
  private again = false;
  private waiters: Array<{ seq: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private readonly snapshots: Snapshots;
  private lastError: TermstoreError | undefined;
  private gone = false;
  private closing = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly c: Connection,
    rec: TableRecord,
    name: string,
    private readonly o: ResolvedOptions,
  ) {
    this.id = rec.id;
    this.sql = c.sql;
    this.store = redact(o.address);
    this.replica = new Replica(name, o.named, rec.type, rec.keypos);
    this.snapshots = new Snapshots(this.replica, o.snapshotEvery, () => this.target(), (e) => {
      if (!this.gone) this.lastError = storeError(e, 'writing a snapshot');
    });
  }

  facts(): ParticipantFacts {
    return { position: this.replica.applied, snapshotPosition: this.snapshots.position, participant: this.pid, lastError: this.lastError };
  }

  private goneError(fn: string): TermstoreError {
    try {
      return fail('ETS_NO_TABLE', `${fn}: shared table ${this.replica.impl.name} is closed or was deleted`, { position: 1 });
    } catch (e) {
      return e as TermstoreError;
    }
  }

  // ------------------------------------------------------------ writes

  write(fn: string, args: readonly unknown[]): Promise<unknown> {
    if (this.gone || this.closing) return Promise.reject(this.goneError(`shared.${fn}`));
    if (this.replica.broken !== undefined) return Promise.reject(this.replica.broken);
    const call: Call = { fn, args };
    if (args.some(holdsNaN)) return this.refuseLocally(fn, args);
    try {
      // Encode now: an argument that cannot be logged is refused at once.
      this.replica.codec.calls('', [call]);
    } catch (e) {
      if (!(e instanceof NotLoggableError)) return Promise.reject(e);
      const isFn = args.some((a) => typeof a === 'function');
      try {
        fail(
          isFn ? 'ETS_BADARG' : 'ETS_BAD_TERM',
          isFn ? `shared.${fn}: a JS function cannot be put in a PostgreSQL table's log; use a match spec` : `shared.${fn}: ${e.message} (an argument is not a term)`,
          { position: 2 },
        );
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ call, resolve, reject });
      this.schedule();
    });
  }

  /**
   * NaN is not a term, and the log cannot carry it; every ETS call refuses
   * it before looking at the table. Run the call on the replica, with its
   * changes vetoed, for ETS's own error.
   */
  private refuseLocally(fn: string, args: readonly unknown[]): Promise<never> {
    const veto = new Error('veto');
    try {
      this.replica.withRoute(
        () => {
          throw veto;
        },
        () => CALLS[fn]!(this.replica.impl, args),
      );
    } catch (e) {
      if (e !== veto) return Promise.reject(e);
    }
    return Promise.reject(new TermstoreError('ETS_BAD_TERM', `shared.${fn}: NaN is not a term (argument 2)`, { details: { position: 2 } }));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.inFlight < MAX_IN_FLIGHT) void this.send(this.queue.splice(0, MAX_BATCH));
    });
  }

  private async send(batch: Pending[]): Promise<void> {
    this.inFlight++;
    // A retry waits for the batches sent before it to settle, so that a batch never overtakes an earlier one.
    const prev = this.lastBatch;
    let settled!: () => void;
    this.lastBatch = new Promise<void>((r) => (settled = r));
    const opId = `${this.pid}.${this.nextOp++}`;
    const r = this.replica;
    const settle = (outcomes: Outcome[]): void => {
      for (let i = 0; i < batch.length; i++) {
        const o = outcomes[i];
        if (o === undefined) batch[i]!.reject(r.broken ?? this.goneError(`shared.${batch[i]!.call.fn}`));
        else if (o.ok) batch[i]!.resolve(o.value);
        else batch[i]!.reject(o.error);
      }
    };
    const rejectAll = (e: unknown): void => {
      for (const p of batch) p.reject(e);
    };
    try {
      const bytes = r.codec.calls(
        opId,
        batch.map((p) => p.call),
      );
      r.expect(opId, settle);
      const seq = await this.append(opId, bytes, prev);
      if (seq === undefined || seq <= r.applied) {
        // Applied already (by this replica: settled; or only in a snapshot this replica reloaded from).
        if (r.forget(opId)) {
          rejectAll(
            new TermstoreError('SHARED_UNAVAILABLE', `shared: the write was committed, but this replica reloaded from a snapshot past it, so its result is lost`, {
              details: { inDoubt: false, applied: true },
            }),
          );
        }
      } else {
        this.wake();
      }
    } catch (e) {
      r.forget(opId);
      rejectAll(e);
    } finally {
      settled();
      this.inFlight--;
      this.schedule();
      if (this.inFlight === 0 && this.queue.length === 0) for (const f of this.idle.splice(0)) f();
    }
  }

  /** Appends one entry with retries; returns its position (undefined if it committed earlier and was trimmed since). */
  private async append(opId: string, bytes: Buffer, prev: Promise<void>): Promise<number | undefined> {
    const deadline = Date.now() + this.o.writeTimeout;
    let reached = false;
    for (let attempt = 0; ; attempt++) {
      let timedOut = false;
      let sent = false;
      try {
        if (attempt > 0) await prev;
        const q = this.c.appends`
          WITH h AS (UPDATE termstore_tables SET head = head + 1 WHERE id = ${this.id} RETURNING head),
               i AS (INSERT INTO termstore_log (tab, seq, op_id, entry) SELECT ${this.id}, head, ${opId}, ${bytes} FROM h RETURNING seq)
          SELECT seq, pg_notify(${CHANNEL}, ${String(this.id)}) FROM i`;
        // postgres.js queues a query while it reconnects; at the deadline take it back (a query that
        // never reached a connection is dropped for sure; one that did is in doubt).
        const timer = setTimeout(
          () => {
            timedOut = true;
            sent = (q as unknown as { state?: unknown }).state !== undefined;
            void q.cancel();
          },
          Math.max(0, deadline - Date.now()),
        );
        let rows;
        try {
          rows = await q;
        } finally {
          clearTimeout(timer);
        }
        const row = rows[0] as { seq: number } | undefined;
        if (row === undefined) {
          this.markGone();
          throw this.goneError('shared');
        }
        return row.seq;
      } catch (e) {
        if (e instanceof TermstoreError) throw e;
        const pe = e as { code?: string; constraint_name?: string };
        if (pe.code === '23505' && pe.constraint_name === 'termstore_log_op') {
          // An earlier attempt committed: the entry is in the log once.
          const [row] = await this.sql<Array<{ seq: number }>>`SELECT seq FROM termstore_log WHERE tab = ${this.id} AND op_id = ${opId}`;
          return row?.seq;
        }
        if (pe.code === '23503') {
          this.markGone();
          throw this.goneError('shared');
        }
        if (timedOut) reached ||= sent;
        else if (!transient(e)) throw storeError(e, `appending to shared table ${this.replica.impl.name}`);
        else reached ||= mayHaveReached(e);
        if (timedOut || Date.now() >= deadline) {
          throw new TermstoreError(
            'SHARED_UNAVAILABLE',
            `shared: the PostgreSQL store ${this.store} could not be reached within writeTimeout (${this.o.writeTimeout} ms)${reached ? '; an attempt may have reached it, so the write may still appear in the log (once)' : '; the write was not applied'}`,
            { cause: e, details: { inDoubt: reached, code: pe.code } },
          );
        }
        await sleep(Math.min(1000, 25 * 2 ** attempt, Math.max(1, deadline - Date.now())));
      }
    }
  }

  rename(name: string): Promise<true> {
    if (this.gone || this.closing) return Promise.reject(this.goneError('shared.rename'));
    const opId = `${this.pid}.${this.nextOp++}`;
    const bytes = this.replica.codec.rename(opId, name);
    return new Promise<true>((resolve, reject) => {
      this.replica.expect(opId, () => resolve(true));
      this.c.appends`
        WITH h AS (UPDATE termstore_tables SET head = head + 1, name = ${name} WHERE id = ${this.id} RETURNING head),
             i AS (INSERT INTO termstore_log (tab, seq, op_id, entry) SELECT ${this.id}, head, ${opId}, ${bytes} FROM h RETURNING seq)
        SELECT seq, pg_notify(${CHANNEL}, ${String(this.id)}) FROM i`.then(
        () => this.wake(),
        (e: { code?: string; constraint_name?: string }) => {
          this.replica.forget(opId);
          if (e.code === '23505') reject(new TermstoreError('ETS_NAME_TAKEN', `shared.rename: the store already has a table called ${JSON.stringify(name)}`, { details: { position: 2 } }));
          else reject(storeError(e, 'renaming a shared table'));
        },
      );
    });
  }

  async drop(): Promise<true> {
    if (this.gone) throw this.goneError('shared.delete');
    try {
      await this.sql`WITH d AS (DELETE FROM termstore_tables WHERE id = ${this.id} RETURNING id) SELECT pg_notify(${CHANNEL}, ${String(this.id)}) FROM d`;
    } catch (e) {
      throw storeError(e, 'deleting a shared table');
    }
    this.markGone();
    return true;
  }

  private markGone(): void {
    if (this.gone) return;
    this.gone = true;
    for (const id of this.replica.pending()) this.replica.forget(id);
    const err = this.goneError('shared');
    for (const p of this.queue.splice(0)) p.reject(err);
    for (const w of this.waiters.splice(0)) w.reject(err);
    void this.c.remove(this);
    this.onGone?.();
  }

  // ------------------------------------------------------------ following

  /** Schedules a catch-up (coalesced: one runs at a time, and once more if woken meanwhile). */
  wake(): void {
    if (this.gone || this.closing) return;
    if (this.following !== undefined) {
      this.again = true;
      return;
    }
    this.following = this.followLoop().finally(() => {
      this.following = undefined;
    });
  }

  /** Catches up now (used by open); rejects on failure instead of retrying. */
  async catchUp(): Promise<void> {
    await this.exclusive(() => this.followOnce());
  }

  /** Runs catch-ups one at a time: two at once would apply the same entries twice. */
  private exclusive(f: () => Promise<void>): Promise<void> {
    const run = this.chain.then(f);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private chain: Promise<void> = Promise.resolve();

  private async followLoop(): Promise<void> {
    let failures = 0;
    do {
      this.again = false;
      try {
        await this.exclusive(() => this.followOnce());
        failures = 0;
        this.lastError = undefined;
      } catch (e) {
        if (this.gone || this.closing) return;
        this.lastError = storeError(e, `following shared table ${this.replica.impl.name}`);
        if (!transient(e)) {
          // The replica cannot go on (an entry it cannot decode): every waiting call fails with the reason.
          process.emitWarning(`termstore: ${this.lastError.message}`, { code: this.lastError.code });
          this.replica.failAll(this.lastError);
          for (const w of this.waiters.splice(0)) w.reject(this.lastError);
          return;
        }
        failures++;
        await sleep(Math.min(1000, 25 * 2 ** failures));
        this.again = true;
      }
    } while (this.again && !this.gone && !this.closing);
  }

  private async followOnce(): Promise<void> {
    const r = this.replica;
    const [t] = await this.sql<Array<{ head: number; snap_seq: number }>>`SELECT head, snap_seq FROM termstore_tables WHERE id = ${this.id}`;
    if (t === undefined) return this.markGone();
    this.snapshots.position = t.snap_seq;
    while (r.applied < t.head && !this.gone) {
      const rows = await this.sql<Array<{ seq: number; entry: Buffer }>>`
        SELECT seq, entry FROM termstore_log WHERE tab = ${this.id} AND seq > ${r.applied} ORDER BY seq LIMIT ${READ_BATCH}`;
      if (rows.length === 0 || rows[0]!.seq !== r.applied + 1) {
        await this.reload();
        continue;
      }
      for (const row of rows) {
        if (row.seq !== r.applied + 1) break;
        r.apply(row.seq, row.entry, `${this.id}/${row.seq}`);
      }
    }
    const ready = this.waiters.filter((w) => w.seq <= r.applied);
    if (ready.length > 0) {
      this.waiters = this.waiters.filter((w) => w.seq > r.applied);
      for (const w of ready) w.resolve();
    }
    if (!this.gone) this.snapshots.check();
  }


  /** Loads the newest snapshot, read in one repeatable-read transaction. */
  private async reload(): Promise<void> {
    const r = this.replica;
    let seq = 0;
    let chunks: Array<{ chunk: number; data: Buffer }> = [];
    await this.sql.begin('isolation level repeatable read', async (tx) => {
      const [t] = await tx<Array<{ snap_seq: number }>>`SELECT snap_seq FROM termstore_tables WHERE id = ${this.id}`;
      seq = t?.snap_seq ?? 0;
      chunks = await tx<Array<{ chunk: number; data: Buffer }>>`SELECT chunk, data FROM termstore_snapshots WHERE tab = ${this.id} AND seq = ${seq} ORDER BY chunk`;
    });
    if (seq < r.applied) fail('SHARED_CORRUPT', `shared: the log of table ${r.impl.name} has a gap after position ${r.applied} and no snapshot past it`);
    this.snapshots.position = seq;
    const rows: Row[][] = chunks.map((c) => r.codec.unchunk(c.data, `snapshot ${seq} chunk ${c.chunk}`));
    r.load(seq, rows);
  }

  async sync(): Promise<void> {
    if (this.gone) throw this.goneError('shared.sync');
    let head: number;
    // As a write does, ride out a lost connection (a server restart) until writeTimeout.
    const deadline = Date.now() + this.o.writeTimeout;
    for (let wait = 25; ; wait = Math.min(1000, wait * 2)) {
      try {
        const [t] = await this.sql<Array<{ head: number }>>`SELECT head FROM termstore_tables WHERE id = ${this.id}`;
        if (t === undefined) {
          this.markGone();
          throw this.goneError('shared.sync');
        }
        head = t.head;
        break;
      } catch (e) {
        if (e instanceof TermstoreError) throw e;
        if (!transient(e)) throw storeError(e, 'shared.sync');
        if (Date.now() + wait > deadline) {
          throw new TermstoreError('SHARED_UNAVAILABLE', `shared.sync: the PostgreSQL store ${this.store} could not be reached within writeTimeout (${this.o.writeTimeout} ms)`, { cause: e, details: { inDoubt: false } });
        }
        await sleep(wait);
      }
    }
    if (this.replica.applied >= head) return;
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ seq: head, resolve, reject });
      this.wake();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.inFlight > 0 || this.queue.length > 0) await new Promise<void>((r) => this.idle.push(r));
    await this.following;
    await this.snapshots.idle();
    if (!this.gone) {
      this.gone = true;
      await this.c.remove(this);
    }
  }

  // ------------------------------------------------------------ snapshots


  private target(): SnapshotTarget {
    const sql = this.sql;
    const id = this.id;
    const me = this.pid;
    return {
      claim: async () =>
        (
          await sql`UPDATE termstore_tables SET lease = ${me}, lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval
            WHERE id = ${id} AND (lease IS NULL OR lease = ${me} OR lease_until < now()) RETURNING id`
        ).length === 1,
      writeChunk: async (seq, n, data) => {
        await sql`INSERT INTO termstore_snapshots (tab, seq, chunk, data) VALUES (${id}, ${seq}, ${n}, ${data})
          ON CONFLICT (tab, seq, chunk) DO UPDATE SET data = excluded.data`;
      },
      finish: async (seq) =>
        sql.begin(async (tx) => {
          const ok = (await tx`UPDATE termstore_tables SET snap_seq = ${seq}, lease = NULL, lease_until = NULL WHERE id = ${id} AND lease = ${me} AND snap_seq < ${seq} RETURNING id`).length === 1;
          if (ok) await tx`DELETE FROM termstore_snapshots WHERE tab = ${id} AND seq <> ${seq}`;
          return ok;
        }) as Promise<boolean>,
      abandon: async (seq) => {
        await sql`DELETE FROM termstore_snapshots WHERE tab = ${id} AND seq = ${seq} AND seq <> (SELECT snap_seq FROM termstore_tables WHERE id = ${id})`;
        await sql`UPDATE termstore_tables SET lease = NULL, lease_until = NULL WHERE id = ${id} AND lease = ${me}`;
      },
      trim: async (from, to) => {
        await sql`DELETE FROM termstore_log WHERE tab = ${id} AND seq >= ${from} AND seq < ${to}`;
      },
    };
  }
}
