/**
 * Runs shared-table participants as real OS processes and real worker
 * threads (test/shared/children/participant.mjs on the built package).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ensureBuilt } from '../build.js';

export const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'children', 'participant.mjs');

export interface Job {
  task: 'count' | 'race' | 'sequence' | 'burst' | 'endless' | 'hold' | 'stream' | 'watch' | 'drop' | 'rows';
  store: string;
  table: string;
  type?: string;
  [k: string]: unknown;
}

export interface Reply {
  done?: boolean;
  error?: string;
  [k: string]: unknown;
}

/** A running participant: its messages, its final reply, and a way to talk to it. */
export interface Running {
  /** Resolves with the first message `match` accepts (messages already received count). */
  next(match: (m: Reply) => boolean): Promise<Reply>;
  /** The final reply (`done` or `error`). */
  result: Promise<Reply>;
  send(m: unknown): void;
}

function track(on: (f: (m: Reply) => void) => void, exit: Promise<string>, send: (m: unknown) => void, cleanup: () => void): Running {
  const seen: Reply[] = [];
  const waiters: Array<{ match: (m: Reply) => boolean; resolve: (m: Reply) => void }> = [];
  on((m) => {
    seen.push(m);
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!.match(m)) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const next = (match: (m: Reply) => boolean): Promise<Reply> => {
    const m = seen.find(match);
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  const isFinal = (m: Reply): boolean => m.done === true || m.error !== undefined;
  const result = new Promise<Reply>((resolve) => {
    void next(isFinal).then(resolve);
    // A participant that ends without a final reply failed (its messages are delivered before its end is reported).
    void exit.then((why) => setImmediate(() => resolve(seen.find(isFinal) ?? { error: why })));
  }).finally(cleanup);
  return { next, result, send };
}

/** Starts a participant in a child process. */
export function inProcess(job: Job): Running & { child: ChildProcess } {
  const dist = ensureBuilt();
  const child = fork(CHILD, [JSON.stringify(job)], { env: { ...process.env, TERMSTORE_DIST: dist }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exit = new Promise<string>((resolve) => child.once('close', (code, sig) => resolve(`exited with ${code ?? sig}`)));
  const r = track((f) => child.on('message', (m) => f(m as Reply)), exit, (m) => child.send(m as never), () => undefined);
  return { ...r, child };
}

/** Starts a participant in a worker thread of this process. */
export function inWorker(job: Job): Running & { terminate: () => Promise<number> } {
  const dist = ensureBuilt();
  const w = new Worker(CHILD, { workerData: job, env: { ...process.env, TERMSTORE_DIST: dist } });
  const exit = new Promise<string>((resolve) => {
    w.once('exit', (code) => resolve(`worker exited with ${code}`));
    w.once('error', (e) => resolve(`worker failed: ${e.stack ?? String(e)}`));
  });
  return { ...track((f) => w.on('message', f), exit, (m) => w.postMessage(m), () => void w.terminate()), terminate: () => w.terminate() };
}

/** Starts a `sequence` writer whose stdout lines are its acknowledged steps. */
export function sequenceWriter(job: Job): { child: ChildProcess; acked: () => number; atLeast: (n: number) => Promise<void>; exited: Promise<void> } {
  const dist = ensureBuilt();
  const child = spawn(process.execPath, [CHILD, JSON.stringify(job)], { env: { ...process.env, TERMSTORE_DIST: dist }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let buf = '';
  let last = -1;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l !== '') last = Number(l);
    for (let i = waiters.length - 1; i >= 0; i--) if (last + 1 >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    acked: () => last + 1,
    atLeast: (n) => (last + 1 >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    exited,
  };
}

/** Throws the error a participant reported; returns its reply otherwise. */
export async function ok(r: Running): Promise<Reply> {
  const m = await r.result;
  if (m.error !== undefined) throw new Error(`participant failed: ${m.error}`);
  return m;
}
