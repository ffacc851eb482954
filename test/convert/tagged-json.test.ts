/** The tagged JSON form (JSON Lines, the SQLite json column, dump): every tag, the escapes, refusals, and exact round trips. */
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ErlBitstring, ErlFloat, ErlImproperList } from '../../src/erlang/terms.js';
import { TaggedJsonError, fromTaggedJson, toTaggedJson } from '../../src/convert/tagged-json.js';
import { Opaque, Pid, Tuple, type Term } from '../../src/term/types.js';
import { everyTermType, termArb, storedForm } from '../dets/terms.js';
import { erlangOnly, sameErl } from './support.js';

const roundTrip = (x: unknown): unknown => fromTaggedJson(JSON.parse(JSON.stringify(toTaggedJson(x))));

describe('tagged JSON', () => {
  it('writes JSON values as themselves and the rest as documented tags', () => {
    expect(toTaggedJson([1, 'a', true, false, null, [2.5]])).toEqual([1, 'a', true, false, null, [2.5]]);
    expect(toTaggedJson(Tuple.from([1, Symbol.for('ok')]))).toEqual({ $tuple: [1, { $atom: 'ok' }] });
    expect(toTaggedJson([undefined, Symbol.for('true'), Symbol.for('nil')])).toEqual([{ $atom: 'undefined' }, true, null]);
    expect(toTaggedJson([12n, new Uint8Array([1, 2, 3]), -0, Infinity, -Infinity])).toEqual([
      { $bigint: '12' },
      { $binary: 'AQID' },
      { $number: '-0' },
      { $number: 'Infinity' },
      { $number: '-Infinity' },
    ]);
    expect(toTaggedJson(new Map<Term, Term>([[1, 'one']]))).toEqual({ $map: [[1, 'one']] });
    expect(toTaggedJson({ a: 1, b: [] })).toEqual({ a: 1, b: [] });
    expect(toTaggedJson({ $price: 1 })).toEqual({ $map: { $price: 1 } });
    expect(toTaggedJson([new Pid(4), new Opaque('port', Uint8Array.of(9))])).toEqual([{ $pid: 4 }, { $opaque: ['port', 'CQ=='] }]);
    expect(toTaggedJson([new ErlFloat(1), new ErlFloat(-0), new ErlImproperList([1], 2), new ErlBitstring(Uint8Array.of(0xa0), 3)])).toEqual([
      { $float: '1' },
      { $float: '-0' },
      { $improper: [[1], 2] },
      { $bits: ['oA==', 3] },
    ]);
  });

  it('round trips every term type and every Erlang-only value exactly', () => {
    for (const t of [...everyTermType(), ...erlangOnly()]) {
      const back = roundTrip(t);
      // The atoms true/false/nil given as symbols come back as true/false/null: the same term.
      // Numbers come back in their stored form (a bigint in the safe range as a number).
      const want = t === Symbol.for('true') ? true : t === Symbol.for('nil') ? null : storedForm(t);
      expect(sameErl(back, want), JSON.stringify(toTaggedJson(t))).toBe(true);
    }
  });

  it('round trips random terms (fast-check)', () => {
    fc.assert(
      fc.property(termArb, (t) => {
        const back = roundTrip(t);
        expect(JSON.stringify(toTaggedJson(back))).toBe(JSON.stringify(toTaggedJson(storedForm(t))));
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('refuses unknown tags, malformed tag payloads, and values that are not terms, with a path', () => {
    for (const bad of [{ $atomm: 'x' }, { $bigint: '1.5' }, { $binary: '***' }, { $pid: -1 }, { $opaque: ['thing', ''] }, { $float: 'Infinity' }, { $improper: [[], 1] }, { $bits: ['AA==', 9] }, { $map: 5 }]) {
      expect(() => fromTaggedJson([0, bad]), JSON.stringify(bad)).toThrow(TaggedJsonError);
    }
    try {
      fromTaggedJson([0, [1, { $tuple: 3 }]]);
    } catch (e) {
      expect((e as TaggedJsonError).path).toBe('1/1/$tuple');
    }
    expect(() => toTaggedJson([NaN])).toThrow(TaggedJsonError);
    expect(() => toTaggedJson([Symbol('local')])).toThrow(TaggedJsonError);
    expect(() => toTaggedJson(new Date())).toThrow(TaggedJsonError);
  });
});
