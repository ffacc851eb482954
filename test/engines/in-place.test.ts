/**
 * `addToElement`: updateCounter's in-place fast path on both single-row
 * engines. It changes the stored row only when it can finish the update,
 * and otherwise leaves everything as it was for the general path.
 */
import { describe, expect, it } from 'vitest';
import { HashEngine } from '../../src/engines/hash.js';
import { OrderedEngine } from '../../src/engines/ordered.js';
import { copyRow } from '../../src/term/copy.js';

for (const make of [() => new HashEngine('set', 0), () => new OrderedEngine(0)]) {
  describe(`${make().constructor.name}.addToElement`, () => {
    it('adds in place and returns the sum', () => {
      const e = make();
      e.insert(copyRow(['k', 1, 'x']));
      const stored = e.lookupOne('k');
      expect(e.addToElement('k', 1, 5)).toBe(6);
      expect(e.addToElement('k', 1, -10)).toBe(-4);
      expect(e.lookupOne('k')).toBe(stored); // the same array: no allocation
      expect(stored).toEqual(['k', -4, 'x']);
      e.checkInvariants();
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
