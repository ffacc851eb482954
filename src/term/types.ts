/**
 * The term model: which JS values are terms and how they map to Erlang's.
 *
 * | Erlang            | JS                                                        |
 * |-------------------|-----------------------------------------------------------|
 * | integer           | `number` that is a safe integer, `bigint` (stored as a `number` when safe) |
 * | float             | any other `number` (`1.5`, `1e20`; NaN is not a term), {@link ErlFloat} for an integral float (`1.0`) |
 * | atom              | `Symbol.for(name)`; `true`, `false` are the atoms `true`/`false`, `null` is `nil`, `undefined` is `undefined` |
 * | pid               | {@link Pid}                                               |
 * | reference, port, fun | {@link Opaque} (kept as bytes, only from Erlang files) |
 * | tuple             | {@link Tuple} (an `Array` subclass); a table row is a tuple |
 * | map               | `Map`, or a plain object (its keys are binaries)           |
 * | list              | a plain `Array`                                           |
 * | binary            | `string` (UTF-8) or `Uint8Array`; equal when the bytes are |
 *
 * The number rules are in `number.ts`. This module depends on nothing else
 * in termstore.
 *
 * @module
 */
import { ErlFloat } from './number.js';

/** Any value termstore can store. See the module documentation for the mapping. */
export type Term =
  | number
  | bigint
  | ErlFloat
  | string
  | boolean
  | null
  | undefined
  | symbol
  | Uint8Array
  | Pid
  | Opaque
  | readonly Term[]
  | ReadonlyMap<Term, Term>
  | { readonly [key: string]: Term };

/** A table row: an array whose element at `keypos` (1-based) is the key. */
export type Row = readonly Term[];

/** The key of {@link Tuple}'s type-only tag. */
declare const tupleTag: unique symbol;

/**
 * An Erlang tuple. Table rows may be plain arrays; inside a term, a `Tuple`
 * is a tuple and a plain array is a list, so the two never compare equal.
 *
 * @example `tuple('user', 42)` (or `Tuple.of('user', 42)`) is `{<<"user">>, 42}`; `['user', 42]` is `[<<"user">>, 42]`.
 */
export class Tuple<T = Term> extends Array<T> {
  /** Tells a `Tuple` from a plain array for the type checker, as the term model does (never set at run time). */
  declare readonly [tupleTag]: true;
  // Array methods that build new arrays (map, filter, slice) should give plain arrays.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  /** `Tuple.of(a, b)`: the tuple `{a, b}`. */
  static override of<T>(...items: T[]): Tuple<T> {
    return super.from(items) as Tuple<T>;
  }
  /** `Tuple.from(items)`: a tuple of the items (mapped by `mapfn` if given). */
  static override from<T>(items: ArrayLike<T> | Iterable<T>): Tuple<T>;
  static override from<T, U>(items: ArrayLike<T> | Iterable<T>, mapfn: (v: T, k: number) => U, thisArg?: unknown): Tuple<U>;
  static override from<T, U>(items: ArrayLike<T> | Iterable<T>, mapfn?: (v: T, k: number) => U, thisArg?: unknown): Tuple<T> | Tuple<U> {
    return (mapfn === undefined ? super.from(items) : super.from(items, mapfn, thisArg)) as Tuple<T> | Tuple<U>;
  }
}

/** True if `x` is a {@link Tuple}. */
export function isTuple(x: unknown): x is Tuple {
  return x instanceof Tuple;
}

/** `tuple(a, b)` is `Tuple.of(a, b)`. */
export function tuple<T extends Term[]>(...items: T): Tuple<T[number]> {
  return Tuple.from(items) as Tuple<T[number]>;
}

/**
 * The longest atom name, in characters (Unicode code points): Erlang's limit
 * (`system_limit` beyond it). Every reader refuses a longer atom before it
 * reaches the `Symbol.for` registry (which never frees a name), and a table
 * refuses one as not a term.
 */
export const MAX_ATOM_CHARS = 255;

/** True if `name` is longer than {@link MAX_ATOM_CHARS} characters (code points, not UTF-16 units). */
export function atomTooLong(name: string): boolean {
  if (name.length <= MAX_ATOM_CHARS) return false;
  // A code point takes at most two UTF-16 units.
  if (name.length > 2 * MAX_ATOM_CHARS) return true;
  let chars = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < name.length) {
      const d = name.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if (++chars > MAX_ATOM_CHARS) return true;
  }
  return false;
}

/** The atom `name`: `Symbol.for(name)`. */
export function atom(name: string): symbol {
  return Symbol.for(name);
}

/**
 * The atom name of `x` if `x` is an atom (a registered symbol, a boolean,
 * `null` for `nil`, `undefined` for `undefined`), else `undefined`.
 */
export function atomName(x: unknown): string | undefined {
  switch (typeof x) {
    case 'symbol':
      return Symbol.keyFor(x);
    case 'boolean':
      return x ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'object':
      return x === null ? 'nil' : undefined;
    default:
      return undefined;
  }
}

/** True if `x` is an atom in the term model. */
export function isAtom(x: unknown): boolean {
  return atomName(x) !== undefined;
}

/**
 * A process identifier (see `spawn`/`self`). Pids are terms: they can be
 * stored in tables and compared; they order after atoms and before tuples.
 */
export class Pid {
  /** @internal */
  constructor(
    /** Unique number of the process within this Node process. */
    readonly id: number,
  ) {
    Object.freeze(this);
  }
  /** `<0.ID.0>`, as Erlang prints a local pid. */
  toString(): string {
    return `<0.${this.id}.0>`;
  }
}

/** Which Erlang type an {@link Opaque} holds. */
export type OpaqueKind = 'pid' | 'reference' | 'port' | 'fun';

/**
 * An Erlang term with no JS counterpart (remote pid, reference, port, fun),
 * read from an Erlang file and kept as its external-format bytes so it can be
 * written back unchanged. Two opaques are equal when their bytes are.
 */
export class Opaque {
  constructor(
    /** The Erlang type. */
    readonly kind: OpaqueKind,
    /** The term's External Term Format bytes, without the leading version byte 131. */
    readonly bytes: Uint8Array,
  ) {
    Object.freeze(this);
  }
  toString(): string {
    return `#Opaque<${this.kind}:${this.bytes.length}>`;
  }
}

/** True for a plain object (prototype `Object.prototype` or `null`), which is a map term. */
export function isPlainObject(x: unknown): x is { [key: string]: Term } {
  if (typeof x !== 'object' || x === null) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/**
 * A short, printable rendering of a term for error messages (truncated).
 * Internal (not exported from the package).
 */
export function show(x: unknown, max = 60): string {
  let s: string;
  try {
    s = render(x, 0);
  } catch {
    s = String(x);
  }
  return s.length > max ? s.slice(0, max - 3) + '...' : s;
}

function render(x: unknown, depth: number): string {
  if (depth > 4) return '...';
  switch (typeof x) {
    case 'string':
      return JSON.stringify(x);
    case 'bigint':
      return `${x}n`;
    case 'symbol': {
      const k = Symbol.keyFor(x);
      return k === undefined ? String(x) : `:${k}`;
    }
    case 'function':
      return '[Function]';
    case 'object': {
      if (x === null) return 'null';
      if (x instanceof Tuple) return '{' + x.map((e) => render(e, depth + 1)).join(', ') + '}';
      if (Array.isArray(x)) return '[' + x.map((e) => render(e, depth + 1)).join(', ') + ']';
      if (x instanceof Uint8Array) return `<<${x.length} bytes>>`;
      if (x instanceof Map) return `Map(${x.size})`;
      if (x instanceof Pid || x instanceof Opaque || x instanceof ErlFloat) return x.toString();
      if (isPlainObject(x)) return '{' + Object.keys(x).map((k) => `${k}: ${render(x[k], depth + 1)}`).join(', ') + '}';
      return Object.prototype.toString.call(x);
    }
    default:
      return String(x);
  }
}
