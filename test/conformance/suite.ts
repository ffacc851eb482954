/**
 * The conformance suite: the semantics every table type shares, written
 * against an `ets`-shaped API so that it runs on ets tables here and can run
 * on dets tables (call {@link conformanceSuite} with a factory that opens
 * one). Expected values checked against OTP 25's ets where marked.
 */
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { END_OF_TABLE, ErlFloat, tuple, type TableType, type Term } from '../../src/index.js';
import { copyRow } from '../../src/term/copy.js';
import { codeOf, codeOfAsync } from '../helpers.js';
import { ModelTable } from '../engines/model.js';

type Row = readonly Term[];

/**
 * The part of the `ets` API the suite uses; `ets`, `dets` and `shared` have
 * it. Writes may return promises (shared tables on PostgreSQL): the suite
 * awaits every write, which changes nothing for synchronous APIs.
 */
export interface ConformanceApi<T> {
  insert(tab: T, row: readonly unknown[]): unknown;
  insertMany(tab: T, rows: readonly (readonly unknown[])[]): unknown;
  insertNew(tab: T, row: readonly unknown[]): boolean | Promise<boolean>;
  insertNewMany(tab: T, rows: readonly (readonly unknown[])[]): boolean | Promise<boolean>;
  lookup(tab: T, key: unknown): Row[];
  lookupElement(tab: T, key: unknown, pos: number, ...dflt: [] | [unknown]): unknown;
  member(tab: T, key: unknown): boolean;
  take(tab: T, key: unknown): Row[] | Promise<Row[]>;
  delete(tab: T, key: unknown): unknown;
  deleteObject(tab: T, row: readonly unknown[]): unknown;
  deleteAllObjects(tab: T): unknown;
  updateCounter(tab: T, key: unknown, op: never, dflt?: readonly unknown[]): unknown;
  updateElement(tab: T, key: unknown, spec: never): boolean | Promise<boolean>;
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
  selectDelete(tab: T, spec: unknown): number | Promise<number>;
  selectReplace(tab: T, spec: unknown): number | Promise<number>;
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
      withTable(async (t, api) => {
        await api.insert(t, ['k', 1]);
        await api.insert(t, ['k', 2]);
        await api.insert(t, ['k', 1]);
        const want = setLike ? [['k', 1]] : type === 'bag' ? [['k', 1], ['k', 2]] : [['k', 1], ['k', 2], ['k', 1]];
        expect(api.lookup(t, 'k')).toEqual(want);
        expect(size(api, t)).toBe(want.length);
      }));

    it(`keys are structural; 1 and 1n are one key; 1 and 1.0 are ${ordered ? 'one key' : 'two keys'}`, () =>
      withTable(async (t, api) => {
        await api.insert(t, [['user', 42], 'list key']);
        expect(api.member(t, ['user', 42])).toBe(true);
        await api.insert(t, [1, 'number']);
        await api.insert(t, [1n, 'bigint']); // the same integer: stored as the number 1
        const one = setLike ? [[1, 'bigint']] : type === 'bag' ? [[1, 'number'], [1, 'bigint']] : [[1, 'number'], [1, 'bigint']];
        expect(api.lookup(t, 1n)).toEqual(one);
        await api.insert(t, [new ErlFloat(1), 'float']);
        expect(size(api, t)).toBe(one.length + 1 + (ordered ? 0 : 1));
        if (ordered) expect(api.lookup(t, 1)).toEqual([[new ErlFloat(1), 'float']]);
        else expect(api.lookup(t, new ErlFloat(1))).toEqual([[new ErlFloat(1), 'float']]);
      }));

    it('insertMany and insertNewMany are all or nothing', () =>
      withTable(async (t, api) => {
        await api.insert(t, ['old', 0]);
        expect(await codeOfAsync(() => api.insertMany(t, [['a', 1], 'bad' as never]))).toBe('ETS_BAD_OBJECT');
        expect(await api.insertNewMany(t, [['b', 1], ['old', 1]])).toBe(false);
        expect(await api.insertNew(t, ['old', 2])).toBe(false);
        expect(api.tab2list(t)).toEqual([['old', 0]]);
        expect(await api.insertNewMany(t, [['b', 1], ['c', 1]])).toBe(true);
        expect(size(api, t)).toBe(3);
      }));

    it('lookupElement, with and without default', () =>
      withTable(async (t, api) => {
        await api.insertMany(t, [['k', 1], ['k', 2]]);
        // ETS inserts a list into a bag last row first (OTP 25).
        expect(api.lookupElement(t, 'k', 2)).toEqual(setLike ? 2 : type === 'bag' ? [2, 1] : [1, 2]);
        expect(api.lookupElement(t, 'none', 2, 'd')).toBe('d');
        expect(codeOf(() => api.lookupElement(t, 'none', 2))).toBe('ETS_NO_KEY');
        expect(codeOf(() => api.lookupElement(t, 'k', 3))).toBe('ETS_BAD_POSITION');
      }));

    it('take, delete, deleteObject, deleteAllObjects', () =>
      withTable(async (t, api) => {
        await api.insertMany(t, [['a', 1], ['a', 2], ['b', 1], ['c', 1]]);
        expect(await api.take(t, 'a')).toEqual(setLike ? [['a', 2]] : type === 'bag' ? [['a', 2], ['a', 1]] : [['a', 1], ['a', 2]]);
        expect(api.member(t, 'a')).toBe(false);
        await api.delete(t, 'b');
        await api.delete(t, 'absent');
        await api.deleteObject(t, ['c', 2]);
        expect(api.tab2list(t)).toEqual([['c', 1]]);
        await api.deleteObject(t, ['c', 1]);
        expect(size(api, t)).toBe(0);
        await api.insertMany(t, [['x'], ['y']]);
        await api.deleteAllObjects(t);
        expect(api.tab2list(t)).toEqual([]);
      }));

    it(setLike ? 'updateCounter and updateElement, atomically' : 'updateCounter and updateElement are refused', () =>
      withTable(async (t, api) => {
        await api.insert(t, ['c', 1, 'x']);
        if (!setLike) {
          expect(await codeOfAsync(() => api.updateCounter(t, 'c', 1 as never))).toBe('ETS_BAD_TABLE_TYPE');
          expect(await codeOfAsync(() => api.updateElement(t, 'c', [3, 'y'] as never))).toBe('ETS_BAD_TABLE_TYPE');
          return;
        }
        expect(await api.updateCounter(t, 'c', 2 as never)).toBe(3);
        expect(await api.updateCounter(t, 'n', [2, 5] as never, ['ignored', 10])).toBe(15);
        expect(await codeOfAsync(() => api.updateCounter(t, 'c', [[2, 1], [3, 1]] as never))).toBe('ETS_NOT_A_COUNTER');
        expect(await api.updateElement(t, 'c', [[3, 'y']] as never)).toBe(true);
        expect(await api.updateElement(t, 'absent', [3, 'y'] as never)).toBe(false);
        expect(await codeOfAsync(() => api.updateElement(t, 'c', [1, 'k'] as never))).toBe('ETS_BAD_POSITION');
        expect(api.lookup(t, 'c')).toEqual([['c', 3, 'y']]);
        expect(api.lookup(t, 'n')).toEqual([['n', 15]]);
      }));

    it('first/next and last/prev visit every key once; next of an absent key follows the type', () =>
      withTable(async (t, api) => {
        const keys = [5, 'b', 1, tuple2(), 3];
        for (const k of keys) await api.insert(t, [k, 0]);
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
      withTable(async (t, api) => {
        await api.insertMany(t, [[1, 'a'], [2, 'b'], [3, 'c']]);
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
      withTable(async (t, api) => {
        for (let i = 1; i <= 6; i++) await api.insert(t, [i, i % 2 === 0 ? 'even' : 'odd']);
        const evens = api.select(t, [{ head: ['$1', 'even'], body: ['$1'] }]);
        expect([...evens].sort()).toEqual([2, 4, 6]);
        if (ordered) expect(api.selectReverse(t, [{ head: ['$1', '_'], body: ['$1'] }])).toEqual([6, 5, 4, 3, 2, 1]);
        expect(api.selectCount(t, [{ head: ['_', 'odd'], body: [true] }])).toBe(3);
        expect([...api.match(t, ['$1', 'odd'])].sort(byJson)).toEqual([[1], [3], [5]]);
        expect(api.matchObject(t, [2, '_'])).toEqual([[2, 'even']]);
        if (type !== 'bag') expect(await api.selectReplace(t, [{ head: ['$1', 'odd'], body: [{ $tuple: ['$1', 'ODD'] }] }])).toBe(3);
        else expect(await codeOfAsync(() => api.selectReplace(t, [{ head: '_', body: ['$_'] }]))).toBe('ETS_BAD_TABLE_TYPE');
        expect(await api.selectDelete(t, [{ head: ['$1', '_'], guards: [['>', '$1', 4]], body: [true] }])).toBe(2);
        await api.matchDelete(t, ['_', 'even']);
        expect(api.tab2list(t).map((r) => r[1])).toEqual(type === 'bag' ? ['odd', 'odd'] : ['ODD', 'ODD']);
      }));

    it('select with a limit walks the table in chunks to END_OF_TABLE', () =>
      withTable(async (t, api) => {
        for (let i = 0; i < 25; i++) await api.insert(t, [i]);
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
      withTable(async (t, api) => {
        const inner = [1, 2];
        const row = ['k', inner, { a: 1 }];
        await api.insert(t, row);
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
      withTable(async (t, api) => {
        await api.insert(t, ['x', 'y', 'k']);
        expect(await codeOfAsync(() => api.insert(t, ['a', 'b']))).toBe('ETS_BAD_OBJECT');
        expect(await codeOfAsync(() => api.insert(t, ['a', 'b', NaN]))).toBe('ETS_BAD_TERM');
        expect(codeOf(() => api.lookup(t, NaN))).toBe('ETS_BAD_TERM');
        expect(api.tab2list(t)).toEqual([['x', 'y', 'k']]);
        expect(api.lookup(t, 'k')).toEqual([['x', 'y', 'k']]);
      }, 3));

    it('random operation sequences agree with the reference model', async () => {
      const keys: Term[] = [1, 1n, new ErlFloat(1), 2 ** 53, 2n ** 53n, 'a', ['l'], null];
      const op = fc.oneof(
        fc.record({ t: fc.constant('insert' as const), k: fc.nat(keys.length - 1), v: fc.nat(2) }),
        fc.record({ t: fc.constant('delete' as const), k: fc.nat(keys.length - 1) }),
        fc.record({ t: fc.constant('deleteObject' as const), k: fc.nat(keys.length - 1), v: fc.nat(2) }),
        fc.record({ t: fc.constant('take' as const), k: fc.nat(keys.length - 1) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 30, size: 'max' }), async (ops) => {
          await withTable(async (t, api) => {
            const m = new ModelTable(type, 0);
            for (const o of ops) {
              const key = keys[o.k]!;
              if (o.t === 'insert') (await api.insert(t, [key, o.v]), m.insert(copyRow([key, o.v])));
              else if (o.t === 'delete') (await api.delete(t, key), m.deleteKey(key));
              else if (o.t === 'deleteObject') (await api.deleteObject(t, [key, o.v]), m.deleteObject(copyRow([key, o.v])));
              else expect(await api.take(t, key)).toEqual(m.deleteKey(key));
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
