/**
 * Graceful-shutdown flushing for every open read-write table.
 *
 * One `signal-exit` hook (installed when the first writable table opens)
 * runs each table's synchronous exit flush (`writeSync` + `fsyncSync`, then
 * the lock is released) when the process is about to end:
 *
 * - the event loop drains (Node emits `'exit'`; the autoSave timers are
 *   unref'd, so they never hold the process open);
 * - `process.exit(code)` is called, or an uncaught exception ends it;
 * - SIGINT, SIGTERM or SIGHUP arrives and the application has no handler
 *   of its own for it (then the process is about to die of the signal).
 *
 * The program's own exit behaviour is unchanged: signal-exit re-raises the
 * signal after the hooks ran, so the process still ends *by* SIGTERM (exit
 * status 143 in a shell), and `process.exit(n)` keeps `n`; if the
 * application handles the signal itself, signal-exit does nothing and the
 * flush happens when the application then exits. The hook never returns
 * `true`, so it never cancels a signal. Tables stay usable after the exit
 * flush: a write made later (by another exit handler, or by a timer that
 * fires while a signal is being delivered) is written and fsynced at once
 * instead of being refused. There is one signal-exit in termstore's
 * dependency tree (a second copy would re-raise the signal a turn later,
 * after the first had already flushed; a test guards this).
 *
 * In a worker thread the hook runs when the worker's code ends or it calls
 * `process.exit()`. `worker.terminate()` and a `process.exit()` from
 * another thread end a worker without running any of its code: that is
 * why tables in worker threads write each write through to the file at once
 * (see `store.ts`), and why their lock is held through a handle Node closes
 * with the worker (see `lock.ts`).
 *
 * `'beforeExit'` (the event loop is about to empty): tables with
 * `whenDurable` callers waiting flush at once, so `await whenDurable(t)` at
 * the end of a program resolves instead of leaving the process to exit
 * with the promise pending.
 *
 * SIGKILL (and power loss) cannot be caught: what was not flushed is lost,
 * which is what `autoSave`, `sync` and `whenDurable` are for.
 *
 * @module
 */
import { onExit } from 'signal-exit';

/** Something that must flush synchronously at exit. */
export interface ExitParticipant {
  /** Flushes synchronously; must not throw. */
  exitFlush(): void;
  /** The event loop is about to empty. */
  beforeExit?(): void;
}

const participants = new Set<ExitParticipant>();
let installed = false;

function runAll(): void {
  for (const p of [...participants]) {
    try {
      p.exitFlush();
    } catch {
      // Nothing can be reported at this point; the next open recovers.
    }
  }
  participants.clear();
}

/** Registers a table for the exit flush (installs the hook on first use). */
export function registerForExit(p: ExitParticipant): void {
  participants.add(p);
  if (!installed) {
    installed = true;
    onExit(() => {
      runAll();
    });
    process.on('beforeExit', () => {
      for (const p of [...participants]) p.beforeExit?.();
    });
  }
}

/** Removes a table (closed or crashed) from the exit flush. */
export function unregisterForExit(p: ExitParticipant): void {
  participants.delete(p);
}

/** Number of registered tables (for tests). */
export function exitParticipants(): number {
  return participants.size;
}
