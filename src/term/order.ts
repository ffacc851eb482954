/**
 * The total term order, following Erlang's where the types correspond:
 *
 *     number < atom < reference < fun < port < pid < tuple < map < list < binary
 *
 * - numbers compare numerically, across `number`, `bigint` and `ErlFloat`
 *   (`1 == 1n == new ErlFloat(1)`);
 * - atoms (symbols, booleans, `null` = `nil`, `undefined`) compare by name, by code point;
 * - tuples by size first, then element by element;
 * - maps by size, then by their keys in term order, then by the values in key order;
 * - lists element by element, a proper prefix first (`[]` is the smallest list);
 * - binaries (`string`, `Uint8Array`) by their UTF-8 bytes: strings by code point,
 *   which is the same order, so `'a' < 'b' < 'é' < '😀'` as in Erlang.
 *
 * `compareTerms(a, b) === 0` is Erlang's `==` (used by `ordered_set` keys and
 * by guard comparisons); exact equality `=:=` is in `equal.ts`.
 *
 * @module
 */
import { Opaque, Pid, Tuple, atomName, isPlainObject, type Term } from './types.js';
import { canonical } from './equal.js';
import { ErlFloat } from './number.js';

/** Rank of each type class in the term order. */
export const enum Rank {
  Number = 0,
  Atom = 1,
  Reference = 2,
  Fun = 3,
  Port = 4,
  Pid = 5,
  Tuple = 6,
  Map = 7,
  List = 8,
  Binary = 9,
  /** Not a term. */
  Invalid = 99,
}

const opaqueRank = { reference: Rank.Reference, fun: Rank.Fun, port: Rank.Port, pid: Rank.Pid } as const;

/** The {@link Rank} of a value. */
export function rankOf(x: unknown): Rank {
  switch (typeof x) {
    case 'number':
    case 'bigint':
      return Rank.Number;
    case 'string':
      return Rank.Binary;
    case 'boolean':
    case 'undefined':
      return Rank.Atom;
    case 'symbol':
      return Symbol.keyFor(x) === undefined ? Rank.Invalid : Rank.Atom;
    case 'object':
      if (x === null) return Rank.Atom;
      if (Array.isArray(x)) return x instanceof Tuple ? Rank.Tuple : Rank.List;
      if (x instanceof Uint8Array) return Rank.Binary;
      if (x instanceof Map) return Rank.Map;
      if (x instanceof Pid) return Rank.Pid;
      if (x instanceof Opaque) return opaqueRank[x.kind];
      if (x instanceof ErlFloat) return Rank.Number;
      if (isPlainObject(x)) return Rank.Map;
      return Rank.Invalid;
    default:
      return Rank.Invalid;
  }
}

/**
 * Compares two strings by Unicode code point (not by UTF-16 code unit, which
 * misorders astral characters against U+E000..U+FFFF).
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Surrogates (astral code points) must sort above U+E000..U+FFFF.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

const utf8 = new TextEncoder();

/** UTF-8 bytes of a binary term. */
export function binaryBytes(x: string | Uint8Array): Uint8Array {
  return typeof x === 'string' ? utf8.encode(x) : x;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/**
 * Entries of a map term, in Erlang's map order (keys ascending in term
 * order). Keys that are `==` but not exactly equal (`1` and `1n`, as Erlang's
 * `1` and `1.0`) are ordered by their canonical form, so the order does not
 * depend on the order the map was built in.
 */
export function sortedMapEntries(m: ReadonlyMap<Term, Term> | { readonly [k: string]: Term }): Array<[Term, Term]> {
  const entries: Array<[Term, Term]> = m instanceof Map ? [...m.entries()] : Object.entries(m);
  if (entries.length > 1) entries.sort((p, q) => compareTerms(p[0], q[0]) || compareStrings(canonical(p[0]), canonical(q[0])));
  return entries;
}

function mapSize(m: ReadonlyMap<Term, Term> | { readonly [k: string]: Term }): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/**
 * Compares two terms in the total term order: negative, zero or positive.
 * Zero means Erlang `==` (so `1` and `1n` compare equal).
 */
export function compareTerms(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = typeof a;
  const tb = typeof b;
  // Fast paths for the common key types.
  if (ta === 'number' && tb === 'number') return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (ta === 'string' && tb === 'string') return compareStrings(a as string, b as string);
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case Rank.Number: {
      // number/bigint mix: JS relational operators compare numerically across the two.
      const x = a instanceof ErlFloat ? a.value : (a as number | bigint);
      const y = b instanceof ErlFloat ? b.value : (b as number | bigint);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Rank.Atom:
      return compareStrings(atomName(a)!, atomName(b)!);
    case Rank.Binary:
      if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
      return compareBytes(binaryBytes(a as string | Uint8Array), binaryBytes(b as string | Uint8Array));
    case Rank.Tuple: {
      const x = a as readonly Term[];
      const y = b as readonly Term[];
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = compareTerms(x[i], y[i]);
        if (c !== 0) return c;
      }
      return 0;
    }
    case Rank.List: {
      const x = a as readonly Term[];
      const y = b as readonly Term[];
      const n = x.length < y.length ? x.length : y.length;
      for (let i = 0; i < n; i++) {
        const c = compareTerms(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case Rank.Map: {
      const x = a as ReadonlyMap<Term, Term>;
      const y = b as ReadonlyMap<Term, Term>;
      const sx = mapSize(x);
      const sy = mapSize(y);
      if (sx !== sy) return sx < sy ? -1 : 1;
      const ex = sortedMapEntries(x);
      const ey = sortedMapEntries(y);
      for (let i = 0; i < ex.length; i++) {
        const c = compareTerms(ex[i]![0], ey[i]![0]);
        if (c !== 0) return c;
      }
      for (let i = 0; i < ex.length; i++) {
        const c = compareTerms(ex[i]![1], ey[i]![1]);
        if (c !== 0) return c;
      }
      return 0;
    }
    case Rank.Pid:
    case Rank.Reference:
    case Rank.Fun:
    case Rank.Port: {
      // Local pids before opaque (remote) ones; pids by number; opaques by bytes.
      if (a instanceof Pid && b instanceof Pid) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      if (a instanceof Pid) return -1;
      if (b instanceof Pid) return 1;
      return compareBytes((a as Opaque).bytes, (b as Opaque).bytes);
    }
    default:
      throw new TypeError('compareTerms: not a term');
  }
}
