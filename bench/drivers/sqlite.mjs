// better-sqlite3: WAL, synchronous=NORMAL (a committed transaction survives a
// process crash; the last ones may be lost on power loss until checkpoint),
// writes batched 1000 per transaction, rowid table (INTEGER PRIMARY KEY).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { config, run } from './harness.mjs';

const file = path.join(config.dir, 'bench.sqlite');
let db, st;
function openDb() {
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, b INTEGER NOT NULL, c TEXT NOT NULL)');
  st = {
    put: db.prepare('INSERT OR REPLACE INTO t (k, b, c) VALUES (?, ?, ?)'),
    get: db.prepare('SELECT k, b, c FROM t WHERE k = ?').raw(),
    incr: db.prepare('UPDATE t SET b = b + 1 WHERE k = ? RETURNING b').pluck(),
    all: db.prepare('SELECT k, b, c FROM t ORDER BY k').raw(),
    range: db.prepare('SELECT k, b, c FROM t WHERE k >= ? AND k < ?').raw(),
    guard: db.prepare('SELECT k, b, c FROM t WHERE b < ?').raw(),
  };
  st.insertRange = db.transaction((lo, hi) => {
    for (let i = lo; i < hi; i++) st.put.run(i, i * 2, 'value-' + i);
  });
  st.mix = db.transaction((keys, lo, hi) => {
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      if (j % 10 === 9) st.put.run(k, k * 2, 'value-' + k);
      else st.get.get(k);
    }
  });
  st.counter = db.transaction((keys, lo, hi) => {
    for (let j = lo; j < hi; j++) st.incr.get(keys[j]);
  });
}
const size = (f) => (fs.existsSync(f) ? fs.statSync(f).size : 0);

await run({
  kind: 'disk',
  batched: true,
  notes: ['counter: UPDATE ... SET b = b + 1 ... RETURNING b, 1000 per transaction', 'compaction: wal_checkpoint(TRUNCATE), VACUUM, wal_checkpoint(TRUNCATE)', 'file size: database + WAL'],
  open: openDb,
  insertRange: (lo, hi) => st.insertRange(lo, hi),
  lookupKeys(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += st.get.get(keys[j]) !== undefined ? 1 : 0;
    return found;
  },
  mix: (keys, lo, hi) => st.mix(keys, lo, hi),
  counter: (keys, lo, hi) => st.counter(keys, lo, hi),
  scan() {
    let steps = 0;
    for (const _ of st.all.iterate()) steps++;
    return steps;
  },
  tab2list: () => st.all.all().length,
  selectKey(keys, lo, hi) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += st.get.all(keys[j]).length;
    return rows;
  },
  selectRange(starts, lo, hi, width) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += st.range.all(starts[j], starts[j] + width).length;
    return rows;
  },
  selectGuard: (limit) => st.guard.all(limit).length,
  fileSize: () => size(file) + size(file + '-wal'),
  compact() {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM'); // in WAL mode the rewritten pages go through the WAL:
    db.pragma('wal_checkpoint(TRUNCATE)');
  },
  close: () => db.close(),
  reopen: openDb,
});
