import { describe, expect, test } from 'vitest';
import { compileMatchPattern, compileMatchSpec } from '../../src/match-spec/index.js';
import { Tuple } from '../../src/term/types.js';
import { expectCode } from './helpers.js';

const bad = (spec: unknown) => expectCode(() => compileMatchSpec(spec, 0), 'ETS_BAD_MATCH_SPEC');
const badClause = (c: unknown, i = 0) => {
  const clauses = [{ head: '_', body: [true] }, { head: '_', body: [true] }];
  clauses.splice(i, 0, c as never);
  expect(bad(clauses).details.clause).toBe(i);
};

describe('validation', () => {
  test('the spec must be an array of clauses', () => {
    bad(undefined);
    bad({ head: '_', body: [true] });
    bad('x');
    bad([1]);
    bad([null]);
  });

  test('clause shape', () => {
    badClause({ head: '_' });
    badClause({ body: [true] }, 1);
    badClause({ head: '_', body: [] }); // erl: "Body clause does not return anything."
    badClause({ head: '_', body: true });
    badClause({ head: '_', guards: true, body: [true] });
    badClause({ head: '_', body: [true], extra: 1 }, 2);
    badClause(['_', []]);
    badClause(['_', [], [true], 4]);
  });

  test('heads', () => {
    badClause({ head: 5, body: [true] });
    badClause({ head: 'x', body: [true] });
    badClause({ head: { a: 1 }, body: [true] });
    badClause({ head: ['$_'], body: [true] });
    badClause({ head: ['$$'], body: [true] });
    badClause({ head: ['$x'], body: [true] }); // reserved: not a variable
    badClause({ head: ['$01'], body: [true] });
    badClause({ head: ['$1000000000'], body: [true] });
    badClause({ head: [() => 1], body: [true] });
    badClause({ head: [NaN], body: [true] });
    badClause({ head: [Symbol('local')], body: [true] });
    badClause({ head: [new Date()], body: [true] });
    // erl: "Variable found in map key."
    badClause({ head: [new Map([['$1', 1]])], body: [true] });
    badClause({ head: [{ $map: [['_', 1]] }], body: [true] });
    badClause({ head: [{ $map: [[1, 2, 3]] }], body: [true] });
    badClause({ head: [{ $map: 3 }], body: [true] });
    badClause({ head: [{ $tuple: 3 }], body: [true] });
  });

  test('tags', () => {
    badClause({ head: ['$1'], body: [{ $nope: 1 }] });
    badClause({ head: [{ $1: 1 }], body: [true] });
    badClause({ head: '_', body: [{ $atom: 1 }] });
    badClause({ head: '_', body: [{ $bigint: '1.5' }] });
    badClause({ head: '_', body: [{ $bigint: 12 }] });
    badClause({ head: '_', body: [{ $binary: '***' }] });
    badClause({ head: '_', body: [{ $number: 'x' }] });
    badClause({ head: '_', body: [{ $const: [NaN] }] });
    badClause({ head: '_', body: [{ $const: { $nope: 1 } }] });
    badClause({ head: '_', body: [{ $list: 1 }] });
  });

  test('expressions', () => {
    // erl: "Variable $3 is unbound."
    badClause({ head: ['$1', '$2'], body: ['$3'] });
    badClause({ head: ['$1', '$2'], guards: [['==', '$3', 1]], body: [true] });
    // erl: "Function foo/1 does_not_exist.", "Function abs/2 does_not_exist."
    badClause({ head: ['$1'], body: [['foo', '$1']] });
    badClause({ head: ['$1'], body: [['abs', '$1', 2]] });
    badClause({ head: ['$1'], body: [['element', 1]] });
    badClause({ head: ['$1'], body: [['not', true, false]] });
    badClause({ head: ['$1'], body: [['xor', true, false, true]] });
    // erl: "Special form 'and' called without arguments"
    badClause({ head: ['$1'], body: [['and']] });
    badClause({ head: ['$1'], body: [['orelse']] });
    badClause({ head: ['$1'], body: [['toString']] });
    // a list is not a call
    badClause({ head: ['$1'], body: [[1, 2]] });
    badClause({ head: ['$1', '$2'], body: [['$1', '$2']] });
    // '_' and reserved strings
    badClause({ head: ['$1'], body: ['_'] });
    badClause({ head: ['$1'], body: ['$foo'] });
    badClause({ head: ['$1'], guards: [['==', '$1', '$x']], body: [true] });
    badClause({ head: ['$1'], body: [new Date()] });
  });

  test('cyclic or absurdly deep specs are refused', () => {
    const cyc: unknown[] = ['$1'];
    cyc.push(cyc);
    badClause({ head: cyc, body: [true] });
    let deep: unknown = '$1';
    for (let i = 0; i < 3000; i++) deep = Tuple.from([deep as never]);
    badClause({ head: [deep], body: [true] });
    // deep but within the limit: fine, and it runs
    let ok: unknown = '$1';
    let row: unknown = 'x';
    for (let i = 0; i < 900; i++) {
      ok = Tuple.from([ok as never]);
      row = Tuple.from([row as never]);
    }
    expect(compileMatchSpec([{ head: [ok], body: ['$1'] }], 0).run([row as never])).toBe('x');
    // a deep constant is one literal
    let lit: unknown = 1;
    for (let i = 0; i < 1500; i++) lit = [lit];
    expect(compileMatchSpec([{ head: '_', body: [{ $const: lit }] }], 0).run([1])).toEqual(lit);
  });

  test('errors carry the clause index and where', () => {
    const e = bad([{ head: '_', body: [true] }, { head: ['$1'], guards: [true, ['>', '$2', 1]], body: [true] }]);
    expect(e.details.clause).toBe(1);
    expect(e.details.where).toBe('guards[1][1]');
  });

  test('valid forms compile', () => {
    expect(() =>
      compileMatchSpec(
        [
          { head: ['$1', '_', T2()], guards: [['andalso', ['>', '$1', 1], ['is_integer', '$1']]], body: ['$_'] },
          [['$1'], [], [{ $const: '$1' }, { $list: ['$1'] }, ['-', '$1'], ['+', '$1', '$1']]],
          { head: '$3', body: ['$3', '$$', '$_'] },
        ],
        0,
      ),
    ).not.toThrow();
  });

  test('patterns and keyIndex', () => {
    expectCode(() => compileMatchPattern(['$_'], 0), 'ETS_BAD_MATCH_SPEC');
    expectCode(() => compileMatchPattern(3, 0), 'ETS_BAD_MATCH_SPEC');
    expectCode(() => compileMatchSpec([], -1), 'ETS_BADARG');
    expectCode(() => compileMatchSpec([], 1.5), 'ETS_BADARG');
  });
});

function T2(): Tuple {
  return Tuple.from(['a', '$2']);
}
