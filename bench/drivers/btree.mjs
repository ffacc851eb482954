// The raw ordered structure termstore's ordered_set uses (sorted-btree with
// the term comparator): node drivers/btree.mjs <n>
import { createRequire } from 'node:module';
import { compareTerms } from '../../dist/index.js';
import { now, nsPerOp, randomKeys, heapUsed, emit } from './common.mjs';
const BTree = createRequire(import.meta.url)('sorted-btree').default;
const n = Number(process.argv[2] ?? 1e6);
const keys = randomKeys(n, n);
const h0 = heapUsed();
const t = new BTree(undefined, compareTerms);
const r = {};
let s = now();
for (let i = 0; i < n; i++) t.set(i, [i, i * 2, 'value-' + i]);
r.insert = nsPerOp(s, n);
r.bytesPerRow = (heapUsed() - h0) / n;
s = now();
let sink = 0;
for (let i = 0; i < n; i++) sink += t.get(keys[i]).length;
r.lookup = nsPerOp(s, n);
s = now();
let k = t.minKey(), steps = 0;
while (k !== undefined) { k = t.nextHigherKey(k); steps++; }
r.traverseMs = Number(now() - s) / 1e6;
s = now();
const all = t.valuesArray();
r.tab2listMs = Number(now() - s) / 1e6;
if (steps !== n || all.length !== n || sink === 0) throw new Error('sanity');
emit(r);
