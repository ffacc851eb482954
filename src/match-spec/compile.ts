/**
 * Compilation of the validated tree to closures: each clause becomes a head
 * matcher, guard functions and one body function, so a row is matched
 * without walking the spec tree.
 *
 * Values:
 * - Variables are bound by their first occurrence in the head (in element
 *   order); later occurrences compare exactly (`=:=`), as Erlang patterns.
 * - The row is a plain array standing for a tuple. Where the whole row is a
 *   *value* (`'$_'` or a head variable, inside a guard, a constructed term or
 *   `'$$'`), it is seen as a {@link Tuple}; as the *result* of a body it is
 *   the row object itself.
 * - Constructed containers are fresh; their parts pass through `copyOut`, so
 *   `copyOut(result)` is a safe copy-out whatever the result.
 * - Only the last body expression is evaluated: the others cannot have an
 *   effect (they are validated all the same).
 * - In a body, a call that fails gives the atom `'EXIT'` in its place, as in
 *   Erlang: `{{'$1', {'+', '$2', 1}}}` on `{9, <<"ab">>}` is `{9, 'EXIT'}`,
 *   and a call given `'EXIT'` goes on with it (`is_integer('EXIT')` is
 *   `false`). In a guard, a failing call makes the clause not match.
 *
 * @module
 */
import { copyOut, storedTail } from '../term/copy.js';
import { exactEquals } from '../term/equal.js';
import { Tuple, atomName, type Row, type Term } from '../term/types.js';
import { isInt, fail } from './arith.js';
import { ABSENT, BIFS, isMap, isTrue, mapGet, toBool } from './functions.js';
import { NO_MATCH, type ClauseIR, type ExprNode, type HeadNode, type NoMatch, type PatNode } from './types.js';

/** The atom Erlang's match specs return for a body that fails. */
export const EXIT: symbol = Symbol.for('EXIT');

/**
 * Evaluation state (internal). One per compiled spec, reset per row: `run`
 * is synchronous and calls no user code, so it cannot be re-entered.
 */
export class Env {
  row: Row = [];
  tuple: Tuple | undefined = undefined;
  constructor(readonly vals: Term[]) {}
  reset(row: Row): this {
    this.row = row;
    this.tuple = undefined;
    return this;
  }
}

type Matcher = (x: Term, env: Env) => boolean;
type Eval = (env: Env) => Term;

function rowTuple(env: Env): Tuple {
  let t = env.tuple;
  if (t === undefined) {
    const row = env.row;
    t = new Tuple(row.length);
    for (let i = 0; i < row.length; i++) t[i] = copyOut(row[i]);
    env.tuple = t;
  }
  return t;
}

/** Slot numbers for variables: dense indexes into `Env.vals`. */
type Slots = Map<number, number>;

// ---------------------------------------------------------------------------
// Patterns

function litMatcher(v: Term): Matcher {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      // Stored integers have one form (a bigint is never a safe integer), so `===` decides;
      // a bigint from outside a table (1n for 1) still matches by value.
      return (x) => x === v || (typeof x === 'bigint' && exactEquals(x, v));
    case 'string':
      return (x) => x === v || (x instanceof Uint8Array && exactEquals(x, v));
    default: {
      const name = atomName(v);
      if (name !== undefined) return (x) => x === v || atomName(x) === name;
      return (x) => exactEquals(x, v);
    }
  }
}

/** Matchers of a sequence, skipping wildcards: pairs of index and matcher. */
function seq(ps: readonly PatNode[], bound: Set<number>, slots: Slots): { idx: number[]; ms: Matcher[] } {
  const idx: number[] = [];
  const ms: Matcher[] = [];
  ps.forEach((p, i) => {
    const m = pat(p, bound, slots);
    if (m !== null) {
      idx.push(i);
      ms.push(m);
    }
  });
  return { idx, ms };
}

function matchSeq(x: readonly Term[], idx: number[], ms: Matcher[], env: Env): boolean {
  for (let j = 0; j < ms.length; j++) if (!ms[j]!(x[idx[j]!], env)) return false;
  return true;
}

/** A matcher for a pattern, or null for one that matches anything without binding. */
function pat(p: PatNode, bound: Set<number>, slots: Slots): Matcher | null {
  switch (p.t) {
    case 'any':
      return null;
    case 'lit':
      return litMatcher(p.v);
    case 'var': {
      const s = slots.get(p.n)!;
      if (bound.has(p.n)) return (x, env) => exactEquals(env.vals[s], x);
      bound.add(p.n);
      return (x, env) => {
        env.vals[s] = x;
        return true;
      };
    }
    case 'tuple': {
      const n = p.e.length;
      const { idx, ms } = seq(p.e, bound, slots);
      return (x, env) => x instanceof Tuple && x.length === n && matchSeq(x, idx, ms, env);
    }
    case 'list': {
      const n = p.e.length;
      const { idx, ms } = seq(p.e, bound, slots);
      return (x, env) => Array.isArray(x) && !(x instanceof Tuple) && x.length === n && matchSeq(x as Term[], idx, ms, env);
    }
    case 'cons':
      return consMatcher(p.e, p.tail, bound, slots);
    case 'map': {
      const keys = p.e.map(([k]) => k);
      const ms = p.e.map(([, v]) => pat(v, bound, slots));
      return (x, env) => {
        if (!isMap(x)) return false;
        for (let j = 0; j < keys.length; j++) {
          const v = mapGet(x, keys[j]);
          if (v === ABSENT) return false;
          const m = ms[j];
          if (m !== null && m !== undefined && !m(v, env)) return false;
        }
        return true;
      };
    }
  }
}

/** `[P1, ..., Pn | T]`: at least n elements; the rest (a fresh stored list) matches `tail`. */
function consMatcher(items: readonly PatNode[], tail: PatNode, bound: Set<number>, slots: Slots): Matcher {
  const n = items.length;
  const { idx, ms } = seq(items, bound, slots);
  const isList = (x: Term): x is readonly Term[] => Array.isArray(x) && !(x instanceof Tuple) && x.length >= n;
  if (tail.t === 'any') return (x, env) => isList(x) && matchSeq(x, idx, ms, env);
  if (tail.t === 'var' && !bound.has(tail.n)) {
    bound.add(tail.n);
    const s = slots.get(tail.n)!;
    return (x, env) => {
      if (!isList(x) || !matchSeq(x, idx, ms, env)) return false;
      env.vals[s] = storedTail(x, n);
      return true;
    };
  }
  const t = pat(tail, bound, slots)!;
  return (x, env) => isList(x) && matchSeq(x, idx, ms, env) && t(x.slice(n), env);
}

function compileHead(h: HeadNode, slots: Slots): (row: Row, env: Env) => boolean {
  if (h.t !== 'row') return () => true;
  const n = h.e.length;
  const { idx, ms } = seq(h.e, new Set(), slots);
  if (ms.length === 0) return (row) => row.length === n;
  return (row, env) => row.length === n && matchSeq(row, idx, ms, env);
}

// ---------------------------------------------------------------------------
// Expressions

interface Ctx {
  readonly slots: Slots;
  /** `'$$'`: per bound variable, its slot, or -1 for the whole-row variable. */
  readonly bindingSlots: readonly number[];
  /** True in a body: a failing call gives `'EXIT'` in its place (in a guard it fails the clause). */
  readonly body: boolean;
}

/** In a body, a call that fails is `'EXIT'` (and the evaluation goes on); see the module docs. */
function exitOnFailure(f: Eval): Eval {
  return (env) => {
    try {
      return f(env);
    } catch {
      return EXIT;
    }
  };
}

function setKey(m: Map<Term, Term>, k: Term, v: Term): void {
  if (typeof k === 'object' || typeof k === 'symbol' || typeof k === 'boolean' || k === undefined) {
    for (const old of m.keys()) {
      if (exactEquals(old, k)) {
        m.delete(old);
        break;
      }
    }
  }
  m.set(k, v);
}

function compileCall(fn: string, args: readonly ExprNode[], cx: Ctx): Eval {
  const f = callEval(fn, args, cx);
  return cx.body ? exitOnFailure(f) : f;
}

function callEval(fn: string, args: readonly ExprNode[], cx: Ctx): Eval {
  const fs = args.map((a) => expr(a, cx, false));
  const n = fs.length;
  switch (fn) {
    case 'andalso':
      return (env) => {
        for (let i = 0; i < n - 1; i++) if (!toBool(fs[i]!(env))) return false;
        return fs[n - 1]!(env);
      };
    case 'orelse':
      return (env) => {
        for (let i = 0; i < n - 1; i++) if (toBool(fs[i]!(env))) return true;
        return fs[n - 1]!(env);
      };
    case 'and':
      return (env) => {
        let r = true;
        for (let i = 0; i < n; i++) r = toBool(fs[i]!(env)) && r;
        return r;
      };
    case 'or':
      return (env) => {
        let r = false;
        for (let i = 0; i < n; i++) r = toBool(fs[i]!(env)) || r;
        return r;
      };
  }
  // element(N, '$_') and size('$_') read the row directly.
  const a0 = args[0];
  const a1 = args[1];
  if (fn === 'element' && a0?.t === 'lit' && isInt(a0.v) && a1?.t === 'row') {
    const i = Number(a0.v);
    return (env) => (i >= 1 && i <= env.row.length ? env.row[i - 1] : fail());
  }
  if ((fn === 'size' || fn === 'tuple_size') && a0?.t === 'row') return (env) => env.row.length;
  const bif = BIFS[fn]!;
  const [f0, f1, f2] = fs;
  if (n === 1) {
    const f = bif.f1!;
    return (env) => f(f0!(env));
  }
  if (n === 2) {
    const f = bif.f2!;
    return (env) => f(f0!(env), f1!(env));
  }
  const f = bif.f3!;
  return (env) => f(f0!(env), f1!(env), f2!(env));
}

/** Compiles an expression; `result` is true for the value a body returns. */
function expr(e: ExprNode, cx: Ctx, result: boolean): Eval {
  switch (e.t) {
    case 'lit': {
      const v = e.v;
      return () => v;
    }
    case 'var': {
      const s = cx.slots.get(e.n)!;
      return (env) => env.vals[s];
    }
    case 'row':
      return result ? (env) => env.row : rowTuple;
    case 'bindings': {
      const bs = cx.bindingSlots;
      return (env) => {
        const out: Term[] = new Array(bs.length);
        for (let i = 0; i < bs.length; i++) {
          const s = bs[i]!;
          out[i] = s < 0 ? rowTuple(env) : copyOut(env.vals[s]);
        }
        return out;
      };
    }
    case 'tuple':
    case 'list': {
      const fs = e.e.map((x) => expr(x, cx, false));
      const n = fs.length;
      const isTuple = e.t === 'tuple';
      return (env) => {
        const out: Term[] = isTuple ? new Tuple(n) : new Array(n);
        for (let i = 0; i < n; i++) out[i] = copyOut(fs[i]!(env));
        return out;
      };
    }
    case 'cons': {
      const fs = e.e.map((x) => expr(x, cx, false));
      const ft = expr(e.tail, cx, false);
      const n = fs.length;
      const build: Eval = (env) => {
        const tail = ft(env);
        // termstore lists are proper: a tail that is not a list cannot be built on.
        if (!Array.isArray(tail) || tail instanceof Tuple) return fail();
        const out: Term[] = new Array(n + tail.length);
        for (let i = 0; i < n; i++) out[i] = copyOut(fs[i]!(env));
        for (let i = 0; i < tail.length; i++) out[n + i] = copyOut(tail[i]);
        return out;
      };
      return cx.body ? exitOnFailure(build) : build;
    }
    case 'map': {
      const ks = e.e.map(([k]) => expr(k, cx, false));
      const vs = e.e.map(([, v]) => expr(v, cx, false));
      return (env) => {
        const m = new Map<Term, Term>();
        for (let i = 0; i < ks.length; i++) setKey(m, copyOut(ks[i]!(env)), copyOut(vs[i]!(env)));
        return m;
      };
    }
    case 'object': {
      const ks = e.e.map(([k]) => k);
      const vs = e.e.map(([, v]) => expr(v, cx, false));
      return (env) => {
        const o: Record<string, Term> = {};
        for (let i = 0; i < ks.length; i++) o[ks[i]!] = copyOut(vs[i]!(env));
        return o;
      };
    }
    case 'call':
      return compileCall(e.fn, e.a, cx);
  }
}

// ---------------------------------------------------------------------------
// Clauses

/** A compiled clause. */
export interface CompiledClause {
  /** Head match (binds into env). */
  readonly head: (row: Row, env: Env) => boolean;
  /** Guard functions (each must return `true`). */
  readonly guards: readonly Eval[];
  /** The body's result. */
  readonly body: Eval;
}

/** Assigns dense slots to all variables of a spec. */
export function slotsOf(clauses: readonly ClauseIR[]): Slots {
  const slots: Slots = new Map();
  for (const c of clauses) for (const n of c.vars) if (!slots.has(n)) slots.set(n, slots.size);
  return slots;
}

/** Compiles one validated clause. */
export function compileClause(c: ClauseIR, slots: Slots): CompiledClause {
  const rowVar = c.head.t === 'rowVar' ? c.head.n : undefined;
  const bindingSlots = c.vars.map((n) => (n === rowVar ? -1 : slots.get(n)!));
  const guardCx: Ctx = { slots, bindingSlots, body: false };
  const bodyCx: Ctx = { slots, bindingSlots, body: true };
  return {
    head: compileHead(c.head, slots),
    guards: c.guards.map((g) => expr(g, guardCx, false)),
    body: expr(c.body[c.body.length - 1]!, bodyCx, true),
  };
}

function guardsPass(gs: readonly Eval[], env: Env): boolean {
  try {
    for (let i = 0; i < gs.length; i++) if (!isTrue(gs[i]!(env))) return false;
    return true;
  } catch {
    // Any failure in a guard (FAIL, a BigInt too large, ...) makes the clause not match.
    return false;
  }
}

/** Builds `run` and `test` over compiled clauses sharing `nslots` variable slots. */
export function makeRunner(clauses: readonly CompiledClause[], nslots: number): {
  run: (row: Row) => Term | NoMatch;
  test: (row: Row) => boolean;
} {
  const k = clauses.length;
  const shared = new Env(new Array(nslots));
  const run = (row: Row): Term | NoMatch => {
    const env = shared.reset(row);
    for (let i = 0; i < k; i++) {
      const c = clauses[i]!;
      if (!c.head(row, env)) continue;
      if (c.guards.length > 0 && !guardsPass(c.guards, env)) continue;
      try {
        return c.body(env);
      } catch {
        return EXIT;
      }
    }
    return NO_MATCH;
  };
  const test = (row: Row): boolean => {
    const env = shared.reset(row);
    for (let i = 0; i < k; i++) {
      const c = clauses[i]!;
      if (c.head(row, env) && (c.guards.length === 0 || guardsPass(c.guards, env))) return true;
    }
    return false;
  };
  return { run, test };
}
