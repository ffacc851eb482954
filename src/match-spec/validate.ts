/**
 * Validation: the user-facing spec (JS-native or JSON tagged form) to the
 * internal tree of `types.ts`. Every grammar rule is checked here; the
 * compiler trusts the tree. Problems throw a `TermstoreError` with code
 * `ETS_BAD_MATCH_SPEC` naming the clause index and the place in the clause.
 *
 * @module
 */
import { TermstoreError } from '../errors.js';
import { copyTerm, NotATermError } from '../term/copy.js';
import { Opaque, Pid, Tuple, isPlainObject, type Term } from '../term/types.js';
import { BIFS, BIF_ALIASES } from './functions.js';
import { SpecError, asCons, asTag, decodeLiteral, decodeScalarTag, mapPairs } from './literal.js';
import { ErlFloat } from '../term/number.js';
import type { ClauseIR, ExprNode, HeadNode, PatNode } from './types.js';

/** Largest variable number, as Erlang's `'$100000000'`. */
const MAX_VAR = 100_000_000;
/** Deepest nesting of patterns and expressions (literals in `$const` may nest to the term limit). */
export const MAX_SPEC_DEPTH = 1000;

type Special = { k: 'any' } | { k: 'var'; n: number } | { k: 'row' } | { k: 'bindings' } | { k: 'badDollar' } | { k: 'lit' };

/** How a string reads in a spec. */
function classify(s: string): Special {
  if (s === '_') return { k: 'any' };
  if (s.charCodeAt(0) !== 36 /* $ */) return { k: 'lit' };
  if (s === '$_') return { k: 'row' };
  if (s === '$$') return { k: 'bindings' };
  if (/^\$(0|[1-9][0-9]{0,8})$/.test(s)) {
    const n = Number(s.slice(1));
    if (n <= MAX_VAR) return { k: 'var', n };
  }
  return { k: 'badDollar' };
}

const DOLLAR_HINT = "strings starting with '$' are reserved for '$<n>', '$_' and '$$'; write a literal as { $const: '...' }";

const NATIVE_ATOMS = new Map<symbol, Term>([
  [Symbol.for('true'), true],
  [Symbol.for('false'), false],
  [Symbol.for('nil'), null],
  [Symbol.for('undefined'), undefined],
]);

/** A frozen literal node. Atoms with a JS-native spelling take it (the same term), so `true` is always `true`. */
function lit(v: unknown, where: string): { t: 'lit'; v: Term } {
  if (typeof v === 'symbol' && NATIVE_ATOMS.has(v)) return { t: 'lit', v: NATIVE_ATOMS.get(v) };
  try {
    return { t: 'lit', v: copyTerm(v) };
  } catch (e) {
    if (e instanceof NotATermError) throw new SpecError(where, e.what);
    throw e;
  }
}

function isScalar(x: unknown): boolean {
  const t = typeof x;
  return t === 'number' || t === 'bigint' || t === 'boolean' || t === 'undefined' || t === 'symbol' || x === null ||
    x instanceof Uint8Array || x instanceof Pid || x instanceof Opaque || x instanceof ErlFloat;
}

function checkDepth(depth: number, where: string): void {
  if (depth > MAX_SPEC_DEPTH) throw new SpecError(where.length > 80 ? where.slice(0, 77) + '...' : where, `nested deeper than ${MAX_SPEC_DEPTH} levels (cyclic?)`);
}

// ---------------------------------------------------------------------------
// Patterns

/** A map key in a pattern: a literal; bare strings that look like variables are refused. */
function keyLiteral(k: unknown, where: string): Term {
  if (typeof k === 'string' && classify(k).k !== 'lit') {
    throw new SpecError(where, `a map key in a pattern must be a literal, not '${k}' (write { $const: '${k}' })`);
  }
  return lit(decodeLiteral(k, where), where).v;
}

function pattern(x: unknown, where: string, depth: number, vars: Set<number>): PatNode {
  checkDepth(depth, where);
  if (typeof x === 'string') {
    const c = classify(x);
    switch (c.k) {
      case 'any':
        return { t: 'any' };
      case 'var':
        vars.add(c.n);
        return { t: 'var', n: c.n };
      case 'row':
      case 'bindings':
        throw new SpecError(where, `'${x}' is not allowed in a head`);
      case 'badDollar':
        throw new SpecError(where, `'${x}' is not a variable: ${DOLLAR_HINT}`);
      default:
        return lit(x, where);
    }
  }
  if (isScalar(x)) return lit(x, where);
  if (Array.isArray(x)) return seqPattern(x instanceof Tuple ? 'tuple' : 'list', x, where, depth, vars);
  if (x instanceof Map) {
    const e: Array<[Term, PatNode]> = [];
    for (const [k, v] of x) e.push([keyLiteral(k, `${where}<key>`), pattern(v, `${where}.${String(k)}`, depth + 1, vars)]);
    return { t: 'map', e };
  }
  if (isPlainObject(x)) {
    const cons = asCons(x, where);
    if (cons !== undefined) return consPattern(cons[0], cons[1], where, depth, vars);
    const tag = asTag(x, where);
    if (tag === undefined) return objectPattern(x, where, depth, vars);
    const [name, p] = tag;
    const w = `${where}.${name}`;
    switch (name) {
      case '$const':
        return lit(decodeLiteral(p, w), w);
      case '$tuple':
      case '$list':
        if (!Array.isArray(p)) throw new SpecError(w, `${name} takes an array`);
        return seqPattern(name === '$tuple' ? 'tuple' : 'list', p, w, depth, vars);
      case '$map':
        if (Array.isArray(p)) {
          const e = mapPairs(p, w).map(([k, v], i) => [keyLiteral(k, `${w}[${i}][0]`), pattern(v, `${w}[${i}][1]`, depth + 1, vars)] as [Term, PatNode]);
          return { t: 'map', e };
        }
        if (isPlainObject(p)) return objectPattern(p, w, depth, vars);
        throw new SpecError(w, '$map takes an array of [key, value] pairs or a plain object');
      default:
        return lit(decodeScalarTag(name, p, w), w);
    }
  }
  throw new SpecError(where, typeof x === 'object' ? 'class instances are not terms' : `a ${typeof x} is not a term`);
}

function objectPattern(o: { readonly [k: string]: unknown }, where: string, depth: number, vars: Set<number>): PatNode {
  const e: Array<[Term, PatNode]> = [];
  for (const k of Object.keys(o)) e.push([k, pattern(o[k], `${where}.${k}`, depth + 1, vars)]);
  return { t: 'map', e };
}

function seqPattern(t: 'tuple' | 'list', xs: readonly unknown[], where: string, depth: number, vars: Set<number>): PatNode {
  const e: PatNode[] = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) e[i] = pattern(xs[i], `${where}[${i}]`, depth + 1, vars);
  return foldSeq(t, e, where);
}

/**
 * `{ $list: [p1..pn], $tail: t }`, normalised: no items is `t` itself; a
 * tail that is a list pattern (or `[]`) makes one list pattern; a tail that
 * is itself head|tail is merged into one.
 */
function consPattern(items: readonly unknown[], tail: unknown, where: string, depth: number, vars: Set<number>): PatNode {
  const e: PatNode[] = items.map((x, i) => pattern(x, `${where}.$list[${i}]`, depth + 1, vars));
  return consOf(e, pattern(tail, `${where}.$tail`, depth + 1, vars), where);
}

type SeqNode = PatNode | ExprNode;

/** A list or tuple (pattern or expression) of nodes; a structure of literals is one literal (one exact comparison, one frozen value). */
function foldSeq<N extends SeqNode>(t: 'tuple' | 'list', e: N[], where: string): N {
  if (e.every((n) => n.t === 'lit')) {
    const vs = e.map((n) => (n as { v: Term }).v);
    return lit(t === 'tuple' ? Tuple.from(vs) : vs, where) as N;
  }
  return { t, e } as unknown as N;
}

/**
 * `[e1..en | t]` normalised: no items is `t` itself; a tail that is a list
 * (or a literal list, `[]` included) makes one list; a tail that is itself
 * head|tail is merged into one.
 */
function consOf<N extends SeqNode>(e: N[], t: N, where: string): N {
  if (e.length === 0) return t;
  if (t.t === 'list') return foldSeq('list', [...e, ...(t.e as N[])], where);
  if (t.t === 'lit' && Array.isArray(t.v) && !(t.v instanceof Tuple)) return foldSeq('list', [...e, ...(t.v as Term[]).map((v) => lit(v, where) as N)], where);
  if (t.t === 'cons') return { t: 'cons', e: [...e, ...(t.e as N[])], tail: t.tail } as unknown as N;
  return { t: 'cons', e, tail: t } as unknown as N;
}

/** The head of a clause (a pattern for the whole row). */
function head(x: unknown, where: string, vars: Set<number>): HeadNode {
  if (typeof x === 'string') {
    const c = classify(x);
    if (c.k === 'any') return { t: 'anyRow' };
    if (c.k === 'var') {
      vars.add(c.n);
      return { t: 'rowVar', n: c.n };
    }
  }
  let items: readonly unknown[] | undefined;
  if (Array.isArray(x)) items = x;
  else {
    const tag = asTag(x, where);
    if (tag !== undefined && tag[0] === '$tuple' && Array.isArray(tag[1])) items = tag[1];
  }
  if (items === undefined) {
    throw new SpecError(where, "a head must be a row pattern (an array, a Tuple or { $tuple: [...] }), '_' or a variable");
  }
  return { t: 'row', e: items.map((p, i) => pattern(p, `${where}[${i}]`, 1, vars)) };
}

// ---------------------------------------------------------------------------
// Expressions

interface Scope {
  readonly vars: ReadonlySet<number>;
  /** The variable bound to the whole row, if the head is a variable. */
  readonly rowVar: number | undefined;
}

function exprs(xs: readonly unknown[], where: string, depth: number, sc: Scope): ExprNode[] {
  const out: ExprNode[] = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = expr(xs[i], `${where}[${i}]`, depth + 1, sc);
  return out;
}

function call(x: readonly unknown[], where: string, depth: number, sc: Scope): ExprNode {
  const op = x[0];
  if (typeof op !== 'string') {
    throw new SpecError(where, "an array in an expression is a call ['op', ...args]; write a list as { $list: [...] } or { $const: [...] }");
  }
  const fn = Object.prototype.hasOwnProperty.call(BIF_ALIASES, op) ? BIF_ALIASES[op]! : op;
  const bif = Object.prototype.hasOwnProperty.call(BIFS, fn) ? BIFS[fn] : undefined;
  const arity = x.length - 1;
  if (bif === undefined) {
    const hint = classify(op).k === 'lit' ? '' : " (a list is written { $list: [...] })";
    throw new SpecError(where, `unknown function '${op}'/${arity}${hint}`);
  }
  if (arity < bif.min || arity > bif.max) {
    const want = bif.max === Infinity ? `at least ${bif.min}` : bif.min === bif.max ? `${bif.min}` : `${bif.min} or ${bif.max}`;
    throw new SpecError(where, `'${op}' takes ${want} argument${want === '1' ? '' : 's'}, not ${arity}`);
  }
  return { t: 'call', fn, a: x.slice(1).map((a, i) => expr(a, `${where}[${i + 1}]`, depth + 1, sc)) };
}

function expr(x: unknown, where: string, depth: number, sc: Scope): ExprNode {
  checkDepth(depth, where);
  if (typeof x === 'string') {
    const c = classify(x);
    switch (c.k) {
      case 'var':
        if (!sc.vars.has(c.n)) throw new SpecError(where, `variable '${x}' is not bound in the head`);
        return c.n === sc.rowVar ? { t: 'row', viaVar: true } : { t: 'var', n: c.n };
      case 'row':
        return { t: 'row' };
      case 'bindings':
        return { t: 'bindings' };
      case 'any':
        throw new SpecError(where, "'_' is only a wildcard in a head; write the string as { $const: '_' }");
      case 'badDollar':
        throw new SpecError(where, `'${x}' is not a variable: ${DOLLAR_HINT}`);
      default:
        return lit(x, where);
    }
  }
  if (isScalar(x)) return lit(x, where);
  if (x instanceof Tuple) return foldSeq('tuple', exprs(x, where, depth, sc), where);
  if (Array.isArray(x)) return x.length === 0 ? lit([], where) : call(x, where, depth, sc);
  if (x instanceof Map) {
    const e: Array<[ExprNode, ExprNode]> = [];
    for (const [k, v] of x) e.push([expr(k, `${where}<key>`, depth + 1, sc), expr(v, `${where}.${String(k)}`, depth + 1, sc)]);
    return { t: 'map', e };
  }
  if (isPlainObject(x)) {
    const cons = asCons(x, where);
    if (cons !== undefined) return consExpr(cons[0], cons[1], where, depth, sc);
    const tag = asTag(x, where);
    if (tag === undefined) return objectExpr(x, where, depth, sc);
    const [name, p] = tag;
    const w = `${where}.${name}`;
    switch (name) {
      case '$const':
        return lit(decodeLiteral(p, w), w);
      case '$tuple':
      case '$list':
        if (!Array.isArray(p)) throw new SpecError(w, `${name} takes an array`);
        return foldSeq(name === '$tuple' ? 'tuple' : 'list', exprs(p, w, depth, sc), w);
      case '$map':
        if (Array.isArray(p)) {
          const e = mapPairs(p, w).map(
            ([k, v], i) => [expr(k, `${w}[${i}][0]`, depth + 1, sc), expr(v, `${w}[${i}][1]`, depth + 1, sc)] as [ExprNode, ExprNode],
          );
          return { t: 'map', e };
        }
        if (isPlainObject(p)) return objectExpr(p, w, depth, sc);
        throw new SpecError(w, '$map takes an array of [key, value] pairs or a plain object');
      default:
        return lit(decodeScalarTag(name, p, w), w);
    }
  }
  throw new SpecError(where, typeof x === 'object' ? 'class instances are not terms' : `a ${typeof x} is not a term`);
}

/** `{ $list: [e1..en], $tail: t }` in a guard or body, normalised as {@link consPattern}. */
function consExpr(items: readonly unknown[], tail: unknown, where: string, depth: number, sc: Scope): ExprNode {
  const e = items.map((x, i) => expr(x, `${where}.$list[${i}]`, depth + 1, sc));
  return consOf(e, expr(tail, `${where}.$tail`, depth + 1, sc), where);
}

function objectExpr(o: { readonly [k: string]: unknown }, where: string, depth: number, sc: Scope): ExprNode {
  const e: Array<[string, ExprNode]> = [];
  for (const k of Object.keys(o)) e.push([k, expr(o[k], `${where}.${k}`, depth + 1, sc)]);
  if (e.every(([, n]) => n.t === 'lit')) {
    const v: Record<string, Term> = {};
    for (const [k, n] of e) v[k] = (n as { v: Term }).v;
    return lit(v, where);
  }
  return { t: 'object', e };
}

// ---------------------------------------------------------------------------
// Clauses and specs

const CLAUSE_KEYS = new Set(['head', 'guards', 'body']);

/** Validates one clause (head, guards, body); throws {@link SpecError}. */
export function clauseIR(c: unknown, fixedBody?: ExprNode): ClauseIR {
  let h: unknown;
  let g: unknown;
  let b: unknown;
  if (Array.isArray(c)) {
    if (c.length !== 3) throw new SpecError('clause', `a clause array is [head, guards, body], got ${c.length} elements`);
    [h, g, b] = c;
  } else if (isPlainObject(c)) {
    for (const k of Object.keys(c)) if (!CLAUSE_KEYS.has(k)) throw new SpecError('clause', `unknown clause property '${k}' (head, guards, body)`);
    if (!('head' in c)) throw new SpecError('clause', "missing 'head'");
    if (!('body' in c)) throw new SpecError('clause', "missing 'body'");
    h = c.head;
    g = c.guards ?? [];
    b = c.body;
  } else {
    throw new SpecError('clause', 'a clause is { head, guards, body } or [head, guards, body]');
  }
  const vars = new Set<number>();
  const hd = head(h, 'head', vars);
  const sc: Scope = { vars, rowVar: hd.t === 'rowVar' ? hd.n : undefined };
  if (!Array.isArray(g)) throw new SpecError('guards', 'guards must be an array');
  if (!Array.isArray(b)) throw new SpecError('body', 'body must be an array');
  if (b.length === 0 && fixedBody === undefined) throw new SpecError('body', 'body must have at least one expression');
  const guards = g.map((x, i) => expr(x, `guards[${i}]`, 1, sc));
  const body = fixedBody !== undefined ? [fixedBody] : b.map((x, i) => expr(x, `body[${i}]`, 1, sc));
  return { head: hd, guards, body, vars: [...vars].sort((p, q) => p - q) };
}

function specError(clause: number | undefined, e: SpecError): TermstoreError {
  const at = clause === undefined ? 'match pattern' : `match spec clause ${clause}`;
  return new TermstoreError('ETS_BAD_MATCH_SPEC', `${at}: ${e.message}`, {
    details: clause === undefined ? { where: e.where } : { clause, where: e.where },
  });
}

/** A stack overflow while walking a spec: reported as a nesting problem. */
function tooDeep(clause: number | undefined, e: unknown): never {
  if (e instanceof RangeError) throw specError(clause, new SpecError('clause', 'nested too deeply'));
  throw e;
}

/** Validates a whole spec; throws `TermstoreError` (`ETS_BAD_MATCH_SPEC`). */
export function validateSpec(spec: unknown): ClauseIR[] {
  if (!Array.isArray(spec)) {
    throw new TermstoreError('ETS_BAD_MATCH_SPEC', 'match spec: must be an array of clauses', { details: {} });
  }
  return spec.map((c, i) => {
    try {
      return clauseIR(c);
    } catch (e) {
      if (e instanceof SpecError) throw specError(i, e);
      return tooDeep(i, e);
    }
  });
}

/** Validates an `ets:match` pattern as a clause with the given body node. */
export function validatePattern(pattern: unknown, body: ExprNode): ClauseIR {
  try {
    return clauseIR({ head: pattern, guards: [], body: [] }, body);
  } catch (e) {
    if (e instanceof SpecError) throw specError(undefined, e);
    return tooDeep(undefined, e);
  }
}
