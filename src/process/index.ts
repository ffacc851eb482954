/**
 * Processes: the owners of tables.
 *
 * ETS tables belong to an Erlang process. termstore gives Node the same
 * model on `AsyncLocalStorage`: `spawn(fn)` runs `fn` as a new process with
 * its own pid (`self()` inside it, across every `await`); code outside any
 * spawn runs in the root process, which lives as long as Node does. A
 * process ends when its function settles (returns, resolves, throws or
 * rejects); then the tables it owns are deleted or handed to their heir.
 *
 * Each process has a mailbox (`send`/`receive`), which is where the
 * `ETS-TRANSFER` notices of `giveAway` and `heir` arrive.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Pid } from '../term/types.js';

/** How a process ended. */
export type ExitReason = { reason: 'normal'; value: unknown } | { reason: 'error'; error: unknown };

/** Internal: The record behind a pid. */
export class Proc {
  alive = true;
  exit: ExitReason | undefined;
  readonly mailbox: unknown[] = [];
  readonly waiters: Array<{ match: (m: unknown) => boolean; resolve: (m: unknown) => void }> = [];
  readonly exitHooks: Array<(p: Proc) => void> = [];
  readonly exitWaiters: Array<(r: ExitReason) => void> = [];
  constructor(readonly pid: Pid) {}
}

const storage = new AsyncLocalStorage<Proc>();
const procs = new Map<number, Proc>();
let nextId = 0;

function newProc(): Proc {
  const p = new Proc(new Pid(nextId++));
  procs.set(p.pid.id, p);
  return p;
}

/** The root process: code that runs outside any `spawn`. */
const root = newProc();

/** Internal: The process record of the running code. */
export function currentProc(): Proc {
  return storage.getStore() ?? root;
}

/** Internal: The record of a pid, alive or not (undefined if it never existed here). */
export function procOf(pid: Pid): Proc | undefined {
  return procs.get(pid.id);
}

/** The pid of the running process (`self()` in Erlang). */
export function self(): Pid {
  return (storage.getStore() ?? root).pid;
}

/** The pid of the root process (the code outside any `spawn`). */
export function rootPid(): Pid {
  return root.pid;
}

/** True if `pid` names a process that has not ended. */
export function isAlive(pid: Pid): boolean {
  return procs.get(pid.id)?.alive === true;
}

/**
 * Starts `fn` as a new process and returns its pid at once; `fn` begins on
 * the next microtask, so the caller can, e.g., `giveAway` a table to it
 * first. The process ends when `fn` settles. A process that throws does not
 * take others down: its exit reason is available from {@link whenExited}
 * (and reported as a process warning if nobody awaited it).
 */
export function spawn(fn: () => unknown): Pid {
  if (typeof fn !== 'function') throw new TypeError('spawn: fn must be a function');
  const proc = newProc();
  queueMicrotask(() => {
    storage.run(proc, () => {
      let result: unknown;
      try {
        result = fn();
      } catch (error) {
        finish(proc, { reason: 'error', error });
        return;
      }
      Promise.resolve(result).then(
        (value) => finish(proc, { reason: 'normal', value }),
        (error) => finish(proc, { reason: 'error', error }),
      );
    });
  });
  return proc.pid;
}

function finish(proc: Proc, exit: ExitReason): void {
  proc.alive = false;
  proc.exit = exit;
  // Hooks run outside the dead process's context.
  storage.exit(() => {
    for (const hook of proc.exitHooks.splice(0)) {
      try {
        hook(proc);
      } catch (e) {
        process.emitWarning(`termstore: exit hook of ${proc.pid} failed: ${String(e)}`);
      }
    }
  });
  const waiters = proc.exitWaiters.splice(0);
  if (exit.reason === 'error' && waiters.length === 0) {
    process.emitWarning(`termstore: process ${proc.pid} crashed: ${exit.error instanceof Error ? exit.error.message : String(exit.error)}`);
  }
  for (const w of waiters) w(exit);
  // Pending receives of a dead process never resolve; drop them.
  proc.waiters.length = 0;
  proc.mailbox.length = 0;
  procs.delete(proc.pid.id);
  deadExits.set(proc.pid.id, exit);
  if (deadExits.size > 10_000) deadExits.delete(deadExits.keys().next().value!);
}

/** Exit reasons of recently ended processes, for late `whenExited` calls. */
const deadExits = new Map<number, ExitReason>();

/** Resolves with the exit reason once `pid` has ended (at once if it has). */
export function whenExited(pid: Pid): Promise<ExitReason> {
  const p = procs.get(pid.id);
  if (p === undefined) {
    return Promise.resolve(deadExits.get(pid.id) ?? { reason: 'normal', value: undefined });
  }
  return new Promise((resolve) => p.exitWaiters.push(resolve));
}

/** Internal: Registers a function to run when the process ends. */
export function onProcessExit(proc: Proc, hook: (p: Proc) => void): void {
  proc.exitHooks.push(hook);
}

/** Sends `message` to the mailbox of `pid`. Sending to a dead process does nothing, as in Erlang. */
export function send(pid: Pid, message: unknown): void {
  const p = procs.get(pid.id);
  if (p === undefined || !p.alive) return;
  const i = p.waiters.findIndex((w) => w.match(message));
  if (i >= 0) {
    const [w] = p.waiters.splice(i, 1);
    w!.resolve(message);
  } else {
    p.mailbox.push(message);
  }
}

/** What {@link receive} resolves to when its timeout passes first. */
export const TIMEOUT: unique symbol = Symbol.for('timeout') as never;

/** Options of {@link receive}. */
export interface ReceiveOptions {
  /** Which message to take (default: any). A type guard narrows the result. */
  match?: (m: unknown) => boolean;
  /** Give up after this many ms, resolving to {@link TIMEOUT} (default: wait for ever). */
  timeout?: number;
}

/**
 * Takes the first message in the running process's mailbox that `match`
 * accepts (default: any), waiting for one to arrive. With `timeout` (ms),
 * resolves to {@link TIMEOUT} if none arrives in time.
 *
 * When `match` is a type guard (`(m: unknown) => m is T`, such as
 * `isEtsTransfer`), the result is a `T`; `TIMEOUT` is part of the result
 * type only when a `timeout` is given.
 *
 * @example
 * ```ts
 * const notice = await receive({ match: isEtsTransfer }); // EtsTransfer
 * const m = await receive({ match: isEtsTransfer, timeout: 100 }); // EtsTransfer | typeof TIMEOUT
 * ```
 */
export function receive<T>(options: { match: (m: unknown) => m is T; timeout: number }): Promise<T | typeof TIMEOUT>;
export function receive<T>(options: { match: (m: unknown) => m is T; timeout?: undefined }): Promise<T>;
export function receive(options: { match?: (m: unknown) => boolean; timeout: number }): Promise<unknown>;
export function receive(options?: { match?: (m: unknown) => boolean; timeout?: undefined }): Promise<unknown>;
export function receive(options?: ReceiveOptions): Promise<unknown>;
export function receive(options: ReceiveOptions = {}): Promise<unknown> {
  const p = currentProc();
  const match = options.match ?? (() => true);
  const i = p.mailbox.findIndex(match);
  if (i >= 0) return Promise.resolve(p.mailbox.splice(i, 1)[0]);
  return new Promise((resolve) => {
    const waiter = { match, resolve };
    p.waiters.push(waiter);
    if (options.timeout !== undefined) {
      setTimeout(() => {
        const j = p.waiters.indexOf(waiter);
        if (j >= 0) {
          p.waiters.splice(j, 1);
          resolve(TIMEOUT);
        }
      }, options.timeout);
    }
  });
}
