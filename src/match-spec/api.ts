/**
 * The entry points: compile a match specification or an `ets:match`
 * pattern, with caching.
 *
 * @module
 */
import { TermstoreError } from '../errors.js';
import { exactEquals } from '../term/equal.js';
import { Tuple, type Row, type Term } from '../term/types.js';
import { isTrue } from './functions.js';
import { SpecCache } from './cache.js';
import { compileClause, makeRunner, slotsOf } from './compile.js';
import { keyConstraintOf } from './constraint.js';
import { NO_MATCH, type ClauseIR, type CompiledMatchPattern, type CompiledMatchSpec, type KeyConstraint } from './types.js';
import { validatePattern, validateSpec } from './validate.js';

const specCache = new SpecCache<CompiledMatchSpec>();

/** Brands the objects {@link compileMatchSpec} returns (for {@link isCompiledMatchSpec}). */
const COMPILED: unique symbol = Symbol('termstore.compiledMatchSpec');

/** True if `x` was returned by {@link compileMatchSpec} (ETS `is_compiled_ms/1`). */
export function isCompiledMatchSpec(x: unknown): x is CompiledMatchSpec {
  return typeof x === 'object' && x !== null && (x as { [COMPILED]?: true })[COMPILED] === true;
}
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
    [COMPILED]: true as const,
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
  const known = specCache.peek(spec, keyIndex);
  if (known !== undefined) return known;
  const keyed = keyedSpecUnchecked(spec, keyIndex);
  if (keyed !== undefined) return withKey(keyed.template, keyed.key, keyIndex);
  return specCache.get(spec, keyIndex, () => build(validateSpec(spec), keyIndex));
}

/** A spec with a literal key, split into its compiled template (key position `'_'`) and the key. */
export interface KeyedSpec {
  /** Runs the spec on a row whose key is exactly (`=:=`) `key`; do not run it on other rows. */
  readonly template: CompiledMatchSpec;
  readonly key: Term;
}

/**
 * For a one-clause spec whose head has a plain literal at the key position
 * (see {@link keyedTemplate}): its compiled template and the key, so that a
 * caller can look the key up and run the template on the row directly;
 * `undefined` for any other spec. A spec of the same shape as one of the
 * last few is recognised without building anything (`select` with a new
 * key each call). Validates as {@link compileMatchSpec} does.
 * @internal
 */
export function keyedSpec(spec: unknown, keyIndex: number): KeyedSpec | undefined {
  checkKeyIndex(keyIndex);
  return keyedSpecUnchecked(spec, keyIndex);
}

function keyedSpecUnchecked(spec: unknown, keyIndex: number): KeyedSpec | undefined {
  const head = keyedHead(spec);
  if (head === undefined) return undefined;
  const key = plainKeyLiteral(head, keyIndex);
  if (key === undefined) return undefined;
  const recent = recentTemplate(spec, keyIndex);
  if (recent !== undefined) return { template: recent, key: key.value };
  const keyed = keyedTemplate(spec, keyIndex)!;
  const template = specCache.getBySerialization(keyed.template, keyIndex, () => build(validateSpec(keyed.template), keyIndex));
  rememberTemplate(keyed.template, keyIndex, template);
  return { template, key: key.value };
}

/** The head of a one-clause spec (array or object clause form), or undefined. */
function keyedHead(spec: unknown): unknown {
  if (!Array.isArray(spec) || spec.length !== 1) return undefined;
  const clause: unknown = spec[0];
  if (Array.isArray(clause)) return clause.length === 3 ? clause[0] : undefined;
  if (typeof clause === 'object' && clause !== null && Object.getPrototypeOf(clause) === Object.prototype) return (clause as { head?: unknown }).head;
  return undefined;
}

/**
 * The most common query, `[[[K, '_', ...], guards, body]]` with a new key
 * literal `K` each call, would miss every cache and compile each time. So a
 * one-clause spec whose head has a plain literal (number, bigint, boolean,
 * null, or a string that is neither a variable nor `'_'`) at the key
 * position is compiled as a template with `'_'` there, once, and the key is
 * checked exactly (`=:=`, as a pattern does) before the template runs.
 */
function keyedTemplate(spec: unknown, keyIndex: number): { template: unknown; key: Term } | undefined {
  const head = keyedHead(spec);
  const key = plainKeyLiteral(head, keyIndex);
  if (key === undefined) return undefined;
  const clause = (spec as unknown[])[0];
  const tHead = (head as unknown[]).slice();
  tHead[keyIndex] = '_';
  const tClause = Array.isArray(clause) ? [tHead, clause[1], clause[2]] : { ...(clause as object), head: tHead };
  return { template: [tClause], key: key.value };
}

/**
 * The last few keyed templates, found by comparing structure (no string is
 * built): a loop that selects with a new key each call hits here, skipping
 * the serialization the LRU needs.
 */
const recentTemplates: Array<{ template: unknown; keyIndex: number; compiled: CompiledMatchSpec }> = [];
const RECENT_MAX = 8;

/** The compiled template of a recent spec of the same shape as `spec` but for the key literal (the caller checked it has one). */
function recentTemplate(spec: unknown, keyIndex: number): CompiledMatchSpec | undefined {
  for (let i = 0; i < recentTemplates.length; i++) {
    const r = recentTemplates[i]!;
    if (r.keyIndex === keyIndex && sameShapeBesideKey(r.template, spec, keyIndex)) {
      if (i > 0) {
        recentTemplates.splice(i, 1);
        recentTemplates.unshift(r);
      }
      return r.compiled;
    }
  }
  return undefined;
}

/**
 * `sameShape` of a stored template (`'_'` at the head's key position) and a
 * keyed spec, skipping the head's key position: no template is built for
 * the comparison.
 */
function sameShapeBesideKey(template: unknown, spec: unknown, keyIndex: number): boolean {
  const tc = (template as unknown[])[0];
  const sc = (spec as unknown[])[0];
  let th: unknown;
  let sh: unknown;
  if (Array.isArray(tc)) {
    if (!Array.isArray(sc) || sc.length !== 3) return false;
    if (!sameShape(tc[1], sc[1], 1) || !sameShape(tc[2], sc[2], 1)) return false;
    th = tc[0];
    sh = sc[0];
  } else {
    if (Array.isArray(sc) || typeof sc !== 'object' || sc === null) return false;
    const tk = Object.keys(tc as object);
    const sk = Object.keys(sc);
    if (tk.length !== sk.length) return false;
    for (let i = 0; i < tk.length; i++) {
      const k = tk[i]!;
      if (k !== sk[i]) return false;
      if (k !== 'head' && !sameShape((tc as Record<string, unknown>)[k], (sc as Record<string, unknown>)[k], 1)) return false;
    }
    th = (tc as { head: unknown }).head;
    sh = (sc as { head: unknown }).head;
  }
  const a = th as unknown[];
  const b = sh as unknown[];
  // (The template's head is the spec's head sliced: a plain array whatever the spec's was.)
  if (!Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (i !== keyIndex && !sameShape(a[i], b[i], 2)) return false;
  return true;
}

function rememberTemplate(template: unknown, keyIndex: number, compiled: CompiledMatchSpec): void {
  // A private copy: the caller may reuse and change its guard or body arrays later.
  const copy = cloneShape(template, 0);
  if (copy === NOT_CLONEABLE) return;
  recentTemplates.unshift({ template: copy, keyIndex, compiled });
  if (recentTemplates.length > RECENT_MAX) recentTemplates.pop();
}

const NOT_CLONEABLE: unique symbol = Symbol('not cloneable');

/** A deep copy of arrays (same class) and plain objects over primitives; NOT_CLONEABLE for anything else. */
function cloneShape(x: unknown, depth: number): unknown {
  if (typeof x !== 'object' || x === null) return x;
  if (depth > 64) return NOT_CLONEABLE;
  if (Array.isArray(x)) {
    const items: unknown[] = [];
    for (const e of x) {
      const c = cloneShape(e, depth + 1);
      if (c === NOT_CLONEABLE) return NOT_CLONEABLE;
      items.push(c);
    }
    if (Object.getPrototypeOf(x) === Array.prototype) return items;
    return x instanceof Tuple ? Tuple.from(items as Term[]) : NOT_CLONEABLE;
  }
  if (Object.getPrototypeOf(x) !== Object.prototype) return NOT_CLONEABLE;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(x)) {
    const c = cloneShape((x as Record<string, unknown>)[k], depth + 1);
    if (c === NOT_CLONEABLE || k === '__proto__') return NOT_CLONEABLE;
    o[k] = c;
  }
  return o;
}

/**
 * Structural equality strict enough to stand for "the same spec": same
 * primitives (`===`), arrays of the same class and length, plain objects
 * with the same keys in the same order. Anything else (maps, binaries,
 * class instances) is "not the same", so the caller falls back to the
 * serialization-keyed cache.
 */
function sameShape(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > 64) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    for (let i = 0; i < a.length; i++) if (!sameShape(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    if (!sameShape((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!], depth + 1)) return false;
  }
  return true;
}

/** The literal at the key position of a head array, if it is a plain scalar literal. */
function plainKeyLiteral(head: unknown, keyIndex: number): { value: Term } | undefined {
  if (!Array.isArray(head) || keyIndex >= head.length) return undefined;
  const k: unknown = head[keyIndex];
  switch (typeof k) {
    case 'number':
      return k === k ? { value: k } : undefined;
    case 'bigint':
    case 'boolean':
      return { value: k };
    case 'string':
      return k === '_' || k.startsWith('$') ? undefined : { value: k };
    case 'object':
      return k === null ? { value: null } : undefined;
    default:
      return undefined;
  }
}

/** A compiled template (key position `'_'`) restricted to rows whose key is exactly `key`. */
function withKey(template: CompiledMatchSpec, key: Term, keyIndex: number): CompiledMatchSpec {
  const keyConstraint: KeyConstraint = { kind: 'keys', keys: [key], orderedKeys: [key], inHead: true };
  const c: CompiledMatchSpec & { [COMPILED]: true } = {
    [COMPILED]: true,
    run: (row: Row) => (exactEquals(row[keyIndex], key) ? template.run(row) : NO_MATCH),
    test: (row: Row) => exactEquals(row[keyIndex], key) && template.test(row),
    keyConstraint,
    isMatchObject: template.isMatchObject,
    returnsTrueOnly: template.returnsTrueOnly,
    clauseCount: template.clauseCount,
  };
  return c;
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
  // As compileMatchSpec: a plain key literal is matched outside a cached template.
  const key = plainKeyLiteral(pattern, keyIndex);
  if (key !== undefined) {
    const tPattern = (pattern as unknown[]).slice();
    tPattern[keyIndex] = '_';
    const t = patternCache.getBySerialization(tPattern, keyIndex, () => compileMatchPattern(tPattern, keyIndex));
    const match = withKey(t.match, key.value, keyIndex);
    const matchObject = withKey(t.matchObject, key.value, keyIndex);
    const c: CompiledMatchPattern = { match, matchObject, test: matchObject.test, keyConstraint: matchObject.keyConstraint };
    return mode === undefined ? c : mode === 'object' ? matchObject : match;
  }
  const c = patternCache.get(pattern, keyIndex, () => {
    const match = build([validatePattern(pattern, { t: 'bindings' })], keyIndex);
    const matchObject = build([validatePattern(pattern, { t: 'row' })], keyIndex);
    return Object.freeze({ match, matchObject, test: matchObject.test, keyConstraint: matchObject.keyConstraint });
  });
  return mode === undefined ? c : mode === 'object' ? c.matchObject : c.match;
}

/** Empties the compile caches (for tests and benchmarks). */
export function clearMatchSpecCache(): void {
  recentTemplates.length = 0;
  specCache.clear();
  patternCache.clear();
}
