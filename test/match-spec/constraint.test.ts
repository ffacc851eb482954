import { ErlFloat } from '../../src/term/number.js';
import { describe, expect, test } from 'vitest';
import { compileMatchPattern, compileMatchSpec, type KeyConstraint } from '../../src/match-spec/index.js';
import type { Term } from '../../src/term/types.js';
import { A, T } from './helpers.js';

/** The constraint, without `inHead` (tested on its own below). */
function kc(spec: unknown, keyIndex = 0): KeyConstraint {
  const c = compileMatchSpec(spec, keyIndex).keyConstraint;
  if (c.kind !== 'keys') return c;
  const { inHead: _inHead, ...rest } = c;
  return rest;
}
const one = (head: unknown, guards: unknown[] = []): KeyConstraint => kc([{ head, guards, body: [true] }]);
function range(c: KeyConstraint) {
  expect(c.kind).toBe('range');
  return c as Extract<KeyConstraint, { kind: 'range' }>;
}
const inR = (c: KeyConstraint, ...keys: Term[]) => keys.map((k) => range(c).inRange(k));

describe('keyConstraint: all', () => {
  test('unbound key position', () => {
    expect(one('_')).toEqual({ kind: 'all' });
    expect(one('$1')).toEqual({ kind: 'all' });
    expect(one(['_', 1])).toEqual({ kind: 'all' });
    expect(one(['$1', 1])).toEqual({ kind: 'all' });
    // guards that do not bound the key, or only disjunctively
    expect(one(['$1', '$2'], [['>', '$2', 1]])).toEqual({ kind: 'all' });
    expect(one(['$1'], [['orelse', ['>', '$1', 1], ['<', '$1', 0]]])).toEqual({ kind: 'all' });
    expect(one(['$1'], [['/=', '$1', 1]])).toEqual({ kind: 'all' });
    expect(one(['$1', '$2'], [['>', '$1', '$2']])).toEqual({ kind: 'all' });
  });

  test('any unconstrained clause makes the union all', () => {
    expect(kc([{ head: [1], body: [true] }, { head: ['$1'], body: [true] }])).toEqual({ kind: 'all' });
  });
});

describe('keyConstraint: keys', () => {
  test('a literal key', () => {
    expect(one(['k', '_'])).toEqual({ kind: 'keys', keys: ['k'], orderedKeys: ['k'] });
    expect(one([T('user', 1), '_'])).toEqual({ kind: 'keys', keys: [T('user', 1)], orderedKeys: [T('user', 1)] });
    // a head literal 1 gives only 1: a hash lookup must not find 1.0 (the head would not match it)
    expect(one([1, '_'])).toEqual({ kind: 'keys', keys: [1], orderedKeys: [1] });
  });

  test('at another key position', () => {
    expect(kc([{ head: ['_', 'k'], body: [true] }], 1)).toEqual({ kind: 'keys', keys: ['k'], orderedKeys: ['k'] });
    expect(kc([{ head: ['k', '_'], body: [true] }], 1)).toEqual({ kind: 'all' });
  });

  test('a head shorter than the key position matches no row', () => {
    expect(kc([{ head: ['_'], body: [true] }], 1)).toEqual({ kind: 'keys', keys: [], orderedKeys: [] });
  });

  test('a key variable pinned by =:= or ==', () => {
    expect(one(['$1', '_'], [['=:=', '$1', 5]])).toEqual({ kind: 'keys', keys: [5], orderedKeys: [5] });
    expect(one(['$1', '_'], [['=:=', 'x', '$1']])).toEqual({ kind: 'keys', keys: ['x'], orderedKeys: ['x'] });
    // == also matches the float of an integer's value (and the integer of an integral float); ordered tables need it once
    expect(one(['$1', '_'], [['==', '$1', 5]])).toEqual({ kind: 'keys', keys: [5, new ErlFloat(5)], orderedKeys: [5] });
    expect(one(['$1', '_'], [['==', '$1', 5n]])).toEqual({ kind: 'keys', keys: [5, new ErlFloat(5)], orderedKeys: [5] });
    expect(one(['$1', '_'], [['==', '$1', { $float: 5 }]])).toEqual({ kind: 'keys', keys: [new ErlFloat(5), 5], orderedKeys: [new ErlFloat(5)] });
    expect(one(['$1', '_'], [['==', '$1', 2n ** 80n]])).toEqual({ kind: 'keys', keys: [2n ** 80n, 2 ** 80], orderedKeys: [2n ** 80n] });
    expect(one(['$1', '_'], [['==', '$1', 2 ** 80]])).toEqual({ kind: 'keys', keys: [2 ** 80, 2n ** 80n], orderedKeys: [2 ** 80] });
    expect(one(['$1', '_'], [['==', '$1', 1.5]])).toEqual({ kind: 'keys', keys: [1.5], orderedKeys: [1.5] });
    const c = one(['$1', '_'], [['==', '$1', { $tuple: ['a', 1] }]]);
    expect(c).toEqual({ kind: 'keys', keys: [T('a', 1), T('a', new ErlFloat(1))], orderedKeys: [T('a', 1)] });
    // inside andalso, with other facts
    expect(one(['$1', '_'], [['andalso', ['is_integer', '$1'], ['=:=', '$1', 3]]])).toEqual({ kind: 'keys', keys: [3], orderedKeys: [3] });
    // a partly bound key with a pinned variable
    expect(one([T('u', '$1')], [['=:=', '$1', 1]])).toEqual({ kind: 'keys', keys: [T('u', 1)], orderedKeys: [T('u', 1)] });
  });

  test('== to a compound holding numbers gives a [v, v] range', () => {
    const m = { $map: { a: 1 } };
    const c = range(one(['$1'], [['==', '$1', m]]));
    expect(c.range).toEqual({ lo: { key: { a: 1 }, inclusive: true }, hi: { key: { a: 1 }, inclusive: true } });
    expect(inR(c, { a: 1 }, { a: new ErlFloat(1) }, { a: 2 })).toEqual([true, true, false]);
  });

  test('union of clauses, distinct exactly / by ==', () => {
    const c = kc([
      { head: [2, '_'], body: [true] },
      { head: [1, '_'], body: [true] },
      { head: [1n, '_'], body: [true] },
      { head: [2, 'x'], body: [true] },
      { head: ['_'], body: [true] }, // matches nothing: rows have 2 elements... but this is keyIndex 0: it matches 1-element rows
    ]);
    expect(c).toEqual({ kind: 'all' });
    const d = kc([
      { head: [2, '_'], body: [true] },
      { head: [1, '_'], body: [true] },
      { head: [1n, '_'], body: [true] },
      { head: [{ $float: 1 }, '_'], body: [true] },
      { head: [2, 'x'], body: [true] },
    ]);
    // 1n is 1; 1.0 is another key for hash tables, the same for ordered_set
    expect(d).toEqual({ kind: 'keys', keys: [2, 1, new ErlFloat(1)], orderedKeys: [1, 2] });
  });

  test('contradictory guards: no keys', () => {
    expect(one(['$1'], [['>', '$1', 5], ['<', '$1', 3]])).toEqual({ kind: 'keys', keys: [], orderedKeys: [] });
    expect(one(['$1'], [['>', '$1', 5], ['=<', '$1', 5]])).toEqual({ kind: 'keys', keys: [], orderedKeys: [] });
    expect(one(['$1'], [['=:=', '$1', 5], ['=:=', '$1', 6]])).toEqual({ kind: 'keys', keys: [], orderedKeys: [] });
    expect(one(['$1'], [['=:=', '$1', 5], ['>', '$1', 6]])).toEqual({ kind: 'keys', keys: [], orderedKeys: [] });
    expect(one(['$1'], [['is_atom', '$1'], ['<', '$1', 3]])).toEqual({ kind: 'keys', keys: [], orderedKeys: [] });
    expect(one(['$1'], [['is_integer', '$1'], ['>', '$1', A('a')]])).toEqual({ kind: 'keys', keys: [], orderedKeys: [] });
    // a contradiction on a non-key variable also empties the clause
    expect(one(['$1', '$2'], [['>', '$2', 5], ['<', '$2', 3]])).toEqual({ kind: 'keys', keys: [], orderedKeys: [] });
  });
});

describe('keyConstraint: range', () => {
  test('guards bounding the key variable', () => {
    const c = range(one(['$1', '_'], [['>=', '$1', 10], ['<', '$1', 20]]));
    expect(c.range).toEqual({ lo: { key: 10, inclusive: true }, hi: { key: 20, inclusive: false } });
    expect(inR(c, 9, 10, 15n, 19.5, 20, A('a'), 'x')).toEqual([false, true, true, true, false, false, false]);
    // the same with andalso and reversed operands
    const d = range(one(['$1', '_'], [['andalso', ['=<', 10, '$1'], ['>', 20, '$1']]]));
    expect(d.range).toEqual(c.range);
    // the tighter of two bounds wins
    const e = range(one(['$1'], [['>', '$1', 1], ['>=', '$1', 5], ['and', ['<', '$1', 9], ['=<', '$1', 9]]]));
    expect(e.range).toEqual({ lo: { key: 5, inclusive: true }, hi: { key: 9, inclusive: false } });
    // only one side
    const f = range(one(['$1'], [['>', '$1', 'm']]));
    expect(f.range).toEqual({ lo: { key: 'm', inclusive: false } });
    expect(inR(f, 'a', 'm', 'n', 5)).toEqual([false, false, true, false]);
  });

  test('type tests bound the key to their type', () => {
    const i = range(one(['$1'], [['is_integer', '$1']]));
    expect(i.range).toEqual({ hi: { key: Infinity, inclusive: true } });
    expect(inR(i, -5, 10n ** 30n, A('a'))).toEqual([true, true, false]);
    const a = range(one(['$1'], [['is_atom', '$1']]));
    expect(a.range).toEqual({ lo: { key: A(''), inclusive: true } });
    expect(inR(a, 1, A('zz'), true, T())).toEqual([false, true, true, false]);
    const b = range(one(['$1'], [['is_boolean', '$1']]));
    expect(b.range).toEqual({ lo: { key: false, inclusive: true }, hi: { key: true, inclusive: true } });
    const t = range(one(['$1'], [['is_tuple', '$1']]));
    expect(inR(t, A('a'), T(), T(1, 2), { a: 1 }, [1])).toEqual([false, true, true, false, false]);
    const l = range(one(['$1'], [['is_list', '$1']]));
    expect(inR(l, { a: 1 }, [], [1, 2], 'x')).toEqual([false, true, true, false]);
    const s = range(one(['$1'], [['is_binary', '$1']]));
    expect(inR(s, [9], '', 'zzz')).toEqual([false, true, true]);
  });

  test('a partly bound tuple key', () => {
    const c = range(one([T('user', '$1'), '_']));
    expect(c.range).toEqual({ lo: { key: T('user', -Infinity), inclusive: true } });
    expect(inR(c, T('user', 1), T('user', 'zzz'), T('user', T(1)))).toEqual([true, true, true]);
    // before: smaller tuples, smaller first elements; after: larger first element, larger tuples, other types
    expect(inR(c, T('a', 1), T('use', 9), T('user'), 5)).toEqual([false, false, false, false]);
    expect(inR(c, T('user\0', 1), T('v', 1), T('user', 1, 2), { a: 1 }, ['user', 1], 'user')).toEqual([false, false, false, false, false, false]);
  });

  test('a partly bound tuple key with a bounded variable', () => {
    const c = range(one([T('user', '$1', '_')], [['<', '$1', 20], ['>', '$1', 10]]));
    expect(c.range).toEqual({ lo: { key: T('user', 10, -Infinity), inclusive: true }, hi: { key: T('user', 20, -Infinity), inclusive: false } });
    expect(inR(c, T('user', 15, 'x'), T('user', 10, 'x'), T('user', 20, -Infinity), T('user', 25, 0))).toEqual([true, true, false, false]);
    // an inclusive bound on the last element is a term bound
    const d = range(one([T('user', '$1')], [['=<', '$1', 20]]));
    expect(d.range).toEqual({ lo: { key: T('user', -Infinity), inclusive: true }, hi: { key: T('user', 20), inclusive: true } });
  });

  test('a partly bound list key', () => {
    const c = range(one([['user', '$1'], '_']));
    expect(c.range).toEqual({ lo: { key: ['user', -Infinity], inclusive: true } });
    expect(inR(c, ['user', 5], ['user', 5, 6], ['user'], ['usa', 1], ['user\0'], ['v'], 'x')).toEqual([true, true, false, false, false, false, false]);
    // a list pattern after a literal prefix of two
    const d = range(one([['a', 'b', '$1']]));
    expect(inR(d, ['a', 'b', 1], ['a', 'c'], ['a'], ['a', 'a', 9])).toEqual([true, false, false, false]);
  });

  test('nested partly bound keys', () => {
    const c = range(one([T('a', T('b', '$1'), '$2')]));
    expect(c.range.lo).toEqual({ key: T('a', T('b', -Infinity), -Infinity), inclusive: true });
    expect(inR(c, T('a', T('b', 1), 1), T('a', T('c', 1), 1), T('a', T('b', 1, 2), 1))).toEqual([true, false, false]);
  });

  test('a map key pattern bounds the key to maps', () => {
    const c = range(one([{ a: '$1' }]));
    expect(c.range).toEqual({ lo: { key: {}, inclusive: true } });
    expect(inR(c, T(1), { a: 1 }, { z: 1, y: 2 }, [1])).toEqual([false, true, true, false]);
  });

  test('union of ranges and keys: the bounding range', () => {
    const c = range(
      kc([
        { head: ['$1'], guards: [['>', '$1', 10], ['<', '$1', 20]], body: [true] },
        { head: [5], body: [true] },
        { head: ['$1'], guards: [['>=', '$1', 30], ['=<', '$1', 40]], body: [true] },
      ]),
    );
    expect(c.range).toEqual({ lo: { key: 5, inclusive: true }, hi: { key: 40, inclusive: true } });
    expect(inR(c, 4, 5, 25, 40, 41)).toEqual([false, true, true, true, false]);
    const d = range(
      kc([
        { head: [T('a', '$1')], body: [true] },
        { head: [T('c', '$1')], body: [true] },
      ]),
    );
    expect(d.range).toEqual({ lo: { key: T('a', -Infinity), inclusive: true } });
    expect(inR(d, T('a', 1), T('b', 1), T('c', 1), T('d', 1))).toEqual([true, true, true, false]);
  });

  test('compileMatchPattern shares the constraint', () => {
    const p = compileMatchPattern([T('user', '$1'), '_'], 0);
    expect(p.keyConstraint).toBe(p.matchObject.keyConstraint);
    expect(range(p.keyConstraint).range.lo?.key).toEqual(T('user', -Infinity));
    expect(compileMatchPattern(['k', '$1'], 0).keyConstraint).toEqual({ kind: 'keys', keys: ['k'], orderedKeys: ['k'], inHead: true });
  });
});

describe('keyConstraint: inHead (what ETS calls a given key)', () => {
  const inHead = (spec: unknown): boolean | undefined => {
    const c = compileMatchSpec(spec, 0).keyConstraint;
    return c.kind === 'keys' ? c.inHead : undefined;
  };
  test('true only when every clause holds its key as a literal in the head', () => {
    expect(inHead([[['k', '_'], [], [true]]])).toBe(true);
    expect(inHead([[[T('a', 1), '_'], [], [true]], [[[2], '_'], [], [true]]])).toBe(true);
    expect(inHead([[['$1', '_'], [['=:=', '$1', 'k']], [true]]])).toBe(false);
    expect(inHead([[['k', '_'], [], [true]], [['$1', '_'], [['=:=', '$1', 'j']], [true]]])).toBe(false);
    expect(inHead([[[T('a', '$1'), '_'], [['=:=', '$1', 1]], [true]]])).toBe(false);
  });
});
