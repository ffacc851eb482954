/**
 * Value semantics: deep copy in, stored rows frozen and handed out as they
 * are, copy-on-write for counters.
 *
 * A row is deep-copied once when it enters a table ({@link copyRow}).
 * Everything nested in it is frozen at once (arrays, tuples and plain
 * objects with `Object.freeze`; maps become a {@link FrozenMap} whose
 * mutators throw), and the engine that stores the row freezes the row array
 * itself ({@link shareRow}). A read hands that frozen row out as it is: no
 * copy, so a lookup costs what a `Map.get` does, and nothing a caller holds
 * can change the table (every array it can reach is frozen) nor be changed
 * by it (the table replaces a row, never edits a shared one).
 *
 * Two kinds of stored row are not handed out as they are; they carry a mark
 * (a non-enumerable own property) and reads copy them ({@link rowOut}):
 *
 * - a row holding a `Uint8Array` (typed arrays cannot be frozen): reads copy
 *   its binaries;
 * - a *private* row ({@link privateRow}): the first `updateCounter` on a
 *   shared row copies it into a mutable row that only the table holds
 *   (copy-on-write); later increments change that row in place (no
 *   allocation) and reads hand out frozen copies of it (a tab2file
 *   snapshot makes it shared again instead: {@link scanOut}). An engine
 *   that holds such rows says so (`Engine.readsCopy`), so tables without
 *   them never look at a row's mark on a read.
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
  // The row array itself is frozen by the engine that stores it (shareRow).
  return out;
}

/**
 * The marks of a stored row that reads must copy: non-enumerable own
 * properties (set before the row is frozen, or on a private row). They are
 * only ever tested with `in`, which the row's hidden class answers: no load
 * of the property's value, so no extra cache miss on a row's hot path (a
 * counter increment, a read). Absent on ordinary rows.
 */
/** The row holds a `Uint8Array` (nested containers use `binaryHolders`). */
const HOLDS_BINARY: unique symbol = Symbol('termstore.holdsBinary');
/** The row is private to its table (mutable, updated in place; never handed out). */
const PRIVATE: unique symbol = Symbol('termstore.privateRow');

function holdsBinaryMark(row: Row): boolean {
  return HOLDS_BINARY in row;
}

function markBinaryRow(row: Term[]): void {
  binaryHolders.add(row);
  Object.defineProperty(row, HOLDS_BINARY, { value: true });
}

/** A copy of a row's elements (a literal for the common short rows: faster than `slice`). */
function copyElements(row: Row): Term[] {
  switch (row.length) {
    case 1:
      return [row[0]];
    case 2:
      return [row[0], row[1]];
    case 3:
      return [row[0], row[1], row[2]];
    case 4:
      return [row[0], row[1], row[2], row[3]];
    default: {
      const n = row.length;
      const out: Term[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = row[i];
      return out;
    }
  }
}

/**
 * Makes a row the table's stored, shared form: freezes the row array (its
 * nested parts already are). Engines call this on every row they store; a
 * row already frozen stays as it is.
 */
export function shareRow(row: Row): void {
  Object.freeze(row);
}

/** True if reads must copy this stored row rather than hand it out ({@link rowOut}). */
export function readsMustCopy(row: Row): boolean {
  return PRIVATE in row || HOLDS_BINARY in row;
}

/** True if this stored row is private to its table (see {@link privateRow}). */
export function isPrivateRow(row: Row): boolean {
  return PRIVATE in row;
}

/**
 * A private, mutable copy of a stored row, for an engine to update in place
 * (`updateCounter`'s copy-on-write). Reads copy it ({@link rowOut}); the
 * engine must report `readsCopy` once it holds one.
 */
export function privateRow(row: Row): Term[] {
  const out = copyElements(row);
  if (holdsBinaryMark(row)) markBinaryRow(out);
  // Configurable, so that scanOut can take it off again (deleting the last
  // property added takes the row back to its plain hidden class).
  Object.defineProperty(out, PRIVATE, { value: true, configurable: true });
  return out;
}

/** A mutable copy of a stored row, keeping its binary mark but not its privacy (for updates that store a new shared row). */
export function thawRow(row: Row): Term[] {
  const out = copyElements(row);
  if (holdsBinaryMark(row)) markBinaryRow(out);
  return out;
}

/**
 * Makes a row built from parts that are already stored terms (the elements
 * of a stored row, or results of {@link copyTerm}), as
 * `updateCounter`/`updateElement` do, into a row to store: marks it as
 * holding binaries when one of its elements does, so reads keep copying
 * them. (The engine freezes it when it stores it.)
 */
export function storedRow(items: Term[]): Row {
  if (!holdsBinaryMark(items)) {
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
 * What a read hands out for a stored row: the row itself (frozen), unless it
 * is marked: then a frozen copy, with fresh copies of any binaries.
 */
export function rowOut(row: Row): Row {
  if (!(PRIVATE in row) && !(HOLDS_BINARY in row)) return row;
  return Object.freeze(HOLDS_BINARY in row ? (row.map(cloneBinaries) as Term[]) : copyElements(row));
}

/**
 * A stored row for a snapshot that holds many rows for a while (a
 * `tab2file` of the whole table): as {@link rowOut}, except that a private
 * row is made shared again in place (unmarked and frozen) rather than
 * copied, so a snapshot of a table of counters costs no copy of its rows;
 * the row's next increment copies it again. The engine's `readsCopy` may
 * stay true.
 */
export function scanOut(row: Row): Row {
  if (PRIVATE in row) {
    delete (row as { [PRIVATE]?: true })[PRIVATE];
    Object.freeze(row);
  }
  return HOLDS_BINARY in row ? rowOut(row) : row;
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
