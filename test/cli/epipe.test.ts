/**
 * `termstore ... | head`: a reader that goes away is not an error. Each
 * command runs with stdout (and stderr) on a pipe whose read end is already
 * closed, so every write meets EPIPE, every time (no timing involved): the
 * command ends quietly with its own exit status, 0.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../convert/helpers.js';
import { cliHarness } from './support.js';

const { dir, cli } = cliHarness('epipe');

const LARGE_TAB = join(FIXTURES, 'tab2file', 'large.tab');
let k = 0;

/** A write end of a pipe with no reader: writes to it fail with EPIPE. */
function deadPipe(): number {
  const fifo = join(dir, `fifo${k++}`);
  execFileSync('mkfifo', [fifo]);
  const r = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const w = openSync(fifo, constants.O_WRONLY);
  closeSync(r);
  return w;
}

function runClosed(args: string[], both = false): { code: number | null; stderr: string } {
  const out = deadPipe();
  const errFd = both ? deadPipe() : 'pipe';
  try {
    const r = spawnSync(process.execPath, [cli(), ...args], { cwd: dir, stdio: ['ignore', out, errFd], encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stderr: r.stderr ?? '' };
  } finally {
    closeSync(out);
    if (typeof errFd === 'number') closeSync(errFd);
  }
}

describe.runIf(process.platform !== 'win32')('a reader that goes away (EPIPE)', () => {
  it.each([
    ['info', LARGE_TAB],
    ['info', LARGE_TAB, '--json'],
    ['dump', LARGE_TAB],
    ['dump', LARGE_TAB, '--format', 'table'],
    ['verify', LARGE_TAB],
    ['--help'],
    ['--version'],
    ['convert', '--help'],
  ])('termstore %s ... ends quietly with status 0', (...args) => {
    // Every write meets EPIPE (the reader is gone before the command starts), so one run decides.
    const r = runClosed(args);
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(r.code).toBe(0);
  });

  it('a conversion whose stdout and stderr are both gone still writes its output, and exits 0', () => {
    const target = join(dir, 'out.jsonl');
    const r = runClosed(['convert', LARGE_TAB, target], true);
    expect(r.code).toBe(0);
    expect(existsSync(target)).toBe(true);
  });
});
