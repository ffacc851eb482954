/**
 * Random operation scripts for the differential test against live ETS:
 * a seeded generator (the same seed gives the same script, run after run),
 * each op in termstore's form with its Erlang form for OTP.
 *
 * Keys and values come from small pools, so rows collide, keys repeat and
 * bags fill up; the pools hold the terms where termstore and Erlang could
 * part ways: `1`, `1.0` (`ErlFloat`), `2.5`, `10^20` as an integer and
 * `1.0e20` as a float, atoms, binaries, tuples, lists and maps (one with
 * the keys `1` and `1.0`) as keys, lists for head|tail patterns, integers
 * near 2^53 for counters.
 */
import type { TableType } from '../../../src/engines/types.js';
import { ErlFloat } from '../../../src/term/number.js';
import { Tuple, tuple, type Row, type Term } from '../../../src/term/types.js';
import type { ErlTerm } from '../../../src/erlang/terms.js';
import { PATTERNS, REPLACE_SPECS, SPECS, TRUE_SPECS, toErlPattern, toErlSpec, type CatalogueSpec } from './catalogue.js';

const A = (name: string): symbol => Symbol.for(name);

/** A small, fast, seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

export const KEYS: readonly Term[] = [
  0, 1, 2, 3, -1, new ErlFloat(1), new ErlFloat(2), 2.5, 10n ** 20n, 1e20, A('a'), A('b'), 'x', 'y',
  tuple(A('a'), 1), tuple(A('a'), 2), tuple(A('b'), 1), [1], [1, 2], [A('a')], [], true,
  { a: 1 }, new Map<Term, Term>([[A('a'), 1], [A('b'), 2]]), new Map<Term, Term>([[1, A('x')], [new ErlFloat(1), A('y')]]),
];

export const VALUES: readonly Term[] = [
  0, 1, 2, 5, -3, 1.5, new ErlFloat(3), 10n ** 20n, 2 ** 53 - 1, 'v', 'w', A('c'), A('a'),
  [A('a'), A('b')], ['javascript', 'go'], [1, [2]], [], tuple(1, 2), tuple(A('k'), 'x'), new ErlFloat(1), 1,
];

/** One operation: what termstore is asked (`js`) and the same for OTP (`erl`). */
export interface Op {
  readonly name: string;
  readonly js: Record<string, unknown>;
  readonly erl: ErlTerm;
  /** For select-like ops: whether results that are arrays are rows. */
  readonly rows?: boolean;
}

const erlRow = (r: Row): ErlTerm => Tuple.from(r as Term[]) as unknown as ErlTerm;
const T = (...items: unknown[]): ErlTerm => Tuple.from(items as Term[]) as unknown as ErlTerm;

export class ScriptGen {
  constructor(
    private readonly rng: Rng,
    readonly type: TableType,
    readonly keypos: number,
  ) {}

  private key(): Term {
    return this.rng.pick(KEYS);
  }

  private value(): Term {
    return this.rng.int(4) === 0 ? this.key() : this.rng.pick(VALUES);
  }

  /** A row: mostly 3 elements (what the catalogue's heads match), sometimes 2 or 4. */
  row(): Row {
    const n = this.rng.int(10) === 0 ? (this.rng.int(2) === 0 ? 2 : 4) : 3;
    const r: Term[] = [];
    for (let i = 0; i < n; i++) {
      if (i === this.keypos - 1) r.push(this.key());
      // element 3 is often an integer, for update_counter
      else if (i === 2 && this.rng.int(2) === 0) r.push(this.rng.pick([0, 1, 5, -3, 2 ** 53 - 1]));
      else r.push(this.value());
    }
    return r;
  }

  private rows(): Row[] {
    const out: Row[] = [];
    for (let i = this.rng.int(5); i >= 0; i--) out.push(this.row());
    return out;
  }

  private counterOp(): { js: unknown; erl: ErlTerm } {
    const pos = (): number => this.rng.pick([1, 2, 3, 3, 3, 4]);
    const incr = (): Term => this.rng.pick([1, 1, 2, -1, 10, 2 ** 52, new ErlFloat(1)] as Term[]);
    switch (this.rng.int(4)) {
      case 0: {
        const i = incr();
        return { js: i, erl: i as ErlTerm };
      }
      case 1: {
        const p = pos();
        const i = incr();
        return { js: [p, i], erl: T(p, i) };
      }
      case 2: {
        const [p, i, th, sv] = [pos(), incr(), this.rng.pick([3, 0, 10]), this.rng.pick([0, 1, -1])];
        return { js: [p, i, th, sv], erl: T(p, i, th, sv) };
      }
      default: {
        const a = [pos(), incr()] as const;
        const b = [pos(), incr()] as const;
        return { js: [a, b], erl: [T(...a), T(...b)] };
      }
    }
  }

  private spec(from: readonly CatalogueSpec[]): CatalogueSpec {
    return this.rng.pick(from);
  }

  /** The next operation. */
  op(): Op {
    const r = this.rng.int(100);
    const ordered = this.type === 'ordered_set';
    if (r < 18) {
      const row = this.row();
      return { name: 'insert', js: { row }, erl: T(A('insert'), erlRow(row)) };
    }
    if (r < 26) {
      const rows = this.rows();
      return { name: 'insert_list', js: { rows }, erl: T(A('insert_list'), rows.map(erlRow)) };
    }
    if (r < 29) {
      const row = this.row();
      return { name: 'insert_new', js: { row }, erl: T(A('insert_new'), erlRow(row)) };
    }
    if (r < 31) {
      const rows = this.rows();
      return { name: 'insert_new_list', js: { rows }, erl: T(A('insert_new_list'), rows.map(erlRow)) };
    }
    if (r < 37) {
      const key = this.key();
      return { name: 'lookup', js: { key }, erl: T(A('lookup'), key) };
    }
    if (r < 40) {
      const key = this.key();
      const pos = this.rng.pick([1, 2, 3, 4]);
      // (lookup_element/4, with a default, came in OTP 26: termstore's lookupElement with a default is an extension.)
      return { name: 'lookup_element', js: { key, pos }, erl: T(A('lookup_element'), key, pos) };
    }
    if (r < 42) {
      const key = this.key();
      return { name: 'member', js: { key }, erl: T(A('member'), key) };
    }
    if (r < 44) {
      const key = this.key();
      return { name: 'take', js: { key }, erl: T(A('take'), key) };
    }
    if (r < 48) {
      const key = this.key();
      return { name: 'delete', js: { key }, erl: T(A('delete'), key) };
    }
    if (r < 50) {
      const row = this.row();
      return { name: 'delete_object', js: { row }, erl: T(A('delete_object'), erlRow(row)) };
    }
    if (r < 51 && this.rng.int(3) === 0) return { name: 'delete_all_objects', js: {}, erl: A('delete_all_objects') };
    if (r < 56) {
      const key = this.key();
      const c = this.counterOp();
      if (this.rng.int(3) === 0) return { name: 'update_counter', js: { key, op: c.js }, erl: T(A('update_counter'), key, c.erl) };
      const d = this.row();
      return { name: 'update_counter', js: { key, op: c.js, dflt: d }, erl: T(A('update_counter'), key, c.erl, erlRow(d)) };
    }
    if (r < 59) {
      const key = this.key();
      const one = (): [number, Term] => [this.rng.pick([1, 2, 3, 4]), this.value()];
      const spec = this.rng.int(3) === 0 ? [one(), one()] : one();
      const erl = Array.isArray(spec[0]) ? (spec as [number, Term][]).map((p) => T(...p)) : T(...(spec as [number, Term]));
      return { name: 'update_element', js: { key, spec }, erl: T(A('update_element'), key, erl) };
    }
    if (r < 67) {
      const c = this.spec(SPECS);
      const name = this.rng.int(3) === 0 ? 'select_reverse' : 'select';
      return { name, js: { ms: c.spec }, erl: T(A(name), toErlSpec(c.spec)), rows: c.rows };
    }
    if (r < 71) {
      const c = this.spec(SPECS);
      const limit = 1 + this.rng.int(4);
      const name = this.rng.int(3) === 0 ? 'select_reverse_chunks' : 'select_chunks';
      return { name, js: { ms: c.spec, limit }, erl: T(A(name), toErlSpec(c.spec), limit), rows: c.rows };
    }
    if (r < 74) {
      const c = this.spec(TRUE_SPECS);
      const name = this.rng.int(2) === 0 ? 'select_count' : 'select_delete';
      return { name, js: { ms: c.spec }, erl: T(A(name), toErlSpec(c.spec)) };
    }
    if (r < 76 && this.type !== 'bag') {
      const c = this.spec(REPLACE_SPECS);
      return { name: 'select_replace', js: { ms: c.spec }, erl: T(A('select_replace'), toErlSpec(c.spec)) };
    }
    if (r < 81) {
      const pat = this.rng.pick(PATTERNS);
      const name = this.rng.pick(['match', 'match_object', 'match', 'match_object', 'match_delete']);
      return { name, js: { pat }, erl: T(A(name), toErlPattern(pat)) };
    }
    if (r < 83) {
      const pat = this.rng.pick(PATTERNS);
      const limit = 1 + this.rng.int(3);
      const name = this.rng.int(2) === 0 ? 'match_chunks' : 'match_object_chunks';
      return { name, js: { pat, limit }, erl: T(A(name), toErlPattern(pat), limit) };
    }
    if (r < 86) {
      const name = this.rng.pick(['tab2list', 'foldl', 'size']);
      return { name, js: {}, erl: A(name) };
    }
    if (r < 88) {
      const name = this.rng.pick(['first_walk', 'last_walk']);
      return { name, js: {}, erl: A(name) };
    }
    if (r < 91 && ordered) {
      // next/prev of any key (present or not) has one answer only on an ordered_set
      const key = this.key();
      const name = this.rng.int(2) === 0 ? 'next' : 'prev';
      return { name, js: { key }, erl: T(A(name), key) };
    }
    if (r < 93 && ordered) {
      const i = this.rng.int(30);
      return { name: 'slot', js: { i }, erl: T(A('slot'), i) };
    }
    if (r < 96) {
      const c = this.spec(SPECS);
      const row = this.row();
      return { name: 'test_ms', js: { row, ms: c.spec }, erl: T(A('test_ms'), erlRow(row), toErlSpec(c.spec)), rows: c.rows };
    }
    if (r < 98) {
      const c = this.spec(SPECS);
      const rows = this.rows();
      return { name: 'match_spec_run', js: { rows, ms: c.spec }, erl: T(A('match_spec_run'), rows.map(erlRow), toErlSpec(c.spec)), rows: c.rows };
    }
    // Writes are the most common op on a table; fill in with an insert.
    const row = this.row();
    return { name: 'insert', js: { row }, erl: T(A('insert'), erlRow(row)) };
  }
}
