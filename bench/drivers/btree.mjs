// A plain-JS ordered baseline: the sorted-btree package (a popular B+ tree)
// with termstore's term comparator (compareTerms), no copy, no validation.
// (termstore's ordered_set engine has its own B+ tree, src/engines/btree.ts.)
import { createRequire } from 'node:module';
import { compareTerms } from '../../dist/index.js';
import { config, row, run } from './harness.mjs';

const BTree = createRequire(import.meta.url)('sorted-btree').default;
let t;
await run({
  kind: 'memory',
  notes: ['counter: best read-modify-write is mutating the row in place (row[1] += 1)'],
  open() {
    t = new BTree(undefined, compareTerms);
  },
  insertRange(lo, hi) {
    for (let i = lo; i < hi; i++) t.set(i, row(i));
  },
  lookupKeys(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += t.get(keys[j]) !== undefined ? 1 : 0;
    return found;
  },
  mix(keys, lo, hi) {
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      if (j % 10 === 9) t.set(k, row(k));
      else t.get(k);
    }
  },
  counter(keys, lo, hi) {
    for (let j = lo; j < hi; j++) t.get(keys[j])[1] += 1;
  },
  scan() {
    let steps = 0;
    for (let k = t.minKey(); k !== undefined; k = t.nextHigherKey(k)) steps++;
    return steps;
  },
  tab2list: () => t.valuesArray().length,
  selectKey(keys, lo, hi) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += t.has(keys[j]) ? [t.get(keys[j])].length : 0;
    return rows;
  },
  selectRange(starts, lo, hi, width) {
    let rows = 0;
    for (let j = lo; j < hi; j++) {
      const out = [];
      t.forRange(starts[j], starts[j] + width, false, (_k, v) => {
        out.push(v);
      });
      rows += out.length;
    }
    return rows;
  },
  selectGuard(limit) {
    const out = [];
    t.forEachPair((_k, r) => {
      if (r[1] < limit) out.push(r);
    });
    return out.length;
  },
});
