#!/usr/bin/env node
// Shared tables against the issue-12 targets and against what a user would
// otherwise reach for, doing the same work in the same processes:
// better-sqlite3 used directly, lmdb-js shared between processes, and the
// PostgreSQL client (postgres.js) used directly.
//
//   npm run bench:shared                    all sections (~4 min on 2 cores)
//   npm run bench:shared -- --runs 1 --ms 2000 --only reads,sqlite,visibility,postgres,join
//   options: --pg postgres://...  (else a throwaway cluster with fsync on is started)
//
// Every participant is its own process (bench/drivers/shared-worker.mjs);
// each figure is the median over runs. Writes bench/results/shared.{md,json}.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = path.join(root, 'dist');
const { values } = parseArgs({ options: { runs: { type: 'string' }, ms: { type: 'string' }, only: { type: 'string' }, pg: { type: 'string' } } });
const RUNS = Number(values.runs ?? 3);
const MS = Number(values.ms ?? 3000);
const only = values.only?.split(',');
const want = (s) => only === undefined || only.includes(s);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'termstore-bench-shared-'));
const loads = [os.loadavg()[0]];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2));

function worker(job) {
  const child = spawn(process.execPath, [path.join(here, 'drivers', 'shared-worker.mjs'), JSON.stringify({ dist, ...job })], { stdio: [job.work === 'counters' ? 'pipe' : 'ignore', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    const ls = buf.split('\n');
    buf = ls.pop();
    for (const l of ls) {
      const m = JSON.parse(l);
      lines.push(m);
      for (const w of waiters.splice(0)) w();
    }
  });
  const until = async (f) => {
    for (;;) {
      const m = lines.find(f);
      if (m !== undefined) return m;
      if (child.exitCode !== null) throw new Error(`worker ${job.system}/${job.work} exited without the expected line`);
      await new Promise((r) => waiters.push(r) && child.once('exit', r));
    }
  };
  return { until, done: () => until((m) => m.done), go: () => child.stdin.end('go\n') };
}

async function all(jobs) {
  return Promise.all(jobs.map((j) => worker(j).done()));
}

const results = { date: new Date().toISOString(), machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`, runs: RUNS, ms: MS, sections: {} };

// ------------------------------------------------------------ stores
const sqliteStore = (name) => `sqlite:${path.join(work, `${name}.db`)}`;

async function prefill(store, table, rows) {
  const { shared } = await import(`${dist}/index.js`);
  const t = await shared.open(table, { store, type: 'set' });
  for (let i = 0; i < rows; i += 10_000) await shared.insertMany(t, Array.from({ length: Math.min(10_000, rows - i) }, (_, j) => [`k${i + j}`, i + j]));
  await shared.close(t);
}

let pgUrl = values.pg;
let stopPg = () => undefined;
async function startPg() {
  if (pgUrl !== undefined) return pgUrl;
  const bin = ['/usr/lib/postgresql'].flatMap((b) => (fs.existsSync(b) ? fs.readdirSync(b).map((v) => path.join(b, v, 'bin')) : [])).find((d) => fs.existsSync(path.join(d, 'initdb')));
  if (bin === undefined) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'termstore-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  if (root) execFileSync('chown', ['postgres', dir]);
  const pg = (prog, args) => {
    const r = root ? spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, prog), ...args], { cwd: os.tmpdir() }) : spawnSync(path.join(bin, prog), args);
    if (r.status !== 0) throw new Error(`${prog}: ${r.stderr}`);
  };
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  pg('initdb', ['-D', path.join(dir, 'data'), '-U', 'termstore', '--auth=trust']);
  pg('pg_ctl', ['-D', path.join(dir, 'data'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on`, '-l', path.join(dir, 'log'), '-w', 'start']);
  stopPg = () => {
    pg('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  pgUrl = `postgres://termstore@127.0.0.1:${port}/postgres`;
  return pgUrl;
}

// ------------------------------------------------------------ sections
const KEYS = 100_000;

if (want('reads')) {
  const store = sqliteStore('reads');
  await prefill(store, 'reads', KEYS);
  const ratios = [];
  const ets = [];
  const sh = [];
  for (let r = 0; r < RUNS; r++) {
    // Both in one process, in alternating slices: the ratio holds up under load bursts.
    const [x] = await all([{ systems: ['ets', 'ts-sqlite'], work: 'pair-reads', ms: MS, keys: KEYS, store, table: 'reads' }]);
    ets.push(x.rates.ets);
    sh.push(x.rates['ts-sqlite']);
    ratios.push(x.rates.ets / x.rates['ts-sqlite']);
  }
  results.sections.reads = { etsLookupsPerS: median(ets), sharedLookupsPerS: median(sh), ratio: median(ratios), target: 'shared within 1.2x of ets' };
}

/** Runs that failed (a peer's worker crashed): kept out of the medians and listed in the results. */
const failures = [];

async function counters(system, procs, extra) {
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    const jobs = Array.from({ length: procs }, () => ({ system, work: 'counters', ms: MS, keys: 10_000, ...extra(r) }));
    try {
      // All participants open first, then start together: their timed windows overlap.
      const ws = jobs.map((j) => worker(j));
      await Promise.all(ws.map((w) => w.until((m) => m.ready)));
      for (const w of ws) w.go();
      const res = await Promise.all(ws.map((w) => w.done()));
      rates.push(res.reduce((s, x) => s + (x.ops / x.ms) * 1000, 0));
    } catch (e) {
      failures.push(`${system} x${procs}, run ${r + 1}: ${e.message}`);
    }
  }
  return rates.length > 0 ? median(rates) : null;
}

if (want('sqlite')) {
  const s = {};
  const pairRatios = [];
  for (let r = 0; r < RUNS; r++) {
    const [x] = await all([{ systems: ['ts-sqlite', 'sqlite'], work: 'pair-writes', ms: MS, keys: 10_000, store: sqliteStore(`pair${r}`), file: path.join(work, `pair${r}-direct.db`), table: 'c' }]);
    pairRatios.push(x.rates['ts-sqlite'] / x.rates.sqlite);
  }
  results.sections.sqliteVsDirect = { sharedOverDirect: median(pairRatios), note: 'one process, alternating slices of 500 writes: termstore shared (SQLite) over better-sqlite3 used directly' };
  for (const procs of [1, 4]) {
    s[`ts-sqlite x${procs}`] = await counters('ts-sqlite', procs, (r) => ({ store: sqliteStore(`w${procs}-${r}`), table: 'c' }));
    s[`sqlite x${procs}`] = await counters('sqlite', procs, (r) => ({ file: path.join(work, `direct${procs}-${r}.db`) }));
    s[`lmdb x${procs}`] = await counters('lmdb', procs, (r) => ({ file: path.join(work, `lmdb${procs}-${r}.mdb`) }));
  }
  results.sections.sqliteWrites = { writesPerS: s, target: 'ts-sqlite: >= 100,000/s from 1 process, >= 50,000/s total from 4' };
}

async function visibility(system, store, table) {
  const lags = [];
  for (let r = 0; r < RUNS; r++) {
    const reader = worker({ system, work: 'reader', count: 1000, store, table: `${table}${r}` });
    await reader.until((m) => m.ready);
    const writer = worker({ system, work: 'writer', count: 1000, gapMs: 2, store, table: `${table}${r}` });
    await writer.done();
    lags.push(...(await reader.done()).lags);
  }
  return { p50: pct(lags, 50), p99: pct(lags, 99), max: pct(lags, 100), samples: lags.length };
}

if (want('visibility')) {
  results.sections.visibility = { 'ts-sqlite': await visibility('ts-sqlite', sqliteStore('vis'), 'v'), target: 'p99 <= 50 ms, no reader calls' };
}

if (want('postgres')) {
  const url = await startPg();
  if (url === undefined) results.sections.postgres = { skipped: 'no PostgreSQL installed' };
  else {
    const s = {};
    s['ts-postgres x4'] = await counters('ts-postgres', 4, (r) => ({ store: url, table: `pgc${r}`, window: 2048 }));
    s['postgres (postgres.js direct) x4'] = await counters('postgres', 4, () => ({ store: url, window: 256 }));
    results.sections.postgres = { updateCountersPerS: s, visibility: await visibility('ts-postgres', url, 'pgv'), target: '>= 10,000 updateCounters/s total from 4 processes, synchronous_commit on, fsync on' };
  }
}

if (want('join')) {
  const store = sqliteStore('join');
  const file = store.slice('sqlite:'.length);
  const { shared } = await import(`${dist}/index.js`);
  const { EntryCodec } = await import(`${dist}/shared/codec.js`);
  const { default: Database } = await import('better-sqlite3');
  const t = await shared.open('join', { store, type: 'set' });
  await shared.close(t);
  const db = new Database(file);
  const id = db.prepare('SELECT id FROM termstore_tables WHERE name = ?').pluck().get('join');
  const codec = new EntryCodec(1);
  const ins = db.prepare('INSERT INTO termstore_log (tab, seq, entry) VALUES (?, ?, ?)');
  const N = 1_000_000;
  // 1M single-row writes, one entry each: 1M rows, 1M entries (filled directly: faster than 1M commits).
  db.transaction(() => {
    for (let i = 1; i <= N; i++) ins.run(id, i, codec.effects(`fill.${i}`, [{ op: 'insert', rows: [[`k${i}`, i]] }]));
  })();
  db.close();
  const [replay] = await all([{ system: 'ts-sqlite', work: 'join', store, table: 'join' }]);
  const fromSnapshot = [];
  for (let r = 0; r < RUNS; r++) fromSnapshot.push(await all([{ system: 'ts-sqlite', work: 'join', store, table: 'join' }]).then(([x]) => x));
  results.sections.join = {
    replayWholeLog: replay,
    fromSnapshot: { readyMs: median(fromSnapshot.map((x) => x.readyMs)), ...fromSnapshot[0], readyMsRuns: fromSnapshot.map((x) => Math.round(x.readyMs)) },
    target: 'ready in < 2 s with 1M rows and 1M log entries behind',
  };
}

stopPg();
loads.push(os.loadavg()[0]);
results.loadAverage = { start: loads[0], end: loads[1] };
fs.rmSync(work, { recursive: true, force: true });

// ------------------------------------------------------------ report
const md = [`# Shared tables: benchmark (${results.date.slice(0, 10)})`, '', `Machine: ${results.machine}. Load average (1 min) ${loads[0].toFixed(1)} at start, ${loads[1].toFixed(1)} at end (other agents share the machine). Median of ${RUNS} runs of ${MS} ms.`, ''];
const S = results.sections;
if (S.reads) md.push('## Reads (100k rows, random keys; ets and shared in one process, alternating slices)', '', `| system | lookups/s |`, `|---|---|`, `| ets | ${fmt(S.reads.etsLookupsPerS)} |`, `| shared (sqlite) | ${fmt(S.reads.sharedLookupsPerS)} |`, '', `ets / shared = ${S.reads.ratio.toFixed(2)}x (target: within 1.2x)`, '');
if (S.sqliteWrites) {
  md.push('## Single-row writes on one machine (updateCounter of random keys of 10k; durable against SIGKILL when they return)', '', '| system | writes/s |', '|---|---|');
  for (const [k, v] of Object.entries(S.sqliteWrites.writesPerS)) md.push(`| ${k} | ${v === null ? 'failed (see below)' : fmt(v)} |`);
  md.push('', 'Target: termstore shared (SQLite) >= 100,000/s from 1 process, >= 50,000/s in total from 4.', '');
}
if (S.sqliteVsDirect) md.push(`Measured side by side in one process (alternating slices, robust to load bursts), termstore shared writes at ${(S.sqliteVsDirect.sharedOverDirect * 100).toFixed(0)}% of the rate of better-sqlite3 used directly.`, '');
if (S.visibility) md.push('## Visibility (a write by one process seen by another, no reader calls)', '', `| store | p50 ms | p99 ms | max ms | samples |`, '|---|---|---|---|---|', ...Object.entries({ sqlite: S.visibility['ts-sqlite'], ...(S.postgres?.visibility ? { postgres: S.postgres.visibility } : {}) }).map(([k, v]) => `| ${k} | ${fmt(v.p50)} | ${fmt(v.p99)} | ${fmt(v.max)} | ${v.samples} |`), '', 'Target: p99 <= 50 ms.', '');
if (S.postgres?.updateCountersPerS) {
  md.push('## PostgreSQL (local server, synchronous_commit on, fsync on; 4 processes)', '', '| system | updateCounters/s |', '|---|---|');
  for (const [k, v] of Object.entries(S.postgres.updateCountersPerS)) md.push(`| ${k} | ${fmt(v)} |`);
  md.push('', 'Target: >= 10,000/s in total.', '');
}
if (S.join) md.push('## A joiner with 1M rows and 1M log entries behind it', '', `| how | ready in ms |`, '|---|---|', `| replaying the whole log (no snapshot yet) | ${fmt(S.join.replayWholeLog.readyMs)} |`, `| from the snapshot (position ${S.join.fromSnapshot.snapshotPosition}) | ${fmt(S.join.fromSnapshot.readyMs)} |`, '', 'Target: < 2 s.', '');
results.failures = failures;
if (failures.length > 0) md.push('## Failed runs', '', 'A crashed worker (a peer\'s error) leaves its run out of the medians:', '', ...failures.map((f) => `- ${f}`), '');
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
fs.writeFileSync(path.join(here, 'results', 'shared.json'), `${JSON.stringify(results, null, 2)}\n`);
fs.writeFileSync(path.join(here, 'results', 'shared.md'), `${md.join('\n')}\n`);
console.log(md.join('\n'));
