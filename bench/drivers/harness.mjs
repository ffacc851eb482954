// The workload sequence every Node driver runs, in one fresh process per
// trial. A driver (bench/drivers/<system>.mjs) supplies an adapter of tight
// loops; this module times them, in the same order for every system, and
// prints one JSON line of figures. bench/erlang/*.erl mirror this sequence.
//
// Config (JSON in argv[2]): { n, variant, dir, budgetMs, insertBudgetMs, opBudgetMs, skip, flatOutMs }
//   variant    driver-specific (table type, autoSave setting)
//   dir        an empty directory for the trial's files
//   n          table size (rows [i, i*2, 'value-' + i], i = 0..n-1)
//   budgetMs   time budget per workload: a workload stops after the chunk
//              that crosses it (at least one chunk), and reports how many
//              ops it measured (`<name>Ops`); the table is still built to n
//              rows (the unmeasured rest through `adapter.load`)
//   insertBudgetMs  the same for the insert of the n rows (default budgetMs)
//   opBudgetMs the same for lookup, mix and counter (default budgetMs)
//   skip       workloads to leave out: mix, counter, scan, select, tab2file
//   flatOutMs  how long the disk systems write flat out while the event
//              loop delay is monitored
//
// Adapter (all methods may return a promise; loops are the driver's own so
// that a bare Map is not slowed down by a callback per op):
//   kind: 'memory' | 'disk'
//   batched?: true               writes go in fixed chunks of 1000 (one
//                                transaction/batch each); otherwise chunks
//                                grow from 16 to 1000 ops
//   open()                      create an empty table in config.dir
//   insertRange(lo, hi)         insert rows lo..hi-1 with the system's best
//                               write path (batched for batching peers)
//   overwriteRange(lo, hi)?     rewrite existing rows (default insertRange)
//   load(lo, hi)?               fast unmeasured bulk path (used for the part
//                               of the table the insert budget did not cover)
//   sync()?                     until everything written is durable
//   lookupKeys(keys, lo, hi)    lookup keys[lo..hi-1]; returns rows found
//   mix(keys, lo, hi)           op j reads keys[j], or (j % 10 === 9) writes it
//   counter?(keys, lo, hi)      increment element 2 of the row keys[j]
//   scan()                      full scan in key (or table) order; returns rows/keys visited
//   tab2list()                  all rows as an array; returns its length
//   selectKey(keys, lo, hi)     match spec with the key bound; returns rows
//   selectRange?(starts, lo, hi, width)  keys in [s, s + width); returns rows
//   selectGuard(limit)          full scan, guard element 2 < limit; returns rows
//   tab2file?(file) / file2tab?(file)
//   fileSize?() compact?() payloadBytes?() close?() reopen?()
//   notes: string[]             what the driver could not do, and why
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as immediate } from 'node:timers/promises';

export const config = JSON.parse(process.argv[2] ?? '{}');
config.n = Number(config.n ?? 10_000);
config.budgetMs = Number(config.budgetMs ?? 2000);
config.flatOutMs = Number(config.flatOutMs ?? 1500);
config.insertBudgetMs = Number(config.insertBudgetMs ?? config.budgetMs);
config.opBudgetMs = Number(config.opBudgetMs ?? config.budgetMs);
/** Workloads to leave out (config.skip: names as in the output, e.g. "mix", "select", "tab2file"). */
const skip = new Set(config.skip ?? []);

/** The row every system stores (as array, tuple, record or document). */
export const row = (i) => [i, i * 2, 'value-' + i];

/** Deterministic keys (xorshift32), the same sequence as bench_util:keys/3. */
export function randomKeys(n, count, seed) {
  const out = new Int32Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x % n;
  }
  return out;
}

const now = () => process.hrtime.bigint();

function heapUsed() {
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Runs fn(lo, hi) over [0, total) in chunks until done or over budget.
 * Chunks start at 16 ops and double up to `maxChunk`, so that a slow system
 * overruns its budget by little; with `fixed`, every chunk is `maxChunk`
 * (a peer's batch: one transaction or batch per chunk).
 * Returns { ns: ns per op, ops, sink }.
 */
async function budgeted(total, maxChunk, budgetMs, fn, fixed = false, minChunks = 1) {
  const budget = BigInt(Math.round(budgetMs * 1e6));
  const t0 = now();
  let done = 0;
  let sink = 0;
  let chunk = fixed ? maxChunk : Math.min(16, maxChunk);
  let chunks = 0;
  while (done < total) {
    const hi = Math.min(total, done + chunk);
    chunk = Math.min(maxChunk, chunk * 2);
    let r = fn(done, hi);
    if (r instanceof Promise) r = await r;
    sink += r ?? 0;
    done = hi;
    if (++chunks >= minChunks && now() - t0 > budget) break;
  }
  const ns = Number(now() - t0);
  return { ns: done === 0 ? null : ns / done, ops: done, sink };
}

async function timed(fn) {
  const t0 = now();
  let r = fn();
  if (r instanceof Promise) r = await r;
  return { ms: Number(now() - t0) / 1e6, r };
}

/** Runs the workload sequence against `adapter` and prints one JSON line. */
export async function run(adapter) {
  const { n, budgetMs } = config;
  const out = { n };
  const notes = [...(adapter.notes ?? [])];
  const lookupKeys = randomKeys(n, n, 42);
  const mixKeys = randomKeys(n, n, 7);
  const counterKeys = randomKeys(n, n, 9);
  const width = Math.min(100, n);
  const rangeCount = Math.max(1, Math.min(10_000, Math.floor(n / width)));
  const rangeStarts = randomKeys(Math.max(1, n - width), rangeCount, 11);

  await adapter.open();
  const h0 = heapUsed();

  // insert N (the table is built to n rows even when the budget stops the measured part)
  const batched = Boolean(adapter.batched);
  const ins = await budgeted(n, 1000, config.insertBudgetMs, (lo, hi) => adapter.insertRange(lo, hi), batched);
  out.insert = ins.ns;
  out.insertOps = ins.ops;
  if (ins.ops < n) {
    if (adapter.load) await adapter.load(ins.ops, n);
    else for (let lo = ins.ops; lo < n; lo += 10_000) await adapter.insertRange(lo, Math.min(n, lo + 10_000));
  }
  if (adapter.sync) {
    const s = await timed(() => adapter.sync());
    out.syncMs = s.ms;
    out.insertDurable = out.insert + (s.ms * 1e6) / n;
  }
  if (adapter.kind === 'memory') out.bytesPerRow = (heapUsed() - h0) / n;

  const look = await budgeted(n, 1000, config.opBudgetMs, (lo, hi) => adapter.lookupKeys(lookupKeys, lo, hi));
  if (look.sink < look.ops) throw new Error(`lookup found ${look.sink} of ${look.ops} keys`);
  out.lookup = look.ns;
  out.lookupOps = look.ops;

  if (!skip.has('mix')) {
    const mix = await budgeted(n, 1000, config.opBudgetMs, (lo, hi) => adapter.mix(mixKeys, lo, hi), batched);
    out.mix = mix.ns;
    out.mixOps = mix.ops;
  }

  if (adapter.counter && !skip.has('counter')) {
    const c = await budgeted(n, 1000, config.opBudgetMs, (lo, hi) => adapter.counter(counterKeys, lo, hi), batched);
    out.counter = c.ns;
    out.counterOps = c.ops;
  }

  if (!skip.has('scan')) {
    const scan = await timed(() => adapter.scan());
    if (scan.r !== n) throw new Error(`scan visited ${scan.r} of ${n}`);
    out.scanMs = scan.ms;
    out.tab2listMs = (await timed(() => adapter.tab2list())).ms;
  }

  if (!skip.has('select')) {
    const sk = await budgeted(n, 100, budgetMs, (lo, hi) => adapter.selectKey(lookupKeys, lo, hi));
    if (sk.sink < sk.ops) throw new Error(`selectKey found ${sk.sink} rows for ${sk.ops} keys`);
    out.selKey = sk.ns;
    out.selKeyOps = sk.ops;
    if (adapter.selectRange) {
      const sr = await budgeted(rangeCount, 1, budgetMs, (lo, hi) => adapter.selectRange(rangeStarts, lo, hi, width));
      out.selRangeUs = sr.ns / 1e3;
      out.selRangeOps = sr.ops;
      out.selRangeRows = sr.sink / sr.ops;
    }
    const limit = Math.floor(n / 5); // element 2 is i*2 (plus a few counter increments): ~10% of rows
    const sg = await budgeted(5, 1, budgetMs, () => adapter.selectGuard(limit));
    out.selGuardMs = sg.ns / 1e6;
    out.selGuardOps = sg.ops;
    out.selGuardRows = sg.sink / sg.ops;
  }

  if (adapter.tab2file && !skip.has('tab2file')) {
    const file = `${config.dir}/tab2file.bin`;
    out.tab2fileMs = (await timed(() => adapter.tab2file(file))).ms;
    out.file2tabMs = (await timed(() => adapter.file2tab(file))).ms;
  }

  if (adapter.kind === 'disk') {
    // Event-loop delay while writing flat out: overwrite rows in chunks of
    // 100, yielding to the event loop between chunks (setImmediate), for
    // flatOutMs; background flushes and compactions happen meanwhile.
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    // (at least 3 chunks, so that the histogram has samples)
    const fo = await budgeted(
      n,
      100,
      config.flatOutMs,
      async (lo, hi) => {
        const r = (adapter.overwriteRange ?? adapter.insertRange)(lo, hi);
        if (r instanceof Promise) await r;
        await immediate();
        return 0;
      },
      true,
      3,
    );
    h.disable();
    out.flatOut = fo.ns;
    out.flatOutOps = fo.ops;
    out.loopP99Ms = h.percentile(99) / 1e6;
    out.loopMaxMs = h.max / 1e6;
    if (adapter.sync) await adapter.sync();
    if (adapter.fileSize) out.fileBytes = await adapter.fileSize();
    if (adapter.compact) {
      out.compactMs = (await timed(() => adapter.compact())).ms;
      out.compactedBytes = await adapter.fileSize();
    }
    if (adapter.payloadBytes) {
      const p = await adapter.payloadBytes();
      if (p != null) {
        out.payloadBytes = p;
        if (out.compactedBytes) out.compactedOverPayload = out.compactedBytes / p;
      }
    }
    if (adapter.close) out.closeMs = (await timed(() => adapter.close())).ms;
    if (adapter.reopen) {
      const key = lookupKeys[0];
      const r = await timed(async () => {
        await adapter.reopen();
        const found = await adapter.lookupKeys(lookupKeys, 0, 1);
        if (found < 1) throw new Error(`first read after reopen did not find key ${key}`);
      });
      out.reopenMs = r.ms;
      if (adapter.close) await adapter.close();
    }
  }
  out.peakRssMB = process.resourceUsage().maxRSS / 1024;
  if (notes.length) out.notes = notes;
  process.stdout.write(JSON.stringify(out) + '\n');
}
