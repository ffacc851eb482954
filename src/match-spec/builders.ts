/**
 * Typed helpers that build match specifications in the JS-native form.
 * They only build plain data; `compileMatchSpec` validates it.
 *
 * @example
 * ```ts
 * import { ms } from 'termstore';
 * // fun({Id, Name, Age}) when Age >= 18 -> {Name, Id} end
 * const spec = ms.spec(ms.clause([ms.v(1), ms.v(2), ms.v(3)], [ms.ge(ms.v(3), 18)], [ms.tuple(ms.v(2), ms.v(1))]));
 * ```
 *
 * @module
 */
import { Tuple, type Term } from '../term/types.js';
import type { Call, ConstForm, Expr, GuardFunction, Head, ListForm, ListTailForm, MapForm, MatchClauseObject, MsVar, Pattern } from './types.js';

export type { Call, ConstForm, ListForm, MapForm } from './types.js';

function call<Op extends GuardFunction>(op: Op, ...args: Expr[]): Call<Op> {
  return [op, ...args] as const;
}

const un =
  <Op extends GuardFunction>(op: Op) =>
  (a: Expr): Call<Op> =>
    call(op, a);
const bin =
  <Op extends GuardFunction>(op: Op) =>
  (a: Expr, b: Expr): Call<Op> =>
    call(op, a, b);
const nary =
  <Op extends GuardFunction>(op: Op) =>
  (first: Expr, ...rest: Expr[]): Call<Op> =>
    call(op, first, ...rest);

/** Builders for match specifications; each returns plain data. */
export const ms = {
  /** The variable `'$n'` (n a non-negative integer). */
  v(n: number): MsVar {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('ms.v: a variable number is a non-negative integer');
    return `$${n}`;
  },
  /** The wildcard `'_'` (heads only). */
  any: '_' as const,
  /** `'$_'`: the whole row (guards and bodies). */
  row: '$_' as const,
  /** `'$$'`: the list of bound variables in variable-number order (guards and bodies). */
  bindings: '$$' as const,

  /** A literal: `x` is not interpreted (strings are not variables, arrays are lists). */
  cnst<T extends Term>(x: T): ConstForm<T> {
    return { $const: x };
  },
  /** The atom `name` (`Symbol.for(name)`). */
  atom(name: string): symbol {
    return Symbol.for(name);
  },
  /** A tuple pattern or a tuple built from expressions. */
  tuple(...items: Array<Pattern | Expr>): Tuple {
    // A Tuple of patterns or expressions: its elements are read by the validator, not stored.
    return Tuple.from(items as unknown as Term[]);
  },
  /** A list built from expressions, or in a head a list pattern (where a plain array is one too). */
  list<E extends Pattern | Expr>(...items: E[]): ListForm<E> {
    return { $list: items };
  },
  /**
   * Erlang's `[I1, ..., In | Tail]`: in a head, a list of at least n
   * elements whose first ones match `items` and whose rest matches `tail`
   * (a variable, `'_'`, a list pattern or `[]`); in a guard or body, the
   * items followed by the elements of the list `tail` evaluates to.
   *
   * @example `ms.cons([ms.v(1)], ms.any)` is `['$1' | '_']`: the first element of a non-empty list.
   */
  cons<E extends Pattern | Expr, T extends Pattern | Expr>(items: readonly E[], tail: T): ListTailForm<E | T> {
    return { $list: items, $tail: tail };
  },
  /** A map from `[key, value]` pairs (keys may be expressions in a body, literals in a head), or from an object. */
  map(entries: Iterable<readonly [Pattern | Expr, Pattern | Expr]> | { readonly [k: string]: Pattern | Expr }): MapForm {
    return Symbol.iterator in entries
      ? { $map: [...(entries as Iterable<readonly [Pattern | Expr, Pattern | Expr]>)] }
      : { $map: entries as { readonly [k: string]: Pattern | Expr } };
  },
  /** Any guard function by name: `ms.call('is_record', x, tag, size)`. */
  call,

  // Comparisons (term order; `eqx`/`nex` exact).
  /** `==` */ eq: bin('=='),
  /** `/=` */ ne: bin('/='),
  /** `=:=` */ eqx: bin('=:='),
  /** `=/=` */ nex: bin('=/='),
  /** `<` */ lt: bin('<'),
  /** `=<` */ le: bin('=<'),
  /** `>` */ gt: bin('>'),
  /** `>=` */ ge: bin('>='),

  // Arithmetic.
  /** `+` */ add: bin('+'),
  /** `-` (binary) */ sub: bin('-'),
  /** `*` */ mul: bin('*'),
  /** `/` (float division) */ divide: bin('/'),
  /** `div` (integer division, truncating) */ div: bin('div'),
  /** `rem` */ rem: bin('rem'),
  /** unary `-` */ neg: un('-'),
  /** `abs` */ abs: un('abs'),
  /** `band` */ band: bin('band'),
  /** `bor` */ bor: bin('bor'),
  /** `bxor` */ bxor: bin('bxor'),
  /** `bnot` */ bnot: un('bnot'),
  /** `bsl` */ bsl: bin('bsl'),
  /** `bsr` */ bsr: bin('bsr'),
  /** `float` */ float: un('float'),
  /** `round` */ round: un('round'),
  /** `trunc` */ trunc: un('trunc'),

  // Boolean operators.
  /** `and` (all arguments evaluated) */ and: nary('and'),
  /** `or` (all arguments evaluated) */ or: nary('or'),
  /** `andalso` (short-circuit) */ andalso: nary('andalso'),
  /** `orelse` (short-circuit) */ orelse: nary('orelse'),
  /** `not` */ not: un('not'),
  /** `xor` */ xor: bin('xor'),

  // Type tests.
  /** `is_atom` */ isAtom: un('is_atom'),
  /** `is_boolean` */ isBoolean: un('is_boolean'),
  /** `is_integer` */ isInteger: un('is_integer'),
  /** `is_float` */ isFloat: un('is_float'),
  /** `is_number` */ isNumber: un('is_number'),
  /** `is_binary` */ isBinary: un('is_binary'),
  /** `is_list` */ isList: un('is_list'),
  /** `is_tuple` */ isTuple: un('is_tuple'),
  /** `is_map` */ isMap: un('is_map'),
  /** `is_pid` */ isPid: un('is_pid'),

  // Structure.
  /** `element(n, tuple)`, 1-based */ element: bin('element'),
  /** `size` (tuple size or byte size) */ size: un('size'),
  /** `tuple_size` */ tupleSize: un('tuple_size'),
  /** `byte_size` */ byteSize: un('byte_size'),
  /** `length` */ length: un('length'),
  /** `hd` */ hd: un('hd'),
  /** `tl` */ tl: un('tl'),
  /** `map_get(key, map)` */ mapGet: bin('map_get'),
  /** `is_map_key(key, map)` */ isMapKey: bin('is_map_key'),
  /** `map_size` */ mapSize: un('map_size'),
  /** `min` (term order) */ min: bin('min'),
  /** `max` (term order) */ max: bin('max'),

  /**
   * A clause. `guards` defaults to none, `body` to `['$_']` (the row).
   * Erlang: `{Head, Guards, Body}`.
   */
  clause(head: Head, guards: readonly Expr[] = [], body: readonly Expr[] = ['$_']): MatchClauseObject {
    return { head, guards, body };
  },
  /** A spec from clauses. */
  spec(...clauses: MatchClauseObject[]): MatchClauseObject[] {
    return clauses;
  },
} as const;
