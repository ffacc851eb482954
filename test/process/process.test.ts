/**
 * Processes (spawn/self/send/receive) and table ownership: owner death,
 * heir, giveAway. Behaviour marked "OTP 25" was checked against the real ETS.
 */
import { describe, expect, it } from 'vitest';
import { ets, isAlive, isEtsTransfer, receive, rootPid, self, send, spawn, TIMEOUT, whenExited, type EtsTransfer, type Pid, type Table } from '../../src/index.js';
import { codeOf, inProcess, uniqueName } from '../helpers.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A process that waits for an ETS-TRANSFER notice, reports it to `to`, then waits for 'stop'. */
function heirProcess(to: Pid): Pid {
  return spawn(async () => {
    const m = (await receive({ match: isEtsTransfer })) as EtsTransfer;
    const t = m.table;
    send(to, { notice: m, ownerIsMe: ets.info(t, 'owner') === self(), heirAfter: ets.info(t, 'heir'), canWrite: ets.insert(t, ['by-heir', 1]) });
    await receive({ match: (x) => x === 'stop' });
  });
}

describe('processes', () => {
  it('self() is the root pid outside spawn, and a fresh pid inside, kept across awaits', async () => {
    expect(self()).toBe(rootPid());
    const seen = await inProcess(async () => {
      const me = self();
      await tick(1);
      const afterTimer = self();
      const inner = await inProcess(() => self());
      return { me, afterTimer, after: self(), inner };
    });
    expect(seen.me).not.toBe(rootPid());
    expect(seen.afterTimer).toBe(seen.me);
    expect(seen.after).toBe(seen.me);
    expect(seen.inner).not.toBe(seen.me);
    expect(self()).toBe(rootPid());
  });

  it('spawn returns at once; the process ends when its function settles', async () => {
    let started = false;
    const pid = spawn(async () => {
      started = true;
      await tick(1);
      return 42;
    });
    expect(started).toBe(false);
    expect(isAlive(pid)).toBe(true);
    expect(await whenExited(pid)).toEqual({ reason: 'normal', value: 42 });
    expect(isAlive(pid)).toBe(false);
    const boom = new Error('boom');
    const bad = spawn(() => {
      throw boom;
    });
    expect(await whenExited(bad)).toEqual({ reason: 'error', error: boom });
  });

  it('send/receive deliver in order, with a match filter and a timeout', async () => {
    const pid = spawn(async () => {
      const first = await receive();
      const picked = await receive({ match: (m) => m === 'c' });
      const rest = await receive();
      const none = await receive({ timeout: 5 });
      return [first, picked, rest, none];
    });
    const done = whenExited(pid);
    send(pid, 'a');
    send(pid, 'b');
    send(pid, 'c');
    expect(await done).toEqual({ reason: 'normal', value: ['a', 'c', 'b', TIMEOUT] });
    send(pid, 'to a dead process is dropped');
  });
});

describe('owner death', () => {
  it('deletes the tables of a process when it returns', async () => {
    const name = uniqueName('owned');
    const t = await inProcess(() => {
      const t = ets.new(name, { named: true, access: 'public' });
      ets.insert(t, ['k', 1]);
      return t;
    });
    expect(ets.info(t)).toBeUndefined();
    expect(ets.whereis(name)).toBeUndefined();
    expect(ets.all()).not.toContain(t);
    expect(codeOf(() => ets.lookup(t, 'k'))).toBe('ETS_NO_TABLE');
    expect(codeOf(() => ets.lookup(name, 'k'))).toBe('ETS_NO_TABLE');
    // the name is free again
    const again = ets.new(name, { named: true });
    expect(ets.whereis(name)).toBe(again);
    ets.delete(again);
  });

  it('deletes the tables of a process that throws, or rejects after an await', async () => {
    let t1: Table | undefined;
    let t2: Table | undefined;
    await expect(
      inProcess(() => {
        t1 = ets.new('crash1');
        throw new Error('crash');
      }),
    ).rejects.toThrow('crash');
    await expect(
      inProcess(async () => {
        t2 = ets.new('crash2');
        await tick(1);
        throw new Error('later');
      }),
    ).rejects.toThrow('later');
    expect(ets.info(t1!)).toBeUndefined();
    expect(ets.info(t2!)).toBeUndefined();
  });

  it('hands the table to a live heir, which gets an ETS-TRANSFER notice (the ETS heir example)', async () => {
    // OTP 25: the heir receives {'ETS-TRANSFER', Tab, FromPid, HeirData}, becomes the owner,
    // and info(Tab, heir) still names it afterwards.
    const heir = heirProcess(self());
    let ownerPid: Pid | undefined;
    const t = await inProcess(() => {
      ownerPid = self();
      const t = ets.new('inherited', { heir: { pid: heir, data: { reason: 'backup' } } });
      ets.insert(t, ['k', 1]);
      expect(ets.info(t, 'heir')).toBe(heir);
      return t;
    });
    const report = (await receive()) as { notice: EtsTransfer; ownerIsMe: boolean; heirAfter: unknown; canWrite: boolean };
    expect(report.notice.tag).toBe('ETS-TRANSFER');
    expect(report.notice.table).toBe(t);
    expect(report.notice.from).toBe(ownerPid);
    expect(report.notice.data).toEqual({ reason: 'backup' });
    expect(report.ownerIsMe).toBe(true);
    expect(report.heirAfter).toBe(heir);
    expect(report.canWrite).toBe(true);
    expect(ets.tab2list(t)).toEqual([
      ['k', 1],
      ['by-heir', 1],
    ]);
    // when the heir (now the owner, and still the heir) ends, the table goes
    send(heir, 'stop');
    await whenExited(heir);
    expect(ets.info(t)).toBeUndefined();
  });

  it('refuses ets.new from code that runs after its process ended (regression: the table leaked)', async () => {
    let code: string | undefined = 'not run';
    const pid = spawn(() => {
      setTimeout(() => {
        code = codeOf(() => ets.new('late'));
      }, 5);
    });
    await whenExited(pid);
    await tick(30);
    expect(code).toBe('ETS_NO_PROCESS');
    expect(ets.all().some((t) => t.name === 'late')).toBe(false);
  });

  it('deletes the table when the heir died first', async () => {
    const heir = spawn(() => undefined);
    await whenExited(heir);
    const t = await inProcess(() => ets.new('orphan', { heir: { pid: heir, data: 0 } }));
    expect(ets.info(t)).toBeUndefined();
  });

  it('setopts changes or removes the heir; only the owner may', async () => {
    const heir = heirProcess(self());
    const t = await inProcess(async () => {
      const t = ets.new('setopts');
      ets.setopts(t, { heir: { pid: heir, data: 'd1' } });
      expect(ets.info(t, 'heir')).toBe(heir);
      // OTP 25: setopts by a non-owner is badarg
      expect(await inProcess(() => codeOf(() => ets.setopts(t, { heir: 'none' })))).toBe('ETS_NOT_OWNER');
      expect(codeOf(() => ets.setopts(t, { heir: { pid: 'nope' } } as never))).toBe('ETS_BADARG');
      expect(codeOf(() => ets.setopts(t, {} as never))).toBe('ETS_BADARG');
      expect(ets.info(t, 'heir')).toBe(heir);
      return t;
    });
    const report = (await receive()) as { notice: EtsTransfer };
    expect(report.notice.data).toBe('d1');
    expect(report.notice.table).toBe(t);
    send(heir, 'stop');
    await whenExited(heir);
    const t2 = await inProcess(() => {
      const t2 = ets.new('noheir', { heir: { pid: rootPid(), data: 0 } });
      ets.setopts(t2, { heir: 'none' });
      expect(ets.info(t2, 'heir')).toBe('none');
      return t2;
    });
    expect(ets.info(t2)).toBeUndefined();
  });
});

describe('giveAway', () => {
  it('transfers ownership while alive, with a notice carrying the data', async () => {
    const t = ets.new('gift', { heir: { pid: rootPid(), data: 'h' } });
    ets.insert(t, ['k', 1]);
    const receiver = spawn(async () => {
      const m = (await receive({ match: isEtsTransfer })) as EtsTransfer;
      ets.insert(m.table, ['from-receiver', 2]);
      return { data: m.data, from: m.from, owner: ets.info(m.table, 'owner') };
    });
    expect(ets.giveAway(t, receiver, { note: 'yours' })).toBe(true);
    expect(ets.info(t, 'owner')).toBe(receiver);
    // OTP 25: give_away keeps the heir
    expect(ets.info(t, 'heir')).toBe(rootPid());
    // the old owner may no longer write a protected table
    expect(codeOf(() => ets.insert(t, ['root', 3]))).toBe('ETS_ACCESS');
    expect(await whenExited(receiver)).toEqual({ reason: 'normal', value: { data: { note: 'yours' }, from: rootPid(), owner: receiver } });
    // the receiver ended: the heir (root) got the table back
    const back = (await receive({ match: isEtsTransfer })) as EtsTransfer;
    expect(back.table).toBe(t);
    expect(back.from).toBe(receiver);
    expect(ets.info(t, 'owner')).toBe(rootPid());
    expect(ets.lookup(t, 'from-receiver')).toEqual([['from-receiver', 2]]);
    ets.delete(t);
  });

  it('refuses a non-owner (ETS_NOT_OWNER), a dead pid (ETS_NO_PROCESS), the owner itself and a non-pid (ETS_BADARG)', async () => {
    // OTP 25: all of these are badarg
    const t = ets.new('gift2', { access: 'public' });
    const dead = spawn(() => undefined);
    await whenExited(dead);
    expect(await inProcess(() => codeOf(() => ets.giveAway(t, self(), 0)))).toBe('ETS_NOT_OWNER');
    expect(codeOf(() => ets.giveAway(t, dead, 0))).toBe('ETS_NO_PROCESS');
    expect(codeOf(() => ets.giveAway(t, self(), 0))).toBe('ETS_BADARG');
    expect(codeOf(() => ets.giveAway(t, 'pid' as never, 0))).toBe('ETS_BADARG');
    expect(ets.info(t, 'owner')).toBe(rootPid());
    ets.delete(t);
    expect(codeOf(() => ets.giveAway(t, spawn(() => undefined), 0))).toBe('ETS_NO_TABLE');
  });

  it('a table given to a process that then ends without heir is deleted', async () => {
    const t = ets.new('gift3');
    const pid = spawn(() => receive({ match: isEtsTransfer }));
    ets.giveAway(t, pid, null);
    await whenExited(pid);
    expect(ets.info(t)).toBeUndefined();
  });
});
