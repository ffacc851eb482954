// Standalone benchmark: ets.tab2file / ets.file2tab against OTP's own
// ets:tab2file / ets:file2tab, and conversion throughput (rows/s) for each
// pair of formats. Not part of bench/run.mjs; run it after a build:
//
//   npm run build && node bench/drivers/tabfile.mjs [--rows 1000000] [--runs 5]
//       [--pair-rows 100000] [--no-otp] [--no-pairs]
//
// Rows are [i, i*2, 'value-' + i] (OTP: {I, I*2, <<"value-I">>}), as in the
// rest of bench/. Every trial runs in a fresh process (this file re-run
// with --trial); figures are medians over --runs trials. Prints a table and
// one JSON line of all figures.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const dist = new URL('../../dist/index.js', import.meta.url).href;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const EXT = { dets: 'tsdb', tab: 'tstab', 'erl-tab': 'tab', 'erl-dets': 'dets', sqlite: 'sqlite', jsonl: 'jsonl', 'cbor-seq': 'cbor' };
const FORMATS = Object.keys(EXT);

async function table(n) {
  const { ets } = await import(dist);
  const t = ets.new('bench', { type: 'set' });
  const chunk = [];
  for (let i = 0; i < n; i++) {
    chunk.push([i, i * 2, 'value-' + i]);
    if (chunk.length === 10000) ets.insertMany(t, chunk.splice(0));
  }
  ets.insertMany(t, chunk);
  return t;
}

async function trial(kind, dir, ...rest) {
  const { ets, convert } = await import(dist);
  if (kind === 'tabfile') {
    const n = Number(rest[0]);
    const t = await table(n);
    const file = join(dir, 't.tstab');
    let t0 = performance.now();
    await ets.tab2file(t, file);
    const tab2fileMs = performance.now() - t0;
    ets.delete(t);
    t0 = performance.now();
    const t2 = await ets.file2tab(file);
    const file2tabMs = performance.now() - t0;
    if (ets.info(t2, 'size') !== n) throw new Error('file2tab: wrong size');
    return { tab2fileMs, file2tabMs };
  }
  // pair: make the input (unmeasured), then time the conversion.
  const [from, to, n] = rest;
  const t = await table(Number(n));
  const seed = join(dir, 'seed.tstab');
  await ets.tab2file(t, seed);
  ets.delete(t);
  const input = join(dir, `in.${EXT[from]}`);
  if (from !== 'tab') await convert(seed, input);
  const t0 = performance.now();
  const r = await convert(from === 'tab' ? seed : input, join(dir, `out.${EXT[to]}`), { sync: false });
  const ms = performance.now() - t0;
  return { ms, rowsPerSec: (r.rows / ms) * 1000 };
}

function otpTrial(dir, n) {
  const file = join(dir, 'otp.tab').replace(/\\/g, '/');
  const expr = `N = ${n}, T = ets:new(t, [set, public]),
    [ets:insert(T, {I, I * 2, list_to_binary("value-" ++ integer_to_list(I))}) || I <- lists:seq(0, N - 1)],
    {A, ok} = timer:tc(fun() -> ets:tab2file(T, "${file}") end),
    ets:delete(T),
    {B, {ok, _}} = timer:tc(fun() -> ets:file2tab("${file}") end),
    io:format("~p ~p~n", [A, B]), halt().`;
  const out = execFileSync('erl', ['-noshell', '-eval', expr], { encoding: 'utf8', timeout: 300_000 });
  const [a, b] = out.trim().split(/\s+/).map(Number);
  return { tab2fileMs: a / 1000, file2tabMs: b / 1000 };
}

function fresh(kind, ...rest) {
  const dir = mkdtempSync(join(os.tmpdir(), 'termstore-bench-tab-'));
  try {
    if (kind === 'otp') return otpTrial(dir, rest[0]);
    const r = spawnSync(process.execPath, [self, '--trial', kind, dir, ...rest.map(String)], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`trial ${kind} ${rest.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

if (args[0] === '--trial') {
  process.stdout.write(JSON.stringify(await trial(args[1], args[2], ...args.slice(3))) + '\n');
} else {
  const rows = opt('rows', 1_000_000);
  const runs = opt('runs', 5);
  const pairRows = opt('pair-rows', 100_000);
  const haveErl = !args.includes('--no-otp') && spawnSync('erl', ['-noshell', '-eval', 'halt().'], { stdio: 'ignore' }).status === 0;
  const results = { date: new Date().toISOString(), node: process.version, cpus: os.cpus()[0]?.model, cores: os.cpus().length, rows, runs, pairRows };
  const ts = [];
  const otp = [];
  for (let i = 0; i < runs; i++) {
    ts.push(fresh('tabfile', rows));
    if (haveErl) otp.push(fresh('otp', rows));
  }
  const m = (xs, k) => (xs.length === 0 ? undefined : median(xs.map((x) => x[k])));
  results.termstore = { tab2fileMs: m(ts, 'tab2fileMs'), file2tabMs: m(ts, 'file2tabMs') };
  results.otp = haveErl ? { tab2fileMs: m(otp, 'tab2fileMs'), file2tabMs: m(otp, 'file2tabMs') } : 'erl not found';
  console.log(`# tab2file / file2tab, ${rows.toLocaleString('en-US')} rows, median of ${runs} (${results.cpus}, ${results.cores} cores, Node ${results.node}, ${results.date})`);
  console.log('| system | tab2file ms | file2tab ms |\n|---|---:|---:|');
  console.log(`| termstore | ${results.termstore.tab2fileMs.toFixed(0)} | ${results.termstore.file2tabMs.toFixed(0)} |`);
  if (haveErl) console.log(`| OTP ets | ${results.otp.tab2fileMs.toFixed(0)} | ${results.otp.file2tabMs.toFixed(0)} |`);
  if (!args.includes('--no-pairs')) {
    results.pairs = {};
    console.log(`\n# convert, ${pairRows.toLocaleString('en-US')} rows, rows/s (median of ${Math.min(runs, 3)}; input made unmeasured; output not fsynced)`);
    console.log(`| from \\ to | ${FORMATS.join(' | ')} |\n|---|${FORMATS.map(() => '---:').join('|')}|`);
    for (const from of FORMATS) {
      const cells = [];
      for (const to of FORMATS) {
        const xs = [];
        for (let i = 0; i < Math.min(runs, 3); i++) xs.push(fresh('pair', from, to, pairRows).rowsPerSec);
        const v = median(xs);
        results.pairs[`${from}->${to}`] = v;
        cells.push(v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${(v / 1e3).toFixed(0)}k`);
      }
      console.log(`| ${from} | ${cells.join(' | ')} |`);
    }
  }
  console.log('\n' + JSON.stringify(results));
}
