// termstore ets: node --expose-gc drivers/ets.mjs <type> <n>
import { ets } from '../../dist/index.js';
import { now, nsPerOp, randomKeys, heapUsed, emit } from './common.mjs';

const type = process.argv[2] ?? 'set';
const n = Number(process.argv[3] ?? 1e6);
const keys = randomKeys(n, n);
const h0 = heapUsed();
const t = ets.new('bench', { type, access: 'public' });
const r = {};
let s = now();
for (let i = 0; i < n; i++) ets.insert(t, [i, i * 2, 'value-' + i]);
r.insert = nsPerOp(s, n);
r.bytesPerRow = (heapUsed() - h0) / n;
s = now();
let sink = 0;
for (let i = 0; i < n; i++) sink += ets.lookup(t, keys[i]).length;
r.lookup = nsPerOp(s, n);
if (type === 'set' || type === 'ordered_set') {
  s = now();
  for (let i = 0; i < n; i++) ets.updateCounter(t, keys[i], [2, 1]);
  r.updateCounter = nsPerOp(s, n);
}
s = now();
let k = ets.first(t), steps = 0;
while (k !== ets.END_OF_TABLE) { k = ets.next(t, k); steps++; }
r.traverseMs = Number(now() - s) / 1e6;
s = now();
const all = ets.tab2list(t);
r.tab2listMs = Number(now() - s) / 1e6;
if (sink !== n || steps !== n || all.length !== n) throw new Error('bench sanity check failed');
emit(r);
