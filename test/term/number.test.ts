/**
 * The number rules (src/term/number.ts): integers are one type whatever
 * their JS representation, floats are never integers, and every part of
 * the term model agrees on it: exact equality, the hash identity, the term
 * order, copy-in, and the Erlang encoders (ETF, phash2, the dets codec).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createCodec, fromWire, toWire } from '../../src/dets/codec.js';
import { decodeTerm, encodeTerm } from '../../src/erlang/etf.js';
import { phash2 } from '../../src/erlang/phash2.js';
import { compareErlTerms } from '../../src/erlang/term-order.js';
import { ets } from '../../src/index.js';
import { copyTerm } from '../../src/term/copy.js';
import { exactEquals, hashKey } from '../../src/term/equal.js';
import { ErlFloat, isFloatTerm, isIntegerTerm } from '../../src/term/number.js';
import { compareTerms } from '../../src/term/order.js';
import type { Term } from '../../src/term/types.js';

const codec = createCodec();
const MAX = Number.MAX_SAFE_INTEGER;

/** Values around the places where representations meet: small, at 2^53, far beyond, as number, bigint and box. */
const magnitude = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(MAX - 1, MAX, MAX + 1, 2 ** 53 + 2, 2 ** 60, 1e20, 1e300, -(2 ** 53)),
  fc.integer(),
);

/** An integer value as a number (when safe) or a bigint of any value. */
const integerArb: fc.Arbitrary<Term> = fc.oneof(
  magnitude.filter((v) => Number.isSafeInteger(v)),
  magnitude.map((v) => BigInt(v)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
);

/** A float: a plain number that is not a safe integer, or a box of any finite value. */
const floatArb: fc.Arbitrary<Term> = fc.oneof(
  fc.constantFrom(0.5, -1.5, 2 ** 53, 2 ** 53 + 2, 1e20, -1e300),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isSafeInteger(v)),
  fc.oneof(magnitude, fc.constantFrom(-0, 0.25)).map((v) => new ErlFloat(v)),
);

const numArb = fc.oneof(integerArb, floatArb);

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** The value of a number term as an exact rational's sign comparison helper: number or bigint. */
function value(x: Term): number | bigint {
  return x instanceof ErlFloat ? x.value : (x as number | bigint);
}

describe('numbers: integers, bigints and float boxes', () => {
  test.prop([numArb, numArb], { seed: 909, numRuns: 4000 })('compareTerms, exactEquals and hashKey agree for every pair', (a, b) => {
    const eq = exactEquals(a, b);
    // the hash identity is exact equality
    expect(hashKey(a) === hashKey(b)).toBe(eq);
    expect(exactEquals(b, a)).toBe(eq);
    // exact equality is == plus the same type (integer or float)
    const c = compareTerms(a, b);
    expect(eq).toBe(c === 0 && isFloatTerm(a) === isFloatTerm(b));
    // the order is numeric, antisymmetric, and Erlang's
    expect(sign(c)).toBe(value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0);
    expect(sign(compareTerms(b, a))).toBe(0 - sign(c));
    expect(sign(compareErlTerms(a, b))).toBe(sign(c));
  });

  test.prop([numArb], { seed: 910, numRuns: 2000 })('copy-in gives one stored form, the same term', (a) => {
    const s = copyTerm(a);
    expect(exactEquals(s, a)).toBe(true);
    expect(hashKey(s)).toBe(hashKey(a));
    // a bigint is stored only beyond the safe range; a box only for a value that is a safe integer
    if (typeof s === 'bigint') expect(Number.isSafeInteger(Number(s)) && BigInt(Number(s)) === s).toBe(false);
    if (s instanceof ErlFloat) expect(Number.isSafeInteger(s.value)).toBe(true);
    expect(isIntegerTerm(s)).toBe(isIntegerTerm(a));
  });

  test.prop([numArb, numArb], { seed: 911, numRuns: 2000 })('the encoders agree: same bytes and hash for =:= terms, and a round trip is =:=', (a, b) => {
    const ea = Buffer.from(encodeTerm(a));
    const eb = Buffer.from(encodeTerm(b));
    const zeroes = isFloatTerm(a) && isFloatTerm(b) && value(a) === 0 && value(b) === 0; // -0.0 and 0.0: =:= in OTP 25, different bytes
    if (!zeroes) expect(ea.equals(eb)).toBe(exactEquals(a, b));
    if (exactEquals(a, b)) expect(phash2(a)).toBe(phash2(b));
    expect(exactEquals(decodeTerm(ea), a)).toBe(true);
    expect(exactEquals(fromWire(codec.decode(Buffer.from(codec.encode(toWire(a))))), a)).toBe(true);
  });

  test.prop([numArb, numArb], { seed: 912, numRuns: 1000 })('tables agree: one key in a set iff =:=, in an ordered_set iff ==', (a, b) => {
    const s = ets.new('num_set', {});
    const o = ets.new('num_oset', { type: 'ordered_set' });
    for (const t of [s, o]) ets.insertMany(t, [[a, 'a'], [b, 'b']]);
    expect(ets.info(s, 'size')).toBe(exactEquals(a, b) ? 1 : 2);
    expect(ets.info(o, 'size')).toBe(compareTerms(a, b) === 0 ? 1 : 2);
    expect(ets.lookup(s, b)).toEqual([[copyTerm(b), 'b']]);
    ets.delete(s);
    ets.delete(o);
  });
});

describe('the rules, by example', () => {
  it('1 and 1n are one key everywhere; 1 and 1.0 only in an ordered_set', () => {
    const s = ets.new('ex_set', {});
    ets.insert(s, [1, 'a']);
    ets.insert(s, [1n, 'b']);
    ets.insert(s, [new ErlFloat(1), 'c']);
    expect(ets.tab2list(s)).toEqual([
      [1, 'b'],
      [new ErlFloat(1), 'c'],
    ]);
    ets.delete(s);
  });

  it('a number beyond 2^53 is a float; the bigint of its value is an integer', () => {
    expect(isFloatTerm(1e20)).toBe(true);
    expect(isIntegerTerm(10n ** 20n)).toBe(true);
    expect(exactEquals(1e20, 10n ** 20n)).toBe(false);
    expect(compareTerms(1e20, 10n ** 20n)).toBe(0);
    // what Erlang reads: 1.0e20 and 100000000000000000000
    expect(decodeTerm(encodeTerm(1e20))).toBe(1e20);
    expect(encodeTerm(1e20)[1]).toBe(70); // NEW_FLOAT_EXT
    expect(encodeTerm(10n ** 20n)[1]).toBe(110); // SMALL_BIG_EXT
  });

  it('copy-in stores safe bigints as numbers and boxes of non-integral values as plain numbers', () => {
    expect(copyTerm(5n)).toBe(5);
    expect(copyTerm(2n ** 60n)).toBe(2n ** 60n);
    expect(copyTerm(new ErlFloat(2.5))).toBe(2.5);
    expect(copyTerm(new ErlFloat(2))).toEqual(new ErlFloat(2));
    expect(copyTerm([1n, new ErlFloat(1e20)])).toEqual([1, 1e20]);
  });
});
