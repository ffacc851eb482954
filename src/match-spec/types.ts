/**
 * Public types of the match-specification compiler, and the internal tree
 * (IR) that validation produces and compilation consumes.
 *
 * The grammar of the user-facing form is documented in `docs/match-spec.md`.
 *
 * @module
 */
import type { KeyRange } from '../engines/types.js';
import type { ErlFloat } from '../term/number.js';
import type { Opaque, Pid, Row, Term, Tuple } from '../term/types.js';

/** What {@link CompiledMatchSpec.run} returns when no clause matches a row. Not a term. */
export const NO_MATCH: unique symbol = Symbol('termstore.match-spec.noMatch') as never;
/** The type of {@link NO_MATCH}. */
export type NoMatch = typeof NO_MATCH;

/** A match variable: `'$0'`, `'$1'`, ... (Erlang `'$1'`). */
export type MsVar = `$${number}`;

/**
 * The guard functions and operators a call may name (`['>', '$1', 3]`):
 * Erlang's match-spec functions plus the extensions listed in
 * `docs/match-spec.md`. `'<='` is an alias of `'=<'`. Kept equal to the
 * validator's table by `test/match-spec/types.test.ts`.
 */
export type GuardFunction =
  | '<' | '>' | '=<' | '<=' | '>=' | '==' | '/=' | '=:=' | '=/='
  | '+' | '-' | '*' | '/' | 'div' | 'rem' | 'band' | 'bor' | 'bxor' | 'bnot' | 'bsl' | 'bsr' | 'abs' | 'float' | 'round' | 'trunc'
  | 'and' | 'or' | 'andalso' | 'orelse' | 'not' | 'xor'
  | 'is_atom' | 'is_boolean' | 'is_integer' | 'is_float' | 'is_number' | 'is_binary' | 'is_list' | 'is_tuple' | 'is_map' | 'is_pid'
  | 'is_reference' | 'is_port' | 'is_function' | 'is_record'
  | 'element' | 'size' | 'tuple_size' | 'byte_size' | 'length' | 'hd' | 'tl' | 'map_get' | 'is_map_key' | 'map_size' | 'min' | 'max';

/** A scalar term written as itself: numbers, bigints, float boxes (`ErlFloat`), atoms (`Symbol.for`, booleans, `null`, `undefined`), binaries, pids, opaques. */
export type Scalar = number | bigint | boolean | null | undefined | symbol | Uint8Array | Pid | Opaque | ErlFloat;

/** `{ $const: x }`: `x` taken literally, nothing in it interpreted. */
export type ConstForm<T extends Term = Term> = { readonly $const: T };
/** The JSON forms of scalars that JSON cannot hold: `{ $atom: 'ok' }`, `{ $bigint: '123' }`, `{ $binary: 'base64' }`, `{ $number: 'Infinity' }`, `{ $float: '1' }` (an Erlang float). */
export type TaggedScalar =
  | { readonly $atom: string }
  | { readonly $bigint: string }
  | { readonly $binary: string }
  | { readonly $number: string | number }
  | { readonly $float: string | number };
/** `{ $tuple: [...] }`: a tuple of patterns (in a head) or built from expressions (in a body). */
export interface TupleForm<E = Expr> {
  readonly $tuple: readonly E[];
}
/** `{ $list: [...] }`: a list of patterns (in a head, exact length) or built from expressions. */
export interface ListForm<E = Expr> {
  readonly $list: readonly E[];
}
/** `{ $map: ... }`: a map from `[key, value]` pairs or an object; in a head the keys are literals and the values patterns, in a body both are expressions. */
export interface MapForm {
  readonly $map: ReadonlyArray<readonly [Pattern | Expr, Pattern | Expr]> | { readonly [k: string]: Pattern | Expr };
}

/**
 * A pattern inside a head (`docs/match-spec.md`, *Grammar*): a variable
 * (`'$1'`), the wildcard `'_'`, a literal (matched exactly, `=:=`), a tuple
 * pattern (`Tuple` or `{ $tuple }`), a list pattern (an array,
 * `{ $list }`, or `{ $list, $tail }` for `[P1, ..., Pn | T]`), or a map pattern (a plain object, a `Map` or `{ $map }`,
 * matching maps that have at least those keys). Other strings are binary
 * literals.
 */
export type Pattern =
  | string
  | Scalar
  | Tuple
  | readonly Pattern[]
  | ConstForm
  | TaggedScalar
  | TupleForm<Pattern>
  | ListForm<Pattern>
  | ListTailForm<Pattern>
  | MapForm
  | ReadonlyMap<Term, Pattern>
  | MapPattern;

/** A plain-object map pattern: matches maps having at least these keys. */
export interface MapPattern {
  readonly [key: string]: Pattern;
}

/** The head of a clause: a row pattern (an array, a `Tuple` or `{ $tuple }`, one pattern per element), `'_'` (any row) or a variable (the whole row). */
export type Head = readonly Pattern[] | Tuple | TupleForm<Pattern> | '_' | MsVar;

/** A call in a guard or body: `[function, ...arguments]`, e.g. `['>', '$1', 3]`. */
export type Call<F extends GuardFunction = GuardFunction> = readonly [F, ...Expr[]];

/**
 * An expression in a guard or body (`docs/match-spec.md`, *Grammar*): a
 * bound variable, `'$_'` (the row), `'$$'` (all bindings), a literal, a
 * {@link Call} (an array is always a call: build lists with `{ $list }`),
 * a tuple (`Tuple` or `{ $tuple }`), a map (a plain object, a `Map` or
 * `{ $map }`) or `[]` (the empty list).
 */
export type Expr =
  | string
  | Scalar
  | readonly [GuardFunction, ...Expr[]]
  | readonly []
  | Tuple
  | ConstForm
  | TaggedScalar
  | TupleForm<Expr>
  | ListForm<Expr>
  | ListTailForm<Expr>
  | MapForm
  | ReadonlyMap<Expr, Expr>
  | MapExpr;

/** A plain-object map built from expressions (keys are binaries). */
export interface MapExpr {
  readonly [key: string]: Expr;
}

/**
 * `{ $list: [p1, ..., pn], $tail: t }`: Erlang's `[P1, ..., Pn | T]`. In a
 * head, a list of at least n elements whose first ones match `p1..pn` and
 * whose rest matches `t` (a variable, `'_'`, a list pattern or `[]`); in a
 * guard or body, the list of `p1..pn` followed by the elements of the list
 * `t` evaluates to. Build it with `ms.cons`.
 */
export interface ListTailForm<E = Expr> {
  readonly $list: readonly E[];
  readonly $tail: E;
}

/** One clause in object form: the canonical form, made by `ms.clause`. */
export interface MatchClauseObject {
  /** A pattern for the whole row: an array (the row as a tuple), `'_'` or a variable. */
  readonly head: Head;
  /** Guard expressions; all must evaluate to `true`. Default `[]`. */
  readonly guards?: readonly Expr[];
  /** Body expressions (at least one); the value of the last is the result. */
  readonly body: readonly Expr[];
}

/** One clause in Erlang's tuple order: `[head, guards, body]`. */
export type MatchClauseTriple = readonly [head: Head, guards: readonly Expr[], body: readonly Expr[]];

/** A clause of a match specification, in either form. */
export type MatchClause = MatchClauseObject | MatchClauseTriple;

/**
 * A match specification: clauses tried in order, the first that matches
 * wins. A spec kept in a variable is best annotated (`const spec: MatchSpec = [...]`)
 * or built with `ms`, so its calls keep their literal types.
 */
export type MatchSpec = readonly MatchClause[];

/**
 * Which keys can match a spec. Always conservative: a key outside the
 * constraint cannot match, a key inside may or may not.
 *
 * - `all`: any key.
 * - `keys`: only these keys. `keys` is distinct under exact equality (`=:=`,
 *   what hash tables look up by); `orderedKeys` holds the same keys sorted in
 *   term order and distinct under `==` (what an `ordered_set` looks up by, so
 *   `1` and `1n` appear once). An empty list means no row can match.
 * - `range`: keys `k` with `range.lo <= k <= range.hi` (each bound optional)
 *   and `inRange(k)`. `inRange` is *convex* in term order: true on one
 *   contiguous run of keys, false before and after it. An ascending scan
 *   starting at `range.lo` may stop at the first key where it is false; a
 *   descending scan may skip keys while it is false, then stop at the next
 *   false. It does not reject every non-matching key inside the run; `run`
 *   still decides per row.
 */
export type KeyConstraint =
  | { readonly kind: 'all' }
  | {
      readonly kind: 'keys';
      readonly keys: readonly Term[];
      readonly orderedKeys: readonly Term[];
      /** True when every clause's head holds its key as a literal (what ETS calls a bound key; a key pinned by a guard is not). */
      readonly inHead?: boolean;
    }
  | { readonly kind: 'range'; readonly range: KeyRange; readonly inRange: (key: Term) => boolean };

/** A compiled match specification; see {@link compileMatchSpec}. */
export interface CompiledMatchSpec {
  /**
   * The result of the first clause whose head and guards accept `row`, or
   * {@link NO_MATCH}. A body of `'$_'` returns `row` itself (the caller
   * applies `copyOut`); other results are fresh containers whose parts are
   * already passed through `copyOut`, or frozen constants. A body
   * expression that fails gives the atom `'EXIT'`, as in Erlang.
   */
  run(row: Row): Term | NoMatch;
  /** True if some clause's head and guards accept `row` (the body is not evaluated). */
  test(row: Row): boolean;
  /** Which keys can match; see {@link KeyConstraint}. */
  readonly keyConstraint: KeyConstraint;
  /** Every clause returns the row itself (`'$_'`): `select` is `match_object`. */
  readonly isMatchObject: boolean;
  /** Every clause returns the literal `true` (the form `select_count`/`select_delete` expect). */
  readonly returnsTrueOnly: boolean;
  /** Number of clauses. */
  readonly clauseCount: number;
}

/** A compiled `ets:match`-style pattern; see {@link compileMatchPattern}. */
export interface CompiledMatchPattern {
  /** `[{pattern, [], ['$$']}]`: `run` gives the bound values in variable-number order (`ets:match`). */
  readonly match: CompiledMatchSpec;
  /** `[{pattern, [], ['$_']}]`: `run` gives the row (`ets:match_object`). */
  readonly matchObject: CompiledMatchSpec;
  /** True if the row matches the pattern (`match_delete`). */
  test(row: Row): boolean;
  /** Which keys can match (the same for both specs). */
  readonly keyConstraint: KeyConstraint;
}

// ---------------------------------------------------------------------------
// Internal tree (IR), produced by validate.ts and consumed by compile.ts and
// constraint.ts. Literals in the IR are frozen copies (copyTerm).

/** A pattern inside a row (internal). */
export type PatNode =
  | { readonly t: 'any' }
  | { readonly t: 'var'; readonly n: number }
  | { readonly t: 'lit'; readonly v: Term }
  | { readonly t: 'tuple'; readonly e: readonly PatNode[] }
  | { readonly t: 'list'; readonly e: readonly PatNode[] }
  /** `[P1, ..., Pn | T]` (n >= 1): a list of at least n elements whose rest matches `tail`. */
  | { readonly t: 'cons'; readonly e: readonly PatNode[]; readonly tail: PatNode }
  | { readonly t: 'map'; readonly e: ReadonlyArray<readonly [Term, PatNode]> };

/** The pattern for a whole row (internal). */
export type HeadNode =
  | { readonly t: 'anyRow' }
  | { readonly t: 'rowVar'; readonly n: number }
  | { readonly t: 'row'; readonly e: readonly PatNode[] };

/** A guard or body expression (internal). */
export type ExprNode =
  | { readonly t: 'lit'; readonly v: Term }
  | { readonly t: 'var'; readonly n: number }
  /** `'$_'`, or (`viaVar`) the variable bound to the whole row. */
  | { readonly t: 'row'; readonly viaVar?: true }
  /** `'$$'`. */
  | { readonly t: 'bindings' }
  | { readonly t: 'tuple'; readonly e: readonly ExprNode[] }
  | { readonly t: 'list'; readonly e: readonly ExprNode[] }
  /** `[E1, ..., En | T]` (n >= 1): the items before the list `tail` evaluates to. */
  | { readonly t: 'cons'; readonly e: readonly ExprNode[]; readonly tail: ExprNode }
  /** A `Map` built from key and value expressions. */
  | { readonly t: 'map'; readonly e: ReadonlyArray<readonly [ExprNode, ExprNode]> }
  /** A plain-object map with literal string keys. */
  | { readonly t: 'object'; readonly e: ReadonlyArray<readonly [string, ExprNode]> }
  | { readonly t: 'call'; readonly fn: string; readonly a: readonly ExprNode[] };

/** One validated clause (internal). */
export interface ClauseIR {
  readonly head: HeadNode;
  readonly guards: readonly ExprNode[];
  readonly body: readonly ExprNode[];
  /** Variable numbers bound by the head, ascending (the order of `'$$'`). */
  readonly vars: readonly number[];
}
