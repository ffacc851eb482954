/**
 * Head|tail list patterns, `{ $list: [p1, ..., pn], $tail: t }` (Erlang
 * `[P1, ..., Pn | T]`), in heads, guards, bodies and literals; and the
 * per-subexpression `'EXIT'` of bodies. Expected values were checked
 * against OTP 25 (`erl`) where marked.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it, test } from 'vitest';
import { EXIT, compileMatchSpec, matchSpecToJSON, ms } from '../../src/match-spec/index.js';
import { ets, tuple } from '../../src/index.js';
import { ErlFloat } from '../../src/term/number.js';
import { requireErl } from '../tools.js';
import { A, NO_MATCH, T, ev, expectCode, run1 } from './helpers.js';

describe('head|tail patterns in heads', () => {
  test('the first seed article: the first hobby of each person (ets:match with [$1 | _])', () => {
    // Elixir: :ets.match(:people, {:"_", :"_", :"$2", :"_", [:"$1" | :"_"]}) on a table keyed by nick.
    // OTP 25 gives [[<<"javascript">>,<<"faxel">>],[<<"elixir">>,<<"meddle">>]] for these rows.
    const people = ets.new('people', { keypos: 3 });
    ets.insert(people, ['Fabio', 'Rossi', 'faxel', 35, ['javascript', 'go']]);
    ets.insert(people, ['Marco', 'Neri', 'meddle', 31, ['elixir', 'rust']]);
    ets.insert(people, ['Luca', 'Bianchi', 'lbianchi', 28, []]);
    expect(ets.match(people, ['_', '_', '$2', '_', { $list: ['$1'], $tail: '_' }])).toEqual([
      ['javascript', 'faxel'],
      ['elixir', 'meddle'],
    ]);
    // the same with the builder, and as a select
    expect(ets.match(people, [ms.any, ms.any, ms.v(2), ms.any, ms.cons([ms.v(1)], ms.any)])).toEqual([
      ['javascript', 'faxel'],
      ['elixir', 'meddle'],
    ]);
    expect(ets.select(people, [ms.clause(['_', '_', '$2', '_', ms.cons(['$1'], '$3')], [], [ms.tuple('$2', '$1', '$3')])])).toEqual([
      T('faxel', 'javascript', ['go']),
      T('meddle', 'elixir', ['rust']),
    ]);
    ets.delete(people);
  });

  test('the first seed article, asked of live OTP: the same answer, in the same order', () => {
    requireErl();
    const erlang = [
      'T = ets:new(people, [set, {keypos, 3}]),',
      'ets:insert(T, {<<"Fabio">>, <<"Rossi">>, <<"faxel">>, 35, [<<"javascript">>, <<"go">>]}),',
      'ets:insert(T, {<<"Marco">>, <<"Neri">>, <<"meddle">>, 31, [<<"elixir">>, <<"rust">>]}),',
      'ets:insert(T, {<<"Luca">>, <<"Bianchi">>, <<"lbianchi">>, 28, []}),',
      "M = ets:match(T, {'_', '_', '$2', '_', ['$1' | '_']}),",
      'io:format("~s~n", [lists:flatten(io_lib:format("~p", [[[binary_to_list(A), binary_to_list(B)] || [A, B] <- M]]))]),',
      'halt().',
    ].join(' ');
    const r = spawnSync('erl', ['-noshell', '-eval', erlang], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const otp = JSON.parse(r.stdout.trim()) as string[][];
    expect(otp).toEqual([
      ['javascript', 'faxel'],
      ['elixir', 'meddle'],
    ]);
    const people = ets.new('people', { keypos: 3 });
    ets.insert(people, ['Fabio', 'Rossi', 'faxel', 35, ['javascript', 'go']]);
    ets.insert(people, ['Marco', 'Neri', 'meddle', 31, ['elixir', 'rust']]);
    ets.insert(people, ['Luca', 'Bianchi', 'lbianchi', 28, []]);
    expect(ets.match(people, ['_', '_', '$2', '_', { $list: ['$1'], $tail: '_' }])).toEqual(otp);
    ets.delete(people);
  });

  test('[A, B | T]: at least two elements, T the rest', () => {
    const p = { $list: ['$1', '$2'], $tail: '$3' };
    expect(run1([p], [], ['$$'], [[1, 2, 3, 4]])).toEqual([1, 2, [3, 4]]);
    expect(run1([p], [], ['$$'], [[1, 2]])).toEqual([1, 2, []]);
    expect(run1([p], [], ['$$'], [[1]])).toBe(NO_MATCH);
    expect(run1([p], [], ['$$'], [T(1, 2)])).toBe(NO_MATCH); // a tuple is not a list
    expect(run1([p], [], ['$$'], ['ab'])).toBe(NO_MATCH);
  });

  test('the tail may be _, a variable, [], a list pattern, or head|tail again', () => {
    const row = [[1, 2, 3]];
    expect(run1([{ $list: [1], $tail: '_' }], [], [true], row)).toBe(true);
    expect(run1([{ $list: [1, 2, 3], $tail: [] }], [], [true], row)).toBe(true); // [1,2,3 | []] is [1,2,3]
    expect(run1([{ $list: [1, 2], $tail: [] }], [], [true], row)).toBe(NO_MATCH);
    expect(run1([{ $list: [1], $tail: ['$1', 3] }], [], ['$1'], row)).toBe(2); // [1 | [X, 3]] is [1, X, 3]
    expect(run1([{ $list: [1], $tail: { $list: ['$1'], $tail: '$2' } }], [], ['$$'], row)).toEqual([2, [3]]);
    expect(run1([{ $list: [], $tail: '$1' }], [], ['$1'], row)).toEqual([1, 2, 3]); // [ | T] is T
    // a tail that can only be a non-list never matches (termstore lists are proper)
    expect(run1([{ $list: [1], $tail: T('_') }], [], [true], row)).toBe(NO_MATCH);
  });

  test('a repeated variable in the tail compares exactly', () => {
    const head = [{ $list: ['_'], $tail: '$1' }, '$1'];
    expect(run1(head, [], [true], [[0, 'a', 'b'], ['a', 'b']])).toBe(true);
    expect(run1(head, [], [true], [[0, 'a', 'b'], ['a', 'c']])).toBe(NO_MATCH);
    expect(run1(head, [], [true], [[0, 1], [new ErlFloat(1)]])).toBe(NO_MATCH);
  });

  test('a bound tail is a stored list: frozen, and binaries in it are copied on the way out', () => {
    const t = ets.new('cons_bin', {});
    ets.insert(t, ['j', ['x', 'y', 'z']]);
    const [plain] = ets.select(t, [[['_', { $list: ['_'], $tail: '$1' }], [], ['$1']]]) as [string[]];
    expect(plain).toEqual(['y', 'z']);
    expect(Object.isFrozen(plain)).toBe(true);
    ets.delete(t, 'j');
    ets.insert(t, ['k', ['x', new Uint8Array([1, 2])]]);
    const [tail] = ets.select(t, [[['_', { $list: ['_'], $tail: '$1' }], [], ['$1']]]) as [Uint8Array[]];
    tail[0]![0] = 99;
    expect(ets.lookup(t, 'k')).toEqual([['k', ['x', new Uint8Array([1, 2])]]]);
    ets.delete(t);
  });

  it('works in match_object, match_delete, select_count, select_delete and in nested positions', () => {
    const t = ets.new('cons_ops', { type: 'bag' });
    ets.insertMany(t, [
      ['a', [1, 2]],
      ['b', [2]],
      ['c', []],
      ['d', T('x', [1, 9])],
    ]);
    expect(ets.matchObject(t, ['_', { $list: [1], $tail: '_' }])).toEqual([['a', [1, 2]]]);
    expect(ets.selectCount(t, [[['_', { $list: ['_'], $tail: '_' }], [], [true]]])).toBe(2);
    expect(ets.select(t, [[['$1', T('x', { $list: ['$2'], $tail: '_' })], [], ['$2']]])).toEqual([1]);
    expect(ets.selectDelete(t, [[['_', { $list: [2], $tail: [] }], [], [true]]])).toBe(1);
    ets.matchDelete(t, ['_', { $list: ['_'], $tail: '_' }]);
    expect(ets.tab2list(t).map((r) => r[0]).sort()).toEqual(['c', 'd']);
    ets.delete(t);
  });
});

describe('head|tail keys: the key index and key ranges still apply', () => {
  test('a fully bound head|tail key is a key lookup', () => {
    const c = compileMatchSpec([[[{ $list: ['a'], $tail: ['b'] }, '_'], [], [true]]], 0);
    expect(c.keyConstraint).toEqual({ kind: 'keys', keys: [['a', 'b']], orderedKeys: [['a', 'b']], inHead: true });
  });

  test('a key with a bound prefix scans only that range on an ordered_set', () => {
    const c = compileMatchSpec([[[{ $list: ['user', '$1'], $tail: '_' }, '_'], [], ['$1']]], 0);
    expect(c.keyConstraint.kind).toBe('range');
    const k = c.keyConstraint as Extract<typeof c.keyConstraint, { kind: 'range' }>;
    expect(k.range.lo).toEqual({ key: ['user', -Infinity], inclusive: true });
    // ['user'] is below the range (a proper prefix is smaller); ['usf'] above it
    expect([['user'], ['user', 1], ['user', 1, 2], ['user', 'z', 3], ['usf'], ['v', 0]].map(k.inRange)).toEqual([false, true, true, true, false, false]);
    const t = ets.new('cons_range', { type: 'ordered_set' });
    ets.insertMany(t, [[['admin', 1], 0], [['user'], 0], [['user', 7], 0], [['user', 8, 'x'], 0], [['zed', 1], 0]]);
    expect(ets.select(t, [[[{ $list: ['user', '$1'], $tail: '_' }, '_'], [], ['$1']]])).toEqual([7, 8]);
    expect(ets.selectReverse(t, [[[{ $list: ['user', '$1'], $tail: '_' }, '_'], [], ['$1']]])).toEqual([8, 7]);
    ets.delete(t);
  });
});

describe('head|tail in guards and bodies', () => {
  test('builds the items followed by the list the tail evaluates to (erl: [$1 | $3] -> [9,a,b,c])', () => {
    expect(ev({ $list: ['$1'], $tail: '$2' }, [9, ['a', 'b', 'c']])).toEqual([9, 'a', 'b', 'c']);
    expect(ev({ $list: ['$1', '$1'], $tail: '$2' }, [9, ['a']])).toEqual([9, 9, 'a']);
    expect(ev({ $list: ['$1'], $tail: [] }, [9])).toEqual([9]);
    expect(ev(ms.cons([1, 2], { $list: [3] }))).toEqual([1, 2, 3]);
    expect(ev(['length', { $list: ['$1'], $tail: '$2' }], [0, [1, 2]])).toBe(3);
  });

  test('a tail that is not a list cannot be built on: EXIT in a body, a failed guard (Erlang builds an improper list)', () => {
    expect(ev({ $list: ['$1'], $tail: '$2' }, [9, 'ab'])).toBe(EXIT);
    expect(ev(T('$1', { $list: ['$1'], $tail: '$2' }), [9, 'ab'])).toEqual(T(9, EXIT));
    expect(run1(['$1', '$2'], [['is_list', { $list: ['$1'], $tail: '$2' }]], [true], [9, 'ab'])).toBe(NO_MATCH);
  });

  test('in $const: a literal list, the tail appended; a non-list tail is refused', () => {
    expect(ev({ $const: { $list: ['$1'], $tail: ['_'] } })).toEqual(['$1', '_']);
    expectCode(() => compileMatchSpec([[['_'], [], [{ $const: { $list: [1], $tail: 2 } }]]], 0), 'ETS_BAD_MATCH_SPEC');
    expectCode(() => compileMatchSpec([[[{ $list: 1, $tail: '_' }], [], [true]]], 0), 'ETS_BAD_MATCH_SPEC');
  });

  test('a map with the keys $list and $tail is written with $map', () => {
    expect(ev({ $map: { $list: 1, $tail: 2 } })).toEqual({ $list: 1, $tail: 2 });
  });

  test('matchSpecToJSON keeps the form; the JSON compiles to the same spec', () => {
    const spec = [ms.clause([ms.cons([ms.v(1)], ms.v(2)), A('x')], [ms.isList(ms.v(2))], [ms.cons([ms.v(2)], ms.v(2))])];
    const json = JSON.parse(JSON.stringify(matchSpecToJSON(spec))) as unknown;
    const row = [[[1], 2, 3], A('x')];
    expect(compileMatchSpec(json, 0).run(row)).toEqual(compileMatchSpec(spec, 0).run(row));
    expect(compileMatchSpec(json, 0).run(row)).toEqual([[2, 3], 2, 3]);
  });
});

describe("bodies: a failing call is 'EXIT' in its place (OTP 25)", () => {
  const row = [9, 'ab', [Symbol.for('a'), Symbol.for('b'), Symbol.for('c')]];
  const cases: Array<[string, unknown, unknown]> = [
    ["{'+','$2',1}", ['+', '$2', 1], EXIT],
    ["{{'$1',{'+','$2',1}}}", tuple('$1', ['+', '$2', 1]), T(9, EXIT)],
    ["['$1',{'+','$2',1}]", { $list: ['$1', ['+', '$2', 1]] }, [9, EXIT]],
    ["{'+',{'+','$2',1},1}", ['+', ['+', '$2', 1], 1], EXIT],
    ["{is_integer,{'+','$2',1}}", ['is_integer', ['+', '$2', 1]], false],
    ["{'andalso',true,{'+','$2',1}}", ['andalso', true, ['+', '$2', 1]], EXIT],
    ["{'not',{'+','$2',1}}", ['not', ['+', '$2', 1]], EXIT],
    ["#{a => {'+','$2',1}}", new Map([[A('a'), ['+', '$2', 1]]]), new Map([[A('a'), EXIT]])],
    ["{'=:=',{'+','$2',1},'EXIT'}", ['=:=', ['+', '$2', 1], A('EXIT')], true],
    ["{element,9,'$_'}", ['element', 9, '$_'], EXIT],
    ['{float,3}', ['float', 3], new ErlFloat(3)],
    ["{'/',4,2}", ['/', 4, 2], new ErlFloat(2)],
  ];
  test.each(cases)('%s', (_erl, body, want) => {
    expect(run1(['$1', '$2', '$3'], [], [body], row)).toEqual(want);
  });

  test('in a guard a failing call fails the clause, and the next clause is tried', () => {
    const spec = [
      [['$1', '$2', '_'], [['is_integer', ['+', '$2', 1]]], ['first']],
      [['$1', '_', '_'], [], ['second']],
    ];
    expect(compileMatchSpec(spec, 0).run(row)).toBe('second');
  });
});
