/**
 * `addToElement`: updateCounter's fast path on both single-row engines.
 * The first increment of a shared (frozen) row replaces it by a private
 * copy; later increments change that copy in place. It changes nothing
 * when it cannot finish the update, leaving that to the general path.
 */
import { describe, expect, it } from 'vitest';
import { HashEngine } from '../../src/engines/hash.js';
import { OrderedEngine } from '../../src/engines/ordered.js';
import { copyRow, isPrivateRow, rowOut } from '../../src/term/copy.js';

for (const make of [() => new HashEngine('set', 0), () => new OrderedEngine(0)]) {
  describe(`${make().constructor.name}.addToElement`, () => {
    it('copies a shared row once, then adds in place, and returns the sum', () => {
      const e = make();
      e.insert(copyRow(['k', 1, 'x']));
      const shared = e.lookupOne('k')!;
      expect(Object.isFrozen(shared)).toBe(true);
      expect(e.readsCopy).toBe(false);
      expect(e.addToElement('k', 1, 5)).toBe(6);
      expect(shared).toEqual(['k', 1, 'x']); // whoever holds the shared row sees it unchanged
      const priv = e.lookupOne('k')!;
      expect(priv).not.toBe(shared);
      expect(isPrivateRow(priv)).toBe(true);
      expect(e.readsCopy).toBe(true); // reads now copy (at least this row)
      expect(e.addToElement('k', 1, -10)).toBe(-4);
      expect(e.lookupOne('k')).toBe(priv); // the same array: no allocation
      expect(priv).toEqual(['k', -4, 'x']);
      const out = rowOut(priv);
      expect(out).not.toBe(priv);
      expect(Object.isFrozen(out)).toBe(true);
      e.checkInvariants();
      e.clear();
      expect(e.readsCopy).toBe(false);
    });

    it('declines, changing nothing, where the general path must decide', () => {
      const e = make();
      e.insert(copyRow(['k', 1, 'x', 1.5, Number.MAX_SAFE_INTEGER]));
      expect(e.addToElement('absent', 1, 1)).toBeUndefined();
      expect(e.addToElement('k', 2, 1)).toBeUndefined(); // not a number
      expect(e.addToElement('k', 3, 1)).toBeUndefined(); // not an integer
      expect(e.addToElement('k', 4, 1)).toBeUndefined(); // would leave the safe range (becomes a bigint there)
      expect(e.addToElement('k', 9, 1)).toBeUndefined(); // beyond the row
      expect(e.lookupOne('k')).toEqual(['k', 1, 'x', 1.5, Number.MAX_SAFE_INTEGER]);
    });
  });
}

it('a bag declines: counters are for set-like tables', () => {
  const e = new HashEngine('bag', 0);
  e.insert(copyRow(['k', 1]));
  expect(e.addToElement('k', 1, 1)).toBeUndefined();
});
