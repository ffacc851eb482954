/** Exact equality (`=:=`) and the hash identity consistent with it. */
import { ErlFloat } from '../../src/term/number.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { exactEquals, hashKey, rowEquals } from '../../src/term/equal.js';
import { Pid, tuple, type Term } from '../../src/term/types.js';
import { numericTwin, termArb, twin } from './arbitraries.js';

const a = Symbol.for;
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('exactEquals', () => {
  it('one integer type: 1 and 1n are the same term; the float 1.0 is another (Erlang =:=)', () => {
    expect(exactEquals(1, 1n)).toBe(true);
    expect(exactEquals([1], [1n])).toBe(true);
    expect(hashKey(1)).toBe(hashKey(1n));
    expect(hashKey([1])).toBe(hashKey([1n]));
    const f = new ErlFloat(1);
    expect(exactEquals(1, f)).toBe(false);
    expect(exactEquals(f, new ErlFloat(1))).toBe(true);
    expect(hashKey(f)).not.toBe(hashKey(1));
    // a number that is not a safe integer is a float: not the bigint of its value
    expect(exactEquals(1e20, 10n ** 20n)).toBe(false);
    expect(hashKey(1e20)).not.toBe(hashKey(10n ** 20n));
    // a box of a non-integral value is the plain float
    expect(exactEquals(new ErlFloat(1.5), 1.5)).toBe(true);
    expect(hashKey(new ErlFloat(1.5))).toBe(hashKey(1.5));
    // OTP 25: 0.0 =:= -0.0; and -0 is the integer 0
    expect(exactEquals(new ErlFloat(-0), new ErlFloat(0))).toBe(true);
    expect(exactEquals(-0, 0)).toBe(true);
  });

  it('compares structure, never references', () => {
    expect(exactEquals(['user', 42], ['user', 42])).toBe(true);
    expect(exactEquals(tuple('user', 42), tuple('user', 42))).toBe(true);
    expect(exactEquals({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(exactEquals(new Map([[[1], 2]]), new Map([[[1], 2]]))).toBe(true);
    expect(exactEquals(new Pid(3), new Pid(3))).toBe(true);
    expect(exactEquals(new Pid(3), new Pid(4))).toBe(false);
  });

  it('never equates a tuple and a list', () => {
    expect(exactEquals(tuple(1, 2), [1, 2])).toBe(false);
    expect(exactEquals([tuple()], [[]])).toBe(false);
    expect(hashKey(tuple(1, 2))).not.toBe(hashKey([1, 2]));
  });

  it('equates the atom spellings: true/false/null/undefined and their Symbol.for', () => {
    expect(exactEquals(true, a('true'))).toBe(true);
    expect(exactEquals(false, a('false'))).toBe(true);
    expect(exactEquals(null, a('nil'))).toBe(true);
    expect(exactEquals(undefined, a('undefined'))).toBe(true);
    expect(exactEquals(true, 'true')).toBe(false);
    expect(exactEquals(a('a'), 'a')).toBe(false);
    expect(hashKey(true)).toBe(hashKey(a('true')));
    expect(hashKey(null)).toBe(hashKey(a('nil')));
  });

  it('equates a string and the Uint8Array of its UTF-8 bytes, but not other bytes', () => {
    expect(exactEquals('héllo', utf8('héllo'))).toBe(true);
    expect(exactEquals(utf8('x'), 'x')).toBe(true);
    expect(exactEquals(new Uint8Array([0xff]), new Uint8Array([0xff]))).toBe(true);
    expect(exactEquals(new Uint8Array([0xff]), '\u00ff')).toBe(false);
    expect(hashKey(utf8('héllo'))).toBe(hashKey('héllo'));
    expect(hashKey(new Uint8Array([0xff]))).not.toBe(hashKey(new Uint8Array([0xfe])));
  });

  it('equates a plain object and a Map with the same binary keys, in any order', () => {
    expect(exactEquals({ a: 1, b: 2 }, new Map<Term, Term>([['b', 2], ['a', 1]]))).toBe(true);
    expect(exactEquals({ a: 1 }, new Map([[a('a'), 1]]))).toBe(false);
    expect(hashKey({ b: 2, a: 1 })).toBe(hashKey({ a: 1, b: 2 }));
  });

  it('keeps string keys that look like canonical forms apart from structured keys', () => {
    const structured: Term[] = [[1], tuple(1), { a: 1 }, new Pid(1), new Uint8Array([0xff])];
    for (const k of structured) {
      const h = hashKey(k) as string;
      expect(typeof h).toBe('string');
      // A string whose contents are exactly that hash key is a different term.
      expect(hashKey(h)).not.toBe(h);
      expect(exactEquals(h, k)).toBe(false);
    }
    expect(hashKey('\u0000')).not.toBe(hashKey(''));
    expect(hashKey('plain')).toBe('plain'); // primitive fast path
    expect(hashKey(42)).toBe(42);
  });

  it('rowEquals compares rows element-wise whatever their array class', () => {
    expect(rowEquals(['k', 1], tuple('k', 1))).toBe(true);
    expect(rowEquals(['k', 1], ['k', 1n])).toBe(true);
    expect(rowEquals(['k', 1], ['k', new ErlFloat(1)])).toBe(false);
    expect(rowEquals(['k'], ['k', 1])).toBe(false);
  });
});

describe('exactEquals and hashKey: properties', () => {
  const pairArb = fc.oneof(
    fc.tuple(termArb, termArb),
    termArb.map((t) => [t, twin(t)] as [Term, Term]),
    termArb.map((t) => [t, numericTwin(t)] as [Term, Term]),
    termArb.map((t) => [twin(t), numericTwin(twin(t))] as [Term, Term]),
  );

  test.prop([pairArb], { seed: 2024, numRuns: 3000 })('exactEquals(a, b) iff hashKey(a) === hashKey(b)', ([x, y]) => {
    expect(exactEquals(x, y)).toBe(hashKey(x) === hashKey(y));
    expect(exactEquals(y, x)).toBe(exactEquals(x, y));
  });

  test.prop([termArb], { seed: 5, numRuns: 1000 })('a twin is exactly equal, with the same hash key', (x) => {
    expect(exactEquals(x, x)).toBe(true);
    expect(exactEquals(x, twin(x))).toBe(true);
    expect(hashKey(twin(x))).toBe(hashKey(x));
  });
});
