import { describe, expect, test } from 'vitest';
import { clearMatchSpecCache, compileMatchPattern, compileMatchSpec, EXIT, ms, NO_MATCH } from '../../src/match-spec/index.js';
import { copyRow } from '../../src/term/copy.js';
import { Tuple, type Row, type Term } from '../../src/term/types.js';
import { A, T } from './helpers.js';

/** A `people` table: [id, firstName, lastName, age, hobbies]. */
const people: Row[] = [
  [1, 'Ada', 'Lovelace', 36, ['maths', 'poetry', 'music', 'riding']],
  [2, 'Alan', 'Turing', 41, ['running', 'chess']],
  [3, 'Grace', 'Hopper', 85, ['sailing', 'knitting', 'hiking', 'reading', 'clocks']],
  [4, 'Kid', 'Coder', 12, ['games', 'lego', 'drawing', 'music']],
].map((r) => copyRow(r));

const select = (spec: unknown, rows: readonly Row[] = people): Term[] => {
  const c = compileMatchSpec(spec, 0);
  return rows.map((r) => c.run(r)).filter((r): r is Term => r !== NO_MATCH);
};

describe('the ETS-docs style example', () => {
  test('[first, last] of people with more than 3 hobbies', () => {
    const spec = [{ head: ['_', '$1', '$2', '_', '$3'], guards: [['>', ['length', '$3'], 3]], body: [{ $list: ['$1', '$2'] }] }];
    expect(select(spec)).toEqual([['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Kid', 'Coder']]);
  });

  test('the same through the builders', () => {
    const spec = ms.spec(
      ms.clause([ms.any, ms.v(1), ms.v(2), ms.any, ms.v(3)], [ms.gt(ms.length(ms.v(3)), 3)], [ms.list(ms.v(1), ms.v(2))]),
    );
    expect(select(spec)).toEqual([['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Kid', 'Coder']]);
  });

  test('fun2ms output, transcribed', () => {
    // erl: ets:fun2ms(fun({N, A, H}) when length(H) > 3, A >= 18 -> {N, A} end)
    //   -> [{{'$1','$2','$3'},[{'>',{length,'$3'},3},{'>=','$2',18}],[{{'$1','$2'}}]}]
    const spec = [[['$1', '$2', '$3'], [['>', ['length', '$3'], 3], ['>=', '$2', 18]], [T('$1', '$2')]]];
    const rows = people.map((p) => copyRow([p[1], p[3], p[4]]));
    expect(select(spec, rows)).toEqual([T('Ada', 36), T('Grace', 85)]);
  });
});

describe('docs/match-spec.md examples', () => {
  test('the builders example', () => {
    // fun({{user, Id}, Name, Age}) when Age >= 18 andalso Age < 65 -> {Id, Name} end
    const spec = ms.spec(
      ms.clause(
        [ms.tuple(ms.atom('user'), ms.v(1)), ms.v(2), ms.v(3)],
        [ms.andalso(ms.ge(ms.v(3), 18), ms.lt(ms.v(3), 65))],
        [ms.tuple(ms.v(1), ms.v(2))],
      ),
    );
    const rows = [[T(A('user'), 1), 'ann', 30], [T(A('user'), 2), 'bob', 12], [T(A('group'), 3), 'x', 30]].map((r) => copyRow(r));
    expect(select(spec, rows)).toEqual([T(1, 'ann')]);
    const kc = compileMatchSpec(spec, 0).keyConstraint;
    expect(kc.kind === 'range' && kc.range.lo).toEqual({ key: T(A('user'), -Infinity), inclusive: true });
  });

  test('mapping-table forms', () => {
    const rows = [copyRow([T(A('a'), 1), { a: 2 }, new Map([[A('a'), 3]])])];
    expect(select([{ head: [Tuple.of<Term>(A('a'), '$1'), { a: '$2' }, new Map([[A('a'), '$3']])], body: ['$$'] }], rows)).toEqual([[1, 2, 3]]);
    expect(select([{ head: [{ $tuple: [{ $atom: 'a' }, '$1'] }, '_', '_'], body: [Tuple.of('$1', '$1')] }], rows)).toEqual([T(1, 1)]);
    // ets:fun2ms(fun({K, V}) when V > 3 -> K end) -> [{{'$1','$2'},[{'>','$2',3}],['$1']}]
    expect(select([{ head: ['$1', '$2'], guards: [['>', '$2', 3]], body: ['$1'] }], [copyRow(['k', 4]), copyRow(['j', 3])])).toEqual(['k']);
  });
});

describe('compileMatchPattern', () => {
  test('match gives bindings, matchObject the row', () => {
    const p = compileMatchPattern(['$2', '_', '$1', '_', '_'], 0);
    expect(p.match.run(people[0]!)).toEqual(['Lovelace', 1]);
    expect(p.matchObject.run(people[0]!)).toBe(people[0]);
    expect(p.test(people[0]!)).toBe(true);
    expect(p.test([1])).toBe(false);
    expect(p.matchObject.isMatchObject).toBe(true);
    expect(compileMatchPattern('_', 0).match.run([1, 2])).toEqual([]);
    // mode overload
    expect(compileMatchPattern(['$1', '_'], 0, 'bindings').run(['k', 1])).toEqual(['k']);
    expect(compileMatchPattern(['$1', '_'], 0, 'object').run(people[0]!)).toBe(NO_MATCH);
  });
});

describe('flags', () => {
  test('isMatchObject and returnsTrueOnly', () => {
    expect(compileMatchSpec([{ head: '_', body: ['$_'] }, { head: '$1', body: ['$1'] }], 0).isMatchObject).toBe(true);
    expect(compileMatchSpec([{ head: '_', body: ['$_'] }, { head: '_', body: [1] }], 0).isMatchObject).toBe(false);
    expect(compileMatchSpec([{ head: '_', body: [true] }, { head: ['_'], body: [A('true')] }], 0).returnsTrueOnly).toBe(true);
    expect(compileMatchSpec([{ head: '_', body: [true] }, { head: ['$1'], body: ['$1'] }], 0).returnsTrueOnly).toBe(false);
    expect(compileMatchSpec([], 0).returnsTrueOnly).toBe(false);
  });
});

describe('caching', () => {
  test('the same spec object compiles once', () => {
    const spec = [{ head: ['$1'], body: ['$1'] }];
    expect(compileMatchSpec(spec, 0)).toBe(compileMatchSpec(spec, 0));
    expect(compileMatchSpec(spec, 1)).not.toBe(compileMatchSpec(spec, 0));
  });

  test('an equal spec is found by its serialization', () => {
    const make = () => [{ head: [T('u', '$1'), 10n], guards: [['>', '$1', 1]], body: [{ $list: ['$1'] }] }];
    expect(compileMatchSpec(make(), 0)).toBe(compileMatchSpec(make(), 0));
    expect(compileMatchSpec(JSON.parse(JSON.stringify([{ head: ['$1'], body: ['$1'] }])), 0)).toBe(
      compileMatchSpec([{ head: ['$1'], body: ['$1'] }], 0),
    );
    expect(compileMatchPattern(['$1', '_'], 0)).toBe(compileMatchPattern(['$1', '_'], 0));
    expect(compileMatchPattern('_', 0)).toBe(compileMatchPattern('_', 0));
  });

  test('forms that differ in meaning do not share an entry', () => {
    const bytes = new TextEncoder().encode('$1');
    const a = compileMatchSpec([{ head: ['$1'], body: [true] }], 0);
    const b = compileMatchSpec([{ head: [bytes], body: [true] }], 0); // a literal binary '$1'
    expect(b).not.toBe(a);
    expect(a.run(['x'])).toBe(true);
    expect(b.run(['x'])).toBe(NO_MATCH);
    expect(b.run(['$1'])).toBe(true);
    const t = compileMatchSpec([{ head: '_', body: [T(1)] }], 0);
    const l = compileMatchSpec([{ head: '_', body: [{ $list: [1] }] }], 0);
    expect(t.run([0])).toBeInstanceOf(Tuple);
    expect(l.run([0])).not.toBeInstanceOf(Tuple);
    const m = compileMatchSpec([{ head: '_', body: [new Map([['a', 1]])] }], 0);
    const o = compileMatchSpec([{ head: '_', body: [{ a: 1, b: 2 }] }], 0);
    expect(m.run([0])).toBeInstanceOf(Map);
    expect(o.run([0])).toEqual({ a: 1, b: 2 });
  });

  test('invalid specs are not cached and throw every time', () => {
    const spec = [{ head: 5, body: [true] }];
    expect(() => compileMatchSpec(spec, 0)).toThrow();
    expect(() => compileMatchSpec(spec, 0)).toThrow();
  });

  test('clearMatchSpecCache forgets', () => {
    const spec = [{ head: ['$1'], body: ['$1'] }];
    const a = compileMatchSpec(spec, 0);
    clearMatchSpecCache();
    expect(compileMatchSpec(spec, 0)).not.toBe(a);
  });
});

describe('builders', () => {
  test('build plain data', () => {
    expect(ms.v(3)).toBe('$3');
    expect(() => ms.v(-1)).toThrow(RangeError);
    expect(() => ms.v(1.5)).toThrow(RangeError);
    expect([ms.any, ms.row, ms.bindings]).toEqual(['_', '$_', '$$']);
    expect(ms.tuple('a', ms.v(1))).toEqual(T('a', '$1'));
    expect(ms.list(1, 2)).toEqual({ $list: [1, 2] });
    expect(ms.cnst('$1')).toEqual({ $const: '$1' });
    expect(ms.atom('ok')).toBe(A('ok'));
    expect(ms.map({ a: 1 })).toEqual({ $map: { a: 1 } });
    expect(ms.map(new Map([['$1', 2]]))).toEqual({ $map: [['$1', 2]] });
    expect(ms.gt(ms.v(1), 3)).toEqual(['>', '$1', 3]);
    expect(ms.andalso(true, false, true)).toEqual(['andalso', true, false, true]);
    expect(ms.neg(ms.v(1))).toEqual(['-', '$1']);
    expect(ms.call('is_record', '$_', ms.atom('r'), 2)).toEqual(['is_record', '$_', A('r'), 2]);
    expect(ms.clause('_')).toEqual({ head: '_', guards: [], body: ['$_'] });
  });

  test('every builder compiles', () => {
    const x = ms.v(1);
    const exprs = [
      ms.eq(x, 1), ms.ne(x, 1), ms.eqx(x, 1), ms.nex(x, 1), ms.lt(x, 1), ms.le(x, 1), ms.gt(x, 1), ms.ge(x, 1),
      ms.add(x, 1), ms.sub(x, 1), ms.mul(x, 1), ms.divide(x, 1), ms.div(x, 1), ms.rem(x, 1), ms.neg(x), ms.abs(x),
      ms.band(x, 1), ms.bor(x, 1), ms.bxor(x, 1), ms.bnot(x), ms.bsl(x, 1), ms.bsr(x, 1), ms.float(x), ms.round(x), ms.trunc(x),
      ms.and(true, true), ms.or(true), ms.andalso(true), ms.orelse(false, true), ms.not(true), ms.xor(true, false),
      ms.isAtom(x), ms.isBoolean(x), ms.isInteger(x), ms.isFloat(x), ms.isNumber(x), ms.isBinary(x), ms.isList(x), ms.isTuple(x), ms.isMap(x), ms.isPid(x),
      ms.element(1, ms.row), ms.size(ms.row), ms.tupleSize(ms.row), ms.byteSize('ab'), ms.length(ms.list()), ms.hd(ms.list(1)), ms.tl(ms.list(1)),
      ms.mapGet('a', ms.map({ a: 1 })), ms.isMapKey('a', ms.map({ a: 1 })), ms.mapSize(ms.map({})), ms.min(x, 2), ms.max(x, 2),
    ];
    const c = compileMatchSpec(exprs.map((e) => ms.clause([x], [], [e])), 0);
    expect(c.clauseCount).toBe(exprs.length);
    for (const e of exprs) {
      const r = compileMatchSpec([ms.clause([x], [], [e])], 0).run([7]);
      expect(r === NO_MATCH || r === EXIT).toBe(false);
    }
  });
});
