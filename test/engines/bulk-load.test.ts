/**
 * `Engine.bulkLoad` against inserting the same rows one by one, for every
 * table type: same rows, same order, same size; and `insertAll`, which
 * file2tab, `fromEts` and `insertMany` into an empty table use.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { createEngine, insertAll, type TableType } from '../../src/engines/index.js';
import { copyRow } from '../../src/term/copy.js';
import { tuple, type Term } from '../../src/term/types.js';

const KEYS: Term[] = [1, 1n, 2, 'a', new TextEncoder().encode('a'), tuple(1), [1], true, Symbol.for('true'), undefined];
const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];

describe('bulkLoad equals inserting in order', () => {
  for (const type of TYPES) {
    test.prop([fc.array(fc.tuple(fc.nat(KEYS.length - 1), fc.nat(3)), { maxLength: 60 })], { seed: 11, numRuns: 80 })(type, (pairs) => {
      const rows = pairs.map(([k, v]) => [KEYS[k], v] as Term[]);
      const a = createEngine(type, 0);
      const b = createEngine(type, 0);
      for (const r of rows) a.insert(copyRow(r));
      expect(b.caps.bulkLoad).toBe(true);
      b.bulkLoad!(rows.map((r) => copyRow(r)));
      expect([...b.rows()]).toEqual([...a.rows()]);
      expect(b.size()).toBe(a.size());
      for (const k of KEYS) expect(b.lookup(k)).toEqual(a.lookup(k));
      b.checkInvariants();
    });
  }

  it('refuses a non-empty engine, and insertAll falls back to inserts there', () => {
    for (const type of TYPES) {
      const e = createEngine(type, 0);
      e.insert(copyRow([1, 'x']));
      expect(() => e.bulkLoad!([copyRow([2, 'y'])])).toThrow();
      insertAll(e, [copyRow([2, 'y']), copyRow([3, 'z'])]);
      expect(e.size()).toBe(3);
      e.checkInvariants();
    }
  });
});
