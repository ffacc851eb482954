/**
 * A full disk during a conversion is a CONVERT_IO naming the output, with
 * the system's ENOSPC as `cause`, for every output format, and leaves
 * nothing behind; the CLI prints it as one line without a stack trace and
 * exits with 3. The disk is real: a 1 MiB tmpfs mounted for this test (the
 * tests run as root). Where mounting is not permitted, the test says why
 * and checks the same mapping through the fault-injecting file system of
 * the dets tests instead (ENOSPC injected into a dets flush).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, ets, isTermstoreError, writeTab2File, type FormatName } from '../../src/index.js';
import { CLI, ensureDist } from '../build.js';
import { FaultyFs, openStore } from '../dets/helpers.js';
import { tempDir } from './support.js';

const { dir, cleanup } = tempDir('enospc');
const disk = join(dir, 'disk');
let mounted = false;
let whyNot = '';

beforeAll(() => {
  mkdirSync(disk);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk], { stdio: 'pipe' });
    mounted = true;
  } catch (e) {
    whyNot = `${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`;
    console.warn(`enospc.test: cannot mount a tmpfs here (${whyNot}); checking ENOSPC through the fault-injecting dets file system instead`);
  }
});

afterAll(() => {
  if (mounted) execFileSync('umount', [disk], { stdio: 'pipe' });
  cleanup();
});

/** A JSON Lines file of about 2.5 MB: more than the small disk holds in any format. */
function input(): string {
  const f = join(dir, 'in.jsonl');
  let text = '';
  for (let i = 0; i < 20_000; i++) text += JSON.stringify([i, `row ${i} `.padEnd(100, 'x'), { $tuple: [i, { $atom: 'ok' }] }]) + '\n';
  writeFileSync(f, text);
  return f;
}

const OUTPUTS: Array<[FormatName, string]> = [
  ['dets', 'out.tsdb'],
  ['tab', 'out.tstab'],
  ['erl-tab', 'out.tab'],
  ['erl-dets', 'out.dets'],
  ['sqlite', 'out.sqlite'],
  ['jsonl', 'out.jsonl'],
  ['cbor-seq', 'out.cbor'],
];

describe('a full disk', () => {
  it('every output format: CONVERT_IO with ENOSPC as cause, nothing left on the disk', async (ctx) => {
    if (!mounted) {
      // The fallback: ENOSPC injected into a real dets flush is DETS_IO with the system error as cause.
      const ffs = new FaultyFs();
      const t = await openStore(join(dir, 'fallback.tsdb'), { fs: ffs, autoSave: false });
      for (let i = 0; i < 100; i++) t.insert([i, 'x'.repeat(50)]);
      ffs.budget = 100;
      const err = await t.store.sync().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTermstoreError(err, 'DETS_IO')).toBe(true);
      expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
      ctx.annotate(`no tmpfs (${whyNot}): checked through the fault-injecting file system`);
      return;
    }
    const src = input();
    for (const [to, name] of OUTPUTS) {
      const out = join(disk, name);
      let err: unknown;
      try {
        await convert(src, out, { to });
      } catch (e) {
        err = e;
      }
      expect(err, to).toMatchObject({ code: 'CONVERT_IO', details: { file: out } });
      const cause = (err as Error).cause as NodeJS.ErrnoException;
      expect(cause?.code === 'ENOSPC' || (err as { details: { sqlite?: string } }).details.sqlite === 'SQLITE_FULL', `${to}: ${String(cause)}`).toBe(true);
      expect(readdirSync(disk), to).toEqual([]);
    }
  }, 120_000);

  it('ets.tab2file and writeTab2File: CONVERT_IO', async () => {
    if (!mounted) return void console.warn(`enospc.test: skipped without a tmpfs (${whyNot}); the fallback above ran`);
    const t = ets.new('big', {});
    for (let i = 0; i < 20_000; i++) ets.insert(t, [i, 'y'.repeat(100)]);
    await expect(ets.tab2file(t, join(disk, 't.tstab'))).rejects.toMatchObject({ code: 'CONVERT_IO' });
    await expect(writeTab2File(join(disk, 't.tab'), ets.tab2list(t))).rejects.toMatchObject({ code: 'CONVERT_IO', details: { errno: 'ENOSPC' } });
    ets.delete(t);
    expect(readdirSync(disk)).toEqual([]);
  }, 60_000);

  it('the CLI: one line, code and message, no stack trace, exit code 3', () => {
    if (!mounted) return void console.warn(`enospc.test: skipped without a tmpfs (${whyNot}); the fallback above ran`);
    ensureDist();
    const r = spawnSync(process.execPath, [CLI, 'convert', input(), join(disk, 'cli.jsonl')], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^termstore convert: CONVERT_IO: .*ENOSPC/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(disk)).toEqual([]);
  }, 60_000);
});
