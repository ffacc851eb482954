/**
 * The ETS functions added to match OTP 25's surface (slot, safe_fixtable,
 * match_spec_compile/run, test_ms, is_compiled_ms, i) and the behaviours
 * the differential run against live ETS found (bag list inserts, absent
 * keys in update_element, the last chunk of a limited select). Expected
 * values were checked against OTP 25 where marked.
 */
import { describe, expect, it } from 'vitest';
import { END_OF_TABLE, ErlFloat, EXIT, ets, self, spawn, tuple, whenExited, type MatchSpec, type Row } from '../../src/index.js';
import { codeOf } from '../helpers.js';

describe('ets.slot (ets:slot/2)', () => {
  it('ordered_set: the i-th row; END_OF_TABLE just past the end, ETS_BADARG beyond (OTP 25)', () => {
    const t = ets.new('slot_o', { type: 'ordered_set' });
    ets.insertMany(t, [['c', 3], ['a', 1], ['b', 2]]);
    expect([0, 1, 2].map((i) => ets.slot(t, i))).toEqual([[['a', 1]], [['b', 2]], [['c', 3]]]);
    expect(ets.slot(t, 3)).toBe(END_OF_TABLE);
    expect(codeOf(() => ets.slot(t, 4))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.slot(t, -1))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.slot(t, 1.5))).toBe('ETS_BADARG');
    ets.delete(t);
  });

  it('hash tables: slot i holds the rows of the i-th key; a loop over the slots sees every row once', () => {
    const t = ets.new('slot_b', { type: 'bag' });
    ets.insertMany(t, [['k', 1], ['j', 1], ['k', 2]]);
    const seen: Row[] = [];
    let i = 0;
    for (let s = ets.slot(t, i); s !== END_OF_TABLE; s = ets.slot(t, ++i)) seen.push(...s);
    expect(i).toBe(2);
    expect(seen.length).toBe(3);
    expect(seen).toEqual(expect.arrayContaining(ets.tab2list(t) as unknown[]));
    expect(codeOf(() => ets.slot(t, 3))).toBe('ETS_BADARG');
    ets.delete(t);
  });
});

describe('ets.safeFixtable (ets:safe_fixtable/2) and info safe_fixed', () => {
  it('counts fixations per process, as ETS; false once all are released (OTP 25)', () => {
    const t = ets.new('fix', {});
    expect(ets.info(t, 'safe_fixed')).toBe(false);
    expect(ets.info(t, 'fixed')).toBe(false);
    expect(ets.info(t, 'named_table' as never)).toBe(false); // ETS's name of 'named'
    const before = Date.now();
    ets.safeFixtable(t, true);
    ets.safeFixtable(t, true);
    const f = ets.info(t, 'safeFixed');
    expect(f).not.toBe(false);
    if (f === false || f === undefined) throw new Error('fixed');
    expect(f.fixers).toEqual([{ pid: self(), count: 2 }]);
    expect(f.time).toBeGreaterThanOrEqual(before);
    expect(ets.info(t, 'safe_fixed')).toEqual(f);
    expect(ets.info(t, 'fixed')).toBe(true);
    ets.safeFixtable(t, false);
    expect((ets.info(t, 'safeFixed') as { fixers: unknown }).fixers).toEqual([{ pid: self(), count: 1 }]);
    ets.safeFixtable(t, false);
    ets.safeFixtable(t, false); // one too many: nothing happens (OTP 25)
    expect(ets.info(t, 'safe_fixed')).toBe(false);
    expect(codeOf(() => ets.safeFixtable(t, 'yes' as never))).toBe('ETS_BADARG');
    ets.delete(t);
  });

  it("a process's fixations end when it does", async () => {
    const t = ets.new('fix_proc', { access: 'public' });
    const p = spawn(() => {
      ets.safeFixtable(t, true);
    });
    await whenExited(p);
    expect(ets.info(t, 'safe_fixed')).toBe(false);
    ets.delete(t);
  });

  it('on a fixed hash table, next of a key deleted during the walk continues the walk', () => {
    const t = ets.new('fix_walk', {});
    ets.insertMany(t, [['a'], ['b'], ['c'], ['d']]);
    const unfixed: unknown[] = [];
    ets.safeFixtable(t, true);
    const seen: unknown[] = [];
    for (let k = ets.first(t); k !== END_OF_TABLE; ) {
      seen.push(k);
      ets.delete(t, k); // delete each key as it is visited
      k = ets.next(t, k);
    }
    ets.safeFixtable(t, false);
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(ets.info(t, 'size')).toBe(0);
    // not fixed: next of a deleted key is refused (OTP 25: badarg)
    ets.insertMany(t, [['x'], ['y']]);
    const k = ets.first(t);
    ets.delete(t, k);
    unfixed.push(codeOf(() => ets.next(t, k)));
    expect(unfixed).toEqual(['ETS_BADARG']);
    ets.delete(t);
  });
});

describe('match specs outside tables (match_spec_compile/run, test_ms, is_compiled_ms)', () => {
  const spec: MatchSpec = [[['$1', '$2'], [['>', '$2', 1]], [tuple('$2', '$1')]]];

  it('matchSpecRun gives the result for each matching row, in order (OTP 25)', () => {
    const c = ets.matchSpecCompile(spec);
    expect(ets.isCompiledMs(c)).toBe(true);
    expect(ets.isCompiledMs(spec)).toBe(false);
    expect(ets.matchSpecRun([['a', 1], tuple('b', 2), ['c', 3]], c)).toEqual([tuple(2, 'b'), tuple(3, 'c')]);
    // a spec not compiled yet is compiled on the fly
    expect(ets.matchSpecRun([['c', 3]], spec)).toEqual([tuple(3, 'c')]);
    // numbers get their stored form on the way in: 3n is 3
    expect(ets.matchSpecRun([['c', 3n]], [[['$1', 3], [], ['$1']]])).toEqual(['c']);
    expect(codeOf(() => ets.matchSpecRun(['not a row'] as never, c))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.matchSpecCompile([['bad']] as never))).toBe('ETS_BAD_MATCH_SPEC');
  });

  it('testMs runs over one row: {ok, Result}, {ok, false} for no match, {error, Errors} for a bad spec (OTP 25)', () => {
    expect(ets.testMs(['a', 5], spec)).toEqual({ ok: true, result: tuple(5, 'a'), matched: true });
    expect(ets.testMs(['a', 0], spec)).toEqual({ ok: true, result: false, matched: false });
    expect(ets.testMs([9, 'x'], [[['$1', '$2'], [], [['+', '$2', 1]]]])).toEqual({ ok: true, result: EXIT, matched: true });
    const bad = ets.testMs(['a'], [[['$1'], [], ['$9']]]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/not bound/);
    expect(codeOf(() => ets.testMs('a' as never, spec))).toBe('ETS_BADARG');
  });
});

describe('ets.i (ets:i/0,1)', () => {
  it('lists the tables, and prints the first rows of one in Erlang syntax', () => {
    const t = ets.new('browse_me', { type: 'ordered_set' });
    ets.insertMany(t, [[1, 'one', new ErlFloat(2)], [2, Symbol.for('two'), tuple('a', [1, 2n])], [3, 'three', 1e20]]);
    const lines: string[] = [];
    ets.i(undefined, { write: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/id\s+name\s+type\s+size\s+mem\s+owner/);
    expect(lines.some((l) => /browse_me\s+ordered_set\s+3\s/.test(l))).toBe(true);
    lines.length = 0;
    ets.i(t, { limit: 2, write: (l) => lines.push(l) });
    expect(lines).toEqual([`browse_me: ordered_set, keypos 1, 3 rows, owner ${String(self())}`, '{1, <<"one">>, 2.0}', '{2, two, {<<"a">>, [1, 2]}}', '... 1 more row']);
    ets.delete(t);
    expect(codeOf(() => ets.i(t, { write: () => undefined }))).toBe('ETS_NO_TABLE');
  });
});

describe('what the differential run against live ETS found', () => {
  it('a list goes into a bag last row first; one row appends (OTP 25)', () => {
    const t = ets.new('bag_list', { type: 'bag' });
    ets.insertMany(t, [['k', 1], ['k', 2], ['k', 1], ['k', 3]]);
    // erl: insert(B, [{k,1},{k,2},{k,1},{k,3}]) -> lookup [{k,3},{k,1},{k,2}]
    expect(ets.lookup(t, 'k')).toEqual([['k', 3], ['k', 1], ['k', 2]]);
    ets.insertMany(t, [['k', 2], ['k', 7]]);
    ets.insert(t, ['k', 8]);
    expect(ets.lookup(t, 'k')).toEqual([['k', 3], ['k', 1], ['k', 2], ['k', 7], ['k', 8]]);
    expect(ets.insertNewMany(t, [['z', 1], ['z', 2]])).toBe(true);
    expect(ets.lookup(t, 'z')).toEqual([['z', 2], ['z', 1]]);
    ets.delete(t);
    // duplicate_bag keeps list order (OTP 25)
    const d = ets.new('dup_list', { type: 'duplicate_bag' });
    ets.insertMany(d, [['k', 1], ['k', 2], ['k', 3]]);
    expect(ets.lookup(d, 'k')).toEqual([['k', 1], ['k', 2], ['k', 3]]);
    ets.delete(d);
  });

  it('updateElement on an absent key is false whatever the positions (OTP 25)', () => {
    const t = ets.new('ue', {});
    for (const spec of [[1, 'y'], [0, 'y'], ['a', 'y'], [[2, 'y'], [1, 'z']], [], 'foo', [2, 'y', 'z']]) {
      expect(ets.updateElement(t, 'x', spec as never)).toBe(false);
    }
    ets.insert(t, ['x', 1]);
    expect(codeOf(() => ets.updateElement(t, 'x', [1, 'y']))).toBe('ETS_BAD_POSITION');
    expect(codeOf(() => ets.updateElement(t, 'x', [3, 'y']))).toBe('ETS_BAD_POSITION');
    expect(ets.updateElement(t, 'x', [[2, 'a'], [2, 'b']])).toBe(true);
    expect(ets.lookup(t, 'x')).toEqual([['x', 'b']]);
    ets.delete(t);
    expect(codeOf(() => ets.updateElement(ets.new('ue_bag', { type: 'bag' }), 'x', [2, 'y']))).toBe('ETS_BAD_TABLE_TYPE');
  });

  it('a chunk that reaches the end of the table comes with END_OF_TABLE, a full one with a continuation (OTP 25)', () => {
    const t = ets.new('chunks', { type: 'ordered_set' });
    ets.insertMany(t, [[1], [2], [3]]);
    const all: MatchSpec = [['_', [], ['$_']]];
    // erl: n=3, limit 2 -> {[2 rows], Cont}, then {[1 row], '$end_of_table'}
    const c1 = ets.select(t, all, 2);
    if (c1 === END_OF_TABLE) throw new Error('chunk');
    expect(c1[0].length).toBe(2);
    const c2 = ets.select(c1[1]);
    expect(c2).toEqual([[[3]], END_OF_TABLE]);
    // erl: n=3, limit 3 -> {[3 rows], Cont}, then '$end_of_table'
    const d1 = ets.select(t, all, 3);
    if (d1 === END_OF_TABLE) throw new Error('chunk');
    expect(d1[1]).not.toBe(END_OF_TABLE);
    expect(ets.select(d1[1])).toBe(END_OF_TABLE);
    // erl: limit 4 -> {[3 rows], '$end_of_table'}; an empty table: '$end_of_table'
    expect(ets.select(t, all, 4)).toEqual([[[1], [2], [3]], END_OF_TABLE]);
    ets.deleteAllObjects(t);
    expect(ets.select(t, all, 4)).toBe(END_OF_TABLE);
    ets.delete(t);
  });

  it('selectReplace refuses a spec that may change a key before looking at any row (OTP 25: badarg)', () => {
    const t = ets.new('sr_static', {});
    const sr = (body: unknown[], head: unknown = ['$1', '$2', '$3'], guards: unknown[] = []) => codeOf(() => ets.selectReplace(t, [[head, guards, body]] as never));
    // erl, on an empty table: swap, key pinned by a guard, non-tuple body, two body expressions, '_' or '$1' heads, computed key: badarg
    expect(sr([tuple('$2', '$1', '$3')])).toBe('ETS_BADARG');
    expect(sr([tuple('k', '$2', 'x')], ['$1', '$2', '$3'], [['=:=', '$1', 'k']])).toBe('ETS_BADARG');
    expect(sr([Symbol.for('x')])).toBe('ETS_BADARG');
    expect(sr([Symbol.for('x'), tuple('$1', '$2', '$3')])).toBe('ETS_BADARG');
    expect(sr([tuple('x')], '_')).toBe('ETS_BADARG');
    expect(sr(['$1'], '$1')).toBe('ETS_BADARG');
    expect(sr([tuple(['+', '$1', 0], '$2', '$3')])).toBe('ETS_BADARG');
    // the same key variable, '$_', the same literal key, a constant with that key: accepted (erl: 0)
    expect(ets.selectReplace(t, [[['$1', '$2', '$3'], [], [tuple('$1', '$2', 'x')]]])).toBe(0);
    expect(ets.selectReplace(t, [[['$1', '$2', '$3'], [], ['$_']]])).toBe(0);
    expect(ets.selectReplace(t, [[['k', '$2', '$3'], [], [tuple('k', '$2', 'x')]]])).toBe(0);
    expect(ets.selectReplace(t, [[['k', '$2', '$3'], [], [{ $const: tuple('k', 1, 2) }]]])).toBe(0);
    // a replacement of another size keeping the key is fine (erl: {1,1,a} becomes {1,1})
    ets.insert(t, [1, 1, 'a']);
    expect(ets.selectReplace(t, [[['$1', '$2', '$3'], [], [tuple('$1', '$2')]]])).toBe(1);
    expect(ets.tab2list(t)).toEqual([[1, 1]]);
    ets.delete(t);
  });
});
