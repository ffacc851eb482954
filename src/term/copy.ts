/**
 * Value semantics: deep copy in, shallow copy out, nested parts frozen.
 *
 * A row is deep-copied once when it enters a table. Everything nested in it
 * is frozen at once (arrays, tuples and plain objects with `Object.freeze`;
 * maps become a {@link FrozenMap} whose mutators throw) and is then shared
 * by every read. The row array itself stays the table's own: reads hand out
 * a shallow copy of it ({@link rowOut}: one small array, never a deep
 * copy), so the table can update a row in place (`updateCounter` costs no
 * allocation) and nothing a caller inserted or read can change the table.
 * Typed arrays cannot be frozen, so a row that holds a `Uint8Array` is
 * marked and its binaries are copied on every read.
 *
 * Copy-in also validates: NaN, functions, class instances, unregistered
 * symbols, atoms longer than 255 characters (Erlang's limit) and nesting
 * deeper than {@link MAX_DEPTH} (e.g. a cyclic structure) are not terms.
 * And it gives every number its one stored form (see
 * `number.ts`): a `bigint` in the safe range becomes the equal `number`, an
 * `ErlFloat` whose value is not a safe integer becomes that plain number.
 *
 * @module
 */
import { MAX_ATOM_CHARS, Opaque, Pid, Tuple, atomTooLong, isPlainObject, show, type Row, type Term } from './types.js';
import { hashKey, type HashKey } from './equal.js';
import { ErlFloat, canonicalFloat, canonicalInteger } from './number.js';

/** Maximum nesting depth of a term. Deeper (or cyclic) values are refused. */
export const MAX_DEPTH = 2000;

/** Symbol marking a stored row (or nested term) that contains a `Uint8Array`. */
const HAS_BINARY: unique symbol = Symbol('termstore.hasBinary');

/** Thrown by copy-in for a value that is not a term; the caller turns it into its own error. */
export class NotATermError extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

/** Throws unless `x` is an atom: a registered symbol of at most {@link MAX_ATOM_CHARS} characters. */
function checkAtom(x: symbol): void {
  const name = Symbol.keyFor(x);
  if (name === undefined) throw new NotATermError(`${String(x)} is not an atom: use Symbol.for(name)`);
  if (atomTooLong(name)) throw new NotATermError(`an atom of more than ${MAX_ATOM_CHARS} characters (Erlang's limit)`);
}

/** A `Map` whose mutators throw once constructed: how maps are stored. */
export class FrozenMap<K, V> extends Map<K, V> {
  #frozen = false;
  constructor(entries?: Iterable<readonly [K, V]>) {
    // Not `super(entries)`: Map's constructor calls the overridden `set`
    // before `#frozen` exists, which throws a TypeError.
    super();
    if (entries !== undefined) for (const [k, v] of entries) super.set(k, v);
    this.#frozen = true;
    Object.freeze(this);
  }
  override set(key: K, value: V): this {
    if (this.#frozen) throw new TypeError('termstore: a term read from a table is immutable');
    return super.set(key, value);
  }
  override delete(_key: K): boolean {
    throw new TypeError('termstore: a term read from a table is immutable');
  }
  override clear(): void {
    throw new TypeError('termstore: a term read from a table is immutable');
  }
}

/**
 * Sets an own enumerable property. Plain assignment of the key `__proto__`
 * would change the prototype instead (losing the key, and turning the map
 * into a class instance when the value is an object).
 */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * A JS `Map` keys by reference, so it can hold two keys that are the same
 * term (two equal arrays, `'a'` and its UTF-8 `Uint8Array`, `true` and
 * `Symbol.for('true')`); an Erlang map cannot, and equality and order of
 * such a map would depend on insertion order. Refused.
 */
function uniqueKeys(entries: Iterable<readonly [unknown, unknown]>): void {
  const seen = new Set<HashKey>();
  for (const [k] of entries) {
    const hk = hashKey(k);
    if (seen.has(hk)) throw new NotATermError(`a map holds the key ${show(k)} twice (keys are compared as terms, not by reference)`);
    seen.add(hk);
  }
}

interface CopyState {
  /** Set when the subtree being copied holds a `Uint8Array`. */
  binary: boolean;
}

/** Containers (frozen) that hold a `Uint8Array` somewhere below them. */
const binaryHolders = new WeakSet<object>();

function copyValue(x: unknown, depth: number, st: CopyState): Term {
  switch (typeof x) {
    case 'number':
      if (x !== x) throw new NotATermError('NaN is not a term');
      return x;
    case 'bigint':
      return canonicalInteger(x);
    case 'string':
    case 'boolean':
    case 'undefined':
      return x;
    case 'symbol':
      checkAtom(x);
      return x;
    case 'object': {
      if (x === null) return null;
      if (x instanceof Uint8Array) {
        st.binary = true;
        return new Uint8Array(x);
      }
      if (x instanceof Pid || x instanceof Opaque) return x;
      if (x instanceof ErlFloat) return canonicalFloat(x);
      if (depth >= MAX_DEPTH) throw new NotATermError(`term nested deeper than ${MAX_DEPTH} levels (cyclic?)`);
      const outer = st.binary;
      st.binary = false;
      let out: object;
      if (Array.isArray(x)) {
        const n = x.length;
        if (x instanceof Tuple) {
          const t = new Tuple();
          for (let i = 0; i < n; i++) t.push(copyValue(x[i], depth + 1, st));
          out = t;
        } else {
          const a: Term[] = new Array(n);
          for (let i = 0; i < n; i++) a[i] = copyValue(x[i], depth + 1, st);
          out = a;
        }
        Object.freeze(out);
      } else if (x instanceof Map) {
        const entries: Array<[Term, Term]> = [];
        for (const [k, v] of x) entries.push([copyValue(k, depth + 1, st), copyValue(v, depth + 1, st)]);
        if (entries.length > 1) uniqueKeys(entries);
        out = new FrozenMap(entries);
      } else if (isPlainObject(x)) {
        const o: Record<string, Term> = {};
        for (const k of Object.keys(x)) setOwn(o, k, copyValue((x as Record<string, unknown>)[k], depth + 1, st));
        out = Object.freeze(o);
      } else {
        st.binary = outer;
        throw new NotATermError(`${show(x)} is not a term (class instances are not stored)`);
      }
      if (st.binary) binaryHolders.add(out);
      st.binary = st.binary || outer;
      return out as Term;
    }
    default:
      throw new NotATermError(`a ${typeof x} is not a term`);
  }
}

function checkValue(x: unknown, depth: number): void {
  switch (typeof x) {
    case 'number':
      if (x !== x) throw new NotATermError('NaN is not a term');
      return;
    case 'string':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return;
    case 'symbol':
      checkAtom(x);
      return;
    case 'object': {
      if (x === null || x instanceof Uint8Array || x instanceof Pid || x instanceof Opaque || x instanceof ErlFloat) return;
      if (depth >= MAX_DEPTH) throw new NotATermError(`term nested deeper than ${MAX_DEPTH} levels (cyclic?)`);
      if (Array.isArray(x)) {
        for (let i = 0; i < x.length; i++) checkValue(x[i], depth + 1);
      } else if (x instanceof Map) {
        for (const [k, v] of x) (checkValue(k, depth + 1), checkValue(v, depth + 1));
        if (x.size > 1) uniqueKeys(x);
      } else if (isPlainObject(x)) {
        for (const k of Object.keys(x)) checkValue((x as Record<string, unknown>)[k], depth + 1);
      } else {
        throw new NotATermError(`${show(x)} is not a term (class instances are not stored)`);
      }
      return;
    }
    default:
      throw new NotATermError(`a ${typeof x} is not a term`);
  }
}

/**
 * Throws {@link NotATermError} unless `x` is a term, by the same rules as
 * {@link copyTerm}, without copying (for keys and other read-only arguments).
 */
export function checkTerm(x: unknown): void {
  checkValue(x, 0);
}

/**
 * Deep-copies and freezes a term (throws {@link NotATermError}).
 * The result is safe to store; hand it out through {@link copyOut}.
 */
export function copyTerm(x: unknown): Term {
  return copyValue(x, 0, { binary: false });
}

/**
 * Copies a row into the table's representation: validates, deep-copies,
 * freezes. Throws {@link NotATermError}; the caller checks the shape
 * (array, length >= keypos) first.
 */
export function copyRow(row: readonly unknown[]): Row {
  const n = row.length;
  const out: Term[] = new Array(n);
  let st: CopyState | undefined;
  for (let i = 0; i < n; i++) {
    const v = row[i];
    const t = typeof v;
    // Fast path: primitives need no recursion.
    if (t === 'string' || t === 'boolean' || t === 'undefined' || (t === 'number' && v === v)) {
      out[i] = v as Term;
    } else if (t === 'bigint') {
      out[i] = canonicalInteger(v as bigint);
    } else {
      st ??= { binary: false };
      out[i] = copyValue(v, 1, st);
    }
  }
  if (st !== undefined && st.binary) markBinaryRow(out);
  // The row array itself is not frozen: the table owns it (see the module docs).
  return out;
}

/**
 * Rows holding a binary carry this non-enumerable flag (set before they are
 * frozen), so that `rowOut` tells them apart with a property read instead of
 * a WeakSet lookup on every read. Nested containers use `binaryHolders`.
 */
const BINARY_ROW: unique symbol = Symbol('termstore.binaryRow');

function markBinaryRow(row: Term[]): void {
  binaryHolders.add(row);
  Object.defineProperty(row, BINARY_ROW, { value: true });
}

/** A mutable copy of a stored row, keeping its binary mark (for updates). */
export function thawRow(row: Row): Term[] {
  const n = row.length;
  const out: Term[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = row[i];
  if ((row as { [BINARY_ROW]?: true })[BINARY_ROW] === true) markBinaryRow(out);
  return out;
}

/**
 * Makes a row built from parts that are already stored terms (the elements
 * of a stored row, or results of {@link copyTerm}), as
 * `updateCounter`/`updateElement` do, into a stored row: marks it as holding
 * binaries when one of its elements does, so reads keep copying them.
 */
export function storedRow(items: Term[]): Row {
  if ((items as { [BINARY_ROW]?: true })[BINARY_ROW] !== true) {
    for (let i = 0; i < items.length; i++) {
      if (holdsBinary(items[i])) {
        markBinaryRow(items);
        break;
      }
    }
  }
  return items;
}

/** True if a stored term is or holds a `Uint8Array`, so reads must copy it. */
export function holdsBinary(t: unknown): boolean {
  return typeof t === 'object' && t !== null && (t instanceof Uint8Array || binaryHolders.has(t));
}

/**
 * What a read hands out for a stored term: the term itself (frozen), except
 * that binaries are copied because they cannot be frozen.
 */
export function copyOut<T extends Term>(t: T): T {
  if (typeof t !== 'object' || t === null) return t;
  if (t instanceof Uint8Array) return new Uint8Array(t) as unknown as T;
  return binaryHolders.has(t) ? (cloneBinaries(t) as T) : t;
}

/**
 * What a read hands out for a stored row: a shallow copy (its nested parts
 * are frozen and shared), with fresh copies of any binaries.
 */
export function rowOut(row: Row): Row {
  if ((row as { [BINARY_ROW]?: true })[BINARY_ROW] === true) return row.map(cloneBinaries) as Row;
  return row.slice();
}

function cloneBinaries(t: unknown): unknown {
  if (typeof t !== 'object' || t === null) return t;
  if (t instanceof Uint8Array) return new Uint8Array(t);
  if (!binaryHolders.has(t)) return t;
  let out: object;
  if (Array.isArray(t)) {
    out = t instanceof Tuple ? Tuple.from(t.map(cloneBinaries) as Term[]) : t.map(cloneBinaries);
    Object.freeze(out);
  } else if (t instanceof Map) {
    out = new FrozenMap([...t].map(([k, v]) => [cloneBinaries(k), cloneBinaries(v)] as [unknown, unknown]));
  } else {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(t)) setOwn(o, k, cloneBinaries((t as Record<string, unknown>)[k]));
    out = Object.freeze(o);
  }
  binaryHolders.add(out);
  return out;
}

/**
 * The elements of a stored list from `start` on, as a stored (frozen) list:
 * what a head|tail pattern binds its tail to. Marked as holding binaries
 * when one of those elements does, so reads keep copying them.
 */
export function storedTail(list: readonly Term[], start: number): Term[] {
  const out = list.slice(start) as Term[];
  if (binaryHolders.has(list)) {
    for (let i = 0; i < out.length; i++) {
      if (holdsBinary(out[i])) {
        binaryHolders.add(out);
        break;
      }
    }
  }
  return Object.freeze(out) as Term[];
}
