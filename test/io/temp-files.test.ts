/**
 * Temporary files of the atomic writers: named so a user can tell what they
 * are, and removed by the next write to the same target once their writer
 * is dead, never while it may live. Real processes: a writer SIGKILLed in
 * the middle of its write, and one still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/index.js';
import { TEMP_MARK, removeStaleTemps, tempPath, writerIsDead } from '../../src/io/temp-files.js';
import { ensureBuilt } from '../build.js';
import { tempDir } from '../convert/support.js';

const { dir, cleanup } = tempDir('temp-files');
afterAll(cleanup);

/** Starts a child that begins an atomic write to `target` and holds it; resolves with the child and its temporary path. */
function holdTemp(target: string): Promise<{ child: ChildProcess; tmp: string; exited: Promise<void> }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'children', 'hold-temp.mjs'), target], {
    env: { ...process.env, TERMSTORE_DIST: ensureBuilt() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.endsWith('\n')) resolve({ child, tmp: out.trim(), exited });
    });
    void exited.then(() => reject(new Error(`the child ended before holding its file: ${err}`)));
  });
}

/** The fields of one of our own temporary names. */
function ownFields(target: string): { pid: string; start: string; machine: string; boot: string; ns: string } {
  const suffix = basename(tempPath(target)).slice(`.${basename(target)}${TEMP_MARK}`.length);
  const m = /^(\d+)-(\d+)-([0-9a-f]{8})([0-9a-f]{8})([0-9a-f]{8})-[0-9a-f]{8}$/.exec(suffix);
  expect(m, suffix).not.toBeNull();
  return { pid: m![1]!, start: m![2]!, machine: m![3]!, boot: m![4]!, ns: m![5]! };
}

describe('temporary files of atomic writers', () => {
  it('say what they are: the target, termstore, the writer pid', () => {
    const name = basename(tempPath(join(dir, 'users.sqlite')));
    expect(name).toMatch(new RegExp(`^\\.users\\.sqlite\\.termstore-tmp-${process.pid}-\\d+-[0-9a-f]{24}-[0-9a-f]{8}$`));
  });

  it("a SIGKILLed writer's file is removed by the next write to the target; a live writer's is kept", async () => {
    const target = join(dir, 'out.jsonl');
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, '[1, "a"]\n[2, "b"]\n');
    const killed = await holdTemp(target);
    const live = await holdTemp(target);
    try {
      killed.child.kill('SIGKILL');
      await killed.exited;
      expect(existsSync(killed.tmp)).toBe(true);
      // Another target's leftovers are not this write's business.
      const other = await holdTemp(join(dir, 'other.jsonl'));
      other.child.kill('SIGKILL');
      await other.exited;
      await convert(input, target, { force: true });
      expect(existsSync(killed.tmp)).toBe(false);
      expect(existsSync(live.tmp)).toBe(true);
      expect(existsSync(other.tmp)).toBe(true);
    } finally {
      live.child.kill('SIGKILL');
      await live.exited;
    }
    await convert(input, target, { force: true });
    expect(readdirSync(dir).filter((f) => f.startsWith('.out.jsonl'))).toEqual([]);
  }, 60_000);

  it('judge a writer dead only where its pid means something', async () => {
    const target = join(dir, 'judged.tab');
    const me = ownFields(target);
    const name = (f: Partial<typeof me>): string => {
      const x = { ...me, ...f };
      return `${x.pid}-${x.start}-${x.machine}${x.boot}${x.ns}-0badcafe`;
    };
    const other = (h: string): string => (h === 'ffffffff' ? 'eeeeeeee' : 'ffffffff');
    // This process, as it is: alive.
    expect(writerIsDead(name({}))).toBe(false);
    // This pid with another start time: the pid was reused, the writer is dead.
    if (me.start !== '0') expect(writerIsDead(name({ start: String(Number(me.start) + 1) }))).toBe(true);
    // Same machine, an earlier boot: dead.
    expect(writerIsDead(name({ boot: other(me.boot) }))).toBe(me.boot !== '00000000');
    // Another pid namespace (a container sharing the directory) or another machine: maybe alive.
    expect(writerIsDead(name({ ns: other(me.ns), pid: '999999999' }))).toBe(false);
    expect(writerIsDead(name({ machine: other(me.machine), pid: '999999999' }))).toBe(false);
    // No such process here: dead.
    expect(writerIsDead(name({ pid: '999999999' }))).toBe(true);
    // Not one of our names: never touched.
    expect(writerIsDead('12-oops')).toBe(false);

    const prefix = `.judged.tab${TEMP_MARK}`;
    const files = {
      reused: prefix + name({ start: String(Number(me.start) + 1) }),
      gone: prefix + name({ pid: '999999999' }),
      container: prefix + name({ ns: other(me.ns), pid: '999999999' }),
      mine: prefix + name({}),
    };
    for (const f of Object.values(files)) writeFileSync(join(dir, f), 'x');
    const removed = (await removeStaleTemps(target)).map((p) => basename(p)).sort();
    const expected = [files.gone, ...(me.start !== '0' ? [files.reused] : [])].sort();
    expect(removed).toEqual(expected);
    expect(existsSync(join(dir, files.container))).toBe(true);
    expect(existsSync(join(dir, files.mine))).toBe(true);
  });
});
