// One participant of a shared-table benchmark trial, in its own process.
// argv[2]: JSON { system, work, ... }; prints one JSON line of results.
//
// systems: ts-sqlite (termstore shared, SQLite store), ts-postgres
// (termstore shared, PostgreSQL store), sqlite (better-sqlite3 directly),
// lmdb (lmdb-js directly), postgres (postgres.js directly), ets (termstore
// ets, in-process reference for reads).
//
// works:
//   counters { ms, keys }  prints { ready }, waits for a line on stdin (so that
//                          the participants of a trial start together), then
//                          single-row increments of random keys for ms; { ops, ms }
//   reads    { ms, keys }  lookups of random keys of a table of `keys` rows; { ops, ms }
//   writer   { count, gapMs }  writes ['v<i>', wallclock] every gapMs; { written }
//   reader   { count }     notices each 'v<i>' without calling anything but a
//                          local read on a 1 ms timer; { lags: ms[] }
//   join     {}            opens the table; { readyMs, rows, position, snapshotPosition }
import { performance } from 'node:perf_hooks';

const job = JSON.parse(process.argv[2]);
const { shared, ets } = await import(`${job.dist}/index.js`);
const now = () => performance.timeOrigin + performance.now();
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const rnd = (n) => Math.floor(Math.random() * n);
const key = (i) => `k${i}`;

async function openSystem() {
  switch (job.system) {
    case 'ts-sqlite':
    case 'ts-postgres': {
      const t = await shared.open(job.table, { store: job.store, type: 'set' });
      const pg = job.system === 'ts-postgres';
      return {
        incr: (k) => shared.updateCounter(t, k, 1, [k, 0]),
        get: (k) => shared.lookup(t, k),
        put: (k, v) => shared.insert(t, [k, v]),
        has: (k) => shared.member(t, k),
        async: pg,
        info: () => shared.info(t),
        close: () => shared.close(t),
      };
    }
    case 'sqlite': {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(job.file, { timeout: 30_000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v) WITHOUT ROWID');
      const incr = db.prepare('INSERT INTO t (k, v) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET v = v + 1 RETURNING v').pluck();
      const get = db.prepare('SELECT v FROM t WHERE k = ?').pluck();
      const put = db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
      return { incr: (k) => incr.get(k), get: (k) => get.get(k), put: (k, v) => put.run(k, v), has: (k) => get.get(k) !== undefined, close: () => db.close() };
    }
    case 'lmdb': {
      const { open } = await import('lmdb');
      // noSync: a commit is in the OS's cache when it returns, so it survives
      // a crash or SIGKILL of any process (not power loss): the durability
      // of the others' defaults (SQLite WAL synchronous=NORMAL).
      const db = open({ path: job.file, noSync: true });
      return {
        // A durable, atomic read-modify-write per increment, as the others do.
        incr: (k) => db.transactionSync(() => db.putSync(k, (db.get(k) ?? 0) + 1)),
        get: (k) => db.get(k),
        put: (k, v) => db.putSync(k, v),
        has: (k) => db.get(k) !== undefined,
        close: () => db.close(),
      };
    }
    case 'postgres': {
      const { default: postgres } = await import('postgres');
      const sql = postgres(job.store, { max: 4, onnotice: () => undefined });
      await sql`CREATE TABLE IF NOT EXISTS bench_counters (k text PRIMARY KEY, v bigint NOT NULL)`.catch(() => undefined);
      return {
        incr: (k) => sql`INSERT INTO bench_counters (k, v) VALUES (${k}, 1) ON CONFLICT (k) DO UPDATE SET v = bench_counters.v + 1`,
        async: true,
        close: () => sql.end({ timeout: 5 }),
      };
    }
    case 'ets': {
      const t = ets.new(`bench_${Math.random()}`, { type: 'set', access: 'public' });
      for (let i = 0; i < job.keys; i++) ets.insert(t, [key(i), i]);
      return { get: (k) => ets.lookup(t, k), close: () => undefined };
    }
  }
  throw new Error(`unknown system ${job.system}`);
}

/** Two systems in one process, timed in alternating slices, so that a burst of load on the machine hits both alike. */
async function pair() {
  const [a, b] = job.systems;
  const sa = await openAs(a);
  const sb = await openAs(b);
  const keys = Array.from({ length: 1 << 16 }, () => key(rnd(job.keys)));
  const op = job.work === 'pair-reads' ? (s, k) => s.get(k) : (s, k) => s.incr(k);
  const slice = job.work === 'pair-reads' ? 20_000 : 500;
  const time = { [a]: 0, [b]: 0 };
  const ops = { [a]: 0, [b]: 0 };
  let j = 0;
  for (let i = 0; i < slice * 10; i++) (op(sa, keys[i & 0xffff]), op(sb, keys[i & 0xffff])); // warm up
  const end = now() + job.ms;
  while (now() < end) {
    for (const [name, s] of [[a, sa], [b, sb]]) {
      const t = now();
      for (let i = 0; i < slice; i++) op(s, keys[j++ & 0xffff]);
      time[name] += now() - t;
      ops[name] += slice;
    }
  }
  await sa.close();
  await sb.close();
  return { rates: { [a]: (ops[a] / time[a]) * 1000, [b]: (ops[b] / time[b]) * 1000 } };
}

async function openAs(system) {
  const saved = job.system;
  job.system = system;
  try {
    return await openSystem();
  } finally {
    job.system = saved;
  }
}

if (job.work === 'pair-reads' || job.work === 'pair-writes') {
  out({ done: true, ...(await pair()) });
  process.exit(0);
}

const t0 = now();
const s = await openSystem();
const openMs = now() - t0;

async function counters() {
  // Every participant of a trial starts at once: ready, then wait for the go on stdin.
  out({ ready: true });
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
  const end = now() + job.ms;
  let ops = 0;
  const start = now();
  if (s.async) {
    const inFlight = new Set();
    while (now() < end) {
      const p = s.incr(key(rnd(job.keys))).then(() => {
        ops++;
        inFlight.delete(p);
      });
      inFlight.add(p);
      if (inFlight.size >= job.window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } else {
    while (now() < end) {
      for (let i = 0; i < 100; i++) s.incr(key(rnd(job.keys)));
      ops += 100;
    }
  }
  return { ops, ms: now() - start };
}

function reads() {
  const keys = Array.from({ length: 1 << 16 }, () => key(rnd(job.keys)));
  let sink = 0;
  // Warm up, then time.
  for (let i = 0; i < 200_000; i++) sink += s.get(keys[i & 0xffff]).length;
  const start = now();
  const end = start + job.ms;
  let ops = 0;
  while (now() < end) {
    for (let i = 0; i < 10_000; i++) sink += s.get(keys[i & 0xffff]).length;
    ops += 10_000;
  }
  return { ops, ms: now() - start, sink };
}

async function writer() {
  for (let i = 0; i < job.count; i++) {
    await s.put(`v${i}`, now());
    await new Promise((r) => setTimeout(r, job.gapMs));
  }
  return { written: job.count };
}

async function reader() {
  out({ ready: true });
  const lags = [];
  let next = 0;
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      while (next < job.count && s.has(`v${next}`)) {
        const v = s.get(`v${next}`);
        const written = Array.isArray(v) ? v[0][1] : v;
        lags.push(now() - written);
        next++;
      }
      if (next >= job.count) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  return { lags };
}

let result;
switch (job.work) {
  case 'counters':
    result = await counters();
    break;
  case 'reads':
    result = reads();
    break;
  case 'writer':
    result = await writer();
    break;
  case 'reader':
    result = await reader();
    break;
  case 'join': {
    const i = s.info();
    result = { readyMs: openMs, rows: i.size, position: i.position, snapshotPosition: i.snapshotPosition };
    break;
  }
}
await s.close();
out({ done: true, ...result });
process.exit(0);
