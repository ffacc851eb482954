// The physical limit in JS: a bare Map doing the same work (same row
// allocation, no copy, no freeze, no validation). node drivers/map.mjs <n>
import { now, nsPerOp, randomKeys, heapUsed, emit } from './common.mjs';
const n = Number(process.argv[2] ?? 1e6);
const keys = randomKeys(n, n);
const h0 = heapUsed();
const m = new Map();
const r = {};
let s = now();
for (let i = 0; i < n; i++) m.set(i, [i, i * 2, 'value-' + i]);
r.insert = nsPerOp(s, n);
r.bytesPerRow = (heapUsed() - h0) / n;
s = now();
let sink = 0;
for (let i = 0; i < n; i++) sink += m.get(keys[i]).length;
r.lookup = nsPerOp(s, n);
s = now();
for (let i = 0; i < n; i++) { const row = m.get(keys[i]); row[1] += 1; }
r.updateCounter = nsPerOp(s, n);
s = now();
let steps = 0;
for (const _ of m.keys()) steps++;
r.traverseMs = Number(now() - s) / 1e6;
s = now();
const all = [...m.values()];
r.tab2listMs = Number(now() - s) / 1e6;
if (steps !== n || all.length !== n || sink === 0) throw new Error('sanity');
emit(r);
