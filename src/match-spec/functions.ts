/**
 * The guard functions a match specification may call, as a table read by
 * the validator (names and arities) and the compiler (implementations).
 *
 * Every implementation takes terms and returns a term, or throws
 * {@link FAIL}: a failing guard makes the clause not match, a failing body
 * gives the atom `'EXIT'` (as Erlang). Short-circuit and variadic forms
 * (`andalso`, `orelse`, `and`, `or`) have no implementation here: the
 * compiler builds them.
 *
 * @module
 */
import { compareTerms } from '../term/order.js';
import { bytesAsString, exactEquals } from '../term/equal.js';
import { copyOut } from '../term/copy.js';
import { Opaque, Pid, Tuple, atomName, isPlainObject, type Term } from '../term/types.js';
import * as A from './arith.js';
import { fail, isFloat, isInt, isNum } from './arith.js';

type F1 = (a: Term) => Term;
type F2 = (a: Term, b: Term) => Term;
type F3 = (a: Term, b: Term, c: Term) => Term;

/** One guard function: its arity range and its implementation per arity. */
export interface Bif {
  readonly min: number;
  readonly max: number;
  readonly f1?: F1;
  readonly f2?: F2;
  readonly f3?: F3;
}

const TRUE_ATOM = Symbol.for('true');
const FALSE_ATOM = Symbol.for('false');

/** True for the atom `true` (`true` or `Symbol.for('true')`). */
export function isTrue(x: unknown): boolean {
  return x === true || x === TRUE_ATOM;
}

/** The boolean an atom `true`/`false` stands for; fails on anything else. */
export function toBool(x: unknown): boolean {
  if (x === true || x === TRUE_ATOM) return true;
  if (x === false || x === FALSE_ATOM) return false;
  return fail();
}

/** True for a map term. */
export function isMap(x: unknown): x is ReadonlyMap<Term, Term> | { readonly [k: string]: Term } {
  return x instanceof Map || isPlainObject(x);
}

/** Returned by {@link mapGet} for a missing key. Not a term. */
export const ABSENT: unique symbol = Symbol('termstore.match-spec.absent') as never;

/** The value under `k` in map `m` (keys compared exactly, `=:=`), or {@link ABSENT}. */
export function mapGet(m: ReadonlyMap<Term, Term> | { readonly [k: string]: Term }, k: Term): Term | typeof ABSENT {
  if (m instanceof Map) {
    if (m.has(k)) return m.get(k);
    if (typeof k === 'number' || typeof k === 'bigint') return ABSENT;
    for (const [mk, v] of m) if (exactEquals(mk, k)) return v;
    return ABSENT;
  }
  const s = typeof k === 'string' ? k : k instanceof Uint8Array ? bytesAsString(k) : undefined;
  if (s === undefined || !Object.prototype.hasOwnProperty.call(m, s)) return ABSENT;
  return (m as { readonly [k: string]: Term })[s];
}

/** Byte size of a binary term. */
function byteSize(x: string | Uint8Array): number {
  return typeof x === 'string' ? Buffer.byteLength(x, 'utf8') : x.length;
}

function isList(x: unknown): x is readonly Term[] {
  return Array.isArray(x) && !(x instanceof Tuple);
}

function isBinary(x: unknown): x is string | Uint8Array {
  return typeof x === 'string' || x instanceof Uint8Array;
}

function opaqueOf(kind: Opaque['kind']): F1 {
  return (x) => x instanceof Opaque && x.kind === kind;
}

function element(n: Term, t: Term): Term {
  if (!isInt(n) || !(t instanceof Tuple)) return fail();
  const i = Number(n);
  if (i < 1 || i > t.length) return fail();
  return t[i - 1];
}

function cmp(test: (c: number) => boolean): F2 {
  return (a, b) => test(compareTerms(a, b));
}

/** The guard function table. `'<='` is accepted by the validator as an alias of `'=<'`. */
export const BIFS: { readonly [name: string]: Bif } = {
  // Comparisons, in term order (Erlang `==`), and exact (`=:=`).
  '<': { min: 2, max: 2, f2: cmp((c) => c < 0) },
  '>': { min: 2, max: 2, f2: cmp((c) => c > 0) },
  '=<': { min: 2, max: 2, f2: cmp((c) => c <= 0) },
  '>=': { min: 2, max: 2, f2: cmp((c) => c >= 0) },
  '==': { min: 2, max: 2, f2: cmp((c) => c === 0) },
  '/=': { min: 2, max: 2, f2: cmp((c) => c !== 0) },
  '=:=': { min: 2, max: 2, f2: (a, b) => exactEquals(a, b) },
  '=/=': { min: 2, max: 2, f2: (a, b) => !exactEquals(a, b) },

  // Arithmetic.
  '+': { min: 1, max: 2, f1: A.pos, f2: A.add },
  '-': { min: 1, max: 2, f1: A.neg, f2: A.sub },
  '*': { min: 2, max: 2, f2: A.mul },
  '/': { min: 2, max: 2, f2: A.fdiv },
  div: { min: 2, max: 2, f2: A.idiv },
  rem: { min: 2, max: 2, f2: A.irem },
  band: { min: 2, max: 2, f2: A.band },
  bor: { min: 2, max: 2, f2: A.bor },
  bxor: { min: 2, max: 2, f2: A.bxor },
  bnot: { min: 1, max: 1, f1: A.bnot },
  bsl: { min: 2, max: 2, f2: A.bsl },
  bsr: { min: 2, max: 2, f2: A.bsr },
  abs: { min: 1, max: 1, f1: A.abs },
  float: { min: 1, max: 1, f1: A.float },
  round: { min: 1, max: 1, f1: A.round },
  trunc: { min: 1, max: 1, f1: A.trunc },

  // Boolean operators (and/or/andalso/orelse are built by the compiler).
  and: { min: 1, max: Infinity },
  or: { min: 1, max: Infinity },
  andalso: { min: 1, max: Infinity },
  orelse: { min: 1, max: Infinity },
  not: { min: 1, max: 1, f1: (a) => !toBool(a) },
  xor: { min: 2, max: 2, f2: (a, b) => toBool(a) !== toBool(b) },

  // Type tests.
  is_atom: { min: 1, max: 1, f1: (x) => atomName(x) !== undefined },
  is_boolean: { min: 1, max: 1, f1: (x) => { const n = atomName(x); return n === 'true' || n === 'false'; } },
  is_integer: { min: 1, max: 1, f1: isInt },
  is_float: { min: 1, max: 1, f1: isFloat },
  is_number: { min: 1, max: 1, f1: isNum },
  is_binary: { min: 1, max: 1, f1: isBinary },
  is_list: { min: 1, max: 1, f1: isList },
  is_tuple: { min: 1, max: 1, f1: (x) => x instanceof Tuple },
  is_map: { min: 1, max: 1, f1: isMap },
  is_pid: { min: 1, max: 1, f1: (x) => x instanceof Pid || (x instanceof Opaque && x.kind === 'pid') },
  is_reference: { min: 1, max: 1, f1: opaqueOf('reference') },
  is_port: { min: 1, max: 1, f1: opaqueOf('port') },
  is_function: { min: 1, max: 1, f1: opaqueOf('fun') },
  is_record: {
    min: 3,
    max: 3,
    f3: (t, tag, size) => {
      if (atomName(tag) === undefined || !isInt(size)) return fail();
      return t instanceof Tuple && t.length === Number(size) && t.length > 0 && exactEquals(t[0], tag);
    },
  },

  // Structure.
  element: { min: 2, max: 2, f2: element },
  size: {
    min: 1,
    max: 1,
    f1: (x) => (x instanceof Tuple ? x.length : isBinary(x) ? byteSize(x) : fail()),
  },
  tuple_size: { min: 1, max: 1, f1: (x) => (x instanceof Tuple ? x.length : fail()) },
  byte_size: { min: 1, max: 1, f1: (x) => (isBinary(x) ? byteSize(x) : fail()) },
  length: { min: 1, max: 1, f1: (x) => (isList(x) ? x.length : fail()) },
  hd: { min: 1, max: 1, f1: (x) => (isList(x) && x.length > 0 ? x[0] : fail()) },
  tl: {
    min: 1,
    max: 1,
    f1: (x) => {
      if (!isList(x) || x.length === 0) return fail();
      const out: Term[] = new Array(x.length - 1);
      for (let i = 1; i < x.length; i++) out[i - 1] = copyOut(x[i]);
      return out;
    },
  },
  map_get: {
    min: 2,
    max: 2,
    f2: (k, m) => {
      if (!isMap(m)) return fail();
      const v = mapGet(m, k);
      return v === ABSENT ? fail() : v;
    },
  },
  is_map_key: { min: 2, max: 2, f2: (k, m) => (isMap(m) ? mapGet(m, k) !== ABSENT : fail()) },
  map_size: {
    min: 1,
    max: 1,
    f1: (m) => (m instanceof Map ? m.size : isPlainObject(m) ? Object.keys(m).length : fail()),
  },
  min: { min: 2, max: 2, f2: (a, b) => (compareTerms(a, b) <= 0 ? a : b) },
  max: { min: 2, max: 2, f2: (a, b) => (compareTerms(a, b) >= 0 ? a : b) },
};

/** Aliases accepted for function names. */
export const BIF_ALIASES: { readonly [alias: string]: string } = { '<=': '=<' };
