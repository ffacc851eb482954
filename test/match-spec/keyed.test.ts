/**
 * One-clause specs with a plain key literal are compiled as a cached
 * template plus an exact key check (src/match-spec/api.ts). They must mean
 * exactly what the same spec compiled directly means: the `$const` form of
 * the key bypasses the template path and serves as the reference.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { compileMatchPattern, compileMatchSpec, NO_MATCH } from '../../src/match-spec/index.js';
import { ErlFloat, ets, tuple, type Expr, type Term } from '../../src/index.js';

const keyArb = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(1n, 2n, new ErlFloat(1), 'a', 'b', true, false, null, 1.5));
const rowArb = fc.tuple(keyArb, fc.integer({ min: 0, max: 5 }), fc.constantFrom('x', 'y'));

describe('keyed templates', () => {
  test.prop([keyArb, fc.array(rowArb, { maxLength: 20 }), fc.integer({ min: 0, max: 5 })], { seed: 7, numRuns: 300 })(
    'a literal key means the same as its $const form',
    (key, rows, bound) => {
      const fast = compileMatchSpec([[[key, '$1', '_'], [['>=', '$1', bound]], ['$1']]], 0);
      const ref = compileMatchSpec([[[{ $const: key }, '$1', '_'], [['>=', '$1', bound]], ['$1']]], 0);
      for (const r of rows) {
        expect(fast.run(r)).toEqual(ref.run(r));
        expect(fast.test(r)).toBe(ref.test(r));
      }
      expect(fast.keyConstraint.kind).toBe('keys');
    },
  );

  it('matches keys exactly: 1 does not match 1.0, even where ordered_set finds it by ==', () => {
    const one = new ErlFloat(1);
    const c = compileMatchSpec([[[1, '_'], [], ['$_']]], 0);
    expect(c.run([1, 'a'])).toEqual([1, 'a']);
    expect(c.run([one, 'a'])).toBe(NO_MATCH);
    const t = ets.new('keyed_os', { type: 'ordered_set' });
    ets.insert(t, [one, 'float']);
    // erl: an ordered_set holding {1.0, a}: ets:select(T, [{{1,'_'},[],['$_']}]) -> []
    expect(ets.select(t, [[[1, '_'], [], ['$_']]])).toEqual([]);
    expect(ets.select(t, [[[one, '_'], [], ['$_']]])).toEqual([[one, 'float']]);
    expect(ets.match(t, [1, '$1'])).toEqual([]);
    expect(ets.matchObject(t, [one, '_'])).toEqual([[one, 'float']]);
    expect(ets.select(t, [[[1n, '_'], [], ['$_']]])).toEqual([]); // 1n is the integer 1
  });

  it('patterns with a literal key keep match and matchObject results', () => {
    const p = compileMatchPattern(['k', '$2', '$1'], 0);
    expect(p.match.run(['k', 'b', 'a'])).toEqual(['a', 'b']);
    expect(p.matchObject.run(['k', 'b', 'a'])).toEqual(['k', 'b', 'a']);
    expect(p.match.run(['j', 'b', 'a'])).toBe(NO_MATCH);
  });

  it('does not apply to variables, wildcards, composite keys or several clauses', () => {
    const t = ets.new('keyed_set', {});
    ets.insertMany(t, [[tuple('a', 1), 1], ['$1', 2], ['_', 3]]);
    expect(ets.select(t, [[[tuple('a', 1), '$1'], [], ['$1']]])).toEqual([1]);
    expect(ets.select(t, [[[{ $const: '$1' }, '$1'], [], ['$1']]])).toEqual([2]);
    expect((ets.select(t, [[['$1', '_'], [], ['$1']]]) as Term[]).length).toBe(3);
    // Two clauses: the generic path (rows in insertion order).
    expect(ets.select(t, [[['_', 3], [], [true]], [['$1', 2], [], ['$1']]])).toEqual(['$1', true]);
  });
});

describe('recent keyed templates', () => {
  it('a guard array changed after use is not mistaken for the old one', () => {
    const t = ets.new('keyed_recent', {});
    ets.insertMany(t, [['a', 5], ['b', 50]]);
    const guards: Expr[] = [['>', '$1', 3]];
    expect(ets.select(t, [[['a', '$1'], guards, ['$1']]])).toEqual([5]);
    (guards[0] as unknown[])[2] = 10; // the caller reuses and changes its guard list
    expect(ets.select(t, [[['a', '$1'], guards, ['$1']]])).toEqual([]);
    expect(ets.select(t, [[['b', '$1'], guards, ['$1']]])).toEqual([50]);
  });

  it('tuples and lists in a template are told apart', () => {
    const t = ets.new('keyed_shapes', {});
    ets.insert(t, ['k', tuple(1, 2), [1, 2]]);
    expect(ets.select(t, [[['k', tuple(1, '$1'), '_'], [], ['$1']]])).toEqual([2]);
    expect(ets.select(t, [[['k', [1, '$1'], '_'], [], ['$1']]])).toEqual([]);
    expect(ets.select(t, [[['k', '_', [1, '$1']], [], ['$1']]])).toEqual([2]);
    expect(ets.select(t, [[['k', '_', tuple(1, '$1')], [], ['$1']]])).toEqual([]);
  });
});
