/**
 * The progress bar, with an injected clock and a fake terminal: drawn from
 * the first second, with rate and time left, never wider than the terminal;
 * and the replay of a dets file's journal reported before its first rows.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Progress, formatBytes, formatCount, formatDuration, progressLine } from '../../src/cli/progress.js';
import { convert, verifyFile, type ConvertProgress } from '../../src/index.js';
import { FIXTURES } from '../convert/helpers.js';
import { tempDir } from '../convert/support.js';

const { dir, cleanup } = tempDir('progress');
afterAll(cleanup);

function terminal(isTTY: boolean, columns = 100): { stream: { isTTY: boolean; columns: number; write: (s: string) => boolean }; text: () => string } {
  let out = '';
  return {
    stream: {
      isTTY,
      columns,
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    text: () => out,
  };
}

const p = (rows: number, bytesRead: number, expectedRows?: number): ConvertProgress => ({ phase: 'rows', rows, bytesRead, totalBytes: 1000, expectedRows });

describe('Progress', () => {
  it('draws nothing in the first second, then at most every 100 ms, with rate and time left, and erases itself', () => {
    let now = 0;
    const t = terminal(true);
    const bar = new Progress('big.tab', t.stream as never, () => now, 0);
    now = 900;
    bar.update(p(10, 100));
    expect(t.text()).toBe('');
    now = 2000;
    bar.update(p(500, 500));
    const m = /^\rbig\.tab  \[(#+)(\.+)\]   50%  500 rows  250 rows\/s  ETA 0:02  500 B\/1000 B  2\.0 s\x1b\[K$/.exec(t.text());
    expect(m, t.text()).not.toBeNull();
    expect(Math.abs(m![1]!.length - m![2]!.length)).toBeLessThanOrEqual(1);
    expect(t.text().length - '\r\x1b[K'.length).toBeLessThanOrEqual(99);
    const once = t.text();
    now = 2050;
    bar.update(p(600, 600));
    expect(t.text()).toBe(once);
    now = 2200;
    bar.update(p(1000, 1000));
    expect(t.text()).toContain('100%');
    bar.done();
    expect(t.text().endsWith('\r\x1b[K')).toBe(true);
  });

  it('uses the row count the input announces for the percentage and the time left', () => {
    expect(progressLine('x', p(250, 900, 1000), 10_000, 120)).toMatch(/ 25%  250 rows  25 rows\/s  ETA 0:30 /);
  });

  it('measures the rate and the time left from the start of the current phase (after a journal replay)', () => {
    let now = 0;
    const t = terminal(true, 200);
    const bar = new Progress('big.tsdb', t.stream as never, () => now, 0);
    now = 4000;
    bar.update({ phase: 'replay', rows: 0, bytesRead: 1000, totalBytes: 1000, expectedRows: undefined });
    now = 5000;
    bar.update(p(1000, 1000, 400_000)); // the rows phase begins
    now = 6000;
    bar.update(p(101_000, 1000, 404_000));
    expect(t.text()).toMatch(/25%  101,000 rows  101,000 rows\/s  ETA 0:03  1000 B\/1000 B  6\.0 s\x1b\[K$/);
  });

  it('shows the replay of a journal, and an operation that has reported nothing yet', () => {
    const line = progressLine('cache.tsdb', { phase: 'replay', rows: 0, bytesRead: 3 * 2 ** 20, totalBytes: 12 * 2 ** 20, expectedRows: undefined }, 2000, 120);
    expect(line).toMatch(/^cache\.tsdb  \[#+\.+\]   25%  replaying journal  1\.50 MiB\/s  ETA 0:06  3\.00 MiB\/12\.0 MiB  2\.0 s$/);
    expect(progressLine('cache.tsdb', undefined, 1500, 80)).toBe('cache.tsdb  opening  1.5 s');
  });

  it('fits any terminal width, dropping the least useful parts first', () => {
    const long = 'a-very-long-input-file-name-that-goes-on-and-on.tab';
    for (let cols = 8; cols <= 200; cols++) {
      for (const state of [p(123456, 500, 999999), undefined, { phase: 'replay' as const, rows: 0, bytesRead: 10, totalBytes: 100, expectedRows: undefined }]) {
        const line = progressLine(long, state, 65_000, cols);
        expect(line.length, `${cols} columns: ${line}`).toBeLessThanOrEqual(cols - 1);
      }
    }
    const narrow = progressLine(long, p(123456, 500, 999999), 65_000, 60);
    expect(narrow).toContain('12%');
    expect(narrow).toContain('ETA');
    const wide = progressLine(long, p(123456, 500, 999999), 65_000, 200);
    for (const part of ['12%', '123,456 rows', 'rows/s', 'ETA', '500 B/1000 B', '65.0 s', long]) expect(wide).toContain(part);
  });

  it('draws nothing when stderr is not a terminal', () => {
    let now = 0;
    const t = terminal(false);
    const bar = new Progress('x', t.stream as never, () => now, 0);
    now = 5000;
    bar.update(p(1, 1));
    bar.done();
    expect(t.text()).toBe('');
  });

  it('formats sizes, counts and durations', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 2 ** 20), formatBytes(3 * 2 ** 30)]).toEqual(['512 B', '1.50 KiB', '5.00 MiB', '3.00 GiB']);
    expect(formatCount(1234567)).toBe('1,234,567');
    expect([formatDuration(0), formatDuration(59.2), formatDuration(75), formatDuration(3725)]).toEqual(['0:00', '1:00', '1:15', '1:02:05']);
  });
});

describe("progress of a dets file's journal replay", () => {
  it('is reported before the first rows, up to the whole file, by convert and verifyFile', async () => {
    const tsdb = join(dir, 'large.tsdb');
    await convert(join(FIXTURES, 'tab2file', 'large.tab'), tsdb);
    const size = statSync(tsdb).size;
    for (const run of [
      (onProgress: (p: ConvertProgress) => void) => convert(tsdb, join(dir, `out-${Math.random()}.jsonl`), { onProgress }),
      (onProgress: (p: ConvertProgress) => void) => verifyFile(tsdb, { onProgress }),
    ]) {
      const seen: ConvertProgress[] = [];
      await run((x) => seen.push({ ...x }));
      const firstRows = seen.findIndex((x) => x.phase === 'rows');
      const replay = seen.filter((x) => x.phase === 'replay');
      expect(replay.length).toBeGreaterThan(0);
      expect(seen.slice(0, firstRows).every((x) => x.phase === 'replay')).toBe(true);
      expect(replay.at(-1)!.bytesRead).toBe(size);
      for (let i = 1; i < replay.length; i++) expect(replay[i]!.bytesRead).toBeGreaterThan(replay[i - 1]!.bytesRead);
    }
  });
});
