/**
 * Key-constraint extraction: which keys can match a spec, so the facade can
 * look keys up or scan a key range instead of the whole table.
 *
 * Per clause, from the head's key element `P` and the guards:
 *
 * 1. Guard facts. The top-level guards, and the arguments of `and` and
 *    `andalso` inside them, must all be true for the clause to match. Each
 *    comparison of a head variable with a constant (`'$1' > 10`,
 *    `10 =< '$1'`, `'$1' =:= 5`, ...) bounds that variable; a type test
 *    (`is_integer('$1')`, `is_atom`, `is_tuple`, ...) bounds it to its type's
 *    slice of the term order. Contradictory facts mean the clause matches
 *    nothing.
 * 2. Exact keys. If `P` is a literal, or a variable pinned by `=:=` to a
 *    constant, or a tuple/list of such (at most 64 combinations), the clause
 *    matches only those keys. A pin by `==` also counts, expanded to the
 *    exactly-different but `==` terms (`1` and `1n`); a compound constant
 *    holding numbers gives a `[v, v]` range instead.
 * 3. Otherwise a range. `lo` is `P` with each unbound part replaced by its
 *    lower bound (`-Infinity`, the smallest term, where nothing is known), so
 *    `['user', '$1']` gives `lo = ['user', -Infinity]`. The upper end is a
 *    predicate, since the term order has no greatest term: a key is past the
 *    range once it differs from `P`'s literal prefix upwards, or its element
 *    at the first unbound position is past that element's own bound. `hi` is
 *    also given when it is a term.
 *
 * Clauses combine by union: `all` if any clause is unconstrained, `keys` if
 * all give keys, else the bounding range of all of them.
 *
 * Hash tables look keys up by exact equality, `ordered_set` by `==`. The
 * `keys` list is distinct under `=:=`; `orderedKeys` is sorted and distinct
 * under `==`. A head literal `1` therefore gives `keys: [1]`: a hash lookup
 * of `1` never finds `1n` (which the head would not match anyway, since
 * patterns match exactly), and an ordered lookup that finds `1n` for `1` is
 * filtered out by `run`.
 *
 * @module
 */
import type { KeyRange } from '../engines/types.js';
import { compareTerms, rankOf, Rank } from '../term/order.js';
import { exactEquals, hashKey, type HashKey } from '../term/equal.js';
import { Tuple, atom, type Term } from '../term/types.js';
import { ErlFloat, isFloatTerm } from '../term/number.js';
import type { ClauseIR, ExprNode, KeyConstraint, PatNode } from './types.js';

type Bound = { readonly key: Term; readonly inclusive: boolean };
type Pred = (key: Term) => boolean;

/** What the guards say about one variable. */
interface VarInfo {
  lo?: Bound;
  hi?: Bound;
  maxRank?: Rank;
  pins: Array<{ v: Term; exact: boolean }>;
}

/** Most exact keys a clause may expand to before giving up on `keys`. */
const MAX_KEYS = 64;
/** The smallest term. */
const MIN: Term = -Infinity;

const EMPTY_TUPLE = Object.freeze(new Tuple());
const EMPTY_LIST: Term = Object.freeze([]) as Term;
const EMPTY_MAP: Term = Object.freeze({});

function maxLo(a: Bound | undefined, b: Bound): Bound {
  if (a === undefined) return b;
  const c = compareTerms(b.key, a.key);
  return c > 0 ? b : c < 0 ? a : { key: a.key, inclusive: a.inclusive && b.inclusive };
}

function minHi(a: Bound | undefined, b: Bound): Bound {
  if (a === undefined) return b;
  const c = compareTerms(b.key, a.key);
  return c < 0 ? b : c > 0 ? a : { key: a.key, inclusive: a.inclusive && b.inclusive };
}

const FLIP: { readonly [op: string]: string } = { '<': '>', '>': '<', '=<': '>=', '>=': '=<', '==': '==', '=:=': '=:=' };

/** Type tests and the slice of the term order they confine a variable to. */
const TYPE_FACTS: { readonly [fn: string]: { lo?: Term; hi?: Term; maxRank?: Rank } } = {
  is_integer: { hi: Infinity, maxRank: Rank.Number },
  is_float: { hi: Infinity, maxRank: Rank.Number },
  is_number: { hi: Infinity, maxRank: Rank.Number },
  is_atom: { lo: atom(''), maxRank: Rank.Atom },
  is_boolean: { lo: false, hi: true },
  is_pid: { maxRank: Rank.Pid },
  is_tuple: { lo: EMPTY_TUPLE, maxRank: Rank.Tuple },
  is_map: { lo: EMPTY_MAP, maxRank: Rank.Map },
  is_list: { lo: EMPTY_LIST, maxRank: Rank.List },
  is_binary: { lo: '' },
};

function info(facts: Map<number, VarInfo>, n: number): VarInfo {
  let i = facts.get(n);
  if (i === undefined) facts.set(n, (i = { pins: [] }));
  return i;
}

/** Collects the facts a guard must satisfy to be true. */
function collect(g: ExprNode, facts: Map<number, VarInfo>): void {
  if (g.t !== 'call') return;
  const [a, b] = g.a;
  if (g.fn === 'and' || g.fn === 'andalso') {
    for (const x of g.a) collect(x, facts);
    return;
  }
  const tf = TYPE_FACTS[g.fn];
  if (tf !== undefined && g.a.length === 1 && a?.t === 'var') {
    const vi = info(facts, a.n);
    if (tf.lo !== undefined) vi.lo = maxLo(vi.lo, { key: tf.lo, inclusive: true });
    if (tf.hi !== undefined) vi.hi = minHi(vi.hi, { key: tf.hi, inclusive: true });
    if (tf.maxRank !== undefined) vi.maxRank = vi.maxRank === undefined ? tf.maxRank : Math.min(vi.maxRank, tf.maxRank);
    return;
  }
  if (!Object.prototype.hasOwnProperty.call(FLIP, g.fn) || a === undefined || b === undefined) return;
  let op = g.fn;
  let n: number;
  let v: Term;
  if (a.t === 'var' && b.t === 'lit') [n, v] = [a.n, b.v];
  else if (a.t === 'lit' && b.t === 'var') [n, v, op] = [b.n, a.v, FLIP[op]!];
  else return;
  const vi = info(facts, n);
  const incl = op !== '<' && op !== '>';
  if (op !== '<' && op !== '=<') vi.lo = maxLo(vi.lo, { key: v, inclusive: incl });
  if (op !== '>' && op !== '>=') vi.hi = minHi(vi.hi, { key: v, inclusive: incl });
  if (op === '==' || op === '=:=') vi.pins.push({ v, exact: op === '=:=' });
}

function hasNumber(v: Term): boolean {
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof ErlFloat) return true;
  if (Array.isArray(v)) return v.some(hasNumber);
  if (v instanceof Map) for (const [k, x] of v) if (hasNumber(k) || hasNumber(x)) return true;
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof ErlFloat)) {
    return Object.values(v).some((x) => hasNumber(x as Term));
  }
  return false;
}

function product(lists: readonly (readonly Term[])[], make: (items: Term[]) => Term): Term[] | undefined {
  let acc: Term[][] = [[]];
  for (const l of lists) {
    const next: Term[][] = [];
    for (const p of acc) for (const x of l) next.push([...p, x]);
    if (next.length > MAX_KEYS) return undefined;
    acc = next;
  }
  return acc.map(make);
}

const freezeTuple = (items: Term[]): Term => Object.freeze(Tuple.from(items));
const freezeList = (items: Term[]): Term => Object.freeze(items) as Term;

/**
 * The terms that are `==` to `v` but exactly different, with `v` (an
 * integer and the float of the same value: `1` and `1.0`, `10n ** 20n` and
 * `1e20`); undefined if too many.
 */
function eqAlternatives(v: Term): Term[] | undefined {
  if (typeof v === 'number' || v instanceof ErlFloat || typeof v === 'bigint') {
    const x = v instanceof ErlFloat ? v.value : v;
    if (typeof x === 'bigint') {
      const n = Number(x);
      return Number.isFinite(n) && BigInt(n) === x ? [v, n] : [v];
    }
    if (!Number.isInteger(x)) return [v];
    // An integral value: the integer and the float.
    if (isFloatTerm(v)) return [v, Number.isSafeInteger(x) ? x : BigInt(x)];
    return [v, new ErlFloat(x)];
  }
  if (Array.isArray(v)) {
    const alts = v.map(eqAlternatives);
    if (alts.some((a) => a === undefined)) return undefined;
    return product(alts as Term[][], v instanceof Tuple ? freezeTuple : freezeList);
  }
  return hasNumber(v) ? undefined : [v];
}

function withinVar(vi: VarInfo, k: Term): boolean {
  if (vi.maxRank !== undefined && rankOf(k) > vi.maxRank) return false;
  if (vi.lo !== undefined) {
    const c = compareTerms(k, vi.lo.key);
    if (c < 0 || (c === 0 && !vi.lo.inclusive)) return false;
  }
  if (vi.hi !== undefined) {
    const c = compareTerms(k, vi.hi.key);
    if (c > 0 || (c === 0 && !vi.hi.inclusive)) return false;
  }
  return true;
}

/** The values a variable can take if finitely known (pins), filtered by all its facts. */
function candidates(vi: VarInfo): Term[] | undefined {
  let cands: Term[] | undefined;
  for (const p of vi.pins) {
    cands = p.exact ? [p.v] : eqAlternatives(p.v);
    if (cands !== undefined) break;
  }
  if (cands === undefined) return undefined;
  return cands.filter((c) => withinVar(vi, c) && vi.pins.every((p) => (p.exact ? exactEquals(c, p.v) : compareTerms(c, p.v) === 0)));
}

/** True if the facts about a variable contradict each other. */
function isEmpty(vi: VarInfo): boolean {
  if (vi.lo !== undefined && vi.hi !== undefined) {
    const c = compareTerms(vi.lo.key, vi.hi.key);
    if (c > 0 || (c === 0 && !(vi.lo.inclusive && vi.hi.inclusive))) return true;
  }
  if (vi.lo !== undefined && vi.maxRank !== undefined && rankOf(vi.lo.key) > vi.maxRank) return true;
  const c = candidates(vi);
  return c !== undefined && c.length === 0;
}

// ---------------------------------------------------------------------------
// Per-pattern analysis

class KeyPattern {
  constructor(private readonly facts: Map<number, VarInfo>) {}

  /** Exact keys the pattern can match, if finitely known. */
  keys(p: PatNode): Term[] | undefined {
    switch (p.t) {
      case 'lit':
        return [p.v];
      case 'var': {
        const vi = this.facts.get(p.n);
        return vi === undefined ? undefined : candidates(vi);
      }
      case 'tuple':
      case 'list': {
        const ks = p.e.map((e) => this.keys(e));
        if (ks.some((k) => k === undefined)) return undefined;
        return product(ks as Term[][], p.t === 'tuple' ? freezeTuple : freezeList);
      }
      default:
        // A head|tail pattern's tail is unknown: no finite key list.
        return undefined;
    }
  }

  /** A lower bound of the keys matching `p`; undefined when unbounded. */
  lo(p: PatNode): Bound | undefined {
    switch (p.t) {
      case 'any':
        return undefined;
      case 'lit':
        return { key: p.v, inclusive: true };
      case 'var':
        return this.facts.get(p.n)?.lo;
      case 'map':
        return { key: EMPTY_MAP, inclusive: true };
      case 'tuple':
      case 'list':
      case 'cons': {
        // [P1..Pn | T]: the smallest match is the list of the items' bounds with the tail [].
        const items = p.e.map((e) => this.lo(e)?.key ?? MIN);
        return { key: p.t === 'tuple' ? freezeTuple(items) : freezeList(items), inclusive: true };
      }
    }
  }

  /** An upper bound of the keys matching `p` when it is a term; undefined otherwise. */
  hi(p: PatNode): Bound | undefined {
    switch (p.t) {
      case 'lit':
        return { key: p.v, inclusive: true };
      case 'var':
        return this.facts.get(p.n)?.hi;
      case 'tuple':
      case 'list': {
        const prefix: Term[] = [];
        for (let j = 0; j < p.e.length; j++) {
          const e = p.e[j]!;
          if (e.t === 'lit') {
            prefix.push(e.v);
            continue;
          }
          const h = this.hi(e);
          if (h === undefined) return undefined;
          const last = j === p.e.length - 1;
          if (h.inclusive && !last) return undefined;
          prefix.push(h.key);
          if (p.t === 'tuple') while (prefix.length < p.e.length) prefix.push(MIN);
          return { key: p.t === 'tuple' ? freezeTuple(prefix) : freezeList(prefix), inclusive: h.inclusive };
        }
        return { key: p.t === 'tuple' ? freezeTuple(prefix) : freezeList(prefix), inclusive: true };
      }
      default:
        return undefined;
    }
  }

  /**
   * A downward-closed predicate: false for keys greater than every key `p`
   * can match; null when there is no upper end.
   */
  upper(p: PatNode): Pred | null {
    switch (p.t) {
      case 'any':
        return null;
      case 'lit': {
        const v = p.v;
        return (k) => compareTerms(k, v) <= 0;
      }
      case 'var': {
        const vi = this.facts.get(p.n);
        if (vi === undefined || (vi.hi === undefined && vi.maxRank === undefined)) return null;
        const { hi, maxRank } = vi;
        return (k) => {
          if (maxRank !== undefined && rankOf(k) > maxRank) return false;
          if (hi === undefined) return true;
          const c = compareTerms(k, hi.key);
          return c < 0 || (c === 0 && hi.inclusive);
        };
      }
      case 'map':
        return (k) => rankOf(k) <= Rank.Map;
      case 'tuple':
      case 'list':
      case 'cons': {
        const n = p.e.length;
        const open = p.t === 'cons'; // any rest after the n items
        let j = 0;
        while (j < n && p.e[j]!.t === 'lit') j++;
        const lits = p.e.slice(0, j).map((e) => (e as { v: Term }).v);
        const inner = j < n ? this.upper(p.e[j]!) : null;
        const isTuple = p.t === 'tuple';
        const rank = isTuple ? Rank.Tuple : Rank.List;
        return (k) => {
          const r = rankOf(k);
          if (r !== rank) return r < rank;
          const a = k as readonly Term[];
          if (isTuple && a.length !== n) return a.length < n;
          for (let i = 0; i < j; i++) {
            if (a.length <= i) return true; // a proper prefix of the list: smaller
            const c = compareTerms(a[i], lits[i]);
            if (c !== 0) return c < 0;
          }
          if (j >= n) return open || a.length <= n; // all literal: equal, or a longer list (greater unless a tail follows)
          if (a.length <= j) return true; // the literal prefix itself: smaller than any match
          return inner === null ? true : inner(a[j]);
        };
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Clauses and union

type ClauseKeys =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'keys'; readonly keys: readonly Term[]; readonly inHead: boolean }
  | { readonly kind: 'range'; readonly lo?: Bound; readonly hi?: Bound; readonly upper: Pred | null };

function clauseKeys(c: ClauseIR, keyIndex: number): ClauseKeys {
  if (c.head.t !== 'row') return { kind: 'all' };
  const p = c.head.e[keyIndex];
  if (p === undefined) return { kind: 'none' }; // rows are longer than keyIndex: this head matches none
  const facts = new Map<number, VarInfo>();
  for (const g of c.guards) collect(g, facts);
  for (const vi of facts.values()) if (isEmpty(vi)) return { kind: 'none' };
  const kp = new KeyPattern(facts);
  const keys = kp.keys(p);
  if (keys !== undefined) return keys.length === 0 ? { kind: 'none' } : { kind: 'keys', keys, inHead: p.t === 'lit' };
  const lo = kp.lo(p);
  const hi = kp.hi(p);
  const upper = kp.upper(p);
  if (lo === undefined && hi === undefined && upper === null) return { kind: 'all' };
  if (lo !== undefined && hi !== undefined) {
    const d = compareTerms(lo.key, hi.key);
    if (d > 0 || (d === 0 && !(lo.inclusive && hi.inclusive))) return { kind: 'none' };
  }
  return { kind: 'range', lo, hi, upper };
}

function distinctExact(keys: readonly Term[]): Term[] {
  const seen = new Map<HashKey, Term>();
  for (const k of keys) {
    const h = hashKey(k);
    if (!seen.has(h)) seen.set(h, k);
  }
  return [...seen.values()];
}

function sortedDistinct(keys: readonly Term[]): Term[] {
  const s = [...keys].sort(compareTerms);
  return s.filter((k, i) => i === 0 || compareTerms(s[i - 1], k) !== 0);
}

function aboveLo(lo: Bound | undefined): Pred | null {
  if (lo === undefined) return null;
  return (k) => {
    const c = compareTerms(k, lo.key);
    return c > 0 || (c === 0 && lo.inclusive);
  };
}

/** The key constraint of a validated spec for a table with keys at `keyIndex` (0-based). */
export function keyConstraintOf(clauses: readonly ClauseIR[], keyIndex: number): KeyConstraint {
  const parts: ClauseKeys[] = [];
  for (const c of clauses) {
    const k = clauseKeys(c, keyIndex);
    if (k.kind === 'all') return { kind: 'all' };
    if (k.kind !== 'none') parts.push(k);
  }
  if (parts.every((p) => p.kind === 'keys')) {
    const all = parts.flatMap((p) => (p as { keys: readonly Term[] }).keys);
    const inHead = parts.length > 0 && parts.every((p) => (p as { inHead: boolean }).inHead);
    return Object.freeze({ kind: 'keys', keys: Object.freeze(distinctExact(all)), orderedKeys: Object.freeze(sortedDistinct(all)), inHead });
  }
  // Bounding range of all clauses: min of los, max of his, union of upper ends.
  let lo: Bound | undefined;
  let hi: Bound | undefined;
  let loOpen = false;
  let hiOpen = false;
  const uppers: Pred[] = [];
  let upperOpen = false;
  for (const p of parts) {
    let plo: Bound | undefined;
    let phi: Bound | undefined;
    let up: Pred | null;
    if (p.kind === 'keys') {
      const s = sortedDistinct(p.keys);
      plo = { key: s[0], inclusive: true };
      phi = { key: s[s.length - 1], inclusive: true };
      const max = phi.key;
      up = (k) => compareTerms(k, max) <= 0;
    } else {
      ({ lo: plo, hi: phi } = p as { lo?: Bound; hi?: Bound });
      up = (p as { upper: Pred | null }).upper;
    }
    if (plo === undefined) loOpen = true;
    else if (!loOpen) lo = lo === undefined ? plo : minLo(lo, plo);
    if (phi === undefined) hiOpen = true;
    else if (!hiOpen) hi = hi === undefined ? phi : maxHi(hi, phi);
    if (up === null) upperOpen = true;
    else uppers.push(up);
  }
  const range: { lo?: Bound; hi?: Bound } = {};
  if (!loOpen && lo !== undefined) range.lo = lo;
  if (!hiOpen && hi !== undefined) range.hi = hi;
  const below = aboveLo(range.lo);
  const upper: Pred | null = upperOpen ? null : uppers.length === 1 ? uppers[0]! : (k) => uppers.some((u) => u(k));
  const inRange: Pred =
    below === null ? (upper === null ? () => true : upper) : upper === null ? below : (k) => below(k) && upper(k);
  return Object.freeze({ kind: 'range', range: Object.freeze(range) as KeyRange, inRange });
}

function minLo(a: Bound, b: Bound): Bound {
  const c = compareTerms(a.key, b.key);
  return c < 0 ? a : c > 0 ? b : { key: a.key, inclusive: a.inclusive || b.inclusive };
}

function maxHi(a: Bound, b: Bound): Bound {
  const c = compareTerms(a.key, b.key);
  return c > 0 ? a : c < 0 ? b : { key: a.key, inclusive: a.inclusive || b.inclusive };
}
