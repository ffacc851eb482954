/**
 * The `termstore` CLI, run as a user runs it: the built `dist/cli/main.js`
 * in a child process, on real files. Exit codes: 0 ok, 1 usage (and an
 * existing output without --force), 2 bad or corrupt input, 3 I/O.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../convert/helpers.js';
import { readAll } from '../convert/support.js';
import { cliHarness } from './support.js';

const { dir, out, run, cli: cliPath } = cliHarness('cli');

const SET_TAB = join(FIXTURES, 'tab2file', 'set.tab');
const LARGE_TAB = join(FIXTURES, 'tab2file', 'large.tab');

describe('help and usage', () => {
  it('--help lists every command; each command has its own --help (exit 0)', () => {
    const h = run('--help');
    expect(h.code).toBe(0);
    const names = ['convert', 'tab2file', 'file2tab', 'info', 'verify', 'dump', 'compact', 'demo'];
    for (const n of names) expect(h.stdout).toContain(`  ${n} `);
    expect(h.stdout).toMatch(/Exit codes: 0 ok, 1 usage error.*2 bad or corrupt input, 3 I\/O/);
    for (const n of names) {
      const c = run(n, '--help');
      expect(c.code, n).toBe(0);
      expect(c.stdout, n).toContain(`Usage: termstore ${n}`);
      expect(run('help', n).stdout).toBe(c.stdout);
    }
  });

  it('usage errors exit 1 with the usage on stderr', () => {
    expect(run().code).toBe(1);
    for (const args of [['nope'], ['convert', SET_TAB], ['convert', SET_TAB, out('x'), '--to', 'xml'], ['dump', SET_TAB, '--limit', 'ten'], ['info', SET_TAB, '--bogus'], ['convert', SET_TAB, out('unknownext')]]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0);
      expect(r.stdout).toBe('');
    }
  });
});

describe('convert', () => {
  it('converts, prints a one-line summary (rows, bytes, seconds), and refuses to overwrite without --force', async () => {
    const target = out('jsonl');
    const r = run('convert', SET_TAB, target);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^erl-tab → jsonl: 67 rows, [\d.]+ KiB → [\d.]+ KiB in \d+\.\d\d s \(.*\)\n$/);
    expect((await readAll(target)).length).toBe(67);
    const before = readFileSync(target);
    const again = run('convert', SET_TAB, target);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('CONVERT_EXISTS');
    expect(again.stderr).toContain(target);
    expect(readFileSync(target).equals(before)).toBe(true);
    const forced = run('convert', LARGE_TAB, target, '--force', '--quiet');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe('');
    expect((await readAll(target)).length).toBe(20000);
  });

  it('detects the input format from the content, whatever the name; --from and --to override', async () => {
    const disguised = out('jsonl');
    writeFileSync(disguised, readFileSync(LARGE_TAB));
    const a = out('bin');
    expect(run('convert', disguised, a, '--to', 'cbor-seq').code).toBe(0);
    expect(run('info', a).stdout).toMatch(/format\s+cbor-seq/);
    expect(run('convert', disguised, out('tstab'), '--from', 'jsonl').code).toBe(2);
  });

  it('exits 2 on corrupt input, naming the file and the byte offset', () => {
    const good = out('tstab');
    expect(run('convert', LARGE_TAB, good).code).toBe(0);
    const bad = out('tstab');
    const b = readFileSync(good);
    b[b.length - 100]! ^= 0xff;
    writeFileSync(bad, b);
    const target = out('jsonl');
    const r = run('convert', bad, target);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^termstore convert: CONVERT_CORRUPT: /);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/offset \d+/);
    expect(() => statSync(target)).toThrow();
  });

  it('exits 2 for a term the output cannot hold, 3 for a missing input', () => {
    const r = run('convert', SET_TAB, out('tsdb'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONVERT_UNSUPPORTED_TERM');
    const m = run('convert', join(dir, 'missing.tab'), out('jsonl'));
    expect(m.code).toBe(3);
    expect(m.stderr).toContain('CONVERT_IO');
  });

  it('tab2file and file2tab move a table between dets and tab files', async () => {
    const tab = out('tstab');
    const dets = out('tsdb');
    expect(run('tab2file', LARGE_TAB, tab, '--checksum').code).toBe(0);
    const f = run('file2tab', tab, dets);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toMatch(/^tab → dets: 20,000 rows/);
    expect(run('file2tab', tab, dets).code).toBe(1);
    const back = out('tstab');
    expect(run('tab2file', dets, back).code).toBe(0);
    expect((await readAll(back)).length).toBe(20000);
  });
});

describe('info, verify, dump, compact', () => {
  it('info prints the format, table options and row count (text or JSON)', () => {
    const r = run('info', SET_TAB);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/format\s+erl-tab/);
    expect(r.stdout).toMatch(/table\s+fixture_set \(set, keypos 1, public\)/);
    expect(r.stdout).toMatch(/rows\s+67/);
    const j = JSON.parse(run('info', join(FIXTURES, 'dets', 'bag.dets'), '--json').stdout) as { format: string; meta: { type: string }; rows: number };
    expect(j).toMatchObject({ format: 'erl-dets', meta: { type: 'bag' } });
  });

  it('verify exits 0 with "ok" on a good file, 2 on a damaged one', () => {
    const ok = run('verify', LARGE_TAB);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: .*large\.tab: erl-tab, 20,000 rows/);
    const bad = out('tab');
    const b = readFileSync(LARGE_TAB);
    writeFileSync(bad, b.subarray(0, b.length - 7));
    const r = run('verify', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
  });

  it('dump prints rows as JSON Lines or a table, with a summary on stderr', () => {
    const j = run('dump', SET_TAB, '--limit', '3');
    expect(j.code).toBe(0);
    const lines = j.stdout.trim().split('\n');
    expect(lines.length).toBe(3);
    for (const l of lines) expect(Array.isArray(JSON.parse(l))).toBe(true);
    expect(j.stderr).toMatch(/^3 of 67 rows of fixture_set \(erl-tab, set, keypos 1\)/);
    const t = run('dump', LARGE_TAB, '-n', '2', '--format', 'table');
    expect(t.stdout.split('\n').slice(0, 3).map((l) => l.trim().split(/\s+/))).toEqual([['1*', '2'], ['10248', '30744'], ['12816', '38448']]);
  });

  it('dump into a closed pipe ends quietly (exit 0)', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${cliPath()}" dump "${LARGE_TAB}" | head -1; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBe(1);
  });

  it('compact rewrites a dets file; other formats exit 2', () => {
    const dets = out('tsdb');
    expect(run('convert', LARGE_TAB, dets).code).toBe(0);
    const r = run('compact', dets);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^compacted .*: 20,000 rows, /);
    expect(run('verify', dets).code).toBe(0);
    expect(run('compact', LARGE_TAB).code).toBe(2);
  });

  it('the built package exports the conversion API by name', () => {
    const src = `import { ets, convert, openTableFile, inspectFile, verifyFile, detectFormat, toTaggedJson, readTab2File, ErlFloat } from 'termstore';
      const t = ets.new('exported', { type: 'bag' });
      ets.insertMany(t, [[1, 'a'], [1, 'b']]);
      await ets.tab2file(t, ${JSON.stringify(join(dir, 'exported.tstab'))});
      const info = await ets.tabfileInfo(${JSON.stringify(join(dir, 'exported.tstab'))});
      const r = await convert(${JSON.stringify(join(dir, 'exported.tstab'))}, ${JSON.stringify(join(dir, 'exported.jsonl'))});
      const t2 = await ets.file2tab(${JSON.stringify(join(dir, 'exported.tstab'))});
      console.log(JSON.stringify([info.size, r.rows, ets.tab2list(t2).length, typeof openTableFile, typeof inspectFile, typeof verifyFile, typeof detectFormat, toTaggedJson(new ErlFloat(1)), typeof readTab2File]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { cwd: join(cliPath(), '..', '..', '..'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([2, 2, 2, 'function', 'function', 'function', 'function', { $float: '1' }, 'function']);
  });

  it('demo still runs', () => {
    const r = run('demo');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Done.');
    expect(r.stdout).toMatch(/in the dets file .*orders\.tsdb/);
  });
});
