import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compileMatchSpec, NO_MATCH, type KeyConstraint } from '../../src/match-spec/index.js';
import { copyRow } from '../../src/term/copy.js';
import { exactEquals } from '../../src/term/equal.js';
import { compareTerms } from '../../src/term/order.js';
import type { Term } from '../../src/term/types.js';
import { clause, clauseRows, term, toSpec, type GenClause } from './arbitraries.js';

/** True if the constraint admits the key, for both hash (exact) and ordered (==) lookups. */
function admits(c: KeyConstraint, key: Term): boolean {
  switch (c.kind) {
    case 'all':
      return true;
    case 'keys':
      return c.keys.some((k) => exactEquals(k, key)) && c.orderedKeys.some((k) => compareTerms(k, key) === 0);
    case 'range': {
      const { lo, hi } = c.range;
      if (lo !== undefined) {
        const d = compareTerms(key, lo.key);
        if (d < 0 || (d === 0 && !lo.inclusive)) return false;
      }
      if (hi !== undefined) {
        const d = compareTerms(key, hi.key);
        if (d > 0 || (d === 0 && !hi.inclusive)) return false;
      }
      return c.inRange(key);
    }
  }
}

const RUNS = 600;

describe('keyConstraint is conservative (property)', () => {
  test('every row accepted by run has a key the constraint admits', () => {
    fc.assert(
      fc.property(
        fc.array(clause, { minLength: 1, maxLength: 3 }),
        fc.array(term, { minLength: 3, maxLength: 3 }),
        fc.array(term, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(term, term, term, term), { maxLength: 8 }),
        (cs: GenClause[], env, fills, randomRows) => {
          const spec = toSpec(cs);
          const c = compileMatchSpec(spec, 0);
          let f = 0;
          const fill = () => fills[f++ % fills.length]!;
          const rows: Term[][] = randomRows.map((r) => [...r]);
          for (const cl of cs) rows.push(...clauseRows(cl, env, fill));
          for (const row of rows) {
            const stored = copyRow(row);
            if (c.run(stored) !== NO_MATCH) {
              if (!admits(c.keyConstraint, stored[0])) {
                throw new Error(`key ${String(stored[0])} matched but is outside ${JSON.stringify(c.keyConstraint, (_, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? String(v) : v))}`);
              }
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('inRange is convex in term order, and keys lists are well formed', () => {
    fc.assert(
      fc.property(fc.array(clause, { minLength: 1, maxLength: 3 }), fc.array(term, { minLength: 5, maxLength: 40 }), (cs, keys) => {
        const c = compileMatchSpec(toSpec(cs), 0).keyConstraint;
        if (c.kind === 'keys') {
          for (let i = 0; i < c.keys.length; i++) for (let j = i + 1; j < c.keys.length; j++) expect(exactEquals(c.keys[i], c.keys[j])).toBe(false);
          for (let i = 1; i < c.orderedKeys.length; i++) expect(compareTerms(c.orderedKeys[i - 1], c.orderedKeys[i])).toBeLessThan(0);
          return;
        }
        if (c.kind !== 'range') return;
        const sorted = [...keys, ...(c.range.lo ? [c.range.lo.key] : []), ...(c.range.hi ? [c.range.hi.key] : [])].sort(compareTerms);
        const flags = sorted.map((k) => admits(c, k));
        // F* T* F*
        const first = flags.indexOf(true);
        const last = flags.lastIndexOf(true);
        if (first >= 0) for (let i = first; i <= last; i++) expect(flags[i]).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
