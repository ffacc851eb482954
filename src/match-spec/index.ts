/**
 * Match specifications (Erlang's `ets:select/2` language): validation,
 * compilation to closures, key-constraint extraction, builders.
 * See `docs/match-spec.md`.
 *
 * @module
 */
export { compileMatchSpec, compileMatchPattern, clearMatchSpecCache, isCompiledMatchSpec } from './api.js';
export { ms } from './builders.js';
export { matchSpecToJSON } from './literal.js';
export { specKeepsKey } from './keeps-key.js';
export { EXIT } from './compile.js';
export {
  NO_MATCH,
  type NoMatch,
  type MsVar,
  type Pattern,
  type Head,
  type Expr,
  type Call,
  type GuardFunction,
  type Scalar,
  type ConstForm,
  type TaggedScalar,
  type TupleForm,
  type ListForm,
  type MapForm,
  type MapPattern,
  type MapExpr,
  type MatchClause,
  type MatchClauseObject,
  type MatchClauseTriple,
  type MatchSpec,
  type ListTailForm,
  type KeyConstraint,
  type CompiledMatchSpec,
  type CompiledMatchPattern,
} from './types.js';
