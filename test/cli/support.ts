/**
 * The harness of the CLI tests: the built `dist/cli/main.js` run in a child
 * process, as a user runs `termstore`, in a temporary directory that is
 * removed after the file's tests.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ensureDist } from '../build.js';
import { tempDir } from '../convert/support.js';

/** What a run of the CLI gave. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI of one test file: its working directory, fresh output names, and `run(...args)`. */
export interface CliHarness {
  readonly dir: string;
  /** The path of the built CLI (after `beforeAll`). */
  cli(): string;
  /** A fresh file name in `dir` with this extension. */
  out(ext: string): string;
  run(...args: string[]): CliRun;
}

/** Sets up the CLI for the calling test file (builds `dist/` if needed, `beforeAll`) and its temporary directory (`afterAll`). */
export function cliHarness(tag: string): CliHarness {
  const { dir, cleanup } = tempDir(tag);
  afterAll(cleanup);
  let cli = '';
  beforeAll(() => {
    cli = ensureDist();
  }, 180_000);
  let k = 0;
  return {
    dir,
    cli: () => cli,
    out: (ext) => join(dir, `f${k++}.${ext}`),
    run(...args) {
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}
