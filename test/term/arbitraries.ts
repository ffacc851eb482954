/**
 * fast-check arbitraries for terms, and "twins": a different JS
 * representation of the same term (exactly equal), or of an `==`-equal one.
 */
import { fc } from '@fast-check/vitest';
import { Pid, Tuple, type Term } from '../../src/term/types.js';
import { hashKey } from '../../src/term/equal.js';
import { ErlFloat } from '../../src/term/number.js';

const utf8 = new TextEncoder();

/** A few atoms, so that equal atoms are generated often. */
const atomArb = fc.constantFrom('a', 'b', 'true', 'false', 'nil', 'undefined', 'é', 'z\u{1F600}').map((n) => Symbol.for(n));

/** Leaves: every primitive kind of term, drawn from small pools so collisions happen. */
export const leafArb: fc.Arbitrary<Term> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constantFrom(0n, 1n, -1n, 2n ** 53n, 2 ** 53, 1e20, 10n ** 20n, -0),
  fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-0, 2 ** 52, 1.5, 1e20)).map((v) => new ErlFloat(v)),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.constantFrom('', 'a', 'b', 'ab', '\u{E000}', '\u{FFFF}', '\u{10000}', '\u{1F600}'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  atomArb,
  fc.uint8Array({ maxLength: 4 }),
  fc.integer({ min: 0, max: 3 }).map((i) => new Pid(i)),
);

/** Maps built so that no two keys are the same term (as a valid map term must be). */
function uniqueEntries(entries: Array<[Term, Term]>): Array<[Term, Term]> {
  const seen = new Set<unknown>();
  return entries.filter(([k]) => {
    const h = hashKey(k);
    if (seen.has(h)) return false;
    seen.add(h);
    return true;
  });
}

/** Any term, nested a few levels. */
export const termArb: fc.Arbitrary<Term> = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'term' },
    leafArb,
    fc.array(tie('term'), { maxLength: 3 }).map((xs) => Tuple.from(xs) as Term),
    fc.array(tie('term'), { maxLength: 3 }) as fc.Arbitrary<Term>,
    fc.array(fc.tuple(tie('term'), tie('term')), { maxLength: 3 }).map((es) => new Map(uniqueEntries(es)) as Term),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__'), tie('term'), { maxKeys: 3 }) as fc.Arbitrary<Term>,
  ),
})).term;

/**
 * Another JS value for the same term (exactly equal, `=:=`): strings as
 * UTF-8 bytes, booleans/null/undefined as their atoms, plain objects as
 * Maps, fresh arrays.
 */
export function twin(t: Term): Term {
  switch (typeof t) {
    case 'number':
      // One integer type: a safe integer and its bigint are the same term; a plain float and its box too.
      return Number.isSafeInteger(t) ? BigInt(t) : Number.isFinite(t) ? new ErlFloat(t) : t;
    case 'bigint':
      return t >= BigInt(Number.MIN_SAFE_INTEGER) && t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : t;
    case 'string':
      return utf8.encode(t);
    case 'boolean':
      return Symbol.for(t ? 'true' : 'false');
    case 'undefined':
      return Symbol.for('undefined');
    case 'object':
      if (t === null) return Symbol.for('nil');
      if (t instanceof Tuple) return Tuple.from(t.map(twin));
      if (Array.isArray(t)) return (t as Term[]).map(twin);
      if (t instanceof Uint8Array) return new Uint8Array(t);
      if (t instanceof Pid) return new Pid(t.id);
      if (t instanceof ErlFloat) return Number.isSafeInteger(t.value) ? new ErlFloat(t.value) : t.value;
      if (t instanceof Map) return new Map([...t].reverse().map(([k, v]) => [twin(k), twin(v)]));
      if (Object.getPrototypeOf(t) === Object.prototype) {
        const m = new Map<Term, Term>();
        for (const [k, v] of Object.entries(t)) m.set(k, twin(v));
        return m;
      }
      return t;
    default:
      return t;
  }
}

/** An `==`-equal but not necessarily `=:=` term: integers and floats of the same value swap. */
export function numericTwin(t: Term): Term {
  if (typeof t === 'number' && Number.isSafeInteger(t)) return new ErlFloat(t);
  if (t instanceof ErlFloat && Number.isSafeInteger(t.value)) return t.value;
  if (typeof t === 'number' && Number.isInteger(t)) return BigInt(t); // 1e20 (a float) and 10n ** 20n
  if (typeof t === 'bigint' && BigInt(Number(t)) === t) return Number(t);
  if (t instanceof Tuple) return Tuple.from(t.map(numericTwin));
  if (Array.isArray(t)) return (t as Term[]).map(numericTwin);
  return t;
}
