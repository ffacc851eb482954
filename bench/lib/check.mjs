// The regression guard (`npm run bench -- --check`): compares a run with a
// committed one and flags every termstore figure more than 20% worse.
//
// Two runs on different machines, or on one machine under different load,
// differ in speed as a whole. That difference is estimated from the peers
// (the bare Map, sorted-btree, OTP, lmdb, SQLite, ...: code termstore does
// not change): the median, over every peer figure both runs have, of
// now / before. Each termstore time is divided by that factor before it is
// compared; sizes (bytes per row, RSS, file sizes) are compared as they are.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { METRICS, fmt } from './report.mjs';

/** Figures that measure time (normalised by the machine factor), and sizes (compared as they are). */
const TIMES = ['insert', 'lookup', 'mix', 'counter', 'scanMs', 'tab2listMs', 'selKey', 'selRangeUs', 'selGuardMs', 'tab2fileMs', 'file2tabMs', 'insertDurable', 'flatOut', 'compactMs', 'reopenMs', 'loopP99Ms'];
const SIZES = ['bytesPerRow', 'peakRssMB', 'compactedBytes'];
/** Figures under these are too small to compare (timer resolution, scheduling). */
const FLOOR = { scanMs: 1, tab2listMs: 1, selGuardMs: 1, tab2fileMs: 5, file2tabMs: 5, compactMs: 5, reopenMs: 5, loopP99Ms: 2 };
/** A budget-limited figure measured on fewer ops than this is too noisy to compare. */
const MIN_OPS = 2000;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? undefined : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The committed results to compare with: a file, or `bench/results/<name>.json`
 * as of a git revision (default HEAD), so a run that overwrote the file in the
 * working tree still compares with what was committed.
 */
export function loadBaseline({ file, rev = 'HEAD', name = 'quick', cwd }) {
  if (file) return JSON.parse(readFileSync(file, 'utf8'));
  const text = execFileSync('git', ['show', `${rev}:bench/results/${name}.json`], { cwd, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(text);
}

function usable(r, metric) {
  const v = r?.[metric];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return false;
  if (v < (FLOOR[metric] ?? 0)) return false;
  const ops = METRICS[metric]?.ops;
  return !(ops && typeof r[ops] === 'number' && r[ops] < Math.min(MIN_OPS, r.n));
}

/**
 * Compares `now` with `before` (results[systemId][n] = medians, as in the
 * results files). Returns the machine factor, every compared termstore
 * figure, and those more than `threshold` worse.
 */
export function compareRuns(now, before, { threshold = 1.2, systems } = {}) {
  const group = Object.fromEntries((systems ?? []).map((s) => [s.id, s.group]));
  const isTermstore = (id) => (group[id] ?? (id.startsWith('ts-') ? 'termstore' : 'peer')) === 'termstore';
  const peerRatios = [];
  const rows = [];
  for (const [id, byN] of Object.entries(now)) {
    for (const [n, r] of Object.entries(byN)) {
      const b = before[id]?.[n];
      if (b === undefined) continue;
      for (const metric of [...TIMES, ...SIZES]) {
        if (!usable(r, metric) || !usable(b, metric)) continue;
        const ratio = r[metric] / b[metric];
        if (!isTermstore(id)) {
          if (TIMES.includes(metric)) peerRatios.push(ratio);
          continue;
        }
        rows.push({ id, n: Number(n), metric, now: r[metric], before: b[metric], ratio, time: TIMES.includes(metric) });
      }
    }
  }
  const factor = median(peerRatios) ?? 1;
  for (const row of rows) {
    row.normalized = row.time ? row.ratio / factor : row.ratio;
    row.flagged = row.normalized > threshold;
  }
  rows.sort((p, q) => q.normalized - p.normalized);
  return { factor, peers: peerRatios.length, rows, flagged: rows.filter((r) => r.flagged), threshold };
}

const sizeName = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** The comparison as text: the machine factor, then every flagged figure (or a line saying there is none). */
export function checkReport(cmp, { label = {}, baselineDate }) {
  const lines = [];
  lines.push(`Check against the committed results${baselineDate ? ` of ${baselineDate.slice(0, 10)}` : ''}: this run's peers are ${cmp.factor.toFixed(2)}x the committed run's times (median of ${cmp.peers} peer figures); termstore times are divided by that before comparing, sizes are compared as they are.`);
  if (cmp.rows.length === 0) {
    lines.push('Nothing to compare: the two runs have no termstore figure in common.');
    return lines.join('\n') + '\n';
  }
  if (cmp.flagged.length === 0) {
    const worst = cmp.rows[0];
    lines.push(`No termstore figure is more than ${Math.round((cmp.threshold - 1) * 100)}% worse (${cmp.rows.length} compared; the worst: ${label[worst.id] ?? worst.id} ${METRICS[worst.metric].head} at ${sizeName(worst.n)} rows, ${worst.normalized.toFixed(2)}x).`);
    return lines.join('\n') + '\n';
  }
  lines.push(`${cmp.flagged.length} of ${cmp.rows.length} termstore figures are more than ${Math.round((cmp.threshold - 1) * 100)}% worse:`, '');
  lines.push('| system | figure | rows | now | committed | now / committed | after the machine factor |', '|---|---|---|---:|---:|---:|---:|');
  for (const r of cmp.flagged) {
    const sc = METRICS[r.metric].scale ?? 1;
    lines.push(`| ${label[r.id] ?? r.id} | ${METRICS[r.metric].head} | ${sizeName(r.n)} | ${fmt(r.now * sc)} | ${fmt(r.before * sc)} | ${r.ratio.toFixed(2)}x | **${r.normalized.toFixed(2)}x** |`);
  }
  return lines.join('\n') + '\n';
}
