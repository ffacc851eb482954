/**
 * The entry points: compile a match specification or an `ets:match`
 * pattern, with caching.
 *
 * @module
 */
import { TermstoreError } from '../errors.js';
import { isTrue } from './functions.js';
import { SpecCache } from './cache.js';
import { compileClause, makeRunner, slotsOf } from './compile.js';
import { keyConstraintOf } from './constraint.js';
import type { ClauseIR, CompiledMatchPattern, CompiledMatchSpec } from './types.js';
import { validatePattern, validateSpec } from './validate.js';

const specCache = new SpecCache<CompiledMatchSpec>();
const patternCache = new SpecCache<CompiledMatchPattern>();

function checkKeyIndex(keyIndex: number): void {
  if (!Number.isSafeInteger(keyIndex) || keyIndex < 0) {
    throw new TermstoreError('ETS_BADARG', 'keyIndex must be a non-negative integer (keypos - 1)', { details: { keyIndex } });
  }
}

function build(ir: readonly ClauseIR[], keyIndex: number): CompiledMatchSpec {
  try {
    return buildUnchecked(ir, keyIndex);
  } catch (e) {
    if (e instanceof RangeError) throw new TermstoreError('ETS_BAD_MATCH_SPEC', 'match spec: nested too deeply to compile', { details: {} });
    throw e;
  }
}

function buildUnchecked(ir: readonly ClauseIR[], keyIndex: number): CompiledMatchSpec {
  const slots = slotsOf(ir);
  const { run, test } = makeRunner(
    ir.map((c) => compileClause(c, slots)),
    slots.size,
  );
  const last = ir.map((c) => c.body[c.body.length - 1]!);
  return Object.freeze({
    run,
    test,
    keyConstraint: keyConstraintOf(ir, keyIndex),
    isMatchObject: last.length > 0 && last.every((b) => b.t === 'row'),
    returnsTrueOnly: last.length > 0 && last.every((b) => b.t === 'lit' && isTrue(b.v)),
    clauseCount: ir.length,
  });
}

/**
 * Validates and compiles a match specification (`ets:select/2` and friends).
 *
 * @param spec The clauses; see `docs/match-spec.md` for the grammar. The
 *   JS-native form and the JSON tagged form may be mixed.
 * @param keyIndex 0-based position of the key in a row (`keypos - 1`), used
 *   for {@link CompiledMatchSpec.keyConstraint}.
 * @returns A compiled spec, cached: compiling the same spec object again is
 *   a `WeakMap` hit, an equal spec an LRU hit. Do not mutate a spec object
 *   after compiling it (build a new one).
 * @throws TermstoreError `ETS_BAD_MATCH_SPEC` if the spec breaks the grammar
 *   (the message names the clause index, `details.clause` holds it);
 *   `ETS_BADARG` if `keyIndex` is not a non-negative integer.
 *
 * @example
 * ```ts
 * const c = compileMatchSpec([{ head: ['$1', '$2'], guards: [['>', '$2', 3]], body: ['$1'] }], 0);
 * c.run(['a', 5]); // 'a'
 * c.run(['b', 1]); // NO_MATCH
 * ```
 */
export function compileMatchSpec(spec: unknown, keyIndex: number): CompiledMatchSpec {
  checkKeyIndex(keyIndex);
  return specCache.get(spec, keyIndex, () => build(validateSpec(spec), keyIndex));
}

/**
 * Validates and compiles an `ets:match`/`match_object`/`match_delete`
 * pattern: a head (`['$1', '_', 'x']`, `'_'`, ...).
 *
 * @returns `match` (results are the bound values in variable-number order,
 *   `ets:match`), `matchObject` (results are the row), `test`, and the
 *   shared `keyConstraint`. With `mode`, just that one of the two specs
 *   (`'bindings'`: `match`, `'object'`: `matchObject`). Cached like
 *   {@link compileMatchSpec}.
 * @throws TermstoreError `ETS_BAD_MATCH_SPEC` for a malformed pattern.
 */
export function compileMatchPattern(pattern: unknown, keyIndex: number): CompiledMatchPattern;
export function compileMatchPattern(pattern: unknown, keyIndex: number, mode: 'bindings' | 'object'): CompiledMatchSpec;
export function compileMatchPattern(pattern: unknown, keyIndex: number, mode?: 'bindings' | 'object'): CompiledMatchPattern | CompiledMatchSpec {
  checkKeyIndex(keyIndex);
  const c = patternCache.get(pattern, keyIndex, () => {
    const match = build([validatePattern(pattern, { t: 'bindings' })], keyIndex);
    const matchObject = build([validatePattern(pattern, { t: 'row' })], keyIndex);
    return Object.freeze({ match, matchObject, test: matchObject.test, keyConstraint: matchObject.keyConstraint });
  });
  return mode === undefined ? c : mode === 'object' ? c.matchObject : c.match;
}

/** Empties the compile caches (for tests and benchmarks). */
export function clearMatchSpecCache(): void {
  specCache.clear();
  patternCache.clear();
}
