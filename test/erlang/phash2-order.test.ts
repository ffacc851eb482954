/**
 * erlang:phash2/1 and the Erlang term orders, against values OTP 25 computed
 * (hard-coded, so they run without OTP) and, when `erl` is installed, against
 * live OTP on thousands of random terms.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { compareErlTerms, detsCompare } from '../../src/erlang/term-order.js';
import { atomHash, phash2 } from '../../src/erlang/phash2.js';
import { decodeTerm, encodeTerm } from '../../src/erlang/etf.js';
import { ErlBitstring, ErlFloat, ErlImproperList, type ErlTerm } from '../../src/erlang/terms.js';
import { Tuple, type Term } from '../../src/term/index.js';
import { erlTermArb } from '../convert/arbitraries.js';
import { FIXTURES, runChecker, tempDir } from '../convert/helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const a = (n: string): symbol => Symbol.for(n);
const t = (...xs: unknown[]): Tuple => Tuple.from(xs as Term[]) as Tuple;

function frames(terms: readonly ErlTerm[]): Buffer {
  const out: Buffer[] = [];
  for (const x of terms) {
    const b = encodeTerm(x);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    out.push(len, Buffer.from(b));
  }
  return Buffer.concat(out);
}

describe('phash2', () => {
  it('matches values computed by OTP 25', () => {
    // erlang:phash2/1 of each term, from erl 25
    const known: Array<[ErlTerm, number]> = [
      [[], 113427502],
      [a('a'), 97],
      [true, 506293],
      [null, 29948],
      [0, 88723725],
      [1, 2614250],
      [-1, 44071773],
      [134217727, 112602999],
      [134217728, 12354923],
      [-134217728, 69672967],
      [-134217729, 76739502],
      [2n ** 64n, 103122609],
      [-(2n ** 70n), 20532417],
      [1.5, 10380315],
      [new ErlFloat(0), 20875736],
      [new ErlFloat(-0), 20875736],
      ['', 13708901],
      ['abc', 98228475],
      [new ErlBitstring(Uint8Array.of(0x20), 3), 73037028],
      [t(), 87486268],
      [t(a('a'), 1), 72425156],
      [[1, 2, 3], 25788620],
      [new ErlImproperList([a('a')], a('b')), 74710280],
      [[...Buffer.from('hello world')], 124727853],
      [new Map(), 39679005],
      [new Map<ErlTerm, ErlTerm>([[a('a'), 1], [a('b'), [a('x')]]]), 20048764],
      [t([], new Map<ErlTerm, ErlTerm>([[1, new ErlFloat(1)]])), 131691732],
    ];
    for (const [i, [term, want]] of known.entries()) expect(phash2(term), `known[${i}]`).toBe(want);
    // map hashing does not depend on entry order
    expect(phash2(new Map<ErlTerm, ErlTerm>([[a('b'), [a('x')]], [a('a'), 1]]))).toBe(20048764);
    // a string and its bytes, a Map and a plain object, 5 and 5n hash alike
    expect(phash2(Buffer.from('abc'))).toBe(98228475);
    expect(phash2({ a: 1 })).toBe(phash2(new Map([['a', 1]])));
    expect(phash2(5n)).toBe(phash2(5));
    expect(atomHash('é')).toBe(atomHash('\u00e9'));
  });

  it('equals erlang:phash2/1 on fixtures and random terms (live OTP)', () => {
    const cases = (JSON.parse(readFileSync(join(FIXTURES, 'etf', 'cases.json'), 'utf8')) as { cases: Array<{ etf: string }> }).cases.map((c) =>
      decodeTerm(Uint8Array.from(Buffer.from(c.etf, 'hex'))),
    );
    const terms = [...cases, ...fc.sample(erlTermArb, { numRuns: 3000, seed: 2024 })];
    const f = join(dir, 'phash2.in');
    writeFileSync(f, frames(terms));
    const got = runChecker(['phash2', f]).trim().split('\n').map(Number);
    expect(got.length).toBe(terms.length);
    const bad = terms.map((x, i) => [i, phash2(x), got[i]] as const).filter(([, mine, theirs]) => mine !== theirs);
    expect(bad.slice(0, 5)).toEqual([]);
  });
});

describe('term order', () => {
  it('orders types and values as Erlang does', () => {
    const sorted: ErlTerm[] = [
      -(2n ** 70n), -1, new ErlFloat(0), 0.5, 1, 2n ** 70n, // numbers
      a(''), a('a'), true, // atoms
      t(), t(9), t(1, 2), // tuples by size first
      new Map(), new Map([[1, 1]]), // maps
      [], new ErlImproperList([1], a('z')), [1], [1, 2], // lists ([1|z] < [1]: the tail z is an atom, smaller than [])
      '', new ErlBitstring(Uint8Array.of(0), 1), 'a', Uint8Array.of(0xff), // bitstrings, bit by bit
    ];
    for (let i = 0; i + 1 < sorted.length; i++) {
      expect(compareErlTerms(sorted[i], sorted[i + 1]), `${i}`).toBeLessThanOrEqual(0);
      expect(compareErlTerms(sorted[i + 1], sorted[i]), `${i}`).toBeGreaterThanOrEqual(0);
    }
    expect(compareErlTerms(1, new ErlFloat(1))).toBe(0); // 1 == 1.0
    expect(detsCompare(1, new ErlFloat(1))).toBe(-1); // dets: integers first
    expect(detsCompare(5, new ErlFloat(1))).toBe(-1);
    // map keys: every integer before every float
    expect(compareErlTerms(new Map([[2, 0]]), new Map([[new ErlFloat(1), 0]]))).toBe(-1);
  });

  it('sorts random terms exactly as lists:sort/2 and dets_utils:cmp/2 do (live OTP)', () => {
    const terms = fc.sample(erlTermArb, { numRuns: 3000, seed: 31 });
    const f = join(dir, 'sort.in');
    writeFileSync(f, frames(terms));
    const [std, dets] = runChecker(['sort', f]).trim().split('\n').map((l) => JSON.parse(l) as number[]);
    const idx = terms.map((_, i) => i);
    expect(idx.slice().sort((i, j) => compareErlTerms(terms[i], terms[j]) || i - j)).toEqual(std);
    expect(idx.slice().sort((i, j) => detsCompare(terms[i], terms[j]) || i - j)).toEqual(dets);
  });
});
