/**
 * Table lifecycle: new (options and their validation), named tables, info,
 * rename, all, whereis, delete. Checked against OTP 25 where marked.
 */
import { describe, expect, it } from 'vitest';
import { END_OF_TABLE, ets, rootPid, Table, type TableType } from '../../src/index.js';
import { codeOf } from '../helpers.js';

const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];

describe('ets.new', () => {
  it('creates a protected set keyed at position 1 by default, owned by the caller', () => {
    const t = ets.new('defaults');
    expect(t).toBeInstanceOf(Table);
    expect(ets.info(t)).toEqual({
      id: t.id,
      name: 'defaults',
      named: false,
      type: 'set',
      keypos: 1,
      protection: 'protected',
      owner: rootPid(),
      heir: 'none',
      size: 0,
      memory: expect.any(Number),
      onDisk: false,
      fixed: false,
      safeFixed: false,
    });
    ets.delete(t);
  });

  it.each(TYPES)('creates a %s table with every option', (type) => {
    const t = ets.new(Symbol.for(`opts_${type}`), { type, keypos: 2, access: 'public', named: true, heir: { pid: rootPid(), data: 1 } });
    expect(ets.info(t, 'type')).toBe(type);
    expect(ets.info(t, 'keypos')).toBe(2);
    expect(ets.info(t, 'protection')).toBe('public');
    expect(ets.info(t, 'named')).toBe(true);
    expect(ets.info(t, 'heir')).toBe(rootPid());
    // an atom name is the same name as the string
    expect(ets.info(t, 'name')).toBe(`opts_${type}`);
    expect(ets.whereis(`opts_${type}`)).toBe(t);
    expect(ets.whereis(Symbol.for(`opts_${type}`))).toBe(t);
    ets.delete(t);
  });

  it('validates its options (OTP 25: badarg), creating nothing', () => {
    const before = ets.all().length;
    const bad: unknown[] = [
      { type: 'hash' },
      { keypos: 0 },
      { keypos: 1.5 },
      { keypos: '1' },
      { access: 'open' },
      { named: 'yes' },
      { heir: 'someone' },
      { heir: { pid: 1, data: 0 } },
      { bogus: true },
      null,
      'set',
    ];
    for (const o of bad) expect(codeOf(() => ets.new('bad', o as never)), JSON.stringify(o)).toBe('ETS_BADARG');
    for (const name of [1, null, {}, Symbol('local')]) expect(codeOf(() => ets.new(name as never))).toBe('ETS_BADARG');
    expect(ets.all().length).toBe(before);
  });

  it('makes named tables reachable by name; a second named table of that name is ETS_NAME_TAKEN', () => {
    const t = ets.new('people_named', { named: true });
    ets.insert('people_named', ['ada', 36]);
    expect(ets.lookup('people_named', 'ada')).toEqual([['ada', 36]]);
    expect(ets.lookup(Symbol.for('people_named'), 'ada')).toEqual([['ada', 36]]);
    expect(codeOf(() => ets.new('people_named', { named: true }))).toBe('ETS_NAME_TAKEN');
    expect(codeOf(() => ets.new(Symbol.for('people_named'), { named: true }))).toBe('ETS_NAME_TAKEN');
    // OTP 25: unnamed tables may share a name, even with a named one
    const u1 = ets.new('people_named');
    const u2 = ets.new('people_named');
    expect(u1).not.toBe(u2);
    expect(ets.whereis('people_named')).toBe(t);
    // an unnamed table cannot be reached by its name
    const only = ets.new('unnamed_only');
    expect(codeOf(() => ets.lookup('unnamed_only', 'x'))).toBe('ETS_NO_TABLE');
    for (const x of [t, u1, u2, only]) ets.delete(x);
    expect(ets.whereis('people_named')).toBeUndefined();
  });
});

describe('ets.info', () => {
  it('gives each item alone as in the full record', () => {
    const t = ets.new('info_items', { type: 'bag', keypos: 2, access: 'public', named: true });
    ets.insert(t, ['a', 'k']);
    const all = ets.info(t)!;
    expect(Object.keys(all).sort()).toEqual(['fixed', 'heir', 'id', 'keypos', 'memory', 'name', 'named', 'onDisk', 'owner', 'protection', 'safeFixed', 'size', 'type']);
    for (const item of Object.keys(all) as Array<keyof typeof all>) expect(ets.info(t, item)).toEqual(all[item]);
    expect(all).toMatchObject({ name: 'info_items', named: true, type: 'bag', keypos: 2, protection: 'public', size: 1, onDisk: false });
    ets.delete(t);
  });

  it('reports size and memory as rows come and go', () => {
    const t = ets.new('info_size', { type: 'duplicate_bag' });
    const m0 = ets.info(t, 'memory')!;
    ets.insertMany(t, [
      ['a', 1],
      ['a', 1],
      ['b', 2],
    ]);
    expect(ets.info(t, 'size')).toBe(3);
    expect(ets.info(t, 'memory')!).toBeGreaterThan(m0);
    ets.delete(t, 'a');
    expect(ets.info(t, 'size')).toBe(1);
    ets.delete(t);
  });

  it('returns undefined for a deleted table, for every item (OTP 25)', () => {
    const t = ets.new('info_gone', { named: true });
    ets.delete(t);
    expect(ets.info(t)).toBeUndefined();
    expect(ets.info(t, 'size')).toBeUndefined();
    expect(ets.info('info_gone')).toBeUndefined();
    expect(ets.info('never_existed', 'type')).toBeUndefined();
  });

  it('refuses an unknown item and a non-table argument (OTP 25: badarg)', () => {
    const t = ets.new('info_bad');
    expect(codeOf(() => ets.info(t, 'bogus' as never))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.info(42 as never))).toBe('ETS_BADARG');
    ets.delete(t);
  });
});

describe('ets.rename', () => {
  it('renames an unnamed table (OTP 25), keeping the handle valid', () => {
    const t = ets.new('before');
    expect(ets.rename(t, 'after')).toBe(t);
    expect(t.name).toBe('after');
    expect(ets.info(t, 'name')).toBe('after');
    ets.delete(t);
  });

  it('moves a named table to its new name and frees the old one', () => {
    const t = ets.new('old_name', { named: true });
    ets.insert(t, ['k']);
    ets.rename('old_name', Symbol.for('new_name'));
    expect(ets.whereis('old_name')).toBeUndefined();
    expect(ets.whereis('new_name')).toBe(t);
    expect(ets.lookup('new_name', 'k')).toEqual([['k']]);
    expect(codeOf(() => ets.lookup('old_name', 'k'))).toBe('ETS_NO_TABLE');
    const again = ets.new('old_name', { named: true });
    ets.delete(again);
    ets.delete(t);
  });

  it('refuses a name held by another named table (OTP 25: badarg), changing nothing', () => {
    const a = ets.new('rn_a', { named: true });
    const b = ets.new('rn_b', { named: true });
    expect(codeOf(() => ets.rename(a, 'rn_b'))).toBe('ETS_NAME_TAKEN');
    expect(ets.whereis('rn_a')).toBe(a);
    expect(ets.whereis('rn_b')).toBe(b);
    // renaming to its own name is fine; an unnamed table may take a named table's name (OTP 25)
    expect(ets.rename(a, 'rn_a')).toBe(a);
    const u = ets.new('rn_u');
    expect(ets.rename(u, 'rn_b')).toBe(u);
    expect(ets.whereis('rn_b')).toBe(b);
    expect(codeOf(() => ets.rename(a, 42 as never))).toBe('ETS_BADARG');
    for (const x of [a, b, u]) ets.delete(x);
  });
});

describe('ets.all, ets.whereis, ets.delete', () => {
  it('all lists live tables, whereis finds named ones', () => {
    const t1 = ets.new('all1');
    const t2 = ets.new('all2', { named: true });
    expect(ets.all()).toEqual(expect.arrayContaining([t1, t2]));
    expect(ets.whereis('all2')).toBe(t2);
    expect(ets.whereis('all1')).toBeUndefined();
    expect(codeOf(() => ets.whereis(3 as never))).toBe('ETS_BADARG');
    ets.delete(t1);
    ets.delete('all2');
    expect(ets.all()).not.toContain(t1);
    expect(ets.all()).not.toContain(t2);
  });

  it('delete(t) removes the table; every later call with the handle is ETS_NO_TABLE', () => {
    const t = ets.new('deleted');
    ets.insert(t, ['k', 1]);
    expect(ets.delete(t)).toBe(true);
    for (const f of [() => ets.lookup(t, 'k'), () => ets.insert(t, ['k']), () => ets.first(t), () => ets.delete(t), () => ets.tab2list(t)]) {
      expect(codeOf(f)).toBe('ETS_NO_TABLE');
    }
    expect(ets.first(ets.new('fresh'))).toBe(END_OF_TABLE);
  });
});
