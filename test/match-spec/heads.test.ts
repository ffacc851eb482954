import { ErlFloat } from '../../src/term/number.js';
import { describe, expect, test } from 'vitest';
import { compileMatchSpec } from '../../src/match-spec/index.js';
import { A, NO_MATCH, T, run1 } from './helpers.js';

const enc = new TextEncoder();

describe('head patterns', () => {
  test('variables bind elements; $$ lists them by variable number', () => {
    // erl: ets:test_ms({1,2,3}, [{{'$3','$1','$7'},[],['$$']}]) -> {ok,[2,1,3]}
    expect(run1(['$3', '$1', '$7'], [], ['$$'], [1, 2, 3])).toEqual([2, 1, 3]);
    // erl: '$0' is a variable too
    expect(run1(['$0', '$1'], [], ['$$'], [1, 2])).toEqual([1, 2]);
  });

  test('the wildcard matches anything and binds nothing', () => {
    // erl: ets:test_ms({1,2,3}, [{{'$2','_','$5'},[],['$$']}]) -> {ok,[1,3]}
    expect(run1(['$2', '_', '$5'], [], ['$$'], [1, 2, 3])).toEqual([1, 3]);
  });

  test('a row matches only a head of the same length', () => {
    expect(run1(['_', '_'], [], [true], [1, 2])).toBe(true);
    expect(run1(['_', '_'], [], [true], [1, 2, 3])).toBe(NO_MATCH);
    expect(run1(['_'], [], [true], [1, 2])).toBe(NO_MATCH);
  });

  test("a head of '_' matches any row; a variable head binds the row as a tuple", () => {
    expect(run1('_', [], [true], [1, 2, 3])).toBe(true);
    expect(run1('_', [], ['$$'], [1])).toEqual([]);
    // erl: ets:test_ms({a,b}, [{'$1', [], [['$1', '$$']]}]) -> {ok,[{a,b},[{a,b}]]}
    const r = run1('$1', [], [{ $list: ['$1', '$$'] }], ['a', 'b']);
    expect(r).toEqual([T('a', 'b'), [T('a', 'b')]]);
    expect((r as unknown[])[0]).toBeInstanceOf(Array);
  });

  test('a Tuple or { $tuple } head is a row pattern too', () => {
    expect(run1(T('$1', 2), [], ['$1'], [1, 2])).toBe(1);
    expect(run1({ $tuple: ['$1', 2] }, [], ['$1'], [1, 2])).toBe(1);
  });

  test('repeated variables must be exactly equal', () => {
    expect(run1(['$1', '$1'], [], [true], ['a', 'a'])).toBe(true);
    expect(run1(['$1', '$1'], [], [true], ['a', 'b'])).toBe(NO_MATCH);
    // erl: ets:test_ms({1, 1.0}, [{{'$1','$1'},[],['$$']}]) -> {ok,false}: matching is =:=
    expect(run1(['$1', '$1'], [], [true], [1, new ErlFloat(1)])).toBe(NO_MATCH);
    expect(run1(['$1', '$1'], [], [true], [1, 1n])).toBe(true); // one integer type
  });

  test('literals match exactly (=:=), not by ==', () => {
    // erl: an ordered_set holding {1.0, a}: ets:select(T, [{{1,'_'},[],['$_']}]) -> []
    expect(run1([1, '_'], [], [true], [new ErlFloat(1), 'x'])).toBe(NO_MATCH);
    expect(run1([new ErlFloat(1), '_'], [], [true], [new ErlFloat(1), 'x'])).toBe(true);
    expect(run1([{ $float: 1 }, '_'], [], [true], [1, 'x'])).toBe(NO_MATCH);
    expect(run1([1n, '_'], [], [true], [1, 'x'])).toBe(true); // 1n is 1
    expect(run1([1e20, '_'], [], [true], [10n ** 20n, 'x'])).toBe(NO_MATCH); // a float and an integer
    expect(run1(['abc'], [], [true], ['abc'])).toBe(true);
    // a string and a Uint8Array with its UTF-8 bytes are the same binary
    expect(run1(['abc'], [], [true], [enc.encode('abc')])).toBe(true);
    expect(run1([enc.encode('abc')], [], [true], ['abc'])).toBe(true);
    // atoms by name: true is the atom true
    expect(run1([true], [], [1], [A('true')])).toBe(1);
    expect(run1([A('ok')], [], [1], [A('ok')])).toBe(1);
    expect(run1([A('ok')], [], [1], ['ok'])).toBe(NO_MATCH);
    expect(run1([null], [], [1], [A('nil')])).toBe(1);
  });

  test('nested tuples and lists', () => {
    const head = [T('user', '$1'), ['$2', '_', 3]];
    expect(run1(head, [], ['$$'], [T('user', 7), ['a', 'b', 3]])).toEqual([7, 'a']);
    expect(run1(head, [], ['$$'], [T('user', 7), ['a', 'b', 4]])).toBe(NO_MATCH);
    // a list pattern does not match a tuple, and conversely
    expect(run1(head, [], ['$$'], [['user', 7], ['a', 'b', 3]])).toBe(NO_MATCH);
    expect(run1(head, [], ['$$'], [T('user', 7), T('a', 'b', 3)])).toBe(NO_MATCH);
    // lengths must agree
    expect(run1(head, [], ['$$'], [T('user', 7), ['a', 3]])).toBe(NO_MATCH);
    // { $list } is a list pattern, { $tuple } a tuple pattern
    expect(run1([{ $tuple: ['user', '$1'] }, { $list: ['$2'] }], [], ['$$'], [T('user', 1), [2]])).toEqual([1, 2]);
  });

  test('map patterns match maps having at least those keys', () => {
    // erl: ets:test_ms({#{a => 1, b => 2}}, [{{#{a => '$1'}}, [], ['$1']}]) -> {ok,1}
    expect(run1([{ a: '$1', c: '_' }], [], ['$1'], [{ a: 1, b: 2, c: 3 }])).toBe(1);
    expect(run1([{ a: '$1', c: '_' }], [], ['$1'], [new Map<unknown, unknown>([['a', 1], ['c', 0]]) as never])).toBe(1);
    // erl: #{a => '_'} does not match #{b => 1}
    expect(run1([{ a: '_', c: 1 }], [], [true], [{ b: 1, c: 1 }])).toBe(NO_MATCH);
    // erl: #{} matches any map (and only maps)
    expect(run1([{ $map: {} }], [], [true], [{ x: 1 }])).toBe(true);
    expect(run1([{ $map: {} }], [], [true], [[1]])).toBe(NO_MATCH);
    // a Map pattern may have any literal keys; keys match exactly (erl: #{1 => '$1'} misses #{1.0 => x})
    const m = new Map<unknown, unknown>([[T('a', 1), '$1'], [1, '_']]);
    expect(run1([m], [], ['$1'], [new Map<unknown, unknown>([[T('a', 1), 2], [1, 0]]) as never])).toBe(2);
    expect(run1([m], [], ['$1'], [new Map<unknown, unknown>([[T('a', 1), 2], [new ErlFloat(1), 0]]) as never])).toBe(NO_MATCH);
    // atom keys by name, binary keys of Maps and objects alike
    expect(run1([new Map([[A('k'), '$1']])], [], ['$1'], [new Map<unknown, unknown>([[A('k'), 5]]) as never])).toBe(5);
    expect(run1([new Map([['k', '$1']])], [], ['$1'], [{ k: 6 }])).toBe(6);
    // values are patterns
    expect(run1([{ a: T('$1', '_'), b: 2 }], [], ['$1'], [{ a: T(1, 2), b: 2 }])).toBe(1);
    // { $map: [[k, v]] } and { $map: { ... } } escape keys that look like tags
    expect(run1([{ $map: { $x: '$1' } }], [], ['$1'], [{ $x: 9 }])).toBe(9);
    expect(run1([{ $map: [[{ $const: '$1' }, '$1']] }], [], ['$1'], [{ $1: 8 }])).toBe(8);
  });

  test('{ $const } matches a literal that would otherwise be a variable', () => {
    expect(run1([{ $const: '$1' }, '$1'], [], ['$1'], ['$1', 5])).toBe(5);
    expect(run1([{ $const: '$1' }, '$1'], [], ['$1'], ['x', 5])).toBe(NO_MATCH);
    expect(run1([{ $const: '_' }], [], [true], ['_'])).toBe(true);
    expect(run1([{ $const: '_' }], [], [true], ['x'])).toBe(NO_MATCH);
    // a constant array is a list
    expect(run1([{ $const: ['$1'] }], [], [true], [['$1']])).toBe(true);
  });

  test('first matching clause wins', () => {
    const c = compileMatchSpec(
      [
        { head: ['a', '$1'], body: [{ $tuple: ['first', '$1'] }] },
        { head: ['$1', '$2'], guards: [['is_integer', '$2']], body: [{ $tuple: ['second', '$1'] }] },
        { head: '_', body: ['third'] },
      ],
      0,
    );
    expect(c.run(['a', 1])).toEqual(T('first', 1));
    expect(c.run(['b', 1])).toEqual(T('second', 'b'));
    expect(c.run(['b', 'x'])).toBe('third');
    expect(c.test(['b', 'x'])).toBe(true);
    expect(c.clauseCount).toBe(3);
  });

  test('the triple form [head, guards, body] equals the object form', () => {
    const a = compileMatchSpec([[['$1', '$2'], [['>', '$2', 1]], ['$1']]], 0);
    expect(a.run(['k', 2])).toBe('k');
    expect(a.run(['k', 1])).toBe(NO_MATCH);
  });

  test('an empty spec matches nothing', () => {
    // erl: ets:select(T, []) -> []
    const c = compileMatchSpec([], 0);
    expect(c.run([1])).toBe(NO_MATCH);
    expect(c.keyConstraint).toMatchObject({ kind: 'keys', keys: [], orderedKeys: [] });
  });
});
