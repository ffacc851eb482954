/**
 * The termstore side of the differential test: runs a script's ops on an
 * ets table and gives each result as OTP would print it (rows as tuples,
 * a `TermstoreError` as `'$error'`), then the comparison with OTP's
 * results: exact on an `ordered_set`; on hash tables, whose key order is
 * ETS's hash order in OTP and insertion order here, results that list
 * several keys are compared as multisets (lookups and takes still check
 * the order of a key's rows).
 */
import { END_OF_TABLE, type TableType } from '../../../src/engines/types.js';
import { TermstoreError } from '../../../src/errors.js';
import { ets } from '../../../src/index.js';
import { erlCanonical, type ErlTerm } from '../../../src/erlang/terms.js';
import { Tuple, type Row, type Term } from '../../../src/term/types.js';
import type { Op } from './script.js';

const ERROR = Symbol.for('$error');
const A = (name: string): symbol => Symbol.for(name);
type Table = ReturnType<typeof ets.new>;

const asTuple = (r: unknown): ErlTerm => Tuple.from(r as Term[]) as unknown as ErlTerm;
const rowsOut = (rs: unknown): ErlTerm => (rs as Row[]).map(asTuple);
/** Results of a select-like call: arrays are rows when the spec returns '$_'. */
const results = (rs: unknown, rows: boolean | undefined): ErlTerm => (rows === true ? rowsOut(rs) : (rs as ErlTerm));

type ChunkFn = (t: Table, q: unknown, limit: number) => unknown;

function chunks(first: unknown, rows: boolean | undefined, next: (cont: never) => unknown): ErlTerm {
  const out: ErlTerm[] = [];
  for (let c = first; ; ) {
    if (c === END_OF_TABLE) return [...out, END_OF_TABLE];
    const [res, cont] = c as [unknown[], unknown];
    if (cont === END_OF_TABLE) return [...out, asTuple([results(res, rows), A('eot')])];
    out.push(asTuple([results(res, rows), A('cont')]));
    c = next(cont as never);
  }
}

/** The arguments an op may carry (each typed by the call it is passed to). */
interface Args {
  row: never;
  rows: never;
  key: never;
  pos: never;
  dflt: never;
  op: never;
  spec: never;
  ms: never;
  limit: never;
  pat: never;
  i: never;
}

function run(t: Table, op: Op): ErlTerm {
  const a = op.js as unknown as Args;
  switch (op.name) {
    case 'insert':
      return ets.insert(t, a.row);
    case 'insert_list':
      return ets.insertMany(t, a.rows);
    case 'insert_new':
      return ets.insertNew(t, a.row);
    case 'insert_new_list':
      return ets.insertNewMany(t, a.rows);
    case 'lookup':
      return rowsOut(ets.lookup(t, a.key));
    case 'lookup_element':
      return ('dflt' in op.js ? ets.lookupElement(t, a.key, a.pos, a.dflt) : ets.lookupElement(t, a.key, a.pos)) as ErlTerm;
    case 'member':
      return ets.member(t, a.key);
    case 'take':
      return rowsOut(ets.take(t, a.key));
    case 'delete':
      return ets.delete(t, a.key);
    case 'delete_object':
      return ets.deleteObject(t, a.row);
    case 'delete_all_objects':
      return ets.deleteAllObjects(t);
    case 'update_counter':
      return ('dflt' in op.js ? ets.updateCounter(t, a.key, a.op, a.dflt) : ets.updateCounter(t, a.key, a.op)) as ErlTerm;
    case 'update_element':
      return ets.updateElement(t, a.key, a.spec);
    case 'select':
      return results(ets.select(t, a.ms), op.rows);
    case 'select_reverse':
      return results(ets.selectReverse(t, a.ms), op.rows);
    case 'select_chunks':
      return chunks(ets.select(t, a.ms, a.limit), op.rows, (c) => ets.select(c));
    case 'select_reverse_chunks':
      return chunks(ets.selectReverse(t, a.ms, a.limit), op.rows, (c) => ets.selectReverse(c));
    case 'select_count':
      return ets.selectCount(t, a.ms);
    case 'select_delete':
      return ets.selectDelete(t, a.ms);
    case 'select_replace':
      return ets.selectReplace(t, a.ms);
    case 'match':
      return ets.match(t, a.pat) as ErlTerm;
    case 'match_object':
      return rowsOut(ets.matchObject(t, a.pat));
    case 'match_chunks':
      return chunks(ets.match(t, a.pat, a.limit), false, (c) => ets.match(c));
    case 'match_object_chunks':
      return chunks(ets.matchObject(t, a.pat, a.limit), true, (c) => ets.matchObject(c));
    case 'match_delete':
      return ets.matchDelete(t, a.pat);
    case 'tab2list':
      return rowsOut(ets.tab2list(t));
    case 'foldl':
      return rowsOut(ets.foldl(t, (r, acc: Row[]) => [r, ...acc], []));
    case 'size':
      return ets.info(t, 'size')!;
    case 'first_walk':
    case 'last_walk': {
      const keys: ErlTerm[] = [];
      const step = op.name === 'first_walk' ? ets.next : ets.prev;
      for (let k = op.name === 'first_walk' ? ets.first(t) : ets.last(t); k !== END_OF_TABLE; k = step(t, k)) keys.push(k as ErlTerm);
      return keys;
    }
    case 'next':
      return ets.next(t, a.key) as ErlTerm;
    case 'prev':
      return ets.prev(t, a.key) as ErlTerm;
    case 'slot': {
      const r = ets.slot(t, a.i);
      return r === END_OF_TABLE ? r : rowsOut(r);
    }
    case 'test_ms': {
      const r = ets.testMs(a.row, a.ms);
      if (!r.ok) return A('error');
      return asTuple([A('ok'), r.matched && op.rows === true ? asTuple(r.result) : r.result]);
    }
    case 'match_spec_run':
      return results(ets.matchSpecRun(a.rows, a.ms), op.rows);
    default:
      throw new Error(`unknown op ${op.name}`);
  }
}

/** Runs the ops of one script on a fresh table; a TermstoreError is `'$error'`, any other exception is reported as such. */
export function runTermstore(type: TableType, keypos: number, ops: readonly Op[]): ErlTerm[] {
  const t = ets.new('otp_diff', { type, keypos, access: 'public' });
  try {
    return ops.map((op) => {
      try {
        return run(t, op);
      } catch (e) {
        if (e instanceof TermstoreError) return ERROR;
        return `termstore threw a ${(e as Error).name}: ${(e as Error).message}` as ErlTerm;
      }
    });
  } finally {
    ets.delete(t);
  }
}

// ---------------------------------------------------------------------------
// Comparison

/** Ops whose result lists keys in table order. */
const TABLE_ORDER = new Set(['tab2list', 'foldl', 'select', 'select_reverse', 'match', 'match_object', 'first_walk', 'last_walk']);
const CHUNKED = new Set(['select_chunks', 'select_reverse_chunks', 'match_chunks', 'match_object_chunks']);

function sortedByCanon(xs: readonly ErlTerm[]): ErlTerm[] {
  return xs
    .map((x) => [erlCanonical(x), x] as const)
    .sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0))
    .map((p) => p[1]);
}

/** The form results are compared in (see the module docs). */
export function normalize(op: Op, result: ErlTerm, type: TableType): ErlTerm {
  if (type === 'ordered_set' || !Array.isArray(result)) return result;
  if (TABLE_ORDER.has(op.name)) return sortedByCanon(result as ErlTerm[]);
  if (CHUNKED.has(op.name)) {
    // The chunk sizes and how the walk ends, and every result, order aside.
    const shape: ErlTerm[] = [];
    const all: ErlTerm[] = [];
    for (const c of result as ErlTerm[]) {
      if (c instanceof Tuple) {
        const [res, how] = c as unknown as [ErlTerm[], ErlTerm];
        shape.push(asTuple([res.length, how]));
        all.push(...res);
      } else {
        shape.push(c);
      }
    }
    return asTuple([shape, sortedByCanon(all)]);
  }
  return result;
}

/** `=:=` as OTP sees it, or a string saying the value cannot be written for Erlang. */
export function canon(x: ErlTerm): string {
  try {
    return erlCanonical(x);
  } catch (e) {
    return `(not an Erlang term: ${(e as Error).message})`;
  }
}
