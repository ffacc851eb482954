/** fast-check arbitraries of Erlang terms (every kind the ETF codec handles). */
import { fc } from '@fast-check/vitest';
import { Opaque, Tuple, type Term } from '../../src/term/index.js';
import { ErlBitstring, ErlFloat, ErlImproperList, erlCanonical, type ErlTerm } from '../../src/erlang/terms.js';

// Atoms inside opaque terms as OTP 25 writes them (ATOM_EXT), so OTP writes the same bytes back.
const node = [100, 0, 13, ...Buffer.from('nonode@nohost')];
const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** Opaque pids, references, ports and funs with random ids (in the ranges OTP accepts). */
export const opaqueArb: fc.Arbitrary<Opaque> = fc
  .tuple(
    fc.constantFrom('pid', 'reference', 'port', 'fun') as fc.Arbitrary<'pid' | 'reference' | 'port' | 'fun'>,
    fc.nat({ max: 32767 }),
    fc.nat({ max: 8191 }),
  )
  .map(([kind, x, y]) => {
    switch (kind) {
      case 'pid':
        return new Opaque(kind, Uint8Array.from([88, ...node, ...u32(x), ...u32(y), 0, 0, 0, 0]));
      case 'reference':
        return new Opaque(kind, Uint8Array.from([90, 0, 3, ...node, 0, 0, 0, 0, ...u32(x), ...u32(y), 0, 0, 0, 0]));
      case 'port':
        return new Opaque(kind, Uint8Array.from([89, ...node, ...u32(x), 0, 0, 0, 0]));
      case 'fun':
        return new Opaque(kind, Uint8Array.from([113, 100, 0, 1, 109, 100, 0, 1, 102, 97, x % 256]));
    }
  });

const atomArb: fc.Arbitrary<ErlTerm> = fc.oneof(
  fc.constantFrom<ErlTerm>(true, false, null, undefined),
  fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => Symbol.for(s)),
);

const leafArb: fc.Arbitrary<ErlTerm> = fc.oneof(
  fc.integer(),
  fc.integer({ min: 0, max: 255 }),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => new ErlFloat(d)),
  fc.integer({ min: -1e6, max: 1e6 }).map((i) => new ErlFloat(i)),
  atomArb,
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.uint8Array({ maxLength: 20 }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 7 })).map(([b, n]) => new ErlBitstring(b, n)),
  opaqueArb,
);

/** Any Erlang term (ErlTerm), nested up to a few levels. */
export const erlTermArb: fc.Arbitrary<ErlTerm> = fc.letrec<{ term: ErlTerm }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('term'), { maxLength: 5 }),
    fc.array(tie('term'), { maxLength: 5 }).map((xs) => Tuple.from(xs as Term[]) as Tuple),
    fc
      .tuple(fc.array(tie('term'), { minLength: 1, maxLength: 4 }), tie('term'))
      .filter(([, tail]) => !Array.isArray(tail) || tail instanceof Tuple)
      .filter(([, tail]) => !(tail instanceof ErlImproperList))
      .map(([items, tail]) => new ErlImproperList(items, tail)),
    fc
      .uniqueArray(fc.tuple(tie('term'), tie('term')), { maxLength: 4, selector: ([k]) => erlCanonical(k) })
      .map((entries) => new Map(entries)),
  ),
})).term;
