import { describe, expect, test } from 'vitest';
import { EXIT, compileMatchSpec } from '../../src/match-spec/index.js';
import { Pid, Opaque } from '../../src/term/types.js';
import { ErlFloat } from '../../src/term/number.js';
import { A, NO_MATCH, T, ev, guard, run1 } from './helpers.js';

const enc = new TextEncoder();

describe('comparisons (term order)', () => {
  test('numbers, across number, bigint and float boxes', () => {
    expect(ev(['<', 1, 2])).toBe(true);
    expect(ev(['>', 1, 2])).toBe(false);
    expect(ev(['=<', 2, 2])).toBe(true);
    expect(ev(['<=', 2, 2])).toBe(true); // alias of =<
    expect(ev(['>=', 1, 2])).toBe(false);
    // erl: {'==', 1, 1.0} -> true, {'=:=', 1, 1.0} -> false
    const one = new ErlFloat(1);
    expect(ev(['==', 1, one])).toBe(true);
    expect(ev(['=:=', 1, one])).toBe(false);
    expect(ev(['/=', 1, one])).toBe(false);
    expect(ev(['=/=', 1, one])).toBe(true);
    // one integer type: 1 and 1n are the same term
    expect(ev(['=:=', 1, 1n])).toBe(true);
    // 1e20 is a float (not a safe integer), 10n ** 20n an integer: == but not =:=
    expect(ev(['==', 1e20, 10n ** 20n])).toBe(true);
    expect(ev(['=:=', 1e20, 10n ** 20n])).toBe(false);
    expect(ev(['<', 2 ** 53, 2n ** 53n + 1n])).toBe(true);
  });

  test('across types: number < atom < tuple < map < list < binary', () => {
    // erl: {'<', 1, a} -> true; {'<', #{a=>1}, [1]} -> true
    expect(ev(['<', 1, A('a')])).toBe(true);
    expect(ev(['<', A('a'), T()])).toBe(true);
    expect(ev(['<', { $tuple: [9, 9] }, { $map: { a: 1 } }])).toBe(true);
    expect(ev(['<', { $const: { a: 1 } }, { $list: [1] }])).toBe(true);
    expect(ev(['<', { $list: [1] }, ''])).toBe(true);
    expect(ev(['<', 'abc', 'abd'])).toBe(true);
  });

  test('binaries compare by bytes, strings and Uint8Arrays alike', () => {
    expect(guard(['=:=', '$1', 'abc'], [enc.encode('abc')])).toBe(true);
  });
});

describe('arithmetic', () => {
  test('basic operators', () => {
    expect(ev(['+', 1, 2])).toBe(3);
    expect(ev(['-', 1, 2])).toBe(-1);
    expect(ev(['*', 3, 4])).toBe(12);
    expect(ev(['-', 5])).toBe(-5); // erl: {'-', 5} -> -5
    expect(ev(['+', 2.5])).toBe(2.5);
    expect(ev(['*', 2, 1.5])).toEqual(new ErlFloat(3)); // erl: 3.0
    expect(ev(['abs', -3])).toBe(3);
    expect(ev(['abs', -3n])).toBe(3); // -3n is stored as -3
    expect(ev(['abs', -(2n ** 60n)])).toBe(2n ** 60n);
    expect(ev(['abs', { $float: -2 }])).toEqual(new ErlFloat(2)); // erl: {abs, -2.0} -> 2.0
    expect(ev(['-', { $float: 0 }])).toEqual(new ErlFloat(-0)); // erl: {'-', 0.0} -> -0.0
    expect(Object.is((ev(['*', -1, { $float: 0 }]) as ErlFloat).value, -0)).toBe(true); // erl: -0.0
  });

  test('div and rem truncate toward zero; rem has the sign of the dividend', () => {
    // erl: [{'div',7,-2}, {'rem',7,-2}, {'/',7,-2}] -> [-3,1,-3.5]; {'div',-7,2} -> -3, {'rem',-7,2} -> -1
    expect(ev({ $list: [['div', 7, -2], ['rem', 7, -2], ['/', 7, -2]] })).toEqual([-3, 1, -3.5]);
    expect(ev({ $list: [['div', -7, 2], ['rem', -7, 2]] })).toEqual([-3, -1]);
    expect(ev(['div', 10n ** 20n, 3])).toBe(33333333333333333333n);
    expect(ev(['rem', 10n ** 20n, 7])).toBe(Number(10n ** 20n % 7n)); // a safe result is a number
    expect(ev(['div', 2 ** 40, 3])).toBe(Math.trunc(2 ** 40 / 3));
    expect(ev(['/', 4, 2])).toEqual(new ErlFloat(2)); // erl: 2.0
    expect(ev(['div', { $float: 4 }, 2])).toBe(EXIT); // erl: div of a float is badarith
  });

  test('integer arithmetic stays exact past the safe range (promotes to bigint)', () => {
    // erl: 9007199254740991 + 2 -> 9007199254740993
    expect(ev(['+', '$1', 2], [Number.MAX_SAFE_INTEGER])).toBe(9007199254740993n);
    expect(ev(['*', 2 ** 40, 2 ** 40])).toBe(2n ** 80n);
    expect(ev(['-', '$1', 1], [-Number.MAX_SAFE_INTEGER])).toBe(-9007199254740992n);
    // an integer has one form: safe results are numbers, bigint operands or not
    expect(ev(['+', 1n, 2])).toBe(3);
    expect(ev(['-', 2n ** 60n, 2n ** 60n - 5n])).toBe(5);
    // a float operand gives a float
    expect(ev(['+', 1n, 0.5])).toBe(1.5);
    expect(ev(['+', 1n, { $float: 1 }])).toEqual(new ErlFloat(2));
    // a number that is not a safe integer is a float: float arithmetic (erl: 1.152921504606847e18 + 1 is itself)
    expect(ev(['+', 2 ** 60, 1])).toBe(2 ** 60);
    expect(ev(['-', 2 ** 60])).toBe(-(2 ** 60));
    expect(ev(['+', 10n ** 20n, { $float: 0 }])).toBe(1e20); // erl: 1.0e20
  });

  test('bitwise operators', () => {
    // erl: [band 6 3, bor, bxor, bnot 6, bsl 6 70, bsr -9 1] -> [2,7,5,-7,7083549724304467820544,-5]
    expect(ev({ $list: [['band', 6, 3], ['bor', 6, 3], ['bxor', 6, 3], ['bnot', 6], ['bsl', 6, 70], ['bsr', -9, 1]] })).toEqual([
      2, 7, 5, -7, 7083549724304467820544n, -5,
    ]);
    // erl: {bsl, 1, -1} -> 0; {bsr, 1, -3} -> 8
    expect(ev({ $list: [['bsl', 1, -1], ['bsr', 1, -3]] })).toEqual([0, 8]);
  });

  test('float, round, trunc', () => {
    // erl: [{trunc, 2.5}, {round, 2.5}, {round, -2.5}, {trunc, -2.7}] -> [2,3,-3,-2]
    // erl: {float, 1} -> 1.0
    expect(ev({ $list: [['trunc', 2.5], ['round', 2.5], ['round', -2.5], ['trunc', -2.7], ['float', 1]] })).toEqual([2, 3, -3, -2, new ErlFloat(1)]);
    expect(ev(['float', 10n ** 20n])).toBe(1e20);
    expect(ev(['round', 1e300])).toBe(BigInt(1e300));
    expect(ev(['trunc', { $float: 3 }])).toBe(3);
    expect(ev(['is_float', ['float', 3]])).toBe(true); // erl: true
  });

  test('failures: non-numbers, division by zero, overflow', () => {
    // erl: each of these gives 'EXIT' in a body and fails a guard
    for (const e of [['+', 1, A('a')], ['div', 7, 0], ['rem', 1, 0], ['/', 1, 0], ['*', 1e308, 10.5], ['div', 4.5, 2], ['abs', A('a')], ['-', 'x'], ['+', A('a')], ['bnot', 1.5]]) {
      expect(ev(e)).toBe(EXIT);
      expect(guard(['==', e, e])).toBe(false);
    }
    // 1e308 is a float (not a safe integer), as in Erlang: overflow (erl: badarith)
    expect(ev(['*', 1e308, 10])).toBe(EXIT);
    // the bigint of its value is an integer: exact
    expect(ev(['*', BigInt(1e308), 10])).toBe(BigInt(1e308) * 10n);
  });
});

describe('boolean operators', () => {
  test('and/or/xor/not evaluate all arguments, which must be booleans', () => {
    // erl: {'and', true, true, true} -> true; {'or', false, false, true} -> true; {'and', true} -> true
    expect(ev(['and', true, true, true])).toBe(true);
    expect(ev(['and', true, false])).toBe(false);
    expect(ev(['and', true])).toBe(true);
    expect(ev(['or', false, false, true])).toBe(true);
    expect(ev(['or', false])).toBe(false);
    expect(ev(['xor', true, false])).toBe(true);
    expect(ev(['xor', true, true])).toBe(false);
    expect(ev(['not', false])).toBe(true);
    expect(ev(['not', A('true')])).toBe(false);
    // erl: {'and', false, {element, 9, '$_'}} -> 'EXIT' (no short circuit); {'not', 3} -> 'EXIT'
    expect(ev(['and', false, ['element', 9, '$_']])).toBe(EXIT);
    expect(ev(['not', 3])).toBe(EXIT);
    expect(ev(['or', 1, true])).toBe(EXIT);
  });

  test('andalso/orelse short-circuit and return the last argument as is', () => {
    // erl: {'andalso', false, {element, 9, '$_'}} -> false; {'andalso', true, 3} -> 3
    expect(ev(['andalso', false, ['element', 9, '$_']])).toBe(false);
    expect(ev(['andalso', true, 3])).toBe(3);
    expect(ev(['andalso', true, true, false])).toBe(false);
    expect(ev(['andalso', 3])).toBe(3);
    // erl: {'orelse', true, {element, 9, '$_'}} -> true; {'orelse', false, false, 3} -> 3
    expect(ev(['orelse', true, ['element', 9, '$_']])).toBe(true);
    expect(ev(['orelse', false, false, 3])).toBe(3);
    // erl: a non-boolean before the last argument fails: {'andalso', 3, true} -> 'EXIT'
    expect(ev(['andalso', 3, true])).toBe(EXIT);
    expect(ev(['orelse', 3, true])).toBe(EXIT);
    // erl: as a guard, {'andalso', true, 3} is not true: the clause fails
    expect(guard(['andalso', true, 3])).toBe(false);
  });
});

describe('type tests', () => {
  const pid = new Pid(7);
  const cases: Array<[string, unknown, boolean]> = [
    ['is_atom', A('a'), true], ['is_atom', true, true], ['is_atom', null, true], ['is_atom', 'a', false],
    ['is_boolean', false, true], ['is_boolean', A('true'), true], ['is_boolean', A('a'), false],
    ['is_integer', 1, true], ['is_integer', 1n, true], ['is_integer', 1.5, false], ['is_integer', 1e20, false], ['is_integer', 10n ** 20n, true],
    ['is_float', 1.5, true], ['is_float', 1, false], ['is_float', new ErlFloat(1), true], ['is_integer', new ErlFloat(1), false], ['is_float', 1e20, true], ['is_number', 1.5, true], ['is_number', 1n, true], ['is_number', 'x', false],
    ['is_binary', 'x', true], ['is_binary', enc.encode('x'), true], ['is_binary', A('x'), false],
    ['is_list', [1], true], ['is_list', [], true], ['is_list', T(1), false],
    ['is_tuple', T(1), true], ['is_tuple', [1], false],
    ['is_map', { a: 1 }, true], ['is_map', new Map(), true], ['is_map', [1], false],
    ['is_pid', pid, true], ['is_pid', new Opaque('pid', new Uint8Array([1])), true], ['is_pid', 1, false],
    ['is_reference', new Opaque('reference', new Uint8Array([1])), true], ['is_port', pid, false], ['is_function', 1, false],
  ];
  test.each(cases)('%s(%o) is %s', (fn, x, want) => {
    expect(ev([fn, '$1'], [x as never])).toBe(want);
  });

  test("'$_' is a tuple in a guard; is_record", () => {
    // erl: ets:test_ms({a, b}, [{'_', [{is_tuple, '$_'}], [{element, 1, '$_'}]}]) -> {ok,a}
    expect(run1('_', [['is_tuple', '$_']], [['element', 1, '$_']], [A('a'), 'b'])).toBe(A('a'));
    expect(ev(['is_record', '$_', A('user'), 2], [A('user'), 1])).toBe(true);
    expect(ev(['is_record', '$_', A('user'), 3], [A('user'), 1])).toBe(false);
  });
});

describe('structure functions', () => {
  test('element is 1-based and fails out of range', () => {
    expect(ev(['element', 2, '$1'], [T('a', 'b')])).toBe('b');
    expect(ev(['element', 2n, '$1'], [T('a', 'b')])).toBe('b');
    // erl: element 0, element 1.0, element 9 of a 2-tuple -> 'EXIT'
    expect(ev(['element', 0, '$1'], [T('a', 'b')])).toBe(EXIT);
    expect(ev(['element', 3, '$1'], [T('a', 'b')])).toBe(EXIT);
    expect(ev(['element', 1.5, '$1'], [T('a', 'b')])).toBe(EXIT);
    expect(ev(['element', 1, '$1'], [['a']])).toBe(EXIT);
    expect(ev(['element', 2, '$_'], ['a', 'b'])).toBe('b');
    expect(ev(['element', 3, '$_'], ['a', 'b'])).toBe(EXIT);
  });

  test('size, tuple_size, byte_size, length, hd, tl', () => {
    // erl: {size, <<"abc">>} -> 3, {size, {1,2}} -> 2, byte_size(<<"héllo"/utf8>>) -> 6
    expect(ev(['size', 'abc'])).toBe(3);
    expect(ev(['size', 'héllo'])).toBe(6);
    expect(ev(['byte_size', 'héllo'])).toBe(6);
    expect(ev(['size', '$1'], [T(1, 2)])).toBe(2);
    expect(ev(['size', '$_'], [1, 2, 3])).toBe(3);
    expect(ev(['tuple_size', '$_'], [1, 2, 3])).toBe(3);
    expect(ev(['size', '$1'], [[1]])).toBe(EXIT); // erl: size of a list -> 'EXIT'
    expect(ev(['tuple_size', 'ab'])).toBe(EXIT);
    // erl: [{hd, L}, {tl, L}, {length, L}] for [1,2,3] -> [1,[2,3],3]
    expect(ev({ $list: [['hd', '$1'], ['tl', '$1'], ['length', '$1']] }, [[1, 2, 3]])).toEqual([1, [2, 3], 3]);
    expect(ev(['hd', { $const: [] }])).toBe(EXIT);
    expect(ev(['tl', []])).toBe(EXIT);
    expect(ev(['length', '$_'], [1])).toBe(EXIT); // erl: length of a tuple -> 'EXIT'
  });

  test('map_get, is_map_key, map_size', () => {
    // erl: [{map_get, a, M}, {is_map_key, b, M}, {map_size, M}] for #{a => 1} -> [1,false,1]; map_get of a missing key -> 'EXIT'
    expect(ev({ $list: [['map_get', 'a', '$1'], ['is_map_key', 'b', '$1'], ['map_size', '$1']] }, [{ a: 1 }])).toEqual([1, false, 1]);
    expect(ev(['map_get', 'b', '$1'], [{ a: 1 }])).toBe(EXIT);
    const m = new Map<unknown, unknown>([[T('k', 1), 'v'], [1, 'one']]);
    expect(ev(['map_get', { $tuple: ['k', 1] }, '$1'], [m as never])).toBe('v');
    expect(ev(['is_map_key', 1n, '$1'], [m as never])).toBe(true); // 1n is 1
    expect(ev(['is_map_key', { $float: 1 }, '$1'], [m as never])).toBe(false); // keys match exactly: 1.0 is not 1
    expect(ev(['map_size', '$1'], [m as never])).toBe(2);
    expect(ev(['map_size', '$_'], [1])).toBe(EXIT);
    expect(ev(['is_map_key', 'a', '$1'], [[1]])).toBe(EXIT);
  });

  test('min and max in term order', () => {
    expect(ev(['min', 1, A('a')])).toBe(1);
    expect(ev(['max', 1, A('a')])).toBe(A('a'));
    expect(ev(['max', 'b', 'a'])).toBe('b');
  });
});

describe('guard semantics', () => {
  test('all guards must be true; a non-boolean or failing guard fails the clause, silently', () => {
    // erl: ets:test_ms({a,b}, [{'_', [3], [ok]}]) -> {ok,false} (no match); [true, false] -> no match
    expect(run1('_', [3], [true], [1])).toBe(NO_MATCH);
    expect(run1('_', [true, false], [1], [1])).toBe(NO_MATCH);
    expect(run1('_', [true, A('true')], [1], [1])).toBe(1);
    // erl: a guard that raises (abs of an atom) fails the clause
    expect(run1(['$1'], [['abs', '$1']], [1], [A('x')])).toBe(NO_MATCH);
    expect(run1(['$1'], [['>', ['element', 5, '$_'], 1]], [1], [1])).toBe(NO_MATCH);
    // and the next clause is tried
    const c = compileMatchSpec(
      [
        { head: ['$1'], guards: [['>', ['+', '$1', 1], 1]], body: ['first'] },
        { head: ['$1'], body: ['second'] },
      ],
      0,
    );
    expect(c.run([5])).toBe('first');
    expect(c.run([A('a')])).toBe('second');
  });

  test('a variable bound to true is a true guard', () => {
    // erl: ets:test_ms({true,b}, [{{'$1','_'}, ['$1'], [ok]}]) -> {ok,ok}
    expect(run1(['$1', '_'], ['$1'], [1], [true, 'b'])).toBe(1);
    expect(run1(['$1', '_'], ['$1'], [1], [A('true'), 'b'])).toBe(1);
    expect(run1(['$1', '_'], ['$1'], [1], ['true', 'b'])).toBe(NO_MATCH);
  });

  test("'$$' and constructed terms in guards", () => {
    // erl: ets:test_ms({1}, [{{'$1'}, [{'==', '$$', [1]}], [ok]}]) -> {ok,ok}
    expect(run1(['$1'], [['==', '$$', { $const: [1] }]], [1], [1])).toBe(1);
    // erl: {'==', {{a, '$1'}}, {const, {a, x}}} for {x} -> true
    expect(run1(['$1'], [['==', { $tuple: [A('a'), '$1'] }, { $const: T(A('a'), 'x') }]], [1], ['x'])).toBe(1);
  });
});
