/**
 * The seed examples of the foundation issue, after ETS's documentation:
 * the `people` table (ordered_set, keypos 3) with the match spec selecting
 * first and last names of people with more than three hobbies; the
 * `RequestsPerUser` counter kept by updateCounter with a default object;
 * and the heir example (a worker's table survives its crash).
 */
import { describe, expect, it } from 'vitest';
import { END_OF_TABLE, ets, isEtsTransfer, receive, self, send, spawn, whenExited, type EtsTransfer, type MatchSpec, type Pid, type Term } from '../../src/index.js';
import { ms } from '../../src/match-spec/index.js';
import { inProcess } from '../helpers.js';

const person = Symbol.for('person');

describe('people: an ordered_set keyed by last name (keypos 3)', () => {
  const people = () => {
    const t = ets.new('people', { type: 'ordered_set', keypos: 3 });
    ets.insertMany(t, [
      [person, 'Ada', 'Lovelace', 36, ['maths', 'poetry', 'music', 'riding']],
      [person, 'Alan', 'Turing', 41, ['running', 'chess']],
      [person, 'Grace', 'Hopper', 85, ['navy', 'cobol', 'teaching', 'nanoseconds', 'clocks']],
      [person, 'Edsger', 'Dijkstra', 72, ['writing', 'piano', 'cycling']],
    ]);
    return t;
  };

  it('looks people up by last name and keeps them in last-name order', () => {
    const t = people();
    expect(ets.lookup(t, 'Turing')).toEqual([[person, 'Alan', 'Turing', 41, ['running', 'chess']]]);
    expect(ets.lookupElement(t, 'Hopper', 2)).toBe('Grace');
    expect(ets.tab2list(t).map((r) => r[2])).toEqual(['Dijkstra', 'Hopper', 'Lovelace', 'Turing']);
    expect(ets.first(t)).toBe('Dijkstra');
    expect(ets.next(t, 'Hopper')).toBe('Lovelace');
    ets.delete(t);
  });

  it('selects first and last names of people with more than 3 hobbies', () => {
    const t = people();
    // Erlang: [{{person, '$1', '$2', '_', '$3'}, [{'>', {length, '$3'}, 3}], [['$1', '$2']]}]
    const spec: MatchSpec = [{ head: [person, '$1', '$2', '_', '$3'], guards: [['>', ['length', '$3'], 3]], body: [{ $list: ['$1', '$2'] }] }];
    const want = [
      ['Grace', 'Hopper'],
      ['Ada', 'Lovelace'],
    ];
    expect(ets.select(t, spec)).toEqual(want);
    // the same spec from the builders, in JSON, and as a JS function
    const built = ms.spec(ms.clause([ms.atom('person'), ms.v(1), ms.v(2), ms.any, ms.v(3)], [ms.gt(ms.length(ms.v(3)), 3)], [ms.list(ms.v(1), ms.v(2))]));
    expect(ets.select(t, built)).toEqual(want);
    const json = JSON.parse(JSON.stringify([{ head: [{ $atom: 'person' }, '$1', '$2', '_', '$3'], guards: [['>', ['length', '$3'], 3]], body: [{ $list: ['$1', '$2'] }] }]));
    expect(ets.select(t, json)).toEqual(want);
    expect(ets.select(t, (r: readonly Term[]) => (r[4] as unknown[]).length > 3 && [r[1], r[2]])).toEqual(want);
    // in chunks of one, then the end
    const c1 = ets.select(t, spec, 1);
    if (c1 === END_OF_TABLE) throw new Error('expected a chunk');
    expect(c1[0]).toEqual([want[0]]);
    const c2 = ets.select(c1[1]);
    if (c2 === END_OF_TABLE) throw new Error('expected a chunk');
    expect(c2[0]).toEqual([want[1]]);
    expect(ets.select(c2[1])).toBe(END_OF_TABLE);
    // how many such people, and the match form
    expect(ets.selectCount(t, [{ head: [person, '_', '_', '_', '$1'], guards: [['>', ['length', '$1'], 3]], body: [true] }])).toBe(2);
    expect(ets.match(t, [person, '$1', 'Turing', '$2', '_'])).toEqual([['Alan', 41]]);
    ets.delete(t);
  });
});

describe('RequestsPerUser: a counter per user with a default object', () => {
  it('counts requests from many processes with updateCounter(tab, user, [2, 1], [user, 0])', async () => {
    const t = ets.new('RequestsPerUser', { named: true, access: 'public' });
    const record = (user: string) => ets.updateCounter('RequestsPerUser', user, [2, 1], [user, 0]);
    const requests = ['alice', 'bob', 'alice', 'carol', 'alice', 'bob'];
    const workers = requests.map((user) => inProcess(async () => record(user)));
    const results = await Promise.all(workers);
    expect([...results].sort()).toEqual([1, 1, 1, 2, 2, 3]);
    expect(ets.tab2list('RequestsPerUser').sort()).toEqual([
      ['alice', 3],
      ['bob', 2],
      ['carol', 1],
    ]);
    expect(ets.lookupElement('RequestsPerUser', 'dave', 2, 0)).toBe(0);
    expect(record('dave')).toBe(1);
    ets.delete(t);
  });
});

describe('heir: a worker crashes, its table survives', () => {
  it('the manager inherits the table with its data, then gives it to a new worker', async () => {
    // The manager waits for tables that come to it, and passes each on to a fresh worker.
    const manager = spawn(async () => {
      const inherited = (await receive({ match: isEtsTransfer })) as EtsTransfer;
      const rows = ets.tab2list(inherited.table);
      const worker = spawn(async () => {
        const handed = (await receive({ match: isEtsTransfer })) as EtsTransfer;
        ets.insert(handed.table, ['restarted', true]);
        return { data: handed.data, rows: ets.tab2list(handed.table).length, owner: ets.info(handed.table, 'owner') === self() };
      });
      ets.giveAway(inherited.table, worker, 'take over');
      return { heirData: inherited.data, rows, worker: await whenExited(worker) };
    });
    const managerExit = whenExited(manager);
    let tab: unknown;
    await expect(
      inProcess(() => {
        const t = ets.new('worker_state', { heir: { pid: manager, data: 'worker 1 state' } });
        tab = t;
        ets.insertMany(t, [
          ['job', 1],
          ['job', 2],
        ]);
        throw new Error('worker crashed');
      }),
    ).rejects.toThrow('worker crashed');
    const exit = await managerExit;
    expect(exit).toEqual({
      reason: 'normal',
      value: { heirData: 'worker 1 state', rows: [['job', 2]], worker: { reason: 'normal', value: { data: 'take over', rows: 2, owner: true } } },
    });
    // the last owner (the second worker) ended without heir: the table is gone
    expect(ets.info(tab as never)).toBeUndefined();
  });

  it('the heir can be the root process, which receives the notice in its mailbox', async () => {
    const me: Pid = self();
    const t = await inProcess(() => {
      const t = ets.new('to_root', { heir: { pid: me, data: 42 } });
      ets.insert(t, ['x', 1]);
      return t;
    });
    const m = (await receive({ match: isEtsTransfer })) as EtsTransfer;
    expect(m).toMatchObject({ tag: 'ETS-TRANSFER', table: t, data: 42 });
    expect(ets.info(t, 'owner')).toBe(me);
    ets.insert(t, ['y', 2]);
    expect(ets.info(t, 'size')).toBe(2);
    send(me, 'unrelated');
    expect(await receive()).toBe('unrelated');
    ets.delete(t);
  });
});
