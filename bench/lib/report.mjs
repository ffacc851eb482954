// Markdown tables, the issue-2/3/11 targets and "where termstore is behind",
// from the medians of bench/run.mjs: results[systemId][n] = { metric: value }.

/** Every figure, lower is better. `ops` names the count a time budget may have cut short. */
export const METRICS = {
  insert: { head: 'insert ns/op', ops: 'insertOps' },
  lookup: { head: 'lookup ns/op', ops: 'lookupOps' },
  mix: { head: '90/10 mix ns/op', ops: 'mixOps' },
  counter: { head: 'counter ns/op', ops: 'counterOps' },
  scanMs: { head: 'full scan ms', ops: 'scanOps' },
  tab2listMs: { head: 'tab2list ms' },
  selKey: { head: 'select key µs', scale: 1e-3, ops: 'selKeyOps' },
  selRangeUs: { head: 'select range µs' },
  selGuardMs: { head: 'select guard ms' },
  tab2fileMs: { head: 'tab2file ms' },
  file2tabMs: { head: 'file2tab ms' },
  bytesPerRow: { head: 'bytes/row' },
  peakRssMB: { head: 'peak RSS MB' },
  insertDurable: { head: 'insert+sync ns/op', ops: 'insertOps' },
  syncMs: { head: 'sync ms' },
  flatOut: { head: 'flat-out ns/op' },
  loopP99Ms: { head: 'loop p99 ms' },
  loopMaxMs: { head: 'loop max ms' },
  fileBytes: { head: 'file MB', scale: 1e-6 },
  compactedBytes: { head: 'compacted MB', scale: 1e-6 },
  compactedOverPayload: { head: 'compacted/payload' },
  compactMs: { head: 'compact ms' },
  closeMs: { head: 'close ms' },
  reopenMs: { head: 'reopen→first read ms' },
};
const OPS_COLUMNS = ['insert', 'lookup', 'mix', 'counter', 'scanMs', 'tab2listMs', 'selKey', 'selRangeUs', 'selGuardMs', 'tab2fileMs', 'file2tabMs', 'bytesPerRow', 'peakRssMB'];
const DISK_COLUMNS = ['insertDurable', 'syncMs', 'flatOut', 'loopP99Ms', 'loopMaxMs', 'fileBytes', 'compactedBytes', 'compactedOverPayload', 'compactMs', 'closeMs', 'reopenMs'];

export function fmt(v) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}
const sizeName = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const x = (r) => (r >= 10 ? r.toFixed(0) : r.toFixed(2)) + 'x';

function cell(r, k) {
  const m = METRICS[k];
  const v = r?.[k];
  if (v === undefined) return '–';
  const s = fmt(v * (m.scale ?? 1));
  return m.ops && r[m.ops] !== undefined && r[m.ops] < r.n ? `${s}†` : s;
}

/** A markdown table; columns of figures are right-aligned, text columns left-aligned. */
function table(head, rows) {
  const numeric = head.map((_, i) => i > 0 && rows.every((r) => /^[–\d.,†x-]*$/.test(String(r[i]))));
  return [`| ${head.join(' | ')} |`, `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const sizesOf = (results) => [...new Set(Object.values(results).flatMap((byN) => Object.keys(byN).map(Number)))].sort((a, b) => a - b);

/** The largest n at which every [id, metric] pair has a figure (1M when it has). */
function commonN(results, pairs, want = 1_000_000) {
  const has = (n) => pairs.every(([id, metric]) => results[id]?.[n]?.[metric] !== undefined);
  if (has(want)) return want;
  return sizesOf(results).filter(has).pop();
}

// ---- targets (issues 2, 3 and 11) -----------------------------------------------------
const SET_OPS = [
  ['insert', 'insert', 1],
  ['lookup', 'lookup', 2],
  ['mix', '90/10 mix', 1],
  ['counter', 'updateCounter', 2],
  ['scanMs', 'first/next scan', 1],
  ['tab2listMs', 'tab2list', 1],
  ['selKey', 'select, bound key', 1],
  ['selRangeUs', 'select, key range', 1],
  ['selGuardMs', 'select, full scan + guard', 1],
  ['tab2fileMs', 'tab2file', 1],
  ['file2tabMs', 'file2tab', 1],
];
/** The ets table types and their OTP twins; issue 11 wants every op at least as fast as OTP on each, and 2x on `set` lookup and updateCounter. */
const ETS_TYPES = [
  ['ts-set', 'otp-ets-set', 'set'],
  ['ts-ordered_set', 'otp-ets-ordered_set', 'ordered_set'],
  ['ts-bag', 'otp-ets-bag', 'bag'],
  ['ts-duplicate_bag', 'otp-ets-duplicate_bag', 'duplicate_bag'],
];
const unitOf = (m) => (m === 'selKey' ? 'µs' : m.endsWith('Ms') ? 'ms' : m.endsWith('Us') ? 'µs' : 'ns');

export function targets(results) {
  const rows = [];
  const at = (id, n) => results[id]?.[n];
  // ids: system ids, all measured on `metric`, or [id, metric] pairs. Measured at
  // 1M rows when there, else at the largest size all have; `want`: a target
  // about one size (10M, say), which measured at another is information only.
  const add = (target, goal, ids, metric, measure, want) => {
    const pairs = ids.map((id) => (Array.isArray(id) ? id : [id, metric]));
    const n = commonN(results, pairs, want ?? 1_000_000);
    if (n === undefined) {
      rows.push({ target, goal, n: null, measured: 'not measured', result: 'n/a' });
      return;
    }
    const { text, ok } = measure(n);
    const elsewhere = want !== undefined && n !== want;
    rows.push({ target, goal, n, measured: elsewhere ? `${text} (at ${sizeName(n)} rows, not ${sizeName(want)})` : text, result: ok === null || elsewhere ? 'info' : ok ? 'PASS' : 'FAIL' });
  };
  const vsOtp = (tsId, otpId, type, m, name, factor) =>
    add(`ets ${type} ${name} vs OTP ets`, factor > 1 ? `≥ ${factor}x faster` : 'at least as fast', [tsId, otpId], m, (n) => {
      const s = at(otpId, n)[m] / at(tsId, n)[m];
      const u = METRICS[m];
      return { text: `${fmt(at(tsId, n)[m] * (u.scale ?? 1))} vs ${fmt(at(otpId, n)[m] * (u.scale ?? 1))} ${unitOf(m)}: ${s >= 1 ? `${x(s)} faster` : `${x(1 / s)} slower`}`, ok: s >= Math.max(factor, 1) };
    });
  // issues 2 and 11: set within 2x of a bare Map
  for (const [m, name] of [['insert', 'insert'], ['lookup', 'lookup']]) {
    add(`ets set ${name} vs bare Map`, '≤ 2x Map', ['ts-set', 'map'], m, (n) => {
      const r = at('ts-set', n)[m] / at('map', n)[m];
      return { text: `${fmt(at('ts-set', n)[m])} vs ${fmt(at('map', n)[m])} ns/op = ${x(r)}`, ok: r <= 2 };
    });
  }
  // issue 11: every op of every table type at least as fast as OTP ets; 2x on set lookup and updateCounter; memory within 1.3x
  for (const [tsId, otpId, type] of ETS_TYPES) {
    for (const [m, name, factor] of SET_OPS) {
      if (m === 'counter' && type !== 'set' && type !== 'ordered_set') continue; // not defined on bags (as in ETS)
      vsOtp(tsId, otpId, type, m, name, type === 'set' ? factor : 1);
    }
    add(`ets ${type} memory per row vs OTP ets`, '≤ 1.3x', [tsId, otpId], 'bytesPerRow', (n) => {
      const r = at(tsId, n).bytesPerRow / at(otpId, n).bytesPerRow;
      return { text: `${fmt(at(tsId, n).bytesPerRow)} vs ${fmt(at(otpId, n).bytesPerRow)} bytes/row = ${x(r)}`, ok: r <= 1.3 };
    });
  }
  // issue 3: dets
  add('dets insert (autoSave default, incl. sync) vs OTP dets (incl. sync)', '≥ 10x throughput', ['ts-dets', 'otp-dets'], 'insertDurable', (n) => {
    const a = at('ts-dets', n).insertDurable;
    const b = at('otp-dets', n).insertDurable;
    return { text: `${rate(a)} vs ${rate(b)} = ${x(b / a)}`, ok: b / a >= 10 };
  });
  add('dets insert (incl. sync) vs ets set insert', '≤ 2x ets', ['ts-dets', ['ts-set', 'insert']], 'insertDurable', (n) => {
    const a = at('ts-dets', n).insertDurable;
    const b = at('ts-set', n).insert;
    return { text: `${fmt(a)} (loop alone ${fmt(at('ts-dets', n).insert)}) vs ${fmt(b)} ns/op = ${x(a / b)}`, ok: a / b <= 2 };
  });
  add('dets lookup vs ets set lookup', 'as fast (≤ 1.2x)', ['ts-dets', 'ts-set'], 'lookup', (n) => {
    const r = at('ts-dets', n).lookup / at('ts-set', n).lookup;
    return { text: `${fmt(at('ts-dets', n).lookup)} vs ${fmt(at('ts-set', n).lookup)} ns/op = ${x(r)}`, ok: r <= 1.2 };
  });
  add('dets file after compaction vs encoded payload', '≤ 1.5x', ['ts-dets'], 'compactedOverPayload', (n) => {
    const r = at('ts-dets', n);
    return { text: `${fmt(r.compactedBytes / 1e6)} MB / ${fmt(r.payloadBytes / 1e6)} MB = ${x(r.compactedOverPayload)}`, ok: r.compactedOverPayload <= 1.5 };
  });
  // issue 11: dets at scale
  for (const [want, limitMs] of [
    [1_000_000, 300],
    [10_000_000, 3000],
  ]) {
    add(`dets reopen to first read (${sizeName(want)} rows)`, `≤ ${fmt(limitMs / 1000)} s`, ['ts-dets'], 'reopenMs', (n) => ({ text: `${fmt(at('ts-dets', n).reopenMs)} ms`, ok: at('ts-dets', n).reopenMs <= limitMs }), want);
    add(`dets peak RSS vs OTP ets peak RSS (${sizeName(want)} rows)`, '≤ 1.3x', ['ts-dets', 'otp-ets-set'], 'peakRssMB', (n) => {
      const r = at('ts-dets', n).peakRssMB / at('otp-ets-set', n).peakRssMB;
      return { text: `${fmt(at('ts-dets', n).peakRssMB)} vs ${fmt(at('otp-ets-set', n).peakRssMB)} MB = ${x(r)}`, ok: r <= 1.3 };
    }, want);
  }
  add('dets event-loop delay p99 while writing flat out', '≤ 5 ms', ['ts-dets'], 'loopP99Ms', (n) => ({ text: `p99 ${fmt(at('ts-dets', n).loopP99Ms)} ms, max ${fmt(at('ts-dets', n).loopMaxMs)} ms`, ok: at('ts-dets', n).loopP99Ms <= 5 }));
  add('dets autoSave 0 compaction vs the default\'s', 'as fast, same size', ['ts-dets-0', 'ts-dets'], 'compactMs', (n) => {
    const a = at('ts-dets-0', n);
    const b = at('ts-dets', n);
    const t = a.compactMs / b.compactMs;
    const sz = a.compactedBytes / b.compactedBytes;
    return { text: `${fmt(a.compactMs)} vs ${fmt(b.compactMs)} ms = ${x(t)}; ${fmt(a.compactedBytes / 1e6)} vs ${fmt(b.compactedBytes / 1e6)} MB = ${x(sz)}`, ok: t <= 1.1 && sz <= 1.05 };
  });
  return rows;
}
const rate = (nsPerOp) => `${fmt(1e9 / nsPerOp)}/s`;

// ---- where termstore is behind --------------------------------------------------------
const MEM_PAIRS = [
  ['ts-set', 'otp-ets-set'],
  ['ts-ordered_set', 'otp-ets-ordered_set'],
  ['ts-bag', 'otp-ets-bag'],
  ['ts-duplicate_bag', 'otp-ets-duplicate_bag'],
];
const DISK_PEERS = ['otp-dets', 'lmdb', 'sqlite', 'level', 'nedb'];
const BEHIND_MEM = ['insert', 'lookup', 'mix', 'counter', 'scanMs', 'tab2listMs', 'selKey', 'selRangeUs', 'selGuardMs', 'tab2fileMs', 'file2tabMs', 'bytesPerRow'];
const BEHIND_DISK = ['insertDurable', 'lookup', 'mix', 'counter', 'scanMs', 'tab2listMs', 'selKey', 'selRangeUs', 'selGuardMs', 'flatOut', 'loopP99Ms', 'compactedBytes', 'reopenMs', 'peakRssMB'];

/** Every figure where a termstore system is more than 10% slower (or bigger) than a peer, at the largest common size. */
export function behind(results) {
  const out = [];
  const check = (ts, peer, metrics, peerMetric = (m) => m) => {
    for (const m of metrics) {
      const pm = peerMetric(m);
      const has = (n) => results[ts]?.[n]?.[m] !== undefined && results[peer]?.[n]?.[pm] !== undefined;
      const n = sizesOf(results).filter(has).pop();
      if (n === undefined) continue;
      const a = results[ts][n][m];
      const b = results[peer][n][pm];
      if (a > b * 1.1) out.push({ termstore: ts, peer, metric: m, n, termstoreValue: a, peerValue: b, ratio: a / b });
    }
  };
  for (const [ts, peer] of MEM_PAIRS) check(ts, peer, BEHIND_MEM);
  // A key-range select on a hash table (dets set) is a full scan, as in DETS:
  // compared only with OTP dets (also hashed); termstore's ordered_set is
  // compared with the ordered peers.
  const ORDERED_PEERS = new Set(['lmdb', 'sqlite', 'level', 'nedb']);
  for (const ts of ['ts-dets', 'ts-dets-ordered']) {
    for (const peer of DISK_PEERS) {
      const metrics = ts === 'ts-dets' && ORDERED_PEERS.has(peer) ? BEHIND_DISK.filter((m) => m !== 'selRangeUs') : BEHIND_DISK;
      // peers whose insert includes their commit have no separate insert+sync figure
      check(ts, peer, metrics, (m) => (m === 'insertDurable' && results[peer] && !Object.values(results[peer]).some((r) => r.insertDurable !== undefined) ? 'insert' : m));
    }
  }
  return out.sort((p, q) => q.ratio - p.ratio);
}

// ---- markdown ---------------------------------------------------------------------------
export function markdown({ meta, systems, results, skipped, fewerRuns = [], failures, targets: tgt, behind: beh, chart }) {
  const m = meta.machine;
  const label = Object.fromEntries(systems.map((s) => [s.id, s.label]));
  const header =
    `termstore bench (${meta.mode}), ${meta.date.slice(0, 10)}: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}, Node ${m.node}, ${m.otp}; ` +
    `median of ${meta.config.runs} runs${meta.config.runsLarge && meta.config.runsLarge !== meta.config.runs ? ` (${meta.config.runsLarge} at 10M)` : ''}, each trial in a fresh process; ` +
    `load average ${m.loadavgStart.toFixed(2)} at start, ${m.loadavgEnd.toFixed(2)} at end; ${meta.durationS} s.`;
  const sizes = sizesOf(results);
  const parts = [];
  parts.push(
    'Rows are `[i, i*2, \'value-\' + i]` (a tuple in OTP, a row in SQLite, a document in NeDB). Lower is better everywhere. ' +
      `Each workload stops after the chunk that crosses its time budget (${meta.config.budgetMs} ms; for the insert of the rows ${meta.config.insertBudgetMs} ms` +
      `${meta.config.insertBudgetTargetMs ? `, ${meta.config.insertBudgetTargetMs} ms at 1M` : ''}, ${meta.config.insertBudgetSlowMs} ms for systems with slow single writes: dets autoSave 0, OTP dets` +
      `${meta.config.opBudgetTargetMs ? `; for lookup, mix and counter at 1M ${meta.config.opBudgetTargetMs} ms` : ''}); ` +
      (meta.mode === 'quick' ? 'the quick run\'s 1M-row trials skip the mix, counter, scan and select workloads on disk systems (the targets do not need them) and tab2file on memory systems; ' : '') +
      '† marks a figure measured on fewer ops than rows (the op counts are in the JSON). ns/op is per operation; full scan is `first`/`next` over every key (key order on ordered tables, table order on hash tables) or the peer\'s ordered cursor; select key is per query; select range is per query returning 100 rows (a full scan on hash tables, as in ETS); select guard is one full scan returning ~10% of rows.',
  );
  parts.push('### Systems and durability\n\n' + table(['system', 'kind', 'durability'], systems.map((s) => [s.label, s.kind, s.durability])));
  parts.push('### Targets (issues 2, 3 and 11)\n\n' + targetsTable(tgt));
  for (const n of sizes) {
    const ids = systems.filter((s) => results[s.id]?.[n]).map((s) => s.id);
    parts.push(`### ${sizeName(n)} rows\n\n` + table(['system', ...OPS_COLUMNS.map((k) => METRICS[k].head)], ids.map((id) => [label[id], ...OPS_COLUMNS.map((k) => cell(results[id][n], k))])));
    const disk = ids.filter((id) => systems.find((s) => s.id === id).kind === 'disk');
    if (disk.length) parts.push(`Disk systems, ${sizeName(n)} rows:\n\n` + table(['system', ...DISK_COLUMNS.map((k) => METRICS[k].head)], disk.map((id) => [label[id], ...DISK_COLUMNS.map((k) => cell(results[id][n], k))])));
  }
  const scaling = [];
  for (const k of ['insert', 'lookup', 'mix', 'counter']) {
    const ids = systems.filter((s) => Object.values(results[s.id]).some((r) => r[k] !== undefined)).map((s) => s.id);
    scaling.push(`${METRICS[k].head} by table size:\n\n` + table(['system', ...sizes.map(sizeName)], ids.map((id) => [label[id], ...sizes.map((n) => cell(results[id][n], k))])));
  }
  parts.push(`### Scaling\n\n![ns/op against table size](${chart})\n\n` + scaling.join('\n\n'));
  parts.push('### Where termstore is behind (> 1.1x)\n\n' + behindTable(beh, label));
  const notes = [];
  for (const s of systems) {
    const ns = [...new Set(Object.values(results[s.id]).flatMap((r) => r.notes ?? []))];
    if (ns.length) notes.push(`- ${s.label}: ${ns.join('; ')}.`);
  }
  for (const sk of skipped) notes.push(`- skipped: ${sk.id}${sk.n ? ` at ${sizeName(sk.n)} rows` : ''}: ${sk.reason}.`);
  for (const f of fewerRuns) notes.push(`- ${f.id} at ${sizeName(f.n)} rows: ${f.reason}.`);
  for (const f of failures) notes.push(`- failed: ${f.id} at ${sizeName(f.n)} rows: ${f.error}`);
  parts.push('### Notes and skips\n\n' + (notes.length ? notes.join('\n') : 'None.'));
  const body = `_${header}_\n\n` + parts.join('\n\n') + '\n';
  const full = `# termstore bench results (${meta.mode})\n\n` + body;

  // The printed summary: the tables at the largest size most systems reached
  // and at 1M (the targets' size), the targets, and where termstore is behind.
  const mainN = [...sizes].reverse().find((n) => systems.filter((s) => results[s.id]?.[n]).length >= systems.length / 2) ?? sizes.at(-1);
  const cols = ['insert', 'lookup', 'mix', 'counter', 'scanMs', 'tab2listMs', 'selKey', 'selRangeUs', 'selGuardMs', 'bytesPerRow'];
  const sizeTables = [...new Set([mainN, ...(sizes.includes(1_000_000) ? [1_000_000] : [])])].sort((a, b) => a - b).flatMap((n) => {
    const ids = systems.filter((s) => results[s.id]?.[n]).map((s) => s.id);
    const disk = ids.filter((id) => systems.find((s) => s.id === id).kind === 'disk');
    return [
      `${sizeName(n)} rows (medians; † = budget-limited op count):`,
      '',
      table(['system', 'durability', ...cols.map((k) => METRICS[k].head)], ids.map((id) => [label[id], systems.find((s) => s.id === id).durability.split(':')[0], ...cols.map((k) => cell(results[id][n], k))])),
      '',
      ...(disk.length ? [table(['disk system', ...DISK_COLUMNS.map((k) => METRICS[k].head)], disk.map((id) => [label[id], ...DISK_COLUMNS.map((k) => cell(results[id][n], k))])), ''] : []),
    ];
  });
  const summary = [
    header,
    '',
    ...sizeTables,
    'Targets:',
    '',
    targetsTable(tgt),
    '',
    ...(beh.length === 0
      ? ['Where termstore is behind (> 1.1x): nowhere.', '']
      : ['Where termstore is behind (> 1.1x):', '', behindTable(beh.slice(0, 25), label) + (beh.length > 25 ? `\n(${beh.length - 25} more in the results file)` : ''), '']),
    ...skipped.map((sk) => `skipped: ${sk.id}${sk.n ? ` at ${sizeName(sk.n)}` : ''}: ${sk.reason}`),
    ...fewerRuns.map((f) => `${f.id} at ${sizeName(f.n)}: ${f.reason}`),
    ...failures.map((f) => `FAILED: ${f.id} at ${sizeName(f.n)}: ${f.error}`),
    '',
  ].join('\n');
  return { full, body, summary };
}

function targetsTable(tgt) {
  return table(['target', 'goal', 'rows', 'measured', 'result'], tgt.map((t) => [t.target, t.goal, t.n ? sizeName(t.n) : '–', t.measured, t.result === 'PASS' ? '**PASS**' : t.result === 'FAIL' ? '**FAIL**' : t.result]));
}

function behindTable(beh, label) {
  if (beh.length === 0) return 'Nowhere.';
  return table(['termstore', 'peer', 'figure', 'rows', 'termstore', 'peer', 'ratio'], beh.map((b) => [label[b.termstore] ?? b.termstore, label[b.peer] ?? b.peer, METRICS[b.metric].head, sizeName(b.n), fmt(b.termstoreValue * (METRICS[b.metric].scale ?? 1)), fmt(b.peerValue * (METRICS[b.metric].scale ?? 1)), x(b.ratio)]));
}
