import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTerm, encodeTerm } from '../../src/erlang/etf.js';
import { ErlBitstring, ErlFloat, ErlImproperList, erlEquals, type ErlTerm } from '../../src/erlang/terms.js';
import { TermstoreError } from '../../src/errors.js';
import { Opaque, Pid, Tuple, copyTerm, type Term } from '../../src/term/index.js';
import { FIXTURES, canon, fromTagged } from '../convert/helpers.js';

interface Case {
  name: string;
  etf: string;
  compressed: string;
  term: unknown;
}
const cases = (JSON.parse(readFileSync(join(FIXTURES, 'etf', 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const a = (n: string): symbol => Symbol.for(n);
const t = (...xs: unknown[]): Tuple => Tuple.from(xs as Term[]) as Tuple;

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof TermstoreError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('decodeTerm on term_to_binary output of OTP 25', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const want = fromTagged(c.term);
    const got = decodeTerm(hex(c.etf));
    expect(canon(got)).toBe(canon(want));
    // term_to_binary(T, [compressed]) reads the same
    expect(canon(decodeTerm(hex(c.compressed)))).toBe(canon(want));
    // and encoding gives back a term =:= the original
    expect(canon(decodeTerm(encodeTerm(got)))).toBe(canon(want));
    expect(canon(decodeTerm(encodeTerm(got, { compressed: true })))).toBe(canon(want));
  });

  it('reproduces OTP bytes exactly for terms without atoms', () => {
    for (const name of ['small_int', 'neg_int', 'int32_min', 'int32_over', 'big_neg', 'huge', 'float_one', 'float_pi', 'bin_raw', 'string', 'list_bytes', 'improper', 'tuple_large', 'map_large', 'bits']) {
      const c = cases.find((x) => x.name === name)!;
      expect(Buffer.from(encodeTerm(decodeTerm(hex(c.etf)))).toString('hex'), name).toBe(c.etf);
    }
  });
});

describe('decodeTerm: representation', () => {
  it('maps atoms to booleans, null, undefined and symbols', () => {
    expect(decodeTerm(b(131, 119, 4, ...Buffer.from('true')))).toBe(true);
    expect(decodeTerm(b(131, 100, 0, 5, ...Buffer.from('false')))).toBe(false);
    expect(decodeTerm(b(131, 115, 3, ...Buffer.from('nil')))).toBe(null);
    expect(decodeTerm(b(131, 118, 0, 9, ...Buffer.from('undefined')))).toBe(undefined);
    expect(decodeTerm(b(131, 119, 2, 0xc3, 0xa9))).toBe(a('é'));
    // Latin-1 atom text
    expect(decodeTerm(b(131, 115, 1, 0xe9))).toBe(a('é'));
  });

  it('returns numbers for safe integers and bigints beyond', () => {
    expect(decodeTerm(encodeTerm(2n ** 53n - 1n))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeTerm(encodeTerm(2n ** 53n))).toBe(2n ** 53n);
    expect(decodeTerm(encodeTerm(-(2n ** 53n)))).toBe(-(2n ** 53n));
    expect(decodeTerm(b(131, 110, 0, 1))).toBe(0); // empty negative bignum is 0, not -0
    expect(Object.is(decodeTerm(b(131, 110, 1, 1, 0)), 0)).toBe(true);
  });

  it('boxes floats whose value is a safe integer (both modes), keeps other floats as numbers', () => {
    const one = decodeTerm(encodeTerm(new ErlFloat(1)));
    expect(one).toBeInstanceOf(ErlFloat);
    expect(+(one as ErlFloat)).toBe(1);
    expect(decodeTerm(encodeTerm(1.5))).toBe(1.5);
    const negZero = decodeTerm(encodeTerm(new ErlFloat(-0))) as ErlFloat;
    expect(Object.is(negZero.value, -0)).toBe(true);
    // a float box is a term: storable mode keeps it
    expect(decodeTerm(encodeTerm(new ErlFloat(1)), { terms: 'storable' })).toEqual(new ErlFloat(1));
    // a float beyond 2^53 is a plain number (a number that is not a safe integer is a float)
    expect(decodeTerm(encodeTerm(new ErlFloat(3e300)))).toBe(3e300);
    expect(decodeTerm(encodeTerm(1e20))).toBe(1e20);
  });

  it('reads old FLOAT_EXT', () => {
    const text = Buffer.alloc(31);
    text.write('1.50000000000000000000e+00');
    expect(decodeTerm(b(131, 99, ...text))).toBe(1.5);
    text.fill(0).write('2.00000000000000000000e+00');
    expect(decodeTerm(b(131, 99, ...text))).toEqual(new ErlFloat(2));
  });

  it('decodes binaries to strings when UTF-8, else bytes; binaries: bytes keeps bytes', () => {
    expect(decodeTerm(b(131, 109, 0, 0, 0, 2, 0x68, 0x69))).toBe('hi');
    expect(decodeTerm(b(131, 109, 0, 0, 0, 1, 0xff))).toEqual(b(0xff));
    expect(decodeTerm(b(131, 109, 0, 0, 0, 2, 0x68, 0x69), { binaries: 'bytes' })).toEqual(b(0x68, 0x69));
    // a BOM is kept, not stripped
    expect(decodeTerm(b(131, 109, 0, 0, 0, 4, 0xef, 0xbb, 0xbf, 0x78))).toBe('\ufeffx');
  });

  it('reads lists split over several LIST_EXTs and STRING_EXT tails as one proper list', () => {
    expect(decodeTerm(b(131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 106))).toEqual([1, 2]);
    expect(decodeTerm(b(131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 2, 5, 6))).toEqual([1, 5, 6]);
    expect(decodeTerm(b(131, 108, 0, 0, 0, 0, 97, 7))).toBe(7); // [ | 7] is 7
  });

  it('represents improper lists and bitstrings (exact) or refuses them (storable)', () => {
    const il = decodeTerm(b(131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 97, 3)) as ErlImproperList;
    expect(il).toBeInstanceOf(ErlImproperList);
    expect(il.items).toEqual([1, 2]);
    expect(il.tail).toBe(3);
    const e = (() => {
      try {
        decodeTerm(b(131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 97, 3), { terms: 'storable' });
      } catch (err) {
        return err as TermstoreError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('CONVERT_UNSUPPORTED_TERM');
    expect(e.details.offset).toBe(1);
    expect(e.details.tailOffset).toBe(10);
    const bits = decodeTerm(b(131, 77, 0, 0, 0, 1, 3, 0x20)) as ErlBitstring;
    expect(bits).toBeInstanceOf(ErlBitstring);
    expect(bits.bitSize).toBe(3);
    expect(code(() => decodeTerm(b(131, 77, 0, 0, 0, 1, 3, 0x20), { terms: 'storable' }))).toBe('CONVERT_UNSUPPORTED_TERM');
    // 8 bits in the last byte is a binary, as is the empty bitstring
    expect(decodeTerm(b(131, 77, 0, 0, 0, 1, 8, 0x41))).toBe('A');
    expect(decodeTerm(b(131, 77, 0, 0, 0, 0, 0))).toBe('');
    expect(code(() => decodeTerm(b(131, 77, 0, 0, 0, 1, 0, 0x41)))).toBe('CONVERT_CORRUPT');
  });

  it('keeps pids, references, ports and funs as Opaque bytes, including old encodings', () => {
    const node = [100, 0, 13, ...Buffer.from('nonode@nohost')];
    const samples: Array<[number[], string]> = [
      [[103, ...node, 0, 0, 0, 9, 0, 0, 0, 0, 0], 'pid'], // PID_EXT
      [[88, ...node, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0], 'pid'], // NEW_PID_EXT
      [[101, ...node, 0, 0, 0, 1, 0], 'reference'], // REFERENCE_EXT
      [[114, 0, 2, ...node, 0, 0, 0, 0, 1, 0, 0, 0, 2], 'reference'], // NEW_REFERENCE_EXT
      [[90, 0, 1, ...node, 0, 0, 0, 0, 0, 0, 0, 1], 'reference'], // NEWER_REFERENCE_EXT
      [[102, ...node, 0, 0, 0, 1, 0], 'port'], // PORT_EXT
      [[89, ...node, 0, 0, 0, 1, 0, 0, 0, 0], 'port'], // NEW_PORT_EXT
      [[120, ...node, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], 'port'], // V4_PORT_EXT
      [[113, 119, 5, ...Buffer.from('lists'), 119, 3, ...Buffer.from('map'), 97, 2], 'fun'], // EXPORT_EXT
    ];
    for (const [body, kind] of samples) {
      const o = decodeTerm(b(131, ...body)) as Opaque;
      expect(o).toBeInstanceOf(Opaque);
      expect(o.kind).toBe(kind);
      expect([...o.bytes]).toEqual(body);
      expect([...encodeTerm(o)]).toEqual([131, ...body]);
      // inside a tuple, unchanged
      expect([...encodeTerm(decodeTerm(b(131, 104, 2, ...body, 97, 1)))]).toEqual([131, 104, 2, ...body, 97, 1]);
    }
  });

  it('stores what storable mode returns in a table term', () => {
    for (const c of cases) {
      if (['improper', 'improper_atom', 'improper_nested', 'bits', 'bits_long'].includes(c.name)) continue;
      const v = decodeTerm(hex(c.etf), { terms: 'storable' });
      expect(() => copyTerm(v), c.name).not.toThrow();
    }
    // #{1 => int, 1.0 => float}: two keys in a table term too (1.0 is a float box)
    const mfk = cases.find((c) => c.name === 'map_float_keys')!;
    const m = copyTerm(decodeTerm(hex(mfk.etf), { terms: 'storable' })) as Map<unknown, unknown>;
    expect(m.size).toBe(2);
    expect(m.get(1)).toBeDefined();
  });
});

describe('encodeTerm', () => {
  it('chooses the integer encodings term_to_binary uses', () => {
    expect([...encodeTerm(0)]).toEqual([131, 97, 0]);
    expect([...encodeTerm(255)]).toEqual([131, 97, 255]);
    expect([...encodeTerm(256)]).toEqual([131, 98, 0, 0, 1, 0]);
    expect([...encodeTerm(-1)]).toEqual([131, 98, 255, 255, 255, 255]);
    expect([...encodeTerm(2 ** 31)]).toEqual([131, 110, 4, 0, 0, 0, 0, 128]);
    expect([...encodeTerm(-(2 ** 31) - 1)]).toEqual([131, 110, 4, 1, 1, 0, 0, 128]);
    expect([...encodeTerm(5n)]).toEqual([131, 97, 5]);
    expect([...encodeTerm(-0)]).toEqual([131, 97, 0]);
    expect(encodeTerm(2n ** 2100n)[1]).toBe(111); // LARGE_BIG
    // a number that is not a safe integer is a float (NEW_FLOAT); its bigint is an integer
    expect([...encodeTerm(2 ** 53)].slice(0, 2)).toEqual([131, 70]);
    expect(decodeTerm(encodeTerm(1e300))).toBe(1e300);
    expect(decodeTerm(encodeTerm(BigInt(1e300)))).toBe(BigInt(1e300));
  });

  it('writes floats, strings, atoms, tuples, lists, maps', () => {
    expect([...encodeTerm(1.5)]).toEqual([131, 70, 63, 248, 0, 0, 0, 0, 0, 0]);
    expect([...encodeTerm(new ErlFloat(1))]).toEqual([131, 70, 63, 240, 0, 0, 0, 0, 0, 0]);
    expect([...encodeTerm('hé')]).toEqual([131, 109, 0, 0, 0, 3, 104, 0xc3, 0xa9]);
    expect([...encodeTerm(a('ok'))]).toEqual([131, 119, 2, 111, 107]);
    expect([...encodeTerm(null)]).toEqual([131, 119, 3, 110, 105, 108]);
    expect([...encodeTerm(t())]).toEqual([131, 104, 0]);
    expect([...encodeTerm([])]).toEqual([131, 106]);
    expect([...encodeTerm([1, 2])]).toEqual([131, 107, 0, 2, 1, 2]);
    expect([...encodeTerm([1, 256])]).toEqual([131, 108, 0, 0, 0, 2, 97, 1, 98, 0, 0, 1, 0, 106]);
    expect([...encodeTerm({ a: 1 })]).toEqual([131, 116, 0, 0, 0, 1, 109, 0, 0, 0, 1, 97, 97, 1]);
    expect(erlEquals(decodeTerm(encodeTerm(new Map<Term, Term>([[t(1), [2]]]))), new Map([[t(1), [2]]]))).toBe(true);
    expect(encodeTerm(a('é'.repeat(128)))[1]).toBe(118); // 256 bytes but 128 characters: ATOM_UTF8
    expect(decodeTerm(encodeTerm(a('é'.repeat(128))))).toBe(a('é'.repeat(128)));
  });

  it('refuses what Erlang cannot receive, naming where', () => {
    const refused = (x: unknown): TermstoreError => {
      try {
        encodeTerm(x as ErlTerm);
      } catch (e) {
        expect((e as TermstoreError).code).toBe('CONVERT_UNSUPPORTED_TERM');
        return e as TermstoreError;
      }
      throw new Error('not refused');
    };
    expect(refused(t(1, [2, new Pid(3)])).details.path).toBe('1/1');
    refused(NaN);
    refused(Infinity);
    refused(Symbol('local'));
    refused('\ud800');
    refused(a('é'.repeat(256)));
    refused(() => 1);
    refused(new Date(0));
    expect(refused(new Map<unknown, unknown>([['a', 1], [Buffer.from('a'), 2]])).details.path).toBe('#1k');
    refused(new Map<unknown, unknown>([[1, 1], [1n, 2]]));
    refused(new Opaque('pid', b(97, 1)));
    refused(new Opaque('port', b(103, 100, 0, 1, 97, 0, 0, 0, 1, 0, 0, 0, 0, 0)));
    const deep: unknown[] = [];
    let cur = deep;
    for (let i = 0; i < 5000; i++) {
      const n: unknown[] = [];
      cur.push(n);
      cur = n;
    }
    refused(deep);
    // cyclic
    const cyc: unknown[] = [];
    cyc.push(cyc);
    refused(cyc);
  });

  it('compresses only when smaller, like term_to_binary', () => {
    const big = 'x'.repeat(10_000);
    const z = encodeTerm(big, { compressed: true });
    expect(z[1]).toBe(80);
    expect(z.length).toBeLessThan(200);
    expect(decodeTerm(z)).toBe(big);
    expect(encodeTerm(1, { compressed: 9 })[1]).toBe(97);
    expect(code(() => encodeTerm(1, { compressed: 11 }))).toBe('ETS_BADARG');
  });

  it('writes improper lists and bitstrings back', () => {
    expect([...encodeTerm(new ErlImproperList([1], 2))]).toEqual([131, 108, 0, 0, 0, 1, 97, 1, 97, 2]);
    expect([...encodeTerm(new ErlBitstring(b(0x20), 3))]).toEqual([131, 77, 0, 0, 0, 1, 3, 0x20]);
  });
});

describe('decodeTerm: errors', () => {
  it('refuses a wrong version byte and empty input', () => {
    expect(code(() => decodeTerm(b(130, 97, 1)))).toBe('CONVERT_UNKNOWN_FORMAT');
    expect(code(() => decodeTerm(b()))).toBe('CONVERT_CORRUPT');
  });

  it('refuses trailing bytes, unknown tags, bad UTF-8 atoms, NaN floats, duplicate map keys', () => {
    expect(code(() => decodeTerm(b(131, 97, 1, 97, 2)))).toBe('CONVERT_CORRUPT');
    expect(code(() => decodeTerm(b(131, 1)))).toBe('CONVERT_CORRUPT');
    expect(code(() => decodeTerm(b(131, 119, 1, 0xff)))).toBe('CONVERT_CORRUPT');
    expect(code(() => decodeTerm(b(131, 70, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0)))).toBe('CONVERT_CORRUPT');
    expect(code(() => decodeTerm(b(131, 116, 0, 0, 0, 2, 97, 1, 97, 1, 97, 1, 97, 2)))).toBe('CONVERT_CORRUPT');
    expect(code(() => decodeTerm(b(131, 110, 1, 2, 1)))).toBe('CONVERT_CORRUPT'); // sign byte 2
    expect(code(() => decodeTerm(b(131, 82, 0)))).toBe('CONVERT_UNSUPPORTED_TERM'); // atom cache ref
    expect(code(() => decodeTerm(b(131, 104, 1, 80, 0, 0, 0, 0)))).toBe('CONVERT_CORRUPT'); // nested compressed
  });

  it('names the offset of the problem', () => {
    try {
      decodeTerm(b(131, 104, 2, 97, 1, 200));
    } catch (e) {
      expect((e as TermstoreError).details.offset).toBe(5);
      return;
    }
    throw new Error('no error');
  });
});
