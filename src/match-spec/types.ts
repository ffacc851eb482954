/**
 * Public types of the match-specification compiler, and the internal tree
 * (IR) that validation produces and compilation consumes.
 *
 * The grammar of the user-facing form is documented in `docs/match-spec.md`.
 *
 * @module
 */
import type { KeyRange } from '../engines/types.js';
import type { Row, Term } from '../term/types.js';

/** What {@link CompiledMatchSpec.run} returns when no clause matches a row. Not a term. */
export const NO_MATCH: unique symbol = Symbol('termstore.match-spec.noMatch') as never;
/** The type of {@link NO_MATCH}. */
export type NoMatch = typeof NO_MATCH;

/** A match variable: `'$0'`, `'$1'`, ... (Erlang `'$1'`). */
export type MsVar = `$${number}`;

/**
 * A pattern (head) or an expression (guard, body) in the user-facing form.
 * Any term is accepted by the type; the grammar is checked when compiling.
 * Tagged forms such as `{ $const: x }` are plain objects, hence terms too.
 */
export type Pattern = Term;
/** See {@link Pattern}. */
export type Expr = Term;

/**
 * `{ $list: [p1, ..., pn], $tail: t }`: Erlang's `[P1, ..., Pn | T]`. In a
 * head, a list of at least n elements whose first ones match `p1..pn` and
 * whose rest matches `t` (a variable, `'_'`, a list pattern or `[]`); in a
 * guard or body, the list of `p1..pn` followed by the elements of the list
 * `t` evaluates to. Build it with `ms.cons`.
 */
export type ListTailForm<P extends Term = Term> = {
  readonly $list: readonly P[];
  readonly $tail: P;
};

/** One clause in object form: the canonical form, made by `ms.clause`. */
export interface MatchClauseObject {
  /** A pattern for the whole row: an array (the row as a tuple), `'_'` or a variable. */
  readonly head: Pattern;
  /** Guard expressions; all must evaluate to `true`. Default `[]`. */
  readonly guards?: readonly Expr[];
  /** Body expressions (at least one); the value of the last is the result. */
  readonly body: readonly Expr[];
}

/** One clause in Erlang's tuple order: `[head, guards, body]`. */
export type MatchClauseTriple = readonly [head: Pattern, guards: readonly Expr[], body: readonly Expr[]];

/** A clause of a match specification, in either form. */
export type MatchClause = MatchClauseObject | MatchClauseTriple;

/** A match specification: clauses tried in order, the first that matches wins. */
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
