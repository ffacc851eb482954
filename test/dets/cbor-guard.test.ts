/**
 * The guard in front of every CBOR decode (`createCodec`, `checkItems`):
 * cbor-x's built-in tags never reach its decoders, whatever the nesting,
 * while everything termstore writes (bigints included) still decodes.
 */
import { Tag } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { CborScanError, MAX_NESTING, checkItems } from '../../src/dets/cbor-scan.js';
import { TAG, WireError, createCodec, fromWire, isTermstoreTag, toWire } from '../../src/dets/codec.js';
import { Tuple, type Term } from '../../src/term/types.js';
import { cborBignum, cborHead } from '../hostile/generators.js';

/** Every tag cbor-x 1.6 gives a meaning to (dates, bignums, decimals, records, bundled strings, shared values, typed arrays, sets, maps, ...), and some it does not. */
const FOREIGN = [
  0, 1, 2, 3, 4, 5, 6, 14, 15, 21, 22, 23, 24, 25, 27, 28, 29, 32, 51, 55, 64, 68, 69, 70, 71, 72, 77, 78, 79, 85, 86, 87, 105, 256, 258, 259,
  40099, 40111, 55800, 0xdff9, 0xdffe, 0xdfff, 0xe000, 0xffff, 0x10000, 2 ** 32 - 1,
];

function tagged(tag: number, inner: Buffer): Buffer {
  if (tag < 2 ** 32) return Buffer.concat([cborHead(6, tag), inner]);
  throw new Error('unused');
}

describe('the decode guard', () => {
  const codec = createCodec();
  const one = Buffer.from([0x01]);

  it('refuses every foreign tag, at the top, nested, and inside termstore tags, before decoding', () => {
    for (const tag of FOREIGN) {
      const item = tagged(tag, one);
      for (const b of [
        item,
        Buffer.concat([Buffer.from([0x83, 0x01, 0x02]), item]), // [1, 2, item]
        Buffer.concat([Buffer.from([0xa1, 0x61, 0x6b]), item]), // {"k": item}
        Buffer.concat([cborHead(6, TAG.TUPLE), Buffer.from([0x81]), item]), // tuple {item}
        Buffer.concat([Buffer.from([0x9f]), item, Buffer.from([0xff])]), // indefinite [item]
      ]) {
        expect(() => codec.decode(b), `tag ${tag}`).toThrow(WireError);
        expect(() => codec.decodeMultiple(Buffer.concat([Buffer.from([0x01]), b]), () => undefined), `tag ${tag}`).toThrow(WireError);
      }
    }
  });

  it("a 1 MiB bignum costs one pass over its head, not cbor-x's quadratic loop", () => {
    expect(() => codec.decode(cborBignum(1 << 20))).toThrow(/CBOR tag 2 /);
  });

  it('accepts the tags of the format and of wire.ts, self-described CBOR, and indefinite lengths', () => {
    for (let t = 40100; t <= 40110; t++) expect(isTermstoreTag(t)).toBe(true);
    expect(isTermstoreTag(55799)).toBe(true);
    expect(codec.decode(Buffer.from([0xd9, 0xd9, 0xf7, 0x01]))).toBe(1);
    expect(codec.decode(Buffer.from([0x9f, 0x01, 0x02, 0xff]))).toEqual([1, 2]);
    const t = codec.decode(Buffer.concat([cborHead(6, 40109), Buffer.from([0x82, 0x01, 0x02])]));
    expect(t).toBeInstanceOf(Tag);
  });

  it('bigints termstore writes keep round-tripping, however large', () => {
    for (const n of [0n, -1n, 2n ** 64n, -(3n ** 500n), 7n ** 40_000n]) {
      // A bigint in the safe range is stored as the equal number (src/term/number.ts).
      const stored = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      expect(fromWire(codec.decode(codec.encode(toWire(n))))).toBe(stored);
    }
  });

  it('deep terms still decode (two CBOR levels per tuple); deeper CBOR than MAX_NESTING is refused, not a stack overflow', () => {
    let deep: Term = 1;
    for (let i = 0; i < 700; i++) deep = Tuple.of(deep) as Term;
    const row = [Symbol.for('k'), deep];
    expect(fromWire(codec.decode(codec.encode(toWire(row))))).toEqual(row);
    const arrays = Buffer.concat([Buffer.alloc(MAX_NESTING - 1, 0x81), Buffer.from([0x01])]);
    expect(() => codec.decode(arrays)).not.toThrow();
    const n = MAX_NESTING + 10;
    const tooDeep = Buffer.concat([Buffer.alloc(n, 0x81), Buffer.from([0x01])]);
    expect(() => codec.decode(tooDeep)).toThrow(WireError);
  });

  it('checkItems refuses truncated items, stray breaks and reserved bytes with their offset', () => {
    const cases: Array<[number[], number]> = [
      [[0x82, 0x01], 0], // an array missing an element
      [[0x01, 0x5a, 0xff, 0xff, 0xff, 0xff], 1], // a byte string longer than the input
      [[0x01, 0xff], 1], // a break outside an indefinite item
      [[0x1c], 0], // reserved additional information
      [[0x9f, 0x01], 0], // an indefinite array without its break
    ];
    for (const [bytes, at] of cases) {
      const b = Uint8Array.from(bytes);
      let err: unknown;
      try {
        checkItems(b, 0, b.length, isTermstoreTag);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(bytes)).toBeInstanceOf(CborScanError);
      expect((err as CborScanError).at, JSON.stringify(bytes)).toBeGreaterThanOrEqual(at);
    }
    expect(() => checkItems(Uint8Array.from([0x01, 0x82, 0x01, 0x02, 0x9f, 0xff]), 0, 6, isTermstoreTag)).not.toThrow();
  });
});
