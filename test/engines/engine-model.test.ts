/**
 * Seeded model-based tests: random operation sequences applied to each
 * engine and to the naive {@link ModelTable}, comparing everything
 * observable and calling `checkInvariants()` after every step. A cursor
 * opened somewhere in the sequence is followed through the writes that come
 * after it.
 */
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { createEngine, END_OF_TABLE, type Cursor, type Engine, type KeyRange, type TableType } from '../../src/engines/index.js';
import { copyRow } from '../../src/term/copy.js';
import { compareTerms } from '../../src/term/order.js';
import { exactEquals } from '../../src/term/equal.js';
import { tuple, type Row, type Term } from '../../src/term/types.js';
import { ModelTable } from './model.js';

/** Keys with exact twins ('a' / its bytes, true / the atom) and ==-twins (1 / 1n, [1] / [1n]). */
const KEYS: Term[] = [
  1,
  1n,
  2,
  2.5,
  'a',
  new TextEncoder().encode('a'),
  'b',
  '\u{1F600}',
  '\u{FFFF}',
  [1],
  [1n],
  tuple(1),
  true,
  Symbol.for('true'),
  null,
  undefined,
  Symbol.for('undefined'),
  { x: 1 },
  new Map([['x', 1]]),
];
const VALUES: Term[] = [0, 1, 'v', [2]];

type Op =
  | { t: 'insert'; k: number; v: number }
  | { t: 'deleteKey'; k: number }
  | { t: 'deleteObject'; k: number; v: number }
  | { t: 'replace'; k: number; v: number; which: number }
  | { t: 'clear' }
  | { t: 'cursor'; reverse: boolean }
  | { t: 'take'; max: number }
  /** Delete the row the cursor returned last (the object on bags, the key otherwise). */
  | { t: 'deleteCurrent' }
  | { t: 'scan'; lo: number; hi: number; loInc: boolean; hiInc: boolean; reverse: boolean; max: number; bounds: number };

// Half the time one of three keys, so bags grow several rows per key.
const k = fc.oneof(fc.nat(2), fc.nat(KEYS.length - 1));
const v = fc.nat(VALUES.length - 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('insert' as const), k, v }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('deleteKey' as const), k }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('deleteObject' as const), k, v }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('replace' as const), k, v, which: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'clear' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cursor' as const), reverse: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('take' as const), max: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'deleteCurrent' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('scan' as const),
      lo: k,
      hi: k,
      loInc: fc.boolean(),
      hiInc: fc.boolean(),
      reverse: fc.boolean(),
      max: fc.integer({ min: 1, max: 4 }),
      bounds: fc.nat(3),
    }),
  },
);

/** A cursor under test, with what it must and must not return. */
interface Tracked {
  cursor: Cursor;
  reverse: boolean;
  /** Row objects returned so far. */
  seen: Set<Row>;
  /** Rows present when the cursor opened and not removed since: each must be returned once. */
  stable: Set<Row>;
  /** Keys returned, to check order on ordered engines. */
  keys: Term[];
  /** The last row returned. */
  current: Row | undefined;
}

function rowFor(ki: number, vi: number, keyIndex: number): Row {
  const r: Term[] = keyIndex === 0 ? [KEYS[ki]!, VALUES[vi]!] : ['pad', VALUES[vi]!, KEYS[ki]!];
  return copyRow(r);
}

/** A cheap assertion for hot loops (vitest's expect is slow per call). */
function same(got: unknown, want: unknown, what = 'engine and model differ'): void {
  if (!Object.is(got, want)) throw new Error(`${what}: got ${String(got)}, want ${String(want)}`);
}

function compareAll(e: Engine, m: ModelTable): void {
  e.checkInvariants();
  same(e.size(), m.size());
  // Same row objects, in the same order (hash: key creation order, per-key insertion order; ordered: key order).
  const rows = [...e.rows()];
  same(rows.length, m.size());
  m.rows().forEach((r, i) => same(rows[i], r));
  for (const key of KEYS) {
    const got = e.lookup(key);
    const want = m.lookup(key);
    same(got.length, want.length);
    want.forEach((r, i) => same(got[i], r));
    same(e.member(key), want.length > 0);
  }
  // first/next walks every key once, in order.
  const keys = m.keys();
  const walked: Term[] = [];
  for (let key = e.first(); key !== END_OF_TABLE; key = e.next(key as Term) as Term) {
    walked.push(key);
    if (walked.length > keys.length) break;
  }
  same(walked.length, keys.length);
  // Keys compare by exact equality: a bag hands out the key of its first remaining row.
  keys.forEach((key, i) => same(exactEquals(walked[i], key), true, `key ${i} differs`));
  if (e.caps.ordered) {
    same(e.last(), keys.length === 0 ? END_OF_TABLE : keys[keys.length - 1]);
    // next/prev on any key, present or not: the nearest key in that direction.
    for (const probe of KEYS) {
      // (indexes, not find(): null and undefined are keys like any other)
      const above = keys.findIndex((x) => compareTerms(x, probe) > 0);
      const below = keys.findLastIndex((x) => compareTerms(x, probe) < 0);
      same(e.next(probe), above < 0 ? END_OF_TABLE : keys[above]);
      same(e.prev(probe), below < 0 ? END_OF_TABLE : keys[below]);
    }
  } else {
    same(e.last(), e.first());
    for (const probe of KEYS) if (!e.member(probe)) expect(e.next(probe)).toBeUndefined();
  }
}

function forgetRemoved(tr: Tracked | undefined, removed: readonly Row[]): void {
  if (tr !== undefined) for (const r of removed) tr.stable.delete(r);
}

function takeAndCheck(e: Engine, tr: Tracked, max: number): Row[] {
  const got = e.take(tr.cursor, max);
  expect(got.length).toBeLessThanOrEqual(max);
  for (const r of got) {
    expect(tr.seen.has(r), 'a cursor returned a row twice').toBe(false);
    tr.seen.add(r);
    tr.keys.push(r[e.keyIndex]);
    tr.current = r;
  }
  if (e.caps.ordered) {
    for (let i = 1; i < tr.keys.length; i++) {
      const c = compareTerms(tr.keys[i - 1], tr.keys[i]);
      if (tr.reverse) expect(c).toBeGreaterThan(0);
      else expect(c).toBeLessThan(0);
    }
  }
  return got;
}

function finishCursor(e: Engine, tr: Tracked): void {
  for (let guard = 0; guard < 1000; guard++) if (takeAndCheck(e, tr, 3).length === 0) break;
  for (const r of tr.stable) expect(tr.seen.has(r), 'a cursor missed a row that was there all along').toBe(true);
}

function checkScan(e: Engine, m: ModelTable, op: Extract<Op, { t: 'scan' }>): void {
  const range: KeyRange = {};
  if (op.bounds & 1) range.lo = { key: KEYS[op.lo]!, inclusive: op.loInc };
  if (op.bounds & 2) range.hi = { key: KEYS[op.hi]!, inclusive: op.hiInc };
  const inRange = (key: Term): boolean => {
    if (range.lo !== undefined) {
      const c = compareTerms(key, range.lo.key);
      if (c < 0 || (c === 0 && !range.lo.inclusive)) return false;
    }
    if (range.hi !== undefined) {
      const c = compareTerms(key, range.hi.key);
      if (c > 0 || (c === 0 && !range.hi.inclusive)) return false;
    }
    return true;
  };
  const ordered = e.caps.ordered;
  let want = ordered ? m.rows().filter((r) => inRange(r[e.keyIndex])) : m.rows();
  if (ordered && op.reverse) want = want.reverse();
  const c = ordered ? e.cursor(op.reverse, range) : e.cursor(false);
  const got: Row[] = [];
  for (let b = e.take(c, op.max); b.length > 0; b = e.take(c, op.max)) got.push(...b);
  expect(got.length).toBe(want.length);
  want.forEach((r, i) => expect(got[i]).toBe(r));
}

function run(type: TableType, keyIndex: number, ops: readonly Op[]): void {
  const e = createEngine(type, keyIndex);
  const m = new ModelTable(type, keyIndex);
  let tr: Tracked | undefined;
  for (const op of ops) {
    switch (op.t) {
      case 'insert': {
        const row = rowFor(op.k, op.v, keyIndex);
        // Rows the insert displaces (set: the old row) are no longer expected from a cursor.
        const before = type === 'set' || type === 'ordered_set' ? m.lookup(row[keyIndex]) : [];
        forgetRemoved(tr, before);
        e.insert(row);
        m.insert(row);
        break;
      }
      case 'deleteKey': {
        const want = m.deleteKey(KEYS[op.k]!);
        const got = e.deleteKey(KEYS[op.k]!);
        expect(got.length).toBe(want.length);
        want.forEach((r, i) => expect(got[i]).toBe(r));
        forgetRemoved(tr, want);
        break;
      }
      case 'deleteObject': {
        const row = rowFor(op.k, op.v, keyIndex);
        const gone = m.lookup(row[keyIndex]);
        const want = m.deleteObject(row);
        expect(e.deleteObject(row)).toBe(want);
        forgetRemoved(tr, gone.filter((r) => !m.lookup(row[keyIndex]).includes(r)));
        break;
      }
      case 'replace': {
        // The engine's contract: `old` is a stored row; `next` has the same key. Not used on bags
        // (selectReplace refuses them), where it could create a duplicate.
        if (type === 'bag') break;
        const rows = m.lookup(KEYS[op.k]!);
        if (rows.length === 0) break;
        const old = rows[op.which % rows.length]!;
        const next = copyRow(keyIndex === 0 ? [old[0], VALUES[op.v]!] : ['pad', VALUES[op.v]!, old[2]]);
        e.replace(old, next);
        m.replace(old, next);
        forgetRemoved(tr, [old]);
        break;
      }
      case 'clear':
        forgetRemoved(tr, m.rows());
        e.clear();
        m.clear();
        break;
      case 'cursor':
        if (tr !== undefined) finishCursor(e, tr);
        tr = { cursor: e.cursor(op.reverse), reverse: op.reverse && e.caps.ordered, seen: new Set(), stable: new Set(m.rows()), keys: [], current: undefined };
        break;
      case 'take':
        if (tr !== undefined) takeAndCheck(e, tr, op.max);
        break;
      case 'deleteCurrent': {
        const cur = tr?.current;
        if (cur === undefined) break;
        if (e.caps.duplicates === 'none') {
          forgetRemoved(tr, m.deleteKey(cur[keyIndex]));
          e.deleteKey(cur[keyIndex]);
        } else {
          const before = m.lookup(cur[keyIndex]);
          expect(e.deleteObject(cur)).toBe(m.deleteObject(cur));
          forgetRemoved(tr, before.filter((r) => !m.lookup(cur[keyIndex]).includes(r)));
        }
        break;
      }
      case 'scan':
        checkScan(e, m, op);
        break;
    }
    compareAll(e, m);
  }
  if (tr !== undefined) finishCursor(e, tr);
}

const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];

describe.each(TYPES)('%s engine against the reference model', (type) => {
  test.prop([fc.array(opArb, { maxLength: 60, size: 'max' })], { seed: 20240601, numRuns: 150 })('key at position 1', (ops) => run(type, 0, ops));
  test.prop([fc.array(opArb, { maxLength: 40, size: 'max' })], { seed: 7, numRuns: 50 })('key at position 3', (ops) => run(type, 2, ops));
});
