/** Term arbitraries and a representation-exact comparison for round-trip tests. */
import fc from 'fast-check';
import { Opaque, Pid, Tuple, isPlainObject, type Term } from '../../src/term/types.js';
import { ErlFloat, canonicalFloat, canonicalInteger } from '../../src/term/number.js';

/**
 * The stored form of a term's numbers (`src/term/number.ts`): bigints in the
 * safe range as numbers, float boxes of non-integral values as numbers. What
 * a round trip through a table or a file gives back, representation for
 * representation.
 */
export function storedForm(t: unknown): Term {
  if (typeof t === 'bigint') return canonicalInteger(t);
  if (t instanceof ErlFloat) return canonicalFloat(t);
  if (typeof t !== 'object' || t === null || t instanceof Uint8Array || t instanceof Pid || t instanceof Opaque) return t as Term;
  if (Array.isArray(t)) return t instanceof Tuple ? Tuple.from(t.map(storedForm)) : t.map(storedForm);
  if (t instanceof Map) return new Map([...t].map(([k, v]) => [storedForm(k), storedForm(v)]));
  if (!isPlainObject(t)) return t as Term; // the Erlang wrappers (improper lists, bitstrings) as they are
  const o: Record<string, Term> = Object.getPrototypeOf(t) === null ? (Object.create(null) as Record<string, Term>) : {};
  for (const k of Object.keys(t)) Object.defineProperty(o, k, { value: storedForm((t as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
  return o;
}

/** True if `a` and `b` are the same term *and* the same JS representation. */
export function sameTerm(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  switch (typeof a) {
    case 'number':
      return Object.is(a, b);
    case 'object': {
      if (a === null || b === null) return a === b;
      if (Array.isArray(a)) {
        if (!Array.isArray(b) || a.length !== b.length || (a instanceof Tuple) !== (b instanceof Tuple)) return false;
        return a.every((x, i) => sameTerm(x, b[i]));
      }
      if (a instanceof Uint8Array) {
        return b instanceof Uint8Array && !(b instanceof Buffer) && a.length === b.length && a.every((x, i) => x === b[i]);
      }
      if (a instanceof Pid) return b instanceof Pid && a.id === b.id;
      if (a instanceof ErlFloat) return b instanceof ErlFloat && Object.is(a.value, b.value);
      if (a instanceof Opaque) return b instanceof Opaque && a.kind === b.kind && sameTerm(a.bytes, b.bytes);
      if (a instanceof Map) {
        if (!(b instanceof Map) || a.size !== b.size) return false;
        const ea = [...a];
        const eb = [...b];
        return ea.every(([k, v], i) => sameTerm(k, eb[i]![0]) && sameTerm(v, eb[i]![1]));
      }
      if (isPlainObject(a)) {
        if (!isPlainObject(b)) return false;
        const ka = Object.keys(a);
        const kb = Object.keys(b);
        return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameTerm(a[k], b[k]));
      }
      return false;
    }
    default:
      return Object.is(a, b);
  }
}

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 6 }).map((a) => String.fromCharCode(...a)),
);

/** Arbitrary terms of every type. */
export const termArb: fc.Arbitrary<Term> = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double({ noNaN: true }),
    fc.integer(),
    fc.constantFrom(0, -0, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 31) - 1),
    fc.bigInt(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.oneof(fc.integer(), fc.constantFrom(-0, 0.5, 2 ** 52, -(2 ** 53) + 1), fc.double({ noNaN: true, noDefaultInfinity: true })).map((v) => new ErlFloat(v)),
    anyString,
    fc.boolean(),
    fc.constantFrom(null, undefined),
    anyString.map((s) => Symbol.for(s)),
    fc.uint8Array({ maxLength: 20 }),
    fc.nat().map((n) => new Pid(n)),
    fc.tuple(fc.constantFrom('pid', 'reference', 'port', 'fun' as const), fc.uint8Array({ maxLength: 8 })).map(([k, b]) => new Opaque(k, b)),
    fc.array(tie('term'), { maxLength: 4 }),
    fc.array(tie('term'), { maxLength: 4 }).map((a) => Tuple.from(a)),
    fc.array(fc.tuple(tie('term'), tie('term')), { maxLength: 3 }).map((es) => new Map(es)),
    fc.dictionary(anyString, tie('term'), { maxKeys: 3 }),
  ),
})).term;

/** How many of {@link everyTermType}'s terms the format v1 golden file holds (the list only grows at its end). */
export const V1_FIXTURE_TERMS = 52;

/** One of each term type, nested, for the explicit round-trip test. */
export function everyTermType(): Term[] {
  return [
    0,
    -0,
    1,
    -1,
    1.5,
    -2.75e-300,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Infinity,
    -Infinity,
    2 ** 32,
    2 ** 53 + 2,
    -(2 ** 40),
    1n,
    0n,
    -1n,
    2n ** 64n,
    -(2n ** 64n) - 1n,
    2n ** 300n,
    '',
    'hello',
    'é😀',
    '\ud800',
    'a\udc00b',
    '\u0000',
    true,
    false,
    null,
    undefined,
    Symbol.for('ok'),
    Symbol.for('true'),
    Symbol.for('nil'),
    Symbol.for(''),
    new Uint8Array([]),
    new Uint8Array([0, 255, 128]),
    new Uint8Array(Buffer.from('hello')),
    new Pid(0),
    new Pid(123456),
    new Opaque('reference', new Uint8Array([1, 2, 3])),
    new Opaque('fun', new Uint8Array([])),
    [],
    [1, [2, [3]]],
    Tuple.from([]),
    Tuple.from([Symbol.for('user'), 42]),
    [Tuple.from([1]), [1]],
    new Map(),
    new Map<Term, Term>([
      [1, 'a'],
      ['k', Tuple.from([1, 2])],
      [Tuple.from([1]), new Map([[null, undefined]])],
    ]),
    {},
    { a: 1, b: [true, { c: 1n }] },
    Object.assign(Object.create(null) as Record<string, Term>, { x: 1 }),
    JSON.parse('{"__proto__": 5, "constructor": "c"}') as Term,
    Object.freeze([Object.freeze({ deep: Object.freeze([1n]) })]),
    // Added after the v1 golden file: float boxes (tag 40108).
    new ErlFloat(1),
    new ErlFloat(-0),
    new ErlFloat(0),
    new ErlFloat(-(2 ** 53) + 1),
    new ErlFloat(2.5), // stored as 2.5
    [new ErlFloat(3), 3, 3n],
  ];
}
