/**
 * Access control: protected (the default), private and public tables seen
 * from another process. Checked against OTP 25: info/whereis work on any
 * table; rename needs write access; deleting a public table is allowed to
 * anyone, a protected one only to its owner.
 */
import { describe, expect, it } from 'vitest';
import { ets, type Access, type Table } from '../../src/index.js';
import { codeOf, inProcess } from '../helpers.js';

/** Every read, as a call on a table. */
const READS: Record<string, (t: Table) => unknown> = {
  lookup: (t) => ets.lookup(t, 'k'),
  lookupElement: (t) => ets.lookupElement(t, 'k', 2),
  member: (t) => ets.member(t, 'k'),
  first: (t) => ets.first(t),
  last: (t) => ets.last(t),
  next: (t) => ets.next(t, 'k'),
  prev: (t) => ets.prev(t, 'k'),
  foldl: (t) => ets.foldl(t, (r, acc: number) => acc + r.length, 0),
  foldr: (t) => ets.foldr(t, (r, acc: number) => acc + r.length, 0),
  tab2list: (t) => ets.tab2list(t),
  select: (t) => ets.select(t, [{ head: '_', body: ['$_'] }]),
  selectLimit: (t) => ets.select(t, [{ head: '_', body: ['$_'] }], 1),
  selectReverse: (t) => ets.selectReverse(t, [{ head: '_', body: ['$_'] }]),
  selectCount: (t) => ets.selectCount(t, [{ head: '_', body: [true] }]),
  match: (t) => ets.match(t, ['$1', '_']),
  matchObject: (t) => ets.matchObject(t, ['_', '_']),
};

/** Every write, as a call on a table holding ['k', 1]. */
const WRITES: Record<string, (t: Table) => unknown> = {
  insert: (t) => ets.insert(t, ['x', 1]),
  insertMany: (t) => ets.insertMany(t, [['x', 1]]),
  insertNew: (t) => ets.insertNew(t, ['x', 1]),
  insertNewMany: (t) => ets.insertNewMany(t, [['x', 1]]),
  deleteKey: (t) => ets.delete(t, 'k'),
  deleteObject: (t) => ets.deleteObject(t, ['k', 1]),
  deleteAllObjects: (t) => ets.deleteAllObjects(t),
  take: (t) => ets.take(t, 'k'),
  updateCounter: (t) => ets.updateCounter(t, 'k', 1),
  updateElement: (t) => ets.updateElement(t, 'k', [2, 5]),
  selectDelete: (t) => ets.selectDelete(t, [{ head: '_', body: [true] }]),
  selectReplace: (t) => ets.selectReplace(t, [{ head: ['$1', '_'], body: [{ $tuple: ['$1', 9] }] }]),
  matchDelete: (t) => ets.matchDelete(t, ['_', '_']),
  rename: (t) => ets.rename(t, 'renamed'),
};

function table(access: Access): Table {
  const t = ets.new(`access_${access}`, { access });
  ets.insert(t, ['k', 1]);
  return t;
}

describe.each(['protected', 'private', 'public'] as const)('%s table, another process', (access) => {
  const mayRead = access !== 'private';
  const mayWrite = access === 'public';

  it.each(Object.keys(READS))(`%s ${mayRead ? 'is allowed' : 'is refused with ETS_ACCESS'}`, async (name) => {
    const t = table(access);
    const code = await inProcess(() => codeOf(() => READS[name]!(t)));
    expect(code).toBe(mayRead ? undefined : 'ETS_ACCESS');
    expect(ets.tab2list(t)).toEqual([['k', 1]]);
    ets.delete(t);
  });

  it.each(Object.keys(WRITES))(`%s ${mayWrite ? 'is allowed' : 'is refused with ETS_ACCESS and changes nothing'}`, async (name) => {
    const t = table(access);
    const code = await inProcess(() => codeOf(() => WRITES[name]!(t)));
    if (mayWrite) {
      expect(code).toBeUndefined();
    } else {
      expect(code).toBe('ETS_ACCESS');
      expect(ets.tab2list(t)).toEqual([['k', 1]]);
      expect(ets.info(t, 'name')).toBe(`access_${access}`);
    }
    ets.delete(t);
  });

  it('the owner may read and write', () => {
    const t = table(access);
    for (const f of [...Object.values(READS), ...Object.values(WRITES)]) {
      ets.deleteAllObjects(t);
      ets.insert(t, ['k', 1]);
      expect(codeOf(() => f(t))).toBeUndefined();
    }
    ets.delete(t);
  });

  it(`info and whereis work from any process; delete of the table is ${mayWrite ? 'allowed' : 'refused'}`, async () => {
    const t = ets.new(`access_named_${access}`, { access, named: true });
    const seen = await inProcess(() => ({ size: ets.info(t, 'size'), where: ets.whereis(`access_named_${access}`), del: codeOf(() => ets.delete(t)) }));
    expect(seen.size).toBe(0);
    expect(seen.where).toBe(t);
    expect(seen.del).toBe(mayWrite ? undefined : 'ETS_ACCESS');
    expect(ets.info(t) === undefined).toBe(mayWrite);
    if (!mayWrite) ets.delete(t);
  });
});
