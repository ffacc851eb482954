import { describe, expect, test } from 'vitest';
import { compileMatchSpec, EXIT } from '../../src/match-spec/index.js';
import { copyOut, copyRow } from '../../src/term/copy.js';
import { Tuple } from '../../src/term/types.js';
import { A, T, ev, run1 } from './helpers.js';

describe('bodies', () => {
  test("'$_' returns the row object itself", () => {
    const row = Object.freeze(['k', 1]);
    expect(run1(['$1', '$2'], [], ['$_'], row)).toBe(row);
    // a variable head returned as is is the row too
    expect(run1('$1', [], ['$1'], row)).toBe(row);
  });

  test("'$_' inside a constructed term is a tuple", () => {
    const r = run1('_', [], [{ $list: ['$_'] }], ['k', 1]) as unknown[];
    expect(r[0]).toBeInstanceOf(Tuple);
    expect(r[0]).toEqual(T('k', 1));
  });

  test('variables and constants', () => {
    expect(run1(['$1', '$2'], [], ['$2'], ['k', 1])).toBe(1);
    expect(run1(['$1'], [], [42], ['k'])).toBe(42);
    expect(run1(['$1'], [], ['text'], ['k'])).toBe('text');
    expect(run1(['$1'], [], [A('ok')], ['k'])).toBe(A('ok'));
    // atoms with a JS-native spelling are returned in it (the same terms)
    expect(run1(['$1'], [], [A('true')], ['k'])).toBe(true);
    expect(run1(['$1'], [], [A('nil')], ['k'])).toBe(null);
    expect(run1(['$1'], [], [[]], ['k'])).toEqual([]);
    // erl: {const, '$1'} -> '$1'
    expect(run1(['$1'], [], [{ $const: '$1' }], ['k'])).toBe('$1');
    // erl: {const, {x, '$1'}} -> {x,'$1'}: nothing inside a constant is evaluated
    expect(run1(['$1'], [], [{ $const: T('x', '$1') }], ['k'])).toEqual(T('x', '$1'));
    expect(run1(['$1'], [], [{ $const: ['>', 1, 2] }], ['k'])).toEqual(['>', 1, 2]);
  });

  test('constructed tuples, lists and maps evaluate their parts', () => {
    // erl: [{{'$2','$1'}}] -> {2,1}; [['$2','$1']] -> [2,1]; [#{'$1' => '$2', k => '$2'}] -> #{1 => 2, k => 2}
    expect(run1(['$1', '$2'], [], [T('$2', '$1')], [1, 2])).toEqual(T(2, 1));
    expect(run1(['$1', '$2'], [], [{ $tuple: ['$2', '$1'] }], [1, 2])).toEqual(T(2, 1));
    expect(run1(['$1', '$2'], [], [{ $list: ['$2', '$1'] }], [1, 2])).toEqual([2, 1]);
    expect(run1(['$1', '$2'], [], [new Map<unknown, unknown>([['$1', '$2'], [A('k'), '$2']])], [1, 2])).toEqual(
      new Map<unknown, unknown>([[1, 2], [A('k'), 2]]),
    );
    expect(run1(['$1', '$2'], [], [{ $map: [['$1', '$2']] }], [1, 2])).toEqual(new Map([[1, 2]]));
    expect(run1(['$1', '$2'], [], [{ a: '$1', b: ['+', '$2', 1] }], [1, 2])).toEqual({ a: 1, b: 3 });
    expect(run1(['$1', '$2'], [], [{ $map: { $a: '$1' } }], [1, 2])).toEqual({ $a: 1 });
    // erl: [{{}}] -> {}
    expect(run1('_', [], [T()], [1])).toEqual(T());
    // nested
    expect(run1(['$1', '$2'], [], [T({ $list: ['$1', T('$2')] }, 'z')], [1, 2])).toEqual(T([1, T(2)], 'z'));
    // duplicate keys in a built Map: the last wins, compared exactly
    expect(run1(['$1'], [], [new Map<unknown, unknown>([[T(1), 'a'], [{ $tuple: ['$1'] }, 'b']])], [1])).toEqual(new Map([[T(1), 'b']]));
  });

  test("'$$' lists the bound variables in variable-number order", () => {
    expect(run1(['$5', '$2', '_', T('$9', '$1')], [], ['$$'], ['e', 'b', 'x', T('i', 'a')])).toEqual(['a', 'b', 'e', 'i']);
  });

  test('only the last body expression gives the result', () => {
    // erl: [{element, 9, '$_'}, '$2'] -> a (earlier expressions have no effect)
    expect(run1(['$1', '$2'], [], [['element', 9, '$_'], '$2'], [1, A('a')])).toBe(A('a'));
    expect(run1(['$1', '$2'], [], ['$1', '$2'], [1, 2])).toBe(2);
  });

  test("a failing body gives 'EXIT' and does not fall through to the next clause", () => {
    // erl: ets:test_ms({1, a}, [{{'$1','$2'},[],[{element,9,'$_'}]}, {'_',[],[second]}]) -> {ok,'EXIT'}
    const c = compileMatchSpec(
      [
        { head: ['$1', '$2'], body: [['element', 9, '$_']] },
        { head: '_', body: ['second'] },
      ],
      0,
    );
    expect(c.run([1, A('a')])).toBe(EXIT);
    expect(EXIT).toBe(A('EXIT'));
    expect(ev(['+', A('a'), 1])).toBe(EXIT);
  });

  test('results never expose a stored binary: built containers hold copies', () => {
    const row = copyRow(['k', new Uint8Array([1, 2])]);
    const r = run1(['$1', '$2'], [], [T('$2')], row) as Tuple;
    expect(r[0]).toEqual(new Uint8Array([1, 2]));
    expect(r[0]).not.toBe(row[1]);
    const b = run1(['$1', '$2'], [], ['$$'], row) as unknown[];
    expect(b[1]).not.toBe(row[1]);
    // a bare variable result is the stored term: copyOut (the facade's job) copies it
    const v = run1(['$1', '$2'], [], ['$2'], row);
    expect(v).toBe(row[1]);
    expect(copyOut(v as Uint8Array)).not.toBe(row[1]);
  });

  test('constant results are frozen', () => {
    const r = run1('_', [], [{ $const: [1, 2] }], [1]) as number[];
    expect(Object.isFrozen(r)).toBe(true);
  });
});
