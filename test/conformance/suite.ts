/**
 * The conformance suite: the semantics every table type shares, written
 * against an `ets`-shaped API so that it runs on ets tables here and can run
 * on dets tables (call {@link conformanceSuite} with a factory that opens
 * one). Expected values checked against OTP 25's ets where marked.
 */
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { END_OF_TABLE, tuple, type TableType, type Term } from '../../src/index.js';
import { copyRow } from '../../src/term/copy.js';
import { codeOf } from '../helpers.js';
import { ModelTable } from '../engines/model.js';

type Row = readonly Term[];

/** The part of the `ets` API the suite uses; `ets` and `dets` both have it. */
export interface ConformanceApi<T> {
  insert(tab: T, row: readonly unknown[]): unknown;
  insertMany(tab: T, rows: readonly (readonly unknown[])[]): unknown;
  insertNew(tab: T, row: readonly unknown[]): boolean;
  insertNewMany(tab: T, rows: readonly (readonly unknown[])[]): boolean;
  lookup(tab: T, key: unknown): Row[];
  lookupElement(tab: T, key: unknown, pos: number, ...dflt: [] | [unknown]): unknown;
  member(tab: T, key: unknown): boolean;
  take(tab: T, key: unknown): Row[];
  delete(tab: T, key: unknown): unknown;
  deleteObject(tab: T, row: readonly unknown[]): unknown;
  deleteAllObjects(tab: T): unknown;
  updateCounter(tab: T, key: unknown, op: never, dflt?: readonly unknown[]): unknown;
  updateElement(tab: T, key: unknown, spec: never): boolean;
  first(tab: T): unknown;
  last(tab: T): unknown;
  next(tab: T, key: unknown): unknown;
  prev(tab: T, key: unknown): unknown;
  foldl<A>(tab: T, f: (row: Row, acc: A) => A, acc: A): A;
  foldr<A>(tab: T, f: (row: Row, acc: A) => A, acc: A): A;
  tab2list(tab: T): Row[];
  select(tab: T, spec: unknown): unknown[];
  select(tab: T, spec: unknown, limit: number): unknown;
  select(cont: never): unknown;
  selectReverse(tab: T, spec: unknown): unknown[];
  selectCount(tab: T, spec: unknown): number;
  selectDelete(tab: T, spec: unknown): number;
  selectReplace(tab: T, spec: unknown): number;
  match(tab: T, pattern: unknown): unknown[];
  matchObject(tab: T, pattern: unknown): Row[];
  matchDelete(tab: T, pattern: unknown): unknown;
}

/** What a factory gives: a fresh, empty table, the API to use on it, and how to dispose of it. */
export interface Made<T> {
  table: T;
  api: ConformanceApi<T>;
  cleanup?: () => unknown;
}

export type MakeTable<T> = (type: TableType, options: { keypos: number }) => Made<T> | Promise<Made<T>>;

const ALL_TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
const byJson = (a: unknown, b: unknown): number => JSON.stringify(a, big).localeCompare(JSON.stringify(b, big));
function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

/** Defines the suite for each of `types` (default: all four). */
export function conformanceSuite<T>(name: string, makeTable: MakeTable<T>, types: readonly TableType[] = ALL_TYPES): void {
  describe.each(types)(`${name}: %s conformance`, (type) => {
    const ordered = type === 'ordered_set';
    const setLike = type === 'set' || ordered;
    /** Runs `body` on a fresh table and disposes of it. */
    const withTable = async (body: (t: T, api: ConformanceApi<T>) => unknown, keypos = 1): Promise<void> => {
      const m = await makeTable(type, { keypos });
      try {
        await body(m.table, m.api);
      } finally {
        await m.cleanup?.();
      }
    };
    const size = (api: ConformanceApi<T>, t: T): number => api.foldl(t, (_r, n: number) => n + 1, 0);

    it('insert follows the type: replace (set), ignore an equal row (bag), keep it (duplicate_bag)', () =>
      withTable((t, api) => {
        api.insert(t, ['k', 1]);
        api.insert(t, ['k', 2]);
        api.insert(t, ['k', 1]);
        const want = setLike ? [['k', 1]] : type === 'bag' ? [['k', 1], ['k', 2]] : [['k', 1], ['k', 2], ['k', 1]];
        expect(api.lookup(t, 'k')).toEqual(want);
        expect(size(api, t)).toBe(want.length);
      }));

    it(`keys are structural; 1 and 1n are ${ordered ? 'one key' : 'two keys'}`, () =>
      withTable((t, api) => {
        api.insert(t, [['user', 42], 'list key']);
        expect(api.member(t, ['user', 42])).toBe(true);
        api.insert(t, [1, 'number']);
        api.insert(t, [1n, 'bigint']);
        expect(size(api, t)).toBe(ordered ? 2 : 3);
        if (ordered) expect(api.lookup(t, 1)).toEqual([[1n, 'bigint']]);
        else expect(api.lookup(t, 1)).toEqual([[1, 'number']]);
      }));

    it('insertMany and insertNewMany are all or nothing', () =>
      withTable((t, api) => {
        api.insert(t, ['old', 0]);
        expect(codeOf(() => api.insertMany(t, [['a', 1], 'bad' as never]))).toBe('ETS_BAD_OBJECT');
        expect(api.insertNewMany(t, [['b', 1], ['old', 1]])).toBe(false);
        expect(api.insertNew(t, ['old', 2])).toBe(false);
        expect(api.tab2list(t)).toEqual([['old', 0]]);
        expect(api.insertNewMany(t, [['b', 1], ['c', 1]])).toBe(true);
        expect(size(api, t)).toBe(3);
      }));

    it('lookupElement, with and without default', () =>
      withTable((t, api) => {
        api.insertMany(t, [['k', 1], ['k', 2]]);
        expect(api.lookupElement(t, 'k', 2)).toEqual(setLike ? 2 : [1, 2]);
        expect(api.lookupElement(t, 'none', 2, 'd')).toBe('d');
        expect(codeOf(() => api.lookupElement(t, 'none', 2))).toBe('ETS_NO_KEY');
        expect(codeOf(() => api.lookupElement(t, 'k', 3))).toBe('ETS_BAD_POSITION');
      }));

    it('take, delete, deleteObject, deleteAllObjects', () =>
      withTable((t, api) => {
        api.insertMany(t, [['a', 1], ['a', 2], ['b', 1], ['c', 1]]);
        expect(api.take(t, 'a')).toEqual(setLike ? [['a', 2]] : [['a', 1], ['a', 2]]);
        expect(api.member(t, 'a')).toBe(false);
        api.delete(t, 'b');
        api.delete(t, 'absent');
        api.deleteObject(t, ['c', 2]);
        expect(api.tab2list(t)).toEqual([['c', 1]]);
        api.deleteObject(t, ['c', 1]);
        expect(size(api, t)).toBe(0);
        api.insertMany(t, [['x'], ['y']]);
        api.deleteAllObjects(t);
        expect(api.tab2list(t)).toEqual([]);
      }));

    it(setLike ? 'updateCounter and updateElement, atomically' : 'updateCounter and updateElement are refused', () =>
      withTable((t, api) => {
        api.insert(t, ['c', 1, 'x']);
        if (!setLike) {
          expect(codeOf(() => api.updateCounter(t, 'c', 1 as never))).toBe('ETS_BAD_TABLE_TYPE');
          expect(codeOf(() => api.updateElement(t, 'c', [3, 'y'] as never))).toBe('ETS_BAD_TABLE_TYPE');
          return;
        }
        expect(api.updateCounter(t, 'c', 2 as never)).toBe(3);
        expect(api.updateCounter(t, 'n', [2, 5] as never, ['ignored', 10])).toBe(15);
        expect(codeOf(() => api.updateCounter(t, 'c', [[2, 1], [3, 1]] as never))).toBe('ETS_NOT_A_COUNTER');
        expect(api.updateElement(t, 'c', [[3, 'y']] as never)).toBe(true);
        expect(api.updateElement(t, 'absent', [3, 'y'] as never)).toBe(false);
        expect(codeOf(() => api.updateElement(t, 'c', [1, 'k'] as never))).toBe('ETS_BAD_POSITION');
        expect(api.lookup(t, 'c')).toEqual([['c', 3, 'y']]);
        expect(api.lookup(t, 'n')).toEqual([['n', 15]]);
      }));

    it('first/next and last/prev visit every key once; next of an absent key follows the type', () =>
      withTable((t, api) => {
        const keys = [5, 'b', 1, tuple2(), 3];
        for (const k of keys) api.insert(t, [k, 0]);
        const seen: unknown[] = [];
        for (let k = api.first(t); k !== END_OF_TABLE; k = api.next(t, k)) seen.push(k);
        const back: unknown[] = [];
        for (let k = api.last(t); k !== END_OF_TABLE; k = api.prev(t, k)) back.push(k);
        if (ordered) {
          expect(seen).toEqual([1, 3, 5, tuple2(), 'b']);
          expect(back).toEqual([...seen].reverse());
          expect(api.next(t, 4)).toBe(5);
          expect(api.prev(t, 4)).toBe(3);
        } else {
          expect([...seen].sort(byJson)).toEqual([...keys].sort(byJson));
          expect(back).toEqual(seen);
          expect(codeOf(() => api.next(t, 4))).toBe('ETS_BADARG');
        }
      }));

    it('foldl/foldr and tab2list see every row', () =>
      withTable((t, api) => {
        api.insertMany(t, [[1, 'a'], [2, 'b'], [3, 'c']]);
        const l = api.foldl(t, (r, acc: unknown[]) => [...acc, r[0]], []);
        const r = api.foldr(t, (row, acc: unknown[]) => [...acc, row[0]], []);
        if (ordered) {
          expect(l).toEqual([1, 2, 3]);
          expect(r).toEqual([3, 2, 1]);
        } else {
          expect([...l].sort()).toEqual([1, 2, 3]);
        }
        expect(api.tab2list(t).length).toBe(3);
      }));

    it('select, selectCount, selectDelete, selectReplace, match, matchObject, matchDelete', () =>
      withTable((t, api) => {
        for (let i = 1; i <= 6; i++) api.insert(t, [i, i % 2 === 0 ? 'even' : 'odd']);
        const evens = api.select(t, [{ head: ['$1', 'even'], body: ['$1'] }]);
        expect([...evens].sort()).toEqual([2, 4, 6]);
        if (ordered) expect(api.selectReverse(t, [{ head: ['$1', '_'], body: ['$1'] }])).toEqual([6, 5, 4, 3, 2, 1]);
        expect(api.selectCount(t, [{ head: ['_', 'odd'], body: [true] }])).toBe(3);
        expect([...api.match(t, ['$1', 'odd'])].sort(byJson)).toEqual([[1], [3], [5]]);
        expect(api.matchObject(t, [2, '_'])).toEqual([[2, 'even']]);
        if (type !== 'bag') expect(api.selectReplace(t, [{ head: ['$1', 'odd'], body: [{ $tuple: ['$1', 'ODD'] }] }])).toBe(3);
        else expect(codeOf(() => api.selectReplace(t, [{ head: '_', body: ['$_'] }]))).toBe('ETS_BAD_TABLE_TYPE');
        expect(api.selectDelete(t, [{ head: ['$1', '_'], guards: [['>', '$1', 4]], body: [true] }])).toBe(2);
        api.matchDelete(t, ['_', 'even']);
        expect(api.tab2list(t).map((r) => r[1])).toEqual(type === 'bag' ? ['odd', 'odd'] : ['ODD', 'ODD']);
      }));

    it('select with a limit walks the table in chunks to END_OF_TABLE', () =>
      withTable((t, api) => {
        for (let i = 0; i < 25; i++) api.insert(t, [i]);
        const got: unknown[] = [];
        let r = api.select(t, [{ head: ['$1'], body: ['$1'] }], 7);
        while (r !== END_OF_TABLE) {
          const [items, cont] = r as [unknown[], never];
          expect(items.length).toBeLessThanOrEqual(7);
          got.push(...items);
          r = api.select(cont);
        }
        expect([...got].sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 25 }, (_, i) => i));
      }));

    it('value semantics: later mutation of an inserted row or of a read row changes nothing; nested parts are frozen', () =>
      withTable((t, api) => {
        const inner = [1, 2];
        const row = ['k', inner, { a: 1 }];
        api.insert(t, row);
        inner.push(3);
        (row[2] as { a: number }).a = 2;
        const [got] = api.lookup(t, 'k');
        expect(got).toEqual(['k', [1, 2], { a: 1 }]);
        expect(Object.isFrozen(got![1])).toBe(true);
        expect(Object.isFrozen(got![2])).toBe(true);
        // A read row is frozen too (it is handed out as stored): changing it throws.
        expect(Object.isFrozen(got)).toBe(true);
        expect(() => {
          (got as unknown[])[0] = 'changed';
        }).toThrow(TypeError);
        expect(api.lookup(t, 'k')).toEqual([['k', [1, 2], { a: 1 }]]);
      }));

    it('bad rows and bad keys are refused with their codes, changing nothing', () =>
      withTable((t, api) => {
        api.insert(t, ['x', 'y', 'k']);
        expect(codeOf(() => api.insert(t, ['a', 'b']))).toBe('ETS_BAD_OBJECT');
        expect(codeOf(() => api.insert(t, ['a', 'b', NaN]))).toBe('ETS_BAD_TERM');
        expect(codeOf(() => api.lookup(t, NaN))).toBe('ETS_BAD_TERM');
        expect(api.tab2list(t)).toEqual([['x', 'y', 'k']]);
        expect(api.lookup(t, 'k')).toEqual([['x', 'y', 'k']]);
      }, 3));

    it('random operation sequences agree with the reference model', async () => {
      const keys: Term[] = [1, 1n, 'a', ['l'], null];
      const op = fc.oneof(
        fc.record({ t: fc.constant('insert' as const), k: fc.nat(keys.length - 1), v: fc.nat(2) }),
        fc.record({ t: fc.constant('delete' as const), k: fc.nat(keys.length - 1) }),
        fc.record({ t: fc.constant('deleteObject' as const), k: fc.nat(keys.length - 1), v: fc.nat(2) }),
        fc.record({ t: fc.constant('take' as const), k: fc.nat(keys.length - 1) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 30, size: 'max' }), async (ops) => {
          await withTable((t, api) => {
            const m = new ModelTable(type, 0);
            for (const o of ops) {
              const key = keys[o.k]!;
              if (o.t === 'insert') (api.insert(t, [key, o.v]), m.insert(copyRow([key, o.v])));
              else if (o.t === 'delete') (api.delete(t, key), m.deleteKey(key));
              else if (o.t === 'deleteObject') (api.deleteObject(t, [key, o.v]), m.deleteObject(copyRow([key, o.v])));
              else expect(api.take(t, key)).toEqual(m.deleteKey(key));
              for (const k of keys) expect(api.lookup(t, k)).toEqual(m.lookup(k));
            }
            const rows = api.tab2list(t);
            if (ordered) expect(rows).toEqual(m.rows());
            else expect([...rows].sort(byJson)).toEqual([...m.rows()].sort(byJson));
          });
        }),
        { seed: 1234, numRuns: 60 },
      );
    });
  });
}

/** The tuple key {t, 2} (fresh each time: keys compare by value). */
function tuple2(): Term {
  return tuple('t', 2);
}
