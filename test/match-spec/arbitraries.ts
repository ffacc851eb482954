/** fast-check arbitraries for match-spec property tests: small term universes so patterns often match. */
import fc from 'fast-check';
import { Tuple, type Term } from '../../src/term/types.js';

const A = (s: string): symbol => Symbol.for(s);

/** Scalars: numbers (both integer representations), floats, infinities, binaries, atoms. */
export const scalar: fc.Arbitrary<Term> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -3, max: 3 }).map((n) => BigInt(n)),
  fc.constantFrom(0.5, 2.5, -Infinity, Infinity, 2 ** 60),
  fc.constantFrom('', 'a', 'b', 'user', 'user\0'),
  fc.constantFrom<Term>(A('a'), A('b'), true, null, A('')),
);

/** Terms up to a small depth. */
export const term: fc.Arbitrary<Term> = fc.letrec<{ t: Term }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('t'), { maxLength: 3 }).map((a) => Tuple.from(a) as Term),
    fc.array(tie('t'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b'), tie('t'), { maxKeys: 2 }).map((o) => o as Term),
  ),
})).t;

export const VARS = ['$1', '$2', '$3'] as const;

/** Patterns over $1..$3 (heads of key positions). */
export const pattern: fc.Arbitrary<Term> = fc.letrec<{ p: Term }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.constantFrom<Term>('$1', '$2', '$3', '_'),
    fc.array(tie('p'), { maxLength: 3 }).map((a) => Tuple.from(a) as Term),
    fc.array(tie('p'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b'), tie('p'), { minKeys: 1, maxKeys: 2 }).map((o) => o as Term),
  ),
})).p;

const operand: fc.Arbitrary<Term> = fc.oneof(fc.constantFrom<Term>(...VARS), scalar);
const cmp = fc
  .tuple(fc.constantFrom('<', '>', '=<', '<=', '>=', '==', '=:=', '/=', '=/='), operand, operand)
  .map(([op, a, b]) => [op, a, b] as Term);
const typeTest = fc
  .tuple(
    fc.constantFrom('is_integer', 'is_float', 'is_number', 'is_atom', 'is_boolean', 'is_tuple', 'is_list', 'is_map', 'is_binary', 'is_pid'),
    fc.constantFrom(...VARS),
  )
  .map(([f, v]) => [f, v] as Term);

/** Guard expressions over $1..$3. */
export const guardExpr: fc.Arbitrary<Term> = fc.letrec<{ g: Term }>((tie) => ({
  g: fc.oneof(
    { depthSize: 'small' },
    cmp,
    typeTest,
    fc.tuple(fc.constantFrom('andalso', 'and', 'orelse', 'or'), tie('g'), tie('g')).map(([op, a, b]) => [op, a, b] as Term),
    tie('g').map((g) => ['not', g] as Term),
  ),
})).g;

/** A clause whose head is [keyPattern, '$1', '$2', '$3'] (so every variable is bound), or '_'. */
export const clause = fc.oneof(
  { weight: 6, arbitrary: fc.record({ key: pattern, guards: fc.array(guardExpr, { maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ key: fc.constantFrom<Term>(...VARS), guards: fc.array(guardExpr, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ key: undefined as Term | undefined, guards: [] as Term[] }) },
);

export type GenClause = { key: Term | undefined; guards: Term[] };

export function toSpec(cs: readonly GenClause[]): unknown[] {
  return cs.map((c) => ({ head: c.key === undefined ? '_' : [c.key, ...VARS], guards: c.guards, body: [true] }));
}

/** Instantiates a pattern with bindings for $1..$3 and fillers for '_', so the head likely matches. */
export function instantiate(p: Term, env: readonly Term[], fill: () => Term): Term {
  if (typeof p === 'string') {
    if (p === '_') return fill();
    const i = (VARS as readonly string[]).indexOf(p);
    if (i >= 0) return env[i];
    return p;
  }
  if (p instanceof Tuple) return Tuple.from(p.map((x) => instantiate(x, env, fill)));
  if (Array.isArray(p)) return p.map((x) => instantiate(x, env, fill));
  if (typeof p === 'object' && p !== null && !(p instanceof Uint8Array) && !(p instanceof Map) && Object.getPrototypeOf(p) === Object.prototype) {
    const o: Record<string, Term> = {};
    for (const [k, v] of Object.entries(p)) o[k] = instantiate(v as Term, env, fill);
    o['extra'] = fill();
    return o;
  }
  return p;
}

/** The constants in guard expressions, plus their `==` twins (1 and 1n), for boundary rows. */
export function guardConstants(guards: readonly Term[]): Term[] {
  const out: Term[] = [];
  const walk = (g: Term): void => {
    if (Array.isArray(g) && !(g instanceof Tuple) && typeof g[0] === 'string') {
      for (const a of g.slice(1)) walk(a);
      return;
    }
    if (typeof g === 'string' && g.startsWith('$')) return;
    out.push(g);
    if (typeof g === 'number' && Number.isInteger(g)) out.push(BigInt(g));
    if (typeof g === 'bigint') out.push(Number(g));
  };
  guards.forEach(walk);
  return out;
}

/** Rows for a clause: one instance, then one per (variable, guard constant) with that variable set to it. */
export function clauseRows(c: GenClause, env: readonly Term[], fill: () => Term): Term[][] {
  if (c.key === undefined) return [];
  const rows: Term[][] = [[instantiate(c.key, env, fill), ...env]];
  for (const k of guardConstants(c.guards)) {
    for (let j = 0; j < env.length; j++) {
      const e = [...env];
      e[j] = k;
      rows.push([instantiate(c.key, e, fill), ...e]);
    }
  }
  return rows;
}
