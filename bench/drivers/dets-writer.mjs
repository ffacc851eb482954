// Standalone benchmark of termstore's OTP DETS writer (writeDetsFile)
// against OTP writing the same rows itself, and of OTP reading both files.
// Not part of bench/run.mjs (it needs erl); run it after a build:
//
//   npm run build && node bench/drivers/dets-writer.mjs [--rows 1000000] [--runs 3]
//
// Rows are [i, i*2, 'value-' + i] ({I, I*2, <<"value-I">>} in OTP), as in the
// rest of bench/. termstore writes the file from the rows in one call; OTP
// inserts them with dets:insert/2 in batches of 1000 (how an application
// fills a table; dets:init_table/2 would leave it at 256 slots). Each write
// and each read runs in a fresh process; reads are interleaved; figures are
// medians. Prints a table and one JSON line.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

if (args[0] === '--trial') {
  // One termstore write, in this fresh process.
  const [, file, n] = args;
  const { writeDetsFile } = await import(new URL('../../dist/index.js', import.meta.url).href);
  function* rows() {
    for (let i = 0; i < Number(n); i++) yield [i, i * 2, 'value-' + i];
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await writeDetsFile(file, rows(), { force: true });
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ writeMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, peakRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0);
}

const rows = opt('rows', 1_000_000);
const runs = opt('runs', 3);
const dir = mkdtempSync(join(os.tmpdir(), 'termstore-bench-dets-writer-'));
const beam = join(dir, 'beam');
const erlDir = new URL('../erlang/', import.meta.url).pathname;
execFileSync('mkdir', ['-p', beam]);
execFileSync('erlc', ['-o', beam, ...readdirSync(erlDir).filter((f) => f.endsWith('.erl')).map((f) => join(erlDir, f))]);
const lastJson = (out) => JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop());
const erl = (...a) => lastJson(execFileSync('erl', ['-noshell', '-pa', beam, '-run', 'dets_file_bench', 'main', ...a], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
try {
  const ts = join(dir, 'termstore.dets');
  const otp = join(dir, 'otp.dets');
  const w = { termstore: [], otp: [] };
  const r = { termstore: [], otp: [] };
  for (let i = 0; i < runs; i++) {
    const p = spawnSync(process.execPath, [self, '--trial', ts, String(rows)], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`termstore write failed: ${p.stderr}`);
    w.termstore.push(lastJson(p.stdout));
    w.otp.push(erl('write', otp, String(rows)));
    r.termstore.push(erl('read', ts, String(rows)));
    r.otp.push(erl('read', otp, String(rows)));
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  const res = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg()[0], rows, runs };
  for (const who of ['termstore', 'otp']) {
    res[who] = {
      writeMs: m(w[who], 'writeMs'),
      peakRssMB: m(w[who], 'peakRssMB'),
      ...(who === 'termstore' ? { cpuMs: m(w[who], 'cpuMs') } : {}),
      slots: r[who][0].slots,
      fileBytes: r[who][0].fileBytes,
      otpOpenMs: m(r[who], 'openMs'),
      otpSelectAllMs: m(r[who], 'selectAllMs'),
      otpLookupNs: m(r[who], 'lookupNs'),
    };
  }
  const f = (v, d = 0) => v.toLocaleString('en-US', { maximumFractionDigits: d });
  console.log(`# DETS files: termstore's writer vs OTP's own, ${f(rows)} rows, median of ${runs} (${res.cpu}, ${res.cores} cores, Node ${res.node}, load ${res.loadavg.toFixed(2)}, ${res.date})`);
  console.log('| file written by | write ms | write peak RSS MB | slots | file MB | OTP open ms | OTP select all ms | OTP lookup µs |\n|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [who, label] of [['termstore', 'termstore writeDetsFile'], ['otp', 'OTP dets:insert, 1000 per call']]) {
    const x = res[who];
    console.log(`| ${label} | ${f(x.writeMs)} | ${f(x.peakRssMB)} | ${f(x.slots)} | ${f(x.fileBytes / 1e6, 1)} | ${f(x.otpOpenMs, 1)} | ${f(x.otpSelectAllMs)} | ${f(x.otpLookupNs / 1000, 1)} |`);
  }
  console.log('\n' + JSON.stringify(res));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
