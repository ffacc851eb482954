import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { decodeTerm, encodeTerm } from '../../src/erlang/etf.js';
import { TermstoreError } from '../../src/errors.js';
import { canon } from '../convert/helpers.js';
import { erlTermArb } from '../convert/arbitraries.js';

function decodesOrRefuses(bytes: Uint8Array): void {
  try {
    decodeTerm(bytes);
  } catch (e) {
    if (!(e instanceof TermstoreError)) throw e;
    expect(e.code.startsWith('CONVERT_')).toBe(true);
    expect(typeof e.details.offset).toBe('number');
  }
}

describe('ETF round trip', () => {
  test.prop([erlTermArb], { numRuns: 1000 })('decode(encode(t)) =:= t', (t) => {
    const bytes = encodeTerm(t);
    expect(canon(decodeTerm(bytes))).toBe(canon(t));
    // the encoding of a decoded term is stable
    expect(Buffer.from(encodeTerm(decodeTerm(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  test.prop([erlTermArb], { numRuns: 200 })('compressed round trip', (t) => {
    expect(canon(decodeTerm(encodeTerm(t, { compressed: 1 })))).toBe(canon(t));
  });

  test.prop([erlTermArb], { numRuns: 300 })('binaries: bytes gives the same term', (t) => {
    expect(canon(decodeTerm(encodeTerm(t), { binaries: 'bytes' }))).toBe(canon(t));
  });
});

describe('ETF decoder on hostile input', () => {
  test.prop([fc.uint8Array({ maxLength: 64 })], { numRuns: 3000 })('random bytes after 131: a term or a TermstoreError', (b) => {
    decodesOrRefuses(Uint8Array.from([131, ...b]));
  });

  test.prop([erlTermArb, fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 2000 })('a flipped byte: a term or a TermstoreError', (t, at, x) => {
    const b = encodeTerm(t).slice();
    const i = at % b.length;
    b[i]! ^= x;
    decodesOrRefuses(b);
  });

  test.prop([erlTermArb], { numRuns: 80 })('every truncation is refused with an offset', (t) => {
    const b = encodeTerm(t);
    for (let n = 0; n < b.length; n++) {
      try {
        decodeTerm(b.subarray(0, n));
        expect.fail(`prefix of ${n} bytes decoded`);
      } catch (e) {
        expect(e).toBeInstanceOf(TermstoreError);
        expect((e as TermstoreError).code).toBe('CONVERT_CORRUPT');
        expect(typeof (e as TermstoreError).details.offset).toBe('number');
      }
    }
  });
});
