/**
 * The public types, as a TypeScript user meets them. The assertions here
 * are checked by the type checker as part of `npm test` (vitest typecheck,
 * vitest.config.ts) and by `npm run typecheck`:
 * `expectTypeOf` for what a call returns, `@ts-expect-error` for what must
 * not compile (an unused `@ts-expect-error` is itself an error). The
 * runtime assertions check that the typed calls do what they say.
 */
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  END_OF_TABLE,
  TIMEOUT,
  dets,
  ets,
  isEtsTransfer,
  isTermstoreError,
  ms,
  receive,
  spawn,
  type Chunk,
  type DetsTable,
  type EndOfTable,
  type ErrorCode,
  type EtsTransfer,
  type MatchSpec,
  type Row,
  type Table,
  type Term,
} from '../../src/index.js';
import { tempDir } from '../convert/support.js';

type User = [id: string, name: string, age: number];

const { dir, cleanup } = tempDir('types');
afterAll(cleanup);

describe('generic tables: reads typed without casts', () => {
  it('ets.new<Row>: lookup, tab2list, take, foldl, first/next and matchObject return the row type', () => {
    const t = ets.new<User>('typed_users', { type: 'ordered_set' });
    expectTypeOf(t).toEqualTypeOf<Table<User>>();
    ets.insert(t, ['u1', 'Ada', 36]);
    ets.insertMany(t, [
      ['u2', 'Alan', 41],
      ['u3', 'Grace', 45],
    ]);
    const hit = ets.lookup(t, 'u1');
    expectTypeOf(hit).toEqualTypeOf<User[]>();
    const age: number = hit[0]![2];
    expect(age).toBe(36);
    expectTypeOf(ets.tab2list(t)).toEqualTypeOf<User[]>();
    expectTypeOf(ets.first(t)).toEqualTypeOf<string | number | EndOfTable>();
    const total = ets.foldl(t, (row, acc) => acc + row[2], 0);
    expectTypeOf(total).toEqualTypeOf<number>();
    expect(total).toBe(36 + 41 + 45);
    const adults = ets.matchObject(t, ['_', '_', '$1']);
    expectTypeOf(adults).toEqualTypeOf<User[]>();
    expect(adults.length).toBe(3);
    expectTypeOf(ets.take(t, 'u3')).toEqualTypeOf<User[]>();
    ets.delete(t);
  });

  it('writes to a typed table take its row type; keys are one of its element types', () => {
    const t = ets.new<User>('typed_writes', {});
    // @ts-expect-error the age must be a number
    expect(() => ets.insert(t, ['u1', 'Ada', 'old'])).not.toThrow();
    // @ts-expect-error a row of the wrong length
    ets.insertMany(t, [['u2', 'Alan']]);
    // @ts-expect-error a key of no element type of the row
    ets.lookup(t, true);
    ets.delete(t);
  });

  it('untyped tables default to the term types: reads give Row, writes take any array (checked at run time)', () => {
    const t = ets.new('untyped', {});
    expectTypeOf(t).toEqualTypeOf<Table<Row>>();
    ets.insert(t, ['k', 1]);
    expectTypeOf(ets.lookup(t, 'k')).toEqualTypeOf<Row[]>();
    expectTypeOf(ets.lookupElement(t, 'k', 2)).toEqualTypeOf<Term | Term[]>();
    const named = ets.new<User>('typed_named', { named: true });
    expectTypeOf(ets.lookup('typed_named', 'k')).toEqualTypeOf<Row[]>();
    ets.delete(named);
    // A typed table goes wherever a table is expected.
    const typed: Table = ets.new<User>('typed_as_plain', {});
    expect(ets.info(typed, 'size')).toBe(0);
    ets.delete(typed);
    ets.delete(t);
  });

  it('dets.openFile<Row> types its table the same way', async () => {
    const t = await dets.openFile<User>('typed_dets', { file: `${dir}/typed.tsdb` });
    expectTypeOf(t).toEqualTypeOf<DetsTable<User>>();
    dets.insert(t, ['u1', 'Ada', 36]);
    const [row] = dets.lookup(t, 'u1');
    expectTypeOf(row).toEqualTypeOf<User | undefined>();
    expect(row![1].toUpperCase()).toBe('ADA');
    // @ts-expect-error the age must be a number
    expect(() => dets.insert(t, ['u2', 'Alan', 'x'])).not.toThrow();
    expectTypeOf(dets.select(t, (r) => r[2])).toEqualTypeOf<number[]>();
    await dets.close(t);
  });
});

describe('select and match specs typed as the grammar', () => {
  it('a JS function gets the row type; its result type is the select result', () => {
    const t = ets.new<User>('typed_select', {});
    ets.insertMany(t, [
      ['u1', 'Ada', 36],
      ['u2', 'Alan', 17],
    ]);
    const names = ets.select(t, (row) => row[1]);
    expectTypeOf(names).toEqualTypeOf<string[]>();
    const adults = ets.select(t, (row) => row[2] >= 18);
    expectTypeOf(adults).toEqualTypeOf<User[]>();
    expect(adults).toEqual([['u1', 'Ada', 36]]);
    const maybe = ets.select(t, (row) => (row[2] >= 18 ? row[1] : undefined));
    expectTypeOf(maybe).toEqualTypeOf<string[]>();
    const chunk = ets.select(t, (row) => row[0], 1);
    expectTypeOf(chunk).toEqualTypeOf<Chunk<string>>();
    if (chunk !== END_OF_TABLE) expectTypeOf(ets.select(chunk[1])).toEqualTypeOf<Chunk<string>>();
    ets.delete(t);
  });

  it('a spec is a MatchSpec, never anything: a number, a misspelt function or a missing body do not compile', () => {
    const t = ets.new<User>('typed_spec', {});
    ets.insert(t, ['u1', 'Ada', 36]);
    const spec: MatchSpec = [[['$1', '$2', '$3'], [['>=', '$3', 18]], ['$2']]];
    expectTypeOf(ets.select(t, spec)).toEqualTypeOf<Term[]>();
    expectTypeOf(ets.select<string>(t, spec)).toEqualTypeOf<string[]>();
    expect(ets.select<string>(t, spec)).toEqual(['Ada']);
    expect(ets.select(t, [ms.clause(['$1', '_', '$2'], [ms.ge('$2', 18)], ['$1'])])).toEqual(['u1']);
    expect(ets.select(t, [{ head: ['$1', '_', '_'], guards: [['is_binary', '$1']], body: [{ $list: ['$1'] }] }])).toEqual([['u1']]);
    // @ts-expect-error a number is not a spec
    expect(() => ets.select(t, 42)).toThrow();
    // @ts-expect-error 'lenght' is not a guard function
    expect(() => ets.select(t, [[['$1', '_', '_'], [['lenght', '$1']], ['$1']]])).toThrow();
    // @ts-expect-error a clause needs a body
    expect(() => ets.select(t, [{ head: '_' }])).toThrow();
    // @ts-expect-error a head is a row pattern, '_' or a variable
    expect(() => ets.match(t, '$x')).toThrow();
    // @ts-expect-error an array in a body is a call, not a list
    expect(() => ets.select(t, [[['$1', '_', '_'], [], [['$1', '$1']]]])).toThrow();
    ets.delete(t);
  });

  it('selectCount/selectDelete take a spec or a typed function', () => {
    const t = ets.new<User>('typed_count', {});
    ets.insertMany(t, [
      ['u1', 'Ada', 36],
      ['u2', 'Alan', 17],
    ]);
    expect(ets.selectCount(t, (row) => row[2] < 18)).toBe(1);
    expect(ets.selectDelete(t, [[['_', '_', '$1'], [['<', '$1', 18]], [true]]])).toBe(1);
    // @ts-expect-error not a spec
    expect(() => ets.selectCount(t, 'x')).toThrow();
    ets.delete(t);
  });
});

describe('iteration is typed', () => {
  it('for...of, ets.iterate and dets async iteration give the row type', async () => {
    const t = ets.new<User>('typed_iter', {});
    ets.insert(t, ['u1', 'Ada', 36]);
    for (const row of t) expectTypeOf(row).toEqualTypeOf<User>();
    expectTypeOf(ets.iterate(t)).toEqualTypeOf<IterableIterator<User>>();
    expectTypeOf(ets.iterate(t, (row) => row[2])).toEqualTypeOf<IterableIterator<number>>();
    expectTypeOf(ets.iterate<string>(t, [[['$1', '_', '_'], [], ['$1']]])).toEqualTypeOf<IterableIterator<string>>();
    expect([...ets.iterate(t, (row) => row[2])]).toEqual([36]);
    ets.delete(t);
    const d = await dets.openFile<User>('typed_iter_dets', { file: `${dir}/iter.tsdb` });
    dets.insert(d, ['u1', 'Ada', 36]);
    for await (const row of d) expectTypeOf(row).toEqualTypeOf<User>();
    await dets.close(d);
  });
});

describe('receive and isTermstoreError narrow', () => {
  it('receive with a type guard gives that type, and TIMEOUT only with a timeout', async () => {
    const got = await new Promise<EtsTransfer | undefined>((resolve) => {
      const heir = spawn(async () => {
        const notice = await receive({ match: isEtsTransfer });
        expectTypeOf(notice).toEqualTypeOf<EtsTransfer>();
        resolve(notice);
      });
      spawn(() => {
        ets.new('typed_heir', { heir: { pid: heir, data: 'x' } });
      });
    });
    expect(got?.data).toBe('x');
    const none = await receive({ match: isEtsTransfer, timeout: 1 });
    expectTypeOf(none).toEqualTypeOf<EtsTransfer | typeof TIMEOUT>();
    expect(none).toBe(TIMEOUT);
    expectTypeOf(receive()).toEqualTypeOf<Promise<unknown>>();
  });

  it('isTermstoreError(e, code) narrows e.code to that code', () => {
    const t = ets.new('typed_errors', {});
    let caught: unknown;
    try {
      ets.lookupElement(t, 'nope', 2);
    } catch (e) {
      caught = e;
    }
    expect(isTermstoreError(caught, 'ETS_NO_KEY')).toBe(true);
    if (isTermstoreError(caught, 'ETS_NO_KEY')) expectTypeOf(caught.code).toEqualTypeOf<'ETS_NO_KEY'>();
    if (isTermstoreError(caught, ['ETS_NO_KEY', 'ETS_BADARG'])) expectTypeOf(caught.code).toEqualTypeOf<'ETS_NO_KEY' | 'ETS_BADARG'>();
    if (isTermstoreError(caught)) expectTypeOf(caught.code).toEqualTypeOf<ErrorCode>();
    expect(isTermstoreError(caught, ['ETS_BADARG'])).toBe(false);
    // @ts-expect-error not a code
    isTermstoreError(caught, 'ETS_NO_SUCH_CODE');
    ets.delete(t);
  });
});
