// Shared helpers for bench drivers. Each driver runs in its own fresh
// process, prints one JSON line of results, and exits.
export function now() {
  return process.hrtime.bigint();
}
export function nsPerOp(start, n) {
  return Number(process.hrtime.bigint() - start) / n;
}
/** Deterministic pseudo-random keys (xorshift), the same in every driver. */
export function randomKeys(n, count, seed = 42) {
  const out = new Int32Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x % n;
  }
  return out;
}
export function heapUsed() {
  if (global.gc) { global.gc(); global.gc(); }
  return process.memoryUsage().heapUsed;
}
export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}
