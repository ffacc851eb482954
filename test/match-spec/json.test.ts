import fc from 'fast-check';
import { ErlFloat } from '../../src/term/number.js';
import { describe, expect, test } from 'vitest';
import { clearMatchSpecCache, compileMatchSpec, matchSpecToJSON, NO_MATCH } from '../../src/match-spec/index.js';
import { copyRow } from '../../src/term/copy.js';
import { exactEquals } from '../../src/term/equal.js';
import { Pid, Tuple, type Term } from '../../src/term/types.js';
import { clause, clauseRows, pattern, term, toSpec } from './arbitraries.js';
import { A, T, ev, run1 } from './helpers.js';

describe('JSON tagged forms', () => {
  test('scalar tags', () => {
    expect(ev({ $atom: 'ok' })).toBe(A('ok'));
    expect(ev({ $atom: 'true' })).toBe(true);
    expect(ev({ $atom: 'nil' })).toBe(null);
    expect(ev({ $atom: 'undefined' })).toBe(undefined);
    expect(ev({ $bigint: '-123456789012345678901234567890' })).toBe(-123456789012345678901234567890n);
    expect(ev({ $binary: 'AQID' })).toEqual(new Uint8Array([1, 2, 3]));
    expect(ev({ $number: 'Infinity' })).toBe(Infinity);
    expect(ev({ $number: '-Infinity' })).toBe(-Infinity);
    expect(ev({ $number: 1.5 })).toBe(1.5);
  });

  test('structure tags in heads and bodies', () => {
    const head = [{ $tuple: [{ $atom: 'user' }, '$1'] }, { $list: ['$2', '_'] }, { $map: [[{ $bigint: '1' }, '$3']] }];
    const row = [T(A('user'), 7), ['a', 'b'], new Map<Term, Term>([[1, 'x']])] as Term[];
    expect(run1(head, [], ['$$'], row)).toEqual([7, 'a', 'x']);
    expect(run1({ $tuple: ['$1'] }, [], [{ $tuple: ['$1', { $list: ['$1'] }] }], [5])).toEqual(T(5, [5]));
  });

  test('inside $const everything is literal but tags still decode', () => {
    // a bigint in the safe range is stored as a number
    expect(ev({ $const: { $tuple: ['$1', { $atom: 'a' }, [{ $bigint: '2' }, { $bigint: '100000000000000000000' }, { $float: '2' }]] } })).toEqual(
      T('$1', A('a'), [2, 10n ** 20n, new ErlFloat(2)]),
    );
    expect(ev({ $const: { $map: { $x: ['$1'] } } })).toEqual({ $x: ['$1'] });
    // literals are frozen copies (a FrozenMap here): compare as terms
    expect(exactEquals(ev({ $const: { $map: [[T(1), 2]] } }), new Map([[T(1), 2]]))).toBe(true);
    expect(ev({ $const: { $map: [[T(1), 2]] } })).toBeInstanceOf(Map);
    expect(ev({ $const: { $const: '$1' } })).toBe('$1');
    expect(exactEquals(ev({ $const: new Map([['$1', ['_']]]) }), new Map([['$1', ['_']]]))).toBe(true);
  });

  test('a plain object with several keys is a map, even if a key starts with $', () => {
    expect(run1(['$1'], [], [{ $a: '$1', b: 2 }], [1])).toEqual({ $a: 1, b: 2 });
  });

  test('matchSpecToJSON encodes native forms', () => {
    const spec = [
      {
        head: [T(A('user'), '$1'), 10n ** 20n, new Uint8Array([255]), undefined, -Infinity],
        guards: [['>', '$1', 2 ** 60]],
        body: [new Map<Term, Term>([[A('k'), '$1']]), { $const: { $x: 1 } }],
      },
    ];
    const json = matchSpecToJSON(spec);
    expect(json).toEqual([
      {
        head: [{ $tuple: [{ $atom: 'user' }, '$1'] }, { $bigint: '100000000000000000000' }, { $binary: '/w==' }, { $atom: 'undefined' }, { $number: '-Infinity' }],
        guards: [['>', '$1', 2 ** 60]],
        body: [{ $map: [[{ $atom: 'k' }, '$1']] }, { $const: { $map: { $x: 1 } } }],
      },
    ]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(() => matchSpecToJSON([{ head: [new Pid(1)], body: [true] }])).toThrow(TypeError);
  });

  test('a JSON round trip compiles to the same spec (property)', () => {
    const bodyArb = fc.constantFrom<Term>('$_', '$$', T('$1', '$2'), { $list: ['$3', '$1'] }, new Map<Term, Term>([['$1', '$2']]), { a: '$1', b: '$3' }, ['+', '$1', 1]);
    fc.assert(
      fc.property(fc.array(clause, { minLength: 1, maxLength: 3 }), fc.array(bodyArb, { minLength: 3, maxLength: 3 }), fc.array(term, { minLength: 3, maxLength: 3 }), pattern, (cs, bodies, env, fillPat) => {
        const spec = toSpec(cs).map((c, i) => ({ ...(c as object), body: [(c as { head: unknown }).head === '_' ? '$_' : bodies[i]!] }));
        const back = JSON.parse(JSON.stringify(matchSpecToJSON(spec)));
        const a = compileMatchSpec(spec, 0);
        clearMatchSpecCache(); // compile the JSON form afresh
        const b = compileMatchSpec(back, 0);
        expect(b).not.toBe(a);
        const fill = () => fillPat;
        for (const cl of cs) {
          for (const row of clauseRows(cl, env, fill)) {
            const stored = copyRow(row);
            const ra = a.run(stored);
            const rb = b.run(stored);
            if (ra === NO_MATCH || rb === NO_MATCH) expect(rb).toBe(ra);
            else {
              expect(exactEquals(ra, rb)).toBe(true);
              expect(rb).toEqual(ra);
            }
          }
        }
        expect(b.keyConstraint.kind).toBe(a.keyConstraint.kind);
      }),
      { numRuns: 200 },
    );
  });
});

void Tuple;
