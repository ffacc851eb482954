// The physical limit in JS: a bare Map doing the same work (the same row
// allocation; no copy, no freeze, no validation, no ownership check).
import { config, row, run } from './harness.mjs';

let m;
await run({
  kind: 'memory',
  notes: ['counter: best read-modify-write is mutating the row in place (row[1] += 1)', 'selectRange: no key order in a Map (n/a)', 'scan: insertion order, which is key order here'],
  open() {
    m = new Map();
  },
  insertRange(lo, hi) {
    for (let i = lo; i < hi; i++) m.set(i, row(i));
  },
  lookupKeys(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += m.get(keys[j]) !== undefined ? 1 : 0;
    return found;
  },
  mix(keys, lo, hi) {
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      if (j % 10 === 9) m.set(k, row(k));
      else m.get(k);
    }
  },
  counter(keys, lo, hi) {
    for (let j = lo; j < hi; j++) m.get(keys[j])[1] += 1;
  },
  scan() {
    let steps = 0;
    for (const _ of m.keys()) steps++;
    return steps;
  },
  tab2list: () => [...m.values()].length,
  selectKey(keys, lo, hi) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += m.has(keys[j]) ? [m.get(keys[j])].length : 0;
    return rows;
  },
  selectGuard(limit) {
    const out = [];
    for (const r of m.values()) if (r[1] < limit) out.push(r);
    return out.length;
  },
});
