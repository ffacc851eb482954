// termstore ets (in memory, no durability): one table type per trial.
// node --expose-gc drivers/ets.mjs '{"variant":"set","n":100000,...}'
import { ets } from '../../dist/index.js';
import { config, row, run } from './harness.mjs';

const type = config.variant ?? 'set';
let t;
const notes = [];
if (typeof ets.tab2file !== 'function') notes.push('tab2file/file2tab: not in the built package (ets.tab2file is not a function)');
if (type !== 'set' && type !== 'ordered_set') notes.push(`updateCounter: not defined on ${type} (as in ETS)`);

await run({
  kind: 'memory',
  notes,
  open() {
    t = ets.new('bench', { type, access: 'public' });
  },
  insertRange(lo, hi) {
    for (let i = lo; i < hi; i++) ets.insert(t, row(i));
  },
  lookupKeys(keys, lo, hi) {
    let found = 0;
    for (let j = lo; j < hi; j++) found += ets.lookup(t, keys[j]).length > 0 ? 1 : 0;
    return found;
  },
  mix(keys, lo, hi) {
    for (let j = lo; j < hi; j++) {
      const k = keys[j];
      if (j % 10 === 9) ets.insert(t, row(k));
      else ets.lookup(t, k);
    }
  },
  counter:
    type === 'set' || type === 'ordered_set'
      ? (keys, lo, hi) => {
          for (let j = lo; j < hi; j++) ets.updateCounter(t, keys[j], [2, 1]);
        }
      : undefined,
  scan() {
    let steps = 0;
    for (let k = ets.first(t); k !== ets.END_OF_TABLE; k = ets.next(t, k)) steps++;
    return steps;
  },
  tab2list: () => ets.tab2list(t).length,
  selectKey(keys, lo, hi) {
    let rows = 0;
    for (let j = lo; j < hi; j++) rows += ets.select(t, [[[keys[j], '_', '_'], [], ['$_']]]).length;
    return rows;
  },
  selectRange(starts, lo, hi, width) {
    let rows = 0;
    for (let j = lo; j < hi; j++) {
      const s = starts[j];
      rows += ets.select(t, [[['$1', '_', '_'], [['>=', '$1', s], ['<', '$1', s + width]], ['$_']]]).length;
    }
    return rows;
  },
  selectGuard: (limit) => ets.select(t, [[['_', '$2', '_'], [['<', '$2', limit]], ['$_']]]).length,
  ...(typeof ets.tab2file === 'function'
    ? {
        tab2file: (file) => ets.tab2file(t, file),
        async file2tab(file) {
          const t2 = await ets.file2tab(file);
          if (ets.info(t2, 'size') !== ets.info(t, 'size')) throw new Error('file2tab: size differs');
          ets.delete(t2);
        },
      }
    : {}),
});
