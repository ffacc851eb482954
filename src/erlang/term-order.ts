/**
 * Erlang's term order over {@link ErlTerm}s, and the variant `dets_utils:cmp/2`
 * that DETS uses to keep the keys of a slot sorted.
 *
 *     number < atom < reference < fun < port < pid < tuple < map < list < bitstring
 *
 * Numbers compare by value across integers and floats (`1 == 1.0`); atoms by
 * name; tuples by size, then element by element; maps by size, then keys in
 * map key order (where every integer is smaller than every float), then values; lists element by element (an
 * improper tail compares as an element); bitstrings bit by bit.
 *
 * Pids, ports, references and funs (`Opaque`) are ordered by kind, then by
 * their node name and number fields as read from their bytes, which matches
 * erts for terms from one node; across nodes or creations the order may
 * differ from erts (it only affects the order of keys inside a DETS slot).
 *
 * @module
 */
import { Opaque, Tuple, atomName, compareStrings, isPlainObject } from '../term/index.js';
import { decodeBody } from './etf-decode.js';
import { ErlBitstring, ErlFloat, ErlImproperList } from './terms.js';
import { Tag } from './etf-tags.js';

const enum R {
  Number = 0,
  Atom = 1,
  Reference = 2,
  Fun = 3,
  Port = 4,
  Pid = 5,
  Tuple = 6,
  Map = 7,
  List = 8,
  Bits = 9,
}

const utf8 = new TextEncoder();
const opaqueRank = { reference: R.Reference, fun: R.Fun, port: R.Port, pid: R.Pid } as const;

function rank(x: unknown): R {
  switch (typeof x) {
    case 'number':
    case 'bigint':
      return R.Number;
    case 'string':
      return R.Bits;
    case 'object':
      if (x === null) return R.Atom;
      if (x instanceof ErlFloat) return R.Number;
      if (x instanceof Tuple) return R.Tuple;
      if (Array.isArray(x) || x instanceof ErlImproperList) return R.List;
      if (x instanceof Uint8Array || x instanceof ErlBitstring) return R.Bits;
      if (x instanceof Map || isPlainObject(x)) return R.Map;
      if (x instanceof Opaque) return opaqueRank[x.kind];
      break;
    default:
      if (atomName(x) !== undefined) return R.Atom;
  }
  throw new TypeError('term order: not an Erlang term');
}

function num(x: unknown): number | bigint {
  return x instanceof ErlFloat ? x.value : (x as number | bigint);
}

function isFloat(x: unknown): boolean {
  return x instanceof ErlFloat || (typeof x === 'number' && !Number.isSafeInteger(x));
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function bits(x: unknown): { bytes: Uint8Array; bitLen: number } {
  if (typeof x === 'string') {
    const b = utf8.encode(x);
    return { bytes: b, bitLen: b.length * 8 };
  }
  if (x instanceof ErlBitstring) return { bytes: x.bytes, bitLen: x.bitSize };
  const b = x as Uint8Array;
  return { bytes: b, bitLen: b.length * 8 };
}

function compareBits(a: unknown, b: unknown): number {
  const x = bits(a);
  const y = bits(b);
  const n = Math.min(x.bitLen, y.bitLen);
  const full = n >> 3;
  for (let i = 0; i < full; i++) if (x.bytes[i] !== y.bytes[i]) return x.bytes[i]! < y.bytes[i]! ? -1 : 1;
  const rest = n & 7;
  if (rest > 0) {
    const mask = (0xff << (8 - rest)) & 0xff;
    const p = x.bytes[full]! & mask;
    const q = y.bytes[full]! & mask;
    if (p !== q) return p < q ? -1 : 1;
  }
  return sign(x.bitLen - y.bitLen);
}

/** The cons cells of a list: its elements and its tail (`[]` for a proper list). */
function cells(x: unknown): { items: readonly unknown[]; tail: unknown } {
  if (x instanceof ErlImproperList) return { items: x.items, tail: x.tail };
  return { items: x as readonly unknown[], tail: [] };
}

function isNil(x: unknown): boolean {
  return Array.isArray(x) && !(x instanceof Tuple) && x.length === 0;
}

function compareLists(a: unknown, b: unknown, cmp: (p: unknown, q: unknown) => number): number {
  const x = cells(a);
  const y = cells(b);
  const n = Math.min(x.items.length, y.items.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(x.items[i], y.items[i]);
    if (c !== 0) return c;
  }
  // What follows the common prefix: the rest of the list, or its tail.
  const rest = (l: { items: readonly unknown[]; tail: unknown }): unknown =>
    l.items.length > n ? (isNil(l.tail) ? l.items.slice(n) : new ErlImproperList(l.items.slice(n) as never[], l.tail as never)) : l.tail;
  const ra = rest(x);
  const rb = rest(y);
  if (isNil(ra) && isNil(rb)) return 0;
  // [] is the smallest list; a non-list tail compares by its type's rank
  if (isNil(ra)) return rank(rb) === R.List || rank(rb) > R.List ? -1 : 1;
  if (isNil(rb)) return rank(ra) === R.List || rank(ra) > R.List ? 1 : -1;
  return cmp(ra, rb);
}

/** Map keys in map order: the exact order, where every integer is smaller than every float. */
function mapKeyCompare(p: unknown, q: unknown): number {
  return detsCompare(p, q);
}

function entries(m: unknown): Array<[unknown, unknown]> {
  const e: Array<[unknown, unknown]> = m instanceof Map ? [...m.entries()] : Object.entries(m as object);
  return e.sort((p, q) => mapKeyCompare(p[0], q[0]));
}

/** Number fields of an opaque term after its node atom (for ordering). */
function opaqueKey(o: Opaque): { node: string; nums: number[] } {
  const b = o.bytes;
  const tag = b[0]!;
  try {
    let at = 1;
    if (tag === Tag.NEWER_REFERENCE || tag === Tag.NEW_REFERENCE) at = 3;
    if (tag === Tag.EXPORT || tag === Tag.NEW_FUN || tag === Tag.FUN) return { node: '', nums: Array.from(b.subarray(1)) };
    const { term, end } = decodeBody(b, at, { terms: 'exact' });
    const nums: number[] = [];
    for (let i = end; i + 4 <= b.length; i += 4) nums.push(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
    if (tag === Tag.NEWER_REFERENCE || tag === Tag.NEW_REFERENCE) nums.reverse(); // most significant word last in the bytes
    if ((tag === Tag.NEW_PID || tag === Tag.PID) && nums.length >= 2) [nums[0], nums[1]] = [nums[1]!, nums[0]!]; // serial before number
    return { node: atomName(term) ?? '', nums };
  } catch {
    return { node: '', nums: Array.from(b) };
  }
}

function compareOpaque(a: Opaque, b: Opaque): number {
  const x = opaqueKey(a);
  const y = opaqueKey(b);
  const c = compareStrings(x.node, y.node);
  if (c !== 0) return c;
  const n = Math.min(x.nums.length, y.nums.length);
  for (let i = 0; i < n; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i]! < y.nums[i]! ? -1 : 1;
  return sign(x.nums.length - y.nums.length);
}

/** Erlang's standard term order: negative, zero (`==`) or positive. */
export function compareErlTerms(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case R.Number: {
      const x = num(a);
      const y = num(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case R.Atom:
      return compareStrings(atomName(a)!, atomName(b)!);
    case R.Tuple: {
      const x = a as readonly unknown[];
      const y = b as readonly unknown[];
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = compareErlTerms(x[i], y[i]);
        if (c !== 0) return c;
      }
      return 0;
    }
    case R.Map: {
      const x = entries(a);
      const y = entries(b);
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      for (let i = 0; i < x.length; i++) {
        const c = mapKeyCompare(x[i]![0], y[i]![0]);
        if (c !== 0) return c;
      }
      for (let i = 0; i < x.length; i++) {
        const c = compareErlTerms(x[i]![1], y[i]![1]);
        if (c !== 0) return c;
      }
      return 0;
    }
    case R.List:
      return compareLists(a, b, compareErlTerms);
    case R.Bits:
      return compareBits(a, b);
    default:
      return compareOpaque(a as Opaque, b as Opaque);
  }
}

/**
 * `dets_utils:cmp/2`: like {@link compareErlTerms} inside lists and same-size
 * tuples, except that an integer is always smaller than a float, and only
 * identical terms compare equal.
 */
export function detsCompare(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra === R.List && rb === R.List) return compareLists(a, b, detsCompare);
  if (ra === R.Tuple && rb === R.Tuple && (a as unknown[]).length === (b as unknown[]).length) {
    const x = a as readonly unknown[];
    const y = b as readonly unknown[];
    for (let i = 0; i < x.length; i++) {
      const c = detsCompare(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (ra === R.Number && rb === R.Number) {
    const fa = isFloat(a);
    const fb = isFloat(b);
    if (fa !== fb) return fa ? 1 : -1;
  }
  return compareErlTerms(a, b);
}
