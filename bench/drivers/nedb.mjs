// @seald-io/nedb: all documents in memory, each write appended to the
// datafile (no fsync; crash-safe rewrite on load and compaction). Documents
// { _id: i, b: i*2, c: 'value-' + i }; inserts 1000 documents per call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Datastore from '@seald-io/nedb';
import { config, run } from './harness.mjs';

const file = path.join(config.dir, 'bench.nedb');
const doc = (i) => ({ _id: i, b: i * 2, c: 'value-' + i });
let db;
async function openDb() {
  db = new Datastore({ filename: file });
  await db.loadDatabaseAsync();
}

await run({
  kind: 'disk',
  batched: true,
  notes: ['every read and write is an awaited promise (nedb has no synchronous API)', 'counter: updateAsync with $inc, one at a time', 'mix writes: updateAsync replacing the document', 'compaction: compactDatafileAsync'],
  open: openDb,
  insertRange(lo, hi) {
    const docs = [];
    for (let i = lo; i < hi; i++) docs.push(doc(i));
    return db.insertAsync(docs);
  },
  async overwriteRange(lo, hi) {
    for (let i = lo; i < hi; i++) await db.updateAsync({ _id: i }, doc(i));
  },
  async lookupKeys(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += (await db.findOneAsync({ _id: keys[j] })) !== null ? 1 : 0;
    return found;
  },
  async mix(keys, lo, hi) {
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      if (j % 10 === 9) await db.updateAsync({ _id: k }, doc(k));
      else await db.findOneAsync({ _id: k });
    }
  },
  async counter(keys, lo, hi) {
    for (let j = lo; j < hi; j++) await db.updateAsync({ _id: keys[j] }, { $inc: { b: 1 } });
  },
  scan: async () => (await db.findAsync({}).sort({ _id: 1 }).execAsync()).length,
  tab2list: async () => (await db.findAsync({})).length,
  async selectKey(keys, lo, hi) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += (await db.findAsync({ _id: keys[j] })).length;
    return rows;
  },
  async selectRange(starts, lo, hi, width) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += (await db.findAsync({ _id: { $gte: starts[j], $lt: starts[j] + width } })).length;
    return rows;
  },
  selectGuard: async (limit) => (await db.findAsync({ b: { $lt: limit } })).length,
  fileSize: () => fs.statSync(file).size,
  compact: () => db.compactDatafileAsync(),
  close: () => db.compactDatafileAsync(),
  reopen: openDb,
});
