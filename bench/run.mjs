#!/usr/bin/env node
// npm run bench [-- --full] [-- --runs 3] [-- --n 1000000]
// Runs every system in its own fresh process, several times, takes the
// median, and prints a markdown table (also written to bench/results/).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    runs: { type: 'string' },
    n: { type: 'string' },
  },
});
const runs = Number(values.runs ?? (values.full ? 5 : 3));
const n = Number(values.n ?? 1_000_000);

const hasErl = spawnSync('erl', ['-version'], { stdio: 'ignore' }).status === 0;
if (hasErl) {
  execFileSync('erlc', ['-o', path.join(here, 'erlang'), path.join(here, 'erlang', 'ets_bench.erl')]);
}

/** Each system: a label, a durability note, and how to run one trial. */
const systems = [
  { id: 'ts-set', label: 'termstore ets set', durability: 'memory', cmd: ['node', ['--expose-gc', 'drivers/ets.mjs', 'set', n]] },
  { id: 'ts-ordered', label: 'termstore ets ordered_set', durability: 'memory', cmd: ['node', ['--expose-gc', 'drivers/ets.mjs', 'ordered_set', n]] },
  { id: 'ts-bag', label: 'termstore ets bag', durability: 'memory', cmd: ['node', ['--expose-gc', 'drivers/ets.mjs', 'bag', n]] },
  { id: 'map', label: 'bare Map (no copy)', durability: 'memory', cmd: ['node', ['--expose-gc', 'drivers/map.mjs', n]] },
  { id: 'btree', label: 'raw sorted-btree', durability: 'memory', cmd: ['node', ['--expose-gc', 'drivers/btree.mjs', n]] },
  ...(hasErl
    ? [
        { id: 'otp-set', label: 'OTP ets set', durability: 'memory', cmd: ['erl', ['-noshell', '-pa', 'erlang', '-eval', `ets_bench:main([set, ${n}])`, '-s', 'init', 'stop']] },
        { id: 'otp-ordered', label: 'OTP ets ordered_set', durability: 'memory', cmd: ['erl', ['-noshell', '-pa', 'erlang', '-eval', `ets_bench:main([ordered_set, ${n}])`, '-s', 'init', 'stop']] },
        { id: 'otp-bag', label: 'OTP ets bag', durability: 'memory', cmd: ['erl', ['-noshell', '-pa', 'erlang', '-eval', `ets_bench:main([bag, ${n}])`, '-s', 'init', 'stop']] },
      ]
    : []),
];

function trial(sys) {
  const [bin, args] = sys.cmd;
  const out = execFileSync(bin, args.map(String), { cwd: here, encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = out.trim().split('\n').pop();
  return JSON.parse(line);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const results = {};
for (const sys of systems) {
  const trials = [];
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`\r${sys.label}: run ${i + 1}/${runs}   `);
    trials.push(trial(sys));
  }
  const med = {};
  for (const k of Object.keys(trials[0])) med[k] = median(trials.map((t) => t[k]));
  results[sys.id] = med;
}
process.stderr.write('\n');

const metrics = [
  ['insert', 'insert (ns/op)'],
  ['lookup', 'lookup (ns/op)'],
  ['updateCounter', 'updateCounter (ns/op)'],
  ['traverseMs', 'first/next traversal (ms)'],
  ['tab2listMs', 'tab2list (ms)'],
  ['bytesPerRow', 'memory (bytes/row)'],
];
const fmt = (v) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const ratio = (a, b) => (a === undefined || b === undefined ? '-' : (b / a).toFixed(2) + 'x');

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = `termstore bench, ${new Date().toISOString().slice(0, 10)}, ${cpu}, ${os.cpus().length} cores, Node ${process.version}, N = ${n}, median of ${runs} runs, each in a fresh process`;
const lines = [`# ${header}`, ''];
const cols = systems.map((s) => s.id);
lines.push('| metric | ' + systems.map((s) => `${s.label} (${s.durability})`).join(' | ') + ' |');
lines.push('|---|' + cols.map(() => '---:').join('|') + '|');
for (const [k, label] of metrics) lines.push(`| ${label} | ` + cols.map((c) => fmt(results[c]?.[k])).join(' | ') + ' |');
lines.push('');
lines.push('Ratios (how many times faster termstore is; < 1x means slower):');
lines.push('');
lines.push('| metric | set vs Map | set vs OTP set | ordered_set vs OTP ordered_set | bag vs OTP bag |');
lines.push('|---|---:|---:|---:|---:|');
for (const [k, label] of metrics.slice(0, 5)) {
  lines.push(
    `| ${label} | ${ratio(results['ts-set'][k], results.map[k])} | ${ratio(results['ts-set'][k], results['otp-set']?.[k])} | ${ratio(results['ts-ordered'][k], results['otp-ordered']?.[k])} | ${ratio(results['ts-bag'][k], results['otp-bag']?.[k])} |`,
  );
}
if (!hasErl) lines.push('', 'OTP rows skipped: `erl` is not installed (apt-get install erlang-nox).');
const md = lines.join('\n') + '\n';
process.stdout.write(md);
mkdirSync(path.join(here, 'results'), { recursive: true });
writeFileSync(path.join(here, 'results', 'latest.json'), JSON.stringify({ header, n, runs, systems: systems.map(({ id, label, durability }) => ({ id, label, durability })), results }, null, 2));
writeFileSync(path.join(here, 'results', 'latest.md'), md);
