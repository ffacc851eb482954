/**
 * The term order (`compareTerms`). The fixed sequences below were checked
 * against OTP 25 (`lists:sort/1` on the Erlang counterparts); see the
 * comment on each.
 */
import { ErlFloat } from '../../src/term/number.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { compareTerms } from '../../src/term/order.js';
import { exactEquals } from '../../src/term/equal.js';
import { Pid, tuple, type Term } from '../../src/term/types.js';
import { numericTwin, termArb, twin } from './arbitraries.js';

const a = Symbol.for;
const bin = (...bytes: number[]) => new Uint8Array(bytes);
const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
/** Sorts terms (Array#sort would put `undefined`, the atom, last without comparing it). */
const sortTerms = (xs: readonly Term[]): Term[] =>
  xs
    .map((x) => [x])
    .sort((p, q) => compareTerms(p[0], q[0]))
    .map((p) => p[0] as Term);

/** Checks that `xs` is strictly ascending, pairwise in both directions. */
function expectAscending(xs: readonly Term[]): void {
  for (let i = 0; i < xs.length; i++) {
    for (let j = 0; j < xs.length; j++) {
      expect(sign(compareTerms(xs[i], xs[j])), `${i} vs ${j}`).toBe(sign(i - j));
    }
  }
}

describe('term order', () => {
  it('orders across and within types as OTP 25 lists:sort does', () => {
    // Erlang (OTP 25): lists:sort gave
    // [-18446744073709551616,-1,1,1.5,2,18446744073709551616,a,aa,b,<0.9.0>,{},{1},{2},{1,2},{a,b,c},
    //  #{},#{1 => x},#{a => 1},#{a => 2},#{b => 0},#{a => 1,b => 1},#{a => 1,b => 2},#{a => 2,b => 1},
    //  [],[1],[1,2],[2],<<>>,<<97>>,<<97,98>>,<<98>>,<<195,169>>,<<239,191,191>>,<<240,159,152,128>>]
    const m = (...es: Array<[Term, Term]>) => new Map<Term, Term>(es);
    expectAscending([
      -(2n ** 64n),
      -1,
      1,
      1.5,
      2,
      2n ** 64n,
      a('a'),
      a('aa'),
      a('b'),
      new Pid(0),
      tuple(),
      tuple(1),
      tuple(2),
      tuple(1, 2),
      tuple(a('a'), a('b'), a('c')),
      m(),
      m([1, a('x')]),
      m([a('a'), 1]),
      m([a('a'), 2]),
      m([a('b'), 0]),
      m([a('a'), 1], [a('b'), 1]),
      m([a('a'), 1], [a('b'), 2]),
      m([a('a'), 2], [a('b'), 1]),
      [],
      [1],
      [1, 2],
      [2],
      '',
      'a',
      'ab',
      'b',
      'é',
      '\u{FFFF}',
      '\u{1F600}',
    ]);
  });

  it('puts tuples by size first, lists prefix first (OTP 25: [{2,a},{1,a,b},[a,b,c],[z]])', () => {
    expectAscending([tuple(2, a('a')), tuple(1, a('a'), a('b')), [a('a'), a('b'), a('c')], [a('z')]]);
    expect(compareTerms(tuple(9), tuple(1, 1))).toBeLessThan(0);
    expect(compareTerms([1], [1, 0])).toBeLessThan(0); // OTP 25: [1] < [1,0] is true
    expect(compareTerms([], [[]])).toBeLessThan(0);
  });

  it('compares strings by code point, astral after U+E000..U+FFFF (not by UTF-16 unit)', () => {
    // UTF-16 code units would put U+1F600 (0xD83D...) before U+E000.
    expectAscending(['\u{7F}', '\u{80}', '\u{7FF}', '\u{800}', '\u{D7FF}', '\u{E000}', '\u{FFFD}', '\u{FFFF}', '\u{10000}', '\u{1F600}', '\u{10FFFF}']);
    expect(compareTerms('a\u{1F600}', 'a\u{FFFF}z')).toBeGreaterThan(0);
  });

  it('treats a string and a Uint8Array of its UTF-8 bytes as the same binary', () => {
    expect(compareTerms('é', bin(0xc3, 0xa9))).toBe(0);
    expect(compareTerms('\u{1F600}', bin(0xf0, 0x9f, 0x98, 0x80))).toBe(0);
    expect(compareTerms('a', bin(0x61, 0))).toBeLessThan(0);
    expect(compareTerms(bin(0xff), '\u{10FFFF}')).toBeGreaterThan(0);
    expect(compareTerms(bin(), '')).toBe(0);
  });

  it('makes numbers and bigints equal when numerically equal (1 == 1n) and orders them numerically', () => {
    expect(compareTerms(1, 1n)).toBe(0);
    expect(compareTerms(2 ** 53, 2n ** 53n)).toBe(0);
    expect(compareTerms(2 ** 53, 2n ** 53n + 1n)).toBeLessThan(0);
    expect(compareTerms(1.5, 1n)).toBeGreaterThan(0);
    expect(compareTerms(-0, 0)).toBe(0);
    expect(compareTerms(-Infinity, -(2n ** 1000n))).toBeLessThan(0);
    expect(compareTerms([1, 2n], [1n, 2])).toBe(0);
    expect(compareTerms(tuple(1), tuple(1n))).toBe(0);
  });

  it('treats booleans, null and undefined as the atoms true, false, nil, undefined', () => {
    expect(compareTerms(true, a('true'))).toBe(0);
    expect(compareTerms(null, a('nil'))).toBe(0);
    expect(compareTerms(undefined, a('undefined'))).toBe(0);
    // atoms by name: false < nil < true < undefined
    expectAscending([false, null, true, undefined]);
    // every atom is above every number and below every pid/tuple
    expect(compareTerms(a('a'), 2n ** 100n)).toBeGreaterThan(0);
    expect(compareTerms(undefined, new Pid(0))).toBeLessThan(0);
  });

  it('treats a plain object as a map with binary keys', () => {
    expect(compareTerms({ a: 1 }, new Map([['a', 1]]))).toBe(0);
    // size first
    expect(compareTerms({ z: 1 }, { a: 1, b: 1 })).toBeLessThan(0);
    // binary keys sort after atom keys
    expect(compareTerms(new Map([[a('z'), 1]]), { a: 1 })).toBeLessThan(0);
    // a map is below every list and above every tuple
    expectAscending([tuple(1, 2, 3, 4), {}, []]);
  });

  it('orders maps with ==-equal keys (1 and 1.0) the same whatever their insertion order', () => {
    const f = new ErlFloat(1);
    const m1 = new Map<Term, Term>([
      [1, 'x'],
      [f, 'y'],
    ]);
    const m2 = new Map<Term, Term>([
      [f, 'y'],
      [1, 'x'],
    ]);
    expect(exactEquals(m1, m2)).toBe(true);
    expect(compareTerms(m1, m2)).toBe(0);
    const m3 = new Map<Term, Term>([
      [1, 'y'],
      [f, 'x'],
    ]);
    expect(sign(compareTerms(m1, m3)) + sign(compareTerms(m3, m1))).toBe(0);
    expect(compareTerms(m1, m3)).not.toBe(0);
  });

  it('orders pids by number, after atoms and before tuples', () => {
    expectAscending([a('zzz'), new Pid(1), new Pid(2), tuple()]);
  });
});

describe('term order: properties', () => {
  test.prop([termArb, termArb], { seed: 4242, numRuns: 1000 })('is antisymmetric and reflexive', (x, y) => {
    expect(compareTerms(x, x)).toBe(0);
    expect(sign(compareTerms(x, y)) + sign(compareTerms(y, x))).toBe(0);
  });

  test.prop([fc.array(termArb, { minLength: 2, maxLength: 12 })], { seed: 77, numRuns: 500 })(
    'is transitive: after sorting, every earlier term is <= every later one',
    (xs) => {
      const s = sortTerms(xs);
      for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) expect(compareTerms(s[i], s[j])).toBeLessThanOrEqual(0);
    },
  );

  test.prop([termArb, termArb, termArb], { seed: 9, numRuns: 1000 })('is transitive on triples and consistent on ties', (x, y, z) => {
    const [p, q, r] = sortTerms([x, y, z]) as [Term, Term, Term];
    expect(compareTerms(p, q)).toBeLessThanOrEqual(0);
    expect(compareTerms(q, r)).toBeLessThanOrEqual(0);
    expect(compareTerms(p, r)).toBeLessThanOrEqual(0);
    if (compareTerms(p, q) === 0) expect(sign(compareTerms(p, r))).toBe(sign(compareTerms(q, r)));
  });

  test.prop([termArb, termArb], { seed: 31, numRuns: 1000 })('gives 0 for exactly equal terms, and twins compare equal to the original', (x, y) => {
    if (exactEquals(x, y)) expect(compareTerms(x, y)).toBe(0);
    expect(compareTerms(x, twin(x))).toBe(0);
    expect(compareTerms(x, numericTwin(x))).toBe(0);
    expect(sign(compareTerms(twin(x), y))).toBe(sign(compareTerms(x, y)));
  });
});
