// classic-level (LevelDB): default sync: false (each write reaches LevelDB's
// log through the OS: survives a process crash, not power loss), keys as
// 4-byte big-endian buffers (numeric order), values as JSON, writes batched
// 1000 per db.batch().
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { config, row, run } from './harness.mjs';

const dir = path.join(config.dir, 'level');
const key = (i) => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(i);
  return b;
};
let db;
async function openDb() {
  db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'json' });
  await db.open();
}
async function* rows(options) {
  const it = db.iterator(options);
  try {
    for (;;) {
      const batch = await it.nextv(1000);
      if (batch.length === 0) break;
      yield batch;
    }
  } finally {
    await it.close();
  }
}
function dirSize(d) {
  let s = 0;
  for (const f of fs.readdirSync(d)) s += fs.statSync(path.join(d, f)).size;
  return s;
}

await run({
  kind: 'disk',
  batched: true,
  notes: ['lookups: getSync', 'counter: getSync of each key (or its pending value), one db.batch() of puts per 1000 keys (no transactions in LevelDB)', 'compaction: compactRange over all keys'],
  open: openDb,
  insertRange(lo, hi) {
    const ops = [];
    for (let i = lo; i < hi; i++) ops.push({ type: 'put', key: key(i), value: row(i) });
    return db.batch(ops);
  },
  lookupKeys(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += db.getSync(key(keys[j])) !== undefined ? 1 : 0;
    return found;
  },
  async mix(keys, lo, hi) {
    const ops = [];
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      if (j % 10 === 9) ops.push({ type: 'put', key: key(k), value: row(k) });
      else db.getSync(key(k));
    }
    if (ops.length) await db.batch(ops);
  },
  async counter(keys, lo, hi) {
    const pending = new Map();
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      const v = pending.get(k) ?? db.getSync(key(k));
      pending.set(k, [v[0], v[1] + 1, v[2]]);
    }
    await db.batch([...pending].map(([k, v]) => ({ type: 'put', key: key(k), value: v })));
  },
  async scan() {
    let steps = 0;
    for await (const b of rows()) steps += b.length;
    return steps;
  },
  tab2list: async () => (await db.iterator().all()).length,
  selectKey(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) {
      const v = db.getSync(key(keys[j]));
      found += v === undefined ? 0 : [v].length;
    }
    return found;
  },
  async selectRange(starts, lo, hi, width) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += (await db.iterator({ gte: key(starts[j]), lt: key(starts[j] + width) }).all()).length;
    return found;
  },
  async selectGuard(limit) {
    const out = [];
    for await (const b of rows()) for (const [k, v] of b) if (v[1] < limit) out.push([k, v]);
    return out.length;
  },
  fileSize: () => dirSize(dir),
  compact: () => db.compactRange(key(0), key(0xffffffff)),
  close: () => db.close(),
  reopen: openDb,
});
