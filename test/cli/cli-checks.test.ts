/**
 * The CLI's edges, as a user meets them: `--version`, the formats and their
 * names in `--help`, lost data (a dets file's torn tail) making `convert`
 * warn and `verify` fail, outputs named for another format refused, and
 * errors that carry the system error beneath them.
 */
import { withoutSlotUpdate } from '../dets/frames.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describe as describeError } from '../../src/cli/main.js';
import { dets } from '../../src/dets/index.js';
import { TermstoreError } from '../../src/errors.js';
import { ROOT } from '../build.js';
import { FIXTURES } from '../convert/helpers.js';
import { readAll } from '../convert/support.js';
import { cliHarness } from './support.js';

const { dir, out, run } = cliHarness('cli-checks');
let k = 0;

const LARGE_TAB = join(FIXTURES, 'tab2file', 'large.tab');

/**
 * A dets file of 20,000 rows whose last write was cut short by a crash
 * (`cut` bytes of it missing): a torn tail, never acknowledged as durable.
 */
async function tornDets(cut: number): Promise<string> {
  const f = out('tsdb');
  const t = await dets.openFile(`torn_${k++}`, { file: f, autoSave: false });
  dets.insertMany(
    t,
    Array.from({ length: 20000 }, (_, i) => [i, `row ${i}`]),
  );
  await dets.sync(t);
  // The crash strikes after the last write's frame reached the file, before the slot recording it.
  await withoutSlotUpdate(f, async () => {
    dets.insert(t, [20000, 'x'.repeat(1000)]);
    await dets.sync(t);
  });
  await dets.simulateCrash(t);
  const b = readFileSync(f);
  writeFileSync(f, b.subarray(0, b.length - cut));
  return f;
}

describe('--version and --help', () => {
  it('--version (and -v) print the package version, exit 0', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = run(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it("--help names every format with its extensions: termstore's dets file (.tsdb) apart from Erlang's DETS file (.dets)", () => {
    const h = run('--help').stdout;
    expect(h).toMatch(/^ {2}dets +termstore dets file \(dets\.openFile\) +\.tsdb$/m);
    expect(h).toMatch(/^ {2}erl-dets +Erlang DETS file \(dets:open_file\) +\.dets$/m);
    expect(h).toMatch(/^ {2}tab +termstore tab file \(ets\.tab2file\) +\.tstab$/m);
    expect(h).toMatch(/^ {2}erl-tab +Erlang tab file \(ets:tab2file\) +\.tab \.ets$/m);
  });
});

describe('lost data', () => {
  it('convert of a dets file with a torn tail warns (even with --quiet), says what was lost, and exits 0', async () => {
    const f = await tornDets(10);
    for (const quiet of [[], ['--quiet']]) {
      const target = out('jsonl');
      const r = run('convert', f, target, ...quiet);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^warning: ${f.replace(/[.]/g, '\\.')}: data lost: the last write \\(\\d+ bytes from offset \\d+\\) was cut short and was dropped; `, 'm'));
      expect((await readAll(target)).length).toBe(20000); // the torn write held one row
    }
  });

  it('a converted dets file is complete (its slots say so): cut short, it is refused as corrupt, and salvage reads what is intact', async () => {
    const f = out('tsdb');
    expect(run('convert', LARGE_TAB, f).code).toBe(0);
    const whole = readFileSync(f);
    writeFileSync(f, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = run('convert', f, out('jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CONVERT_CORRUPT/);
    const target = out('jsonl');
    const s2 = run('salvage', f, target);
    expect(s2.code, s2.stderr).toBe(0);
    expect(s2.stdout).toMatch(/^lost: snapshot rows \d+\.\.19999 /m);
    const rows = (await readAll(target)).length;
    expect(rows).toBeGreaterThan(5000);
    expect(rows).toBeLessThan(20000);
  });

  it('verify exits 2 on a torn tail, naming it; --allow-torn-tail accepts it with a warning', async () => {
    const f = await tornDets(10);
    const r = run('verify', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lost: .*: the last write \(\d+ bytes from offset \d+\) was cut short and was dropped$/m);
    expect(r.stdout).toMatch(/^lost data: .*--allow-torn-tail/);
    const a = run('verify', f, '--allow-torn-tail');
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/^warning: .*data lost: the last write .*accepted \(--allow-torn-tail\)$/m);
    expect(a.stdout).toMatch(/^ok: /);
    const whole = out('tsdb');
    expect(run('convert', LARGE_TAB, whole).code).toBe(0);
    const ok = run('verify', whole);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
  });

  it('compact --repair warns about each damaged range it skipped', async () => {
    const f = out('tsdb');
    const t = await dets.openFile(`cli_checks_${k++}`, { file: f, autoSave: false });
    for (let i = 0; i < 200; i++) {
      dets.insert(t, [i, 'x'.repeat(50)]);
      await dets.sync(t); // one frame per write
    }
    await dets.close(t);
    const b = readFileSync(f);
    b[Math.floor(b.length / 2)]! ^= 0xff;
    writeFileSync(f, b);
    expect(run('compact', f).code).toBe(2);
    const r = run('compact', f, '--repair');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*data lost: .*; the compacted file holds every intact record$/m);
  });
});

describe('formats named consistently', () => {
  it('file2tab/tab2file refuse an output named for another format (exit 1), pointing to convert', () => {
    const tab = out('tstab');
    expect(run('tab2file', LARGE_TAB, tab).code).toBe(0);
    const r = run('file2tab', tab, out('dets'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the name .*\.dets says: Erlang DETS file .*; but file2tab writes: termstore dets file .*\(\.tsdb\)/);
    expect(r.stderr).toContain('termstore convert');
    expect(run('tab2file', tab, out('tab')).code).toBe(1);
  });
});

describe('errors', () => {
  it('carry the system error beneath them (ENOENT for a missing directory)', () => {
    const r = run('convert', LARGE_TAB, join(dir, 'no-such-dir', 'out.jsonl'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/CONVERT_IO: .*ENOENT/);
    const cause = Object.assign(new Error("ENOENT: no such file or directory, open '/x/y'"), { code: 'ENOENT' });
    const e = new TermstoreError('DETS_IO', 'dets: cannot lock /x/y', { cause, details: { file: '/x/y' } });
    expect(describeError(e)).toBe("DETS_IO: dets: cannot lock /x/y: ENOENT: no such file or directory, open '/x/y'");
    const nested = new TermstoreError('CONVERT_IO', 'reading failed', { cause: e });
    expect(describeError(nested)).toMatch(/ENOENT: no such file or directory/);
  });

  it('wrong conversion arguments are CONVERT_BADARG (usage, exit 1), never ETS_BADARG', () => {
    const same = run('convert', LARGE_TAB, LARGE_TAB, '--force', '--to', 'erl-tab');
    expect(same.code).toBe(1);
    expect(same.stderr).toContain('CONVERT_BADARG');
    const noext = run('convert', LARGE_TAB, out('weird'));
    expect(noext.code).toBe(1);
    expect(noext.stderr).toContain('CONVERT_BADARG');
  });
});
