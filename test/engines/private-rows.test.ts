/**
 * HashEngine's private rows (updateCounter's in-place fast path): a row is
 * changed in place only until something hands it out, and every way of
 * handing it out freezes it first.
 */
import { describe, expect, it } from 'vitest';
import { HashEngine } from '../../src/engines/hash.js';
import { copyRow } from '../../src/term/copy.js';
import type { Term } from '../../src/term/types.js';

function engineWith(rows: Term[][]): HashEngine {
  const e = new HashEngine('set', 0);
  for (const r of rows) e.insert(copyRow(r));
  e.checkInvariants();
  return e;
}

describe('HashEngine private rows', () => {
  it('updates a private row in place and freezes it when it is read', () => {
    const e = engineWith([['k', 0]]);
    e.setElementPrivate('k', 1, 1);
    const priv = e.peekOne('k')!;
    expect(Object.isFrozen(priv)).toBe(false);
    e.setElementPrivate('k', 1, 2);
    expect(e.peekOne('k')).toBe(priv); // same array: no allocation per update
    e.checkInvariants();
    const seen = e.lookupOne('k')!;
    expect(seen).toEqual(['k', 2]);
    expect(Object.isFrozen(seen)).toBe(true);
    e.setElementPrivate('k', 1, 3);
    expect(seen).toEqual(['k', 2]); // what was handed out never changes
    expect(e.lookupOne('k')).toEqual(['k', 3]);
    e.checkInvariants();
  });

  const handOuts: Array<[string, (e: HashEngine) => readonly (readonly Term[])[]]> = [
    ['lookup', (e) => e.lookup('k')],
    ['lookupOne', (e) => [e.lookupOne('k')!]],
    ['take (cursor)', (e) => e.take(e.cursor(false), 10)],
    ['rows()', (e) => [...e.rows()]],
    ['deleteKey', (e) => e.deleteKey('k')],
  ];
  for (const [name, handOut] of handOuts) {
    it(`${name} freezes a private row before handing it out`, () => {
      const e = engineWith([['k', 0, 'x']]);
      e.setElementPrivate('k', 1, 7);
      const rows = handOut(e);
      const mine = rows.find((r) => r[0] === 'k')!;
      expect(mine).toEqual(['k', 7, 'x']);
      expect(Object.isFrozen(mine)).toBe(true);
      if (name !== 'deleteKey') {
        e.setElementPrivate('k', 1, 8);
        expect(mine[1]).toBe(7);
        expect(e.lookupOne('k')![1]).toBe(8);
      }
      e.checkInvariants();
    });
  }

  it('insert and replace store frozen rows again', () => {
    const e = engineWith([['k', 0]]);
    e.setElementPrivate('k', 1, 1);
    e.insert(copyRow(['k', 5]));
    e.checkInvariants();
    expect(Object.isFrozen(e.peekOne('k'))).toBe(true);
    e.setElementPrivate('k', 1, 6);
    const old = e.peekOne('k')!;
    e.replace(old, copyRow(['k', 9]));
    e.checkInvariants();
    expect(e.lookupOne('k')).toEqual(['k', 9]);
  });
});
