/**
 * One-clause specs with a plain key literal are compiled as a cached
 * template plus an exact key check (src/match-spec/api.ts). They must mean
 * exactly what the same spec compiled directly means: the `$const` form of
 * the key bypasses the template path and serves as the reference.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { compileMatchPattern, compileMatchSpec, NO_MATCH, type MatchSpec } from '../../src/match-spec/index.js';
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

describe('select with a literal key runs the template on the looked-up rows', () => {
  const TYPES = ['set', 'ordered_set', 'bag', 'duplicate_bag'] as const;
  test.prop([fc.array(rowArb, { maxLength: 25 }), keyArb, fc.integer({ min: 0, max: 5 })], { seed: 3, numRuns: 120 })(
    'the same results as the generic path (with a limit) on every table type',
    (rows, key, bound) => {
      for (const type of TYPES) {
        const t = ets.new('keyed_direct', { type });
        ets.insertMany(t, rows);
        const spec: MatchSpec = [[[key, '$1', '$2'], [['>=', '$1', bound]], [{ $tuple: ['$2', '$_'] }]]];
        const direct = ets.select(t, spec) as Term[];
        const chunk = ets.select(t, spec, 1000);
        const generic = chunk === ets.END_OF_TABLE ? [] : chunk[0];
        expect(direct).toEqual(generic);
        expect(ets.selectReverse(t, spec)).toEqual(type === 'ordered_set' ? [...generic].reverse() : generic);
        ets.delete(t);
      }
    },
  );

  it('hands out frozen rows, and copies of private (counted) rows and binaries', () => {
    const t = ets.new('keyed_out', { type: 'set' });
    ets.insertMany(t, [['a', 1], ['b', new Uint8Array([7])]]);
    const [a] = ets.select(t, [[['a', '_'], [], ['$_']]]) as Term[][];
    expect(Object.isFrozen(a)).toBe(true);
    ets.updateCounter(t, 'a', 1); // 'a' is now a private row: results are frozen copies
    const [a2] = ets.select(t, [[['a', '_'], [], ['$_']]]) as Term[][];
    expect(a2).toEqual(['a', 2]);
    ets.updateCounter(t, 'a', 1);
    expect(a2).toEqual(['a', 2]);
    expect(a).toEqual(['a', 1]);
    const [b] = ets.select(t, [[['b', '_'], [], ['$_']]]) as Term[][];
    (b![1] as Uint8Array)[0] = 0;
    expect(ets.lookup(t, 'b')).toEqual([['b', new Uint8Array([7])]]);
  });
});
