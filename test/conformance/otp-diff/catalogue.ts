/**
 * The match specifications and `ets:match` patterns of the differential
 * test, written in termstore's form, and their translation to the Erlang
 * terms OTP takes (`toErlSpec`, `toErlPattern`): the "Erlang to termstore"
 * table of docs/match-spec.md, run backwards.
 *
 * The catalogue covers guards (type tests, comparisons in term order and
 * exact, arithmetic, andalso/orelse), bodies (variables, '$_', '$$',
 * constructed tuples and lists, constants, failing calls that give 'EXIT'
 * in their place, float results), literals in heads (at the key position,
 * so the key index is used), head|tail patterns, repeated variables and
 * several clauses. Nothing here is one of termstore's extensions beyond
 * OTP 25 (min, max, tuple_size, is_boolean, '<='), and no body can build
 * an improper list (which termstore cannot hold: its tails are checked
 * with is_list first).
 */
import { ErlImproperList, type ErlTerm } from '../../../src/erlang/terms.js';
import { ErlFloat } from '../../../src/term/number.js';
import { Tuple, tuple, type Term } from '../../../src/term/types.js';

const A = (name: string): symbol => Symbol.for(name);

/** One catalogue spec: the spec, and whether every clause returns the row ('$_'), so a JS result array stands for a tuple. */
export interface CatalogueSpec {
  readonly spec: readonly unknown[];
  readonly rows: boolean;
}

const s = (rows: boolean, ...clauses: unknown[][]): CatalogueSpec => ({ spec: clauses, rows });

/** Specs for select, select_reverse, test_ms and match_spec_run. */
export const SPECS: readonly CatalogueSpec[] = [
  s(true, [['$1', '$2', '$3'], [], ['$_']]),
  s(false, [['$1', '$2', '$3'], [], ['$$']]),
  s(true, ['_', [], ['$_']]),
  s(false, [['$1', '_', '_'], [['is_integer', '$1']], ['$1']]),
  s(false, [['$1', '$2', '_'], [['>', '$1', 1]], [tuple('$2', '$1')]]),
  s(false, [['$1', '$2', '_'], [['andalso', ['is_number', '$1'], ['=<', '$1', 2]]], [{ $list: ['$2', '$1'] }]]),
  s(false, [['$1', '$2', '_'], [['orelse', ['is_atom', '$1'], ['is_binary', '$2']]], [tuple(A('hit'), '$1')]]),
  s(true, [['_', '$2', '_'], [['==', '$2', 1]], ['$_']]),
  s(true, [['_', '$2', '_'], [['=:=', '$2', 1]], ['$_']]),
  s(true, [['$1', '_', '_'], [['==', '$1', 1]], ['$_']]),
  s(true, [['$1', '_', '_'], [['=:=', '$1', new ErlFloat(1)]], ['$_']]),
  s(false, [['$1', '$2', '$3'], [['/=', '$1', '$2']], [['+', '$2', 1]]]),
  s(false, [['$1', '$2', '$3'], [], [tuple('$1', ['+', '$2', 1])]]),
  s(false, [['$1', '$2', '$3'], [], [{ $list: ['$1', ['*', '$2', 2]] }]]),
  s(false, [['$1', '$2', '$3'], [], [['is_integer', ['-', '$2']]]]),
  s(false, [['$1', '$2', '$3'], [['is_list', '$3']], [['length', '$3']]]),
  s(false, [['_', '_', { $list: ['$1'], $tail: '_' }], [], ['$1']]),
  s(false, [['$1', '_', { $list: ['$2', '$3'], $tail: '$4' }], [], [tuple('$1', '$2', '$4')]]),
  s(false, [['$1', '_', { $list: ['$2'], $tail: '$3' }], [], [{ $list: ['$2', '$1'], $tail: '$3' }]]),
  s(false, [['_', '$1', '$2'], [['is_list', '$2']], [{ $list: [A('x')], $tail: '$2' }]]),
  s(true, [[1, '_', '_'], [], ['$_']]),
  s(true, [['_', 1, '_'], [], ['$_']]),
  s(true, [[new ErlFloat(1), '_', '_'], [], ['$_']]),
  s(false, [[A('a'), '$1', '_'], [], ['$1']]),
  s(false, [['_', A('a'), '$1'], [], ['$1']]),
  s(false, [['x', '_', '$1'], [], [true]]),
  s(false, [[tuple(A('a'), '$1'), '_', '_'], [], ['$1']]),
  s(false, [['_', tuple(A('a'), '$1'), '_'], [], ['$1']]),
  s(false, [[{ $list: [1], $tail: '$1' }, '_', '_'], [], ['$1']]),
  s(false, [['_', { $list: [1], $tail: '$1' }, '_'], [], ['$1']]),
  s(false, [['$1', '$2', '_'], [['is_tuple', '$1']], [['element', 1, '$1']]]),
  s(false, [['$1', '_', '_'], [], [['element', 2, '$1']]]),
  s(false, [['$1', '_', '_'], [['is_float', '$1']], [['trunc', '$1']]]),
  s(false, [['$1', '_', '_'], [['is_integer', '$1']], [['/', '$1', 2]]]),
  s(false, [['$1', '_', '_'], [['is_number', '$1']], [['*', '$1', 1.5]]]),
  s(false, [['_', '$2', '_'], [['is_number', '$2']], [['float', '$2']]]),
  s(false, [['$1', '$2', '_'], [['is_integer', '$2']], [['rem', '$2', 3]]]),
  s(false, [['$1', '$2', '_'], [['is_integer', '$2'], ['>=', '$2', 0]], [['div', '$2', 2], ['band', '$2', 3]]]),
  s(false, [[A('a'), '_', '_'], [], [1]], [['_', '_', '_'], [], [2]]),
  s(false, [['$1', '$1', '_'], [], ['$1']]),
  s(false, [['$1', '_', '_'], [['<', '$1', A('a')]], [{ $const: [1, 'two', A('three')] }]]),
  s(false, [['$1', '_', '_'], [['is_atom', '$1']], [{ $const: tuple(A('k'), '$1') }]]),
  s(false, [['$1', '$2', '$3'], [['=:=', '$1', { $list: ['$2'], $tail: '$3' }]], [true]]),
  s(false, [['$1', '$2', '$3'], [['not', ['is_list', '$3']]], [['size', '$1']]]),
  s(false, [['$1', '$2', '$3'], [['is_binary', '$2']], [['byte_size', '$2']]]),
  s(false, [['$1', '$2', '$3'], [], [['hd', '$3']]]),
  s(false, [['$1', '$2', '$3'], [['is_list', '$3']], [['tl', '$3']]]),
  s(false, [['$1', '$2', '$3'], [], [['abs', '$2']]]),
  s(false, [['$1', '$2', '$3'], [], [['round', '$2']]]),
  s(false, [['$1', '$2', '$3'], [['xor', ['is_integer', '$1'], ['is_integer', '$2']]], [tuple('$3')]]),
];

/** Specs for select_count and select_delete (every body is `true`). */
export const TRUE_SPECS: readonly CatalogueSpec[] = [
  s(false, [['_', '$2', '_'], [['is_integer', '$2']], [true]]),
  s(false, [['$1', '_', '_'], [['is_atom', '$1']], [true]]),
  s(false, [[1, '_', '_'], [], [true]]),
  s(false, [['_', { $list: ['_'], $tail: '_' }, '_'], [], [true]]),
  s(false, [['$1', '$2', '_'], [['==', '$1', '$2']], [true]]),
  s(false, ['_', [], [true]]),
];

/** Specs for select_replace (bodies keep elements 1 and 2, so either key position is kept). */
export const REPLACE_SPECS: readonly CatalogueSpec[] = [
  s(false, [['$1', '$2', '$3'], [['is_integer', '$3']], [tuple('$1', '$2', ['+', '$3', 1])]]),
  s(false, [['$1', '$2', '_'], [], [tuple('$1', '$2', A('replaced'))]]),
  s(false, [['$1', '$2', '$3'], [], [tuple('$2', '$1', '$3')]]), // moves the key unless both are equal: refused
  s(false, [['$1', '$2', '$3'], [['is_atom', '$1']], [tuple('$1', '$2')]]), // a different size
];

/** Patterns for match, match_object and match_delete. */
export const PATTERNS: readonly unknown[] = [
  ['$1', '_', '_'],
  ['_', '$1', '$2'],
  [A('a'), '$1', '_'],
  ['_', A('a'), '$1'],
  [1, '$1', '$2'],
  ['_', 1, '$1'],
  ['_', '_', { $list: ['$1'], $tail: '$2' }],
  ['$1', '$1', '_'],
  ['$2', '$1', '$3'],
  [tuple(A('a'), '$1'), '_', '_'],
  '_',
  ['_', '_'],
];

// ---------------------------------------------------------------------------
// Translation to the Erlang terms OTP takes.

const SPECIAL = /^(\$[0-9]+|\$_|\$\$|_)$/;

function isCons(x: unknown): x is { $list: unknown[]; $tail: unknown } {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 2 && '$list' in x && '$tail' in x;
}

function isTag(x: unknown, tag: string): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 1 && tag in x;
}

/** `[i1, ..., in | tail]`: a list when the tail is one, else an improper list (the tail a variable or '_'). */
function cons(items: ErlTerm[], tail: ErlTerm): ErlTerm {
  if (items.length === 0) return tail;
  if (Array.isArray(tail) && !(tail instanceof Tuple)) return [...items, ...tail];
  return new ErlImproperList(items, tail);
}

/** A head pattern element. */
function pat(x: unknown): ErlTerm {
  if (typeof x === 'string') return SPECIAL.test(x) ? A(x) : x;
  if (x instanceof Tuple) return Tuple.from(x.map((e) => pat(e) as Term)) as unknown as ErlTerm;
  if (Array.isArray(x)) return x.map(pat);
  if (isCons(x)) return cons(x.$list.map(pat), pat(x.$tail));
  return x as ErlTerm;
}

/** A guard or body expression. */
function expr(x: unknown): ErlTerm {
  if (typeof x === 'string') return SPECIAL.test(x) ? A(x) : x;
  if (x instanceof Tuple) return tuple(Tuple.from(x.map((e) => expr(e) as Term))) as unknown as ErlTerm;
  if (Array.isArray(x)) return x.length === 0 ? [] : (Tuple.from([A(x[0] as string), ...x.slice(1).map((e) => expr(e) as Term)]) as unknown as ErlTerm);
  if (isCons(x)) return cons(x.$list.map(expr), expr(x.$tail));
  if (isTag(x, '$list')) return (x.$list as unknown[]).map(expr);
  if (isTag(x, '$const')) return tuple(A('const'), x.$const as Term) as unknown as ErlTerm;
  return x as ErlTerm;
}

/** A whole-row pattern: an array is the row's tuple. */
export function toErlPattern(p: unknown): ErlTerm {
  return Array.isArray(p) ? (Tuple.from(p.map((e) => pat(e) as Term)) as unknown as ErlTerm) : pat(p);
}

/** `[{Head, Guards, Body}, ...]` for a catalogue spec. */
export function toErlSpec(spec: readonly unknown[]): ErlTerm {
  return spec.map((c) => {
    const [head, guards, body] = c as [unknown, unknown[], unknown[]];
    return Tuple.from([toErlPattern(head) as Term, guards.map(expr) as Term, body.map(expr) as Term]) as unknown as ErlTerm;
  });
}
