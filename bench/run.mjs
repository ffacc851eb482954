#!/usr/bin/env node
// Side-by-side benchmark of termstore against its peers.
//
//   npm run bench                  quick (< 3 min on 2 cores): 100k rows for every
//                                  system, plus 1M for the systems the issue-2/3
//                                  targets compare
//   npm run bench -- --full        10k, 100k, 1M and 10M rows (10M where memory and
//                                  time allow); also rewrites the tables in
//                                  bench/RESULTS.md
//   npm run bench -- --check       the quick run, then compared with the committed
//                                  bench/results/quick.json: exits 1 if any termstore
//                                  figure is more than 20% worse (after correcting for
//                                  the machine's speed, estimated from the peers)
//            --baseline FILE | --baseline-rev REV   what --check compares with
//            --threshold 1.2                          how much worse is flagged
//   options: --runs N  --sizes 10000,100000  --only ts-set,map  --budget ms
//            --insert-budget ms  --flat-out ms  --dir /tmp  --out name
//            --plan   (print the trials and skips, run nothing)
//            --report bench/results/full.json   (re-render the tables, chart and
//                                  RESULTS.md from a saved run, measuring nothing)
//
// Every trial (one system, one size, one run) is a fresh process
// (bench/drivers/<driver>.mjs, or bench/erlang/<driver>.erl under `erl`).
// Runs are interleaved (run 1 of every trial, then run 2, ...) so that a
// burst of load on the machine spreads over all systems; each figure is the
// median over runs. Writes bench/results/<out>.{md,json} and the scaling
// chart, and prints the tables, the targets and where termstore is behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scalingSvg } from './lib/chart.mjs';
import { behind, markdown, targets } from './lib/report.mjs';
import { checkReport, compareRuns, loadBaseline } from './lib/check.mjs';
import { SYSTEMS } from './lib/systems.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    runs: { type: 'string' },
    sizes: { type: 'string' },
    only: { type: 'string' },
    budget: { type: 'string' },
    'insert-budget': { type: 'string' },
    'flat-out': { type: 'string' },
    dir: { type: 'string' },
    out: { type: 'string' },
    report: { type: 'string' },
    plan: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    'baseline-rev': { type: 'string' },
    threshold: { type: 'string' },
  },
});

const MODES = {
  // Budgets keep the slow systems (nedb, dets autoSave 0, OTP dets) from
  // dominating the run time: a workload stops after the chunk that crosses
  // its budget and reports how many ops it measured. The insert of the rows
  // has its own, larger budget so that insert figures cover all rows (but a
  // short one for the slowWrites systems). The quick run repeats a trial
  // only if its first run took less than `repeatBelowS` seconds.
  quick: {
    sizes: [100_000],
    targetSizes: [1_000_000],
    runs: 3,
    budgetMs: 150,
    insertBudgetMs: 5000,
    insertBudgetTargetMs: 15_000,
    opBudgetTargetMs: 500,
    insertBudgetSlowMs: 1000,
    flatOutMs: 500,
    repeatBelowS: 8,
    timeoutMs: 180_000,
  },
  full: {
    sizes: [10_000, 100_000, 1_000_000, 10_000_000],
    targetSizes: [],
    // 3 runs, 1 at 10M rows: a 10M trial takes minutes per system, and the
    // whole run has to fit in about an hour on a 2-core machine.
    runs: 3,
    runsLarge: 1,
    budgetMs: 3000,
    insertBudgetMs: 300_000,
    insertBudgetSlowMs: 60_000,
    flatOutMs: 5000,
    timeoutMs: 3_600_000,
  },
};
const modeName = values.full ? 'full' : 'quick';
const mode = { ...MODES[modeName] };
if (values.runs) mode.runs = mode.runsLarge = Number(values.runs);
if (values.budget) mode.budgetMs = Number(values.budget);
if (values['insert-budget']) mode.insertBudgetMs = Number(values['insert-budget']);
if (values['flat-out']) mode.flatOutMs = Number(values['flat-out']);
if (values.sizes) {
  mode.sizes = values.sizes.split(',').map(Number);
  mode.targetSizes = [];
}
const custom = Boolean(values.only || values.sizes || values.runs || values.budget);
// A check writes its own files, so the committed results it compares with stay as they are.
const outName = values.out ?? (values.check ? `${modeName}-check` : custom ? `${modeName}-custom` : modeName);
const baseDir = values.dir ?? os.tmpdir();
const started = Date.now();
const loadStart = os.loadavg()[0];

const saved = values.report ? JSON.parse(readFileSync(values.report, 'utf8')) : measure();
render(saved);

/** Runs every trial; returns what the results file keeps. */
function measure() {
  // ---- OTP ------------------------------------------------------------------
  let otp = null;
  let beamDir = null;
  const erlCheck = spawnSync('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { encoding: 'utf8' });
  if (erlCheck.status === 0) {
    otp = erlCheck.stdout.trim();
    beamDir = mkdtempSync(path.join(os.tmpdir(), 'termstore-bench-beam-'));
    const sources = readdirSync(path.join(here, 'erlang'))
      .filter((f) => f.endsWith('.erl'))
      .map((f) => path.join(here, 'erlang', f));
    execFileSync('erlc', ['-o', beamDir, ...sources]);
  }

  // ---- plan -------------------------------------------------------------------
  const only = values.only?.split(',');
  const skipped = [];
  const plan = [];
  const GiB = 1024 ** 3;
  for (const sys of SYSTEMS) {
    if (only && !only.some((o) => sys.id === o || sys.id.startsWith(o + '-'))) continue;
    if (sys.erl && !otp) {
      skipped.push({ id: sys.id, n: null, reason: '`erl` not found: install Erlang/OTP (e.g. apt-get install erlang-nox) for the OTP rows' });
      continue;
    }
    const sizes = [...new Set([...mode.sizes, ...(sys.targets ? mode.targetSizes : [])])].sort((a, b) => a - b);
    for (const n of sizes) {
      if (sys.maxN && n > sys.maxN) {
        skipped.push({ id: sys.id, n, reason: sys.maxNWhy });
        continue;
      }
      if (modeName === 'quick' && sys.quickMaxN && n > sys.quickMaxN) {
        skipped.push({ id: sys.id, n, reason: sys.quickMaxNWhy });
        continue;
      }
      // 10M rows of [i, i*2, 'value-' + i] take ~2-4 GB of JS heap in the
      // in-memory JS systems (termstore keeps every dets table in memory too).
      if (n >= 10_000_000 && !sys.erl && (sys.kind === 'memory' || sys.driver === 'dets' || sys.driver === 'nedb') && os.totalmem() < 12 * GiB) {
        skipped.push({ id: sys.id, n, reason: `needs ~12 GiB of RAM for a 10M-row JS heap; this machine has ${(os.totalmem() / GiB).toFixed(1)} GiB` });
        continue;
      }
      plan.push({ sys, n });
    }
  }
  const runsFor = (n) => (n >= 10_000_000 ? (mode.runsLarge ?? mode.runs) : mode.runs);
  const maxRuns = Math.max(...plan.map((p) => runsFor(p.n)));

  // ---- trials -----------------------------------------------------------------
  /** What one trial of `sys` at `n` rows measures. */
  function trialConfig(sys, n) {
    const extra = n > Math.max(...mode.sizes); // the quick run's 1M-row trials for the targets
    // Those measure what the targets need: every op for the in-memory tables
    // (termstore vs OTP ets "on every operation", tab2file/file2tab included),
    // insert/lookup/disk figures for dets.
    const skip = extra && sys.kind === 'disk' ? ['mix', 'counter', 'scan', 'select'] : [];
    const insertBudgetMs = sys.slowWrites ? mode.insertBudgetSlowMs : extra ? mode.insertBudgetTargetMs : mode.insertBudgetMs;
    // lookup, mix and counter at the targets' size: long enough to be past the JIT's warm-up
    const opBudgetMs = extra ? mode.opBudgetTargetMs : mode.budgetMs;
    return { skip, insertBudgetMs, opBudgetMs };
  }

  function trial(sys, n) {
    const dir = mkdtempSync(path.join(baseDir, 'termstore-bench-'));
    const { skip, insertBudgetMs, opBudgetMs } = trialConfig(sys, n);
    let bin, args;
    if (sys.erl) {
      bin = 'erl';
      args = ['-noshell', '-pa', beamDir, '-run', sys.driver, 'main', sys.variant, String(n), String(mode.budgetMs), String(insertBudgetMs), String(opBudgetMs), skip.length ? skip.join(',') : 'none', dir];
    } else {
      const cfg = { n, variant: sys.variant, dir, budgetMs: mode.budgetMs, insertBudgetMs, opBudgetMs, flatOutMs: mode.flatOutMs, skip };
      const heapMb = n >= 5_000_000 ? Math.min(32_768, Math.floor((os.totalmem() / 1024 ** 2) * 0.7)) : 4096;
      bin = process.execPath;
      args = ['--expose-gc', `--max-old-space-size=${heapMb}`, path.join(here, 'drivers', `${sys.driver}.mjs`), JSON.stringify(cfg)];
    }
    const t0 = Date.now();
    const r = spawnSync(bin, args, { cwd: dir, env: { ...process.env, ERL_CRASH_DUMP_SECONDS: '0' }, encoding: 'utf8', timeout: mode.timeoutMs, maxBuffer: 1 << 26 });
    rmSync(dir, { recursive: true, force: true });
    const seconds = (Date.now() - t0) / 1000;
    const line = (r.stdout ?? '')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop();
    if (r.status !== 0 || !line) {
      const why = r.error?.code === 'ETIMEDOUT' ? `timed out after ${mode.timeoutMs / 1000} s` : `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`;
      return { error: why, seconds };
    }
    return { ...JSON.parse(line), seconds };
  }

  if (values.plan) {
    for (const { sys, n } of plan) process.stdout.write(`${sys.id} n=${n} runs=${runsFor(n)} ${JSON.stringify(trialConfig(sys, n))}\n`);
    for (const sk of skipped) process.stdout.write(`skip ${sk.id}${sk.n ? ` n=${sk.n}` : ''}: ${sk.reason}\n`);
    if (beamDir) rmSync(beamDir, { recursive: true, force: true });
    process.exit(0);
  }
  const trials = {}; // id -> n -> [result]
  let done = 0;
  const total = plan.reduce((s, p) => s + runsFor(p.n), 0);
  process.stderr.write(`termstore bench (${modeName}): ${plan.length} system/size pairs, ${total} trials${otp ? '' : ' (no OTP: erl not found)'}\n`);
  const fewerRuns = [];
  for (let run = 0; run < maxRuns; run++) {
    for (const { sys, n } of plan) {
      if (run >= runsFor(n)) continue;
      done++;
      const first = trials[sys.id]?.[n]?.[0];
      if (run > 0 && mode.repeatBelowS && first && first.seconds >= mode.repeatBelowS) {
        if (run === 1) fewerRuns.push({ id: sys.id, n, reason: `1 run: the trial took ${first.seconds.toFixed(0)} s (quick mode repeats trials under ${mode.repeatBelowS} s)` });
        continue;
      }
      const r = trial(sys, n);
      ((trials[sys.id] ??= {})[n] ??= []).push(r);
      const el = ((Date.now() - started) / 1000).toFixed(0);
      process.stderr.write(`[${done}/${total} ${el}s] ${sys.id} n=${n} run ${run + 1}: ${r.error ? 'FAILED ' + r.error : r.seconds.toFixed(1) + ' s'}\n`);
    }
  }
  if (beamDir) rmSync(beamDir, { recursive: true, force: true });

  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown CPU',
    cores: cpus.length,
    memGiB: Number((os.totalmem() / GiB).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    otp: otp ? `OTP ${otp}` : 'not installed',
    loadavgStart: loadStart,
    loadavgEnd: os.loadavg()[0],
  };
  const meta = {
    mode: modeName,
    date: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine,
    config: { sizes: [...new Set(plan.map((p) => p.n))].sort((a, b) => a - b), ...mode, trials: Object.fromEntries(plan.map(({ sys, n }) => [`${sys.id}@${n}`, trialConfig(sys, n)])) },
  };
  return { ...meta, custom, skipped, fewerRuns, trials };
}

// ---- medians and output -------------------------------------------------------
function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** Medians over runs, then the results files, the chart, RESULTS.md (full runs) and the printed summary. */
function render(saved) {
  const meta = { mode: saved.mode, date: saved.date, durationS: saved.durationS, machine: saved.machine, config: saved.config, custom: saved.custom };
  const results = {};
  const failures = [];
  for (const [id, byN] of Object.entries(saved.trials)) {
    for (const [n, rs] of Object.entries(byN)) {
      const ok = rs.filter((r) => !r.error);
      for (const r of rs) if (r.error) failures.push({ id, n: Number(n), error: r.error });
      if (ok.length === 0) continue;
      const med = { runs: ok.length };
      const keys = new Set(ok.flatMap((r) => Object.keys(r)));
      for (const k of keys) {
        if (k === 'notes') med.notes = [...new Set(ok.flatMap((r) => r.notes ?? []))];
        else {
          const v = median(ok.map((r) => r[k]));
          if (v !== undefined) med[k] = v;
        }
      }
      (results[id] ??= {})[n] = med;
    }
  }

  const systems = SYSTEMS.filter((s) => results[s.id]).map(({ id, label, group, kind, durability }) => ({ id, label, group, kind, durability }));
  const tgt = targets(results);
  const beh = behind(results);
  const isFull = meta.mode === 'full' && !custom && !meta.custom;
  const name = values.out ?? (values.report ? path.basename(values.report, '.json') : outName);
  const svgName = isFull ? 'scaling.svg' : `${name}-scaling.svg`;
  const md = markdown({ meta, systems, results, skipped: saved.skipped, fewerRuns: saved.fewerRuns, failures, targets: tgt, behind: beh, chart: svgName });

  const outDir = path.join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify({ ...saved, systems, results, failures, targets: tgt, behind: beh, trials: saved.trials }, null, 2) + '\n');
  writeFileSync(path.join(outDir, `${name}.md`), md.full);
  writeFileSync(path.join(outDir, svgName), scalingSvg({ meta, systems, results }));
  if (isFull) {
    const resultsMd = path.join(here, 'RESULTS.md');
    const page = readFileSync(resultsMd, 'utf8');
    const begin = '<!-- bench:generated:begin -->';
    const end = '<!-- bench:generated:end -->';
    const a = page.indexOf(begin);
    const b = page.indexOf(end);
    const body = md.body.replaceAll(`](${svgName})`, `](results/${svgName})`);
    if (a >= 0 && b > a) writeFileSync(resultsMd, page.slice(0, a + begin.length) + '\n' + body + '\n' + page.slice(b));
    else process.stderr.write(`RESULTS.md has no ${begin} ... ${end} section; left as is\n`);
  }
  process.stdout.write(md.summary);
  process.stdout.write(`\nWrote bench/results/${name}.md, ${name}.json, ${svgName}${isFull ? ' and bench/RESULTS.md' : ''}${values.report ? ' from ' + values.report : ` in ${meta.durationS} s`}.\n`);
  if (values.check) {
    let base;
    try {
      base = loadBaseline({ file: values.baseline, rev: values['baseline-rev'], name: meta.mode === 'full' ? 'full' : 'quick', cwd: here });
    } catch (e) {
      process.stderr.write(`--check: no committed results to compare with (${e.message.split('\n')[0]})\n`);
      process.exit(2);
    }
    const label = Object.fromEntries(systems.map((s) => [s.id, s.label]));
    const cmp = compareRuns(results, base.results, { threshold: values.threshold ? Number(values.threshold) : 1.2, systems });
    process.stdout.write('\n' + checkReport(cmp, { label, baselineDate: base.date }));
    if (cmp.flagged.length > 0) process.exitCode = 1;
  }
}
