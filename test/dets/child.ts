/** Running the child scripts of test/dets/children against the built package. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { CHILDREN, ensureBuilt } from './build.js';

export interface Child {
  proc: ChildProcess;
  lines: string[];
  /** Resolves with the first line matching `re` (or rejects when the child exits first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the child has exited (and been reaped). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** Writes a line to the child's stdin (only with `stdin: true`). */
  send(line: string): void;
}

export function runChild(script: string, args: string[], env: Record<string, string> = {}, o: { stdin?: boolean; prefix?: string[] } = {}): Child {
  const dist = ensureBuilt();
  const argv = [process.execPath, path.join(CHILDREN, script), ...args];
  const [cmd, ...rest] = [...(o.prefix ?? []), ...argv];
  const proc = spawn(cmd!, rest, {
    env: { ...process.env, ...env, TERMSTORE_DIST: dist },
    stdio: [o.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  let err = '';
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (let w = waiters.length - 1; w >= 0; w--) {
        if (waiters[w]!.re.test(line)) waiters.splice(w, 1)[0]!.resolve(line);
      }
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    lines,
    exited,
    stderr: () => err,
    send(line) {
      proc.stdin?.write(`${line}\n`);
    },
    waitFor(re, timeoutMs = 15_000) {
      const hit = lines.find((l) => re.test(l));
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re} from ${script}; stderr: ${err}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then(() => {
          setTimeout(() => {
            clearTimeout(timer);
            reject(new Error(`${script} exited before printing ${re}; stderr: ${err}`));
          }, 50);
        });
      });
    },
  };
}
