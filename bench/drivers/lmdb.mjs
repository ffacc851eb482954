// lmdb (lmdb-js, default options: msgpack values, number keys, writes
// committed in a transaction per batch, flushed with overlappingSync).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { open } from 'lmdb';
import { config, row, run } from './harness.mjs';

const file = path.join(config.dir, 'bench.mdb');
let db;
await run({
  kind: 'disk',
  batched: true,
  notes: [
    'writes: put() without awaiting each; one await per 1000 (lmdb batches them into one transaction)',
    'counter: get + put inside db.transaction() per 1000 keys (atomic read-modify-write)',
    'compaction: none in the API (the file reuses free pages)',
  ],
  open() {
    db = open({ path: file });
  },
  async insertRange(lo, hi) {
    let p;
    for (let i = lo; i < hi; i++) p = db.put(i, row(i));
    await p;
  },
  sync: () => db.flushed,
  lookupKeys(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += db.get(keys[j]) !== undefined ? 1 : 0;
    return found;
  },
  async mix(keys, lo, hi) {
    let p;
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      if (j % 10 === 9) p = db.put(k, row(k));
      else db.get(k);
    }
    await p;
  },
  counter: (keys, lo, hi) =>
    db.transaction(() => {
      for (let j = lo; j < hi; j++) {
        const k = keys[j];
        const v = db.get(k);
        db.put(k, [v[0], v[1] + 1, v[2]]);
      }
    }),
  scan() {
    let steps = 0;
    for (const _ of db.getRange()) steps++;
    return steps;
  },
  tab2list: () => db.getRange().asArray.length,
  selectKey(keys, lo, hi) {
    let rows = 0;
    for (let j = lo; j < hi; j++) {
      const v = db.get(keys[j]);
      rows += v === undefined ? 0 : [v].length;
    }
    return rows;
  },
  selectRange(starts, lo, hi, width) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += db.getRange({ start: starts[j], end: starts[j] + width }).asArray.length;
    return rows;
  },
  selectGuard: (limit) => db.getRange().filter(({ value }) => value[1] < limit).asArray.length,
  fileSize: () => fs.statSync(file).size,
  close: () => db.close(),
  reopen() {
    db = open({ path: file });
  },
});
