/**
 * Runs one reader on one hostile file in a child process of the built
 * package (`children/read.mjs`), with a small heap (`--max-old-space-size`)
 * so that running out of memory ends the child instead of the machine, and
 * a wall-clock kill as a safety net. A reader that is linear finishes in
 * well under a second on these files (8-550 ms here), one that is not runs
 * for minutes to forever: the test asserts the outcome (a TermstoreError of
 * a documented code), a resident-memory bound and a time bound
 * ({@link CHILD_TIME_MS}) 50 times what the slowest reader needs, so a busy
 * machine cannot make it fail but a quadratic reader cannot pass.
 *
 * To measure another build (e.g. the one before a fix), set
 * `TERMSTORE_HOSTILE_DIST` to its `dist` directory and, to give up sooner,
 * `TERMSTORE_HOSTILE_KILL_MS`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ensureBuilt } from '../build.js';

/** What the child printed. */
export interface ChildResult {
  outcome: 'ok' | 'error';
  code?: string;
  name?: string;
  reason?: string;
  limit?: string;
  message?: string;
  rows: number;
  ms: number;
  maxRssMiB: number;
}

/** Heap of the children, MiB: far below what the hostile files cost without their limits. */
export const CHILD_HEAP_MIB = 128;
/** Resident memory a child may reach (heap, buffers, the runtime itself). */
export const CHILD_RSS_MIB = 400;
/** Time the reader may take in the child (measured there, without the child's start-up), ms. */
export const CHILD_TIME_MS = 30_000;
const KILL_MS = Number(process.env.TERMSTORE_HOSTILE_KILL_MS ?? 120_000);

/** Runs `op` on `file` in a child; fails the test if the child crashes, runs out of memory or is killed. */
export function runReader(op: string, file: string, options?: unknown, heapMiB = CHILD_HEAP_MIB): ChildResult {
  const dist = process.env.TERMSTORE_HOSTILE_DIST ?? ensureBuilt();
  const args = [`--max-old-space-size=${heapMiB}`, join(import.meta.dirname, 'children', 'read.mjs'), op, file];
  if (options !== undefined) args.push(JSON.stringify(options));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, TERMSTORE_DIST: dist }, encoding: 'utf8', timeout: KILL_MS, killSignal: 'SIGKILL', maxBuffer: 1 << 20 });
  const wall = Math.round(performance.now() - t0);
  if (r.signal !== null) {
    const why = r.signal === 'SIGKILL' && wall >= KILL_MS ? `still running after the ${KILL_MS} ms safety net` : `killed by ${r.signal}`;
    expect.fail(`${op} ${file}: ${why}\n${r.stderr.slice(-2000)}`);
  }
  expect(r.status, `${op} ${file} exited with ${r.status}:\n${r.stderr.slice(-2000)}`).toBe(0);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
  console.log(`${op} ${file.split('/').pop()}: ${result.outcome} ${result.code ?? ''} ${result.reason ?? result.limit ?? ''} in ${result.ms} ms, max RSS ${result.maxRssMiB} MiB`);
  expect(result.maxRssMiB).toBeLessThan(CHILD_RSS_MIB);
  expect(result.ms, `${op} ${file}: ${result.ms} ms`).toBeLessThan(CHILD_TIME_MS);
  return result;
}

/** Asserts a child ended with a TermstoreError of `code` (and `reason`/`limit` when given). */
export function expectRefused(r: ChildResult, code: string, extra: { reason?: string; limit?: string } = {}): void {
  expect(r.outcome, r.message).toBe('error');
  expect(r.name, r.message).toBe('TermstoreError');
  expect(r.code, r.message).toBe(code);
  if (extra.reason !== undefined) expect(r.reason, r.message).toBe(extra.reason);
  if (extra.limit !== undefined) expect(r.limit, r.message).toBe(extra.limit);
}
