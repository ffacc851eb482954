// termstore dets: an in-memory table whose writes are journaled to a file.
// Variants: default (autoSave 3000 ms), autosave0 (every write fsynced before
// the call returns), nosave (autoSave false: only sync/close/exit),
// ordered (ordered_set, default autoSave).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as api from '../../dist/index.js';
import { config, row, run } from './harness.mjs';

// dets is exported from the package root once the facade lands there; until then, from its module.
const dets = api.dets ?? (await import('../../dist/dets/index.js')).dets;
const VARIANTS = {
  default: { type: 'set' },
  autosave0: { type: 'set', autoSave: 0 },
  nosave: { type: 'set', autoSave: false },
  ordered: { type: 'ordered_set' },
};
const opts = VARIANTS[config.variant ?? 'default'];
if (!opts) throw new Error(`unknown dets variant ${config.variant}`);
const file = path.join(config.dir, 'bench.dets');
const notes = [];
if (!api.dets) notes.push('dets imported from dist/dets/index.js (not yet exported by the package root)');
let t;

// The encoded payload: each live row as the file format encodes it (CBOR,
// no framing), for the "file size after compaction vs payload" target.
let codec;
try {
  const c = await import('../../dist/dets/codec.js');
  codec = { enc: c.createCodec(), toWire: c.toWire };
} catch {
  notes.push('payload size: dist/dets/codec.js not found');
}

const open = () => dets.openFile('bench', { file, ...opts });

await run({
  kind: 'disk',
  notes,
  async open() {
    t = await open();
  },
  insertRange(lo, hi) {
    for (let i = lo; i < hi; i++) dets.insert(t, row(i));
  },
  load(lo, hi) {
    // autoSave 0 fsyncs once per call: insertMany makes that once per 10k rows
    for (let i = lo; i < hi; i += 10_000) {
      const rows = [];
      for (let j = i; j < Math.min(hi, i + 10_000); j++) rows.push(row(j));
      dets.insertMany(t, rows);
    }
  },
  sync: () => dets.sync(t),
  lookupKeys(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += dets.lookup(t, keys[j]).length > 0 ? 1 : 0;
    return found;
  },
  mix(keys, lo, hi) {
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      if (j % 10 === 9) dets.insert(t, row(k));
      else dets.lookup(t, k);
    }
  },
  counter(keys, lo, hi) {
    for (let j = lo; j < hi; j++) dets.updateCounter(t, keys[j], [2, 1]);
  },
  scan() {
    let steps = 0;
    for (let k = dets.first(t); k !== api.END_OF_TABLE; k = dets.next(t, k)) steps++;
    return steps;
  },
  tab2list: () => dets.tab2list(t).length,
  selectKey(keys, lo, hi) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += dets.select(t, [[[keys[j], '_', '_'], [], ['$_']]]).length;
    return rows;
  },
  selectRange(starts, lo, hi, width) {
    let rows = 0;
    for (let j = lo; j < hi; j++) {
      const s = starts[j];
      rows += dets.select(t, [[['$1', '_', '_'], [['>=', '$1', s], ['<', '$1', s + width]], ['$_']]]).length;
    }
    return rows;
  },
  selectGuard: (limit) => dets.select(t, [[['_', '$2', '_'], [['<', '$2', limit]], ['$_']]]).length,
  fileSize: () => fs.statSync(file).size,
  compact: () => dets.compact(t),
  payloadBytes() {
    if (!codec) return null;
    let bytes = 0;
    for (const r of dets.tab2list(t)) bytes += codec.enc.encode(codec.toWire(r)).length;
    return bytes;
  },
  close: () => dets.close(t),
  async reopen() {
    t = await open();
  },
});
