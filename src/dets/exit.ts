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
 * status 143 in a shell); if the application handles the signal itself,
 * signal-exit does nothing and the flush happens when the application then
 * exits. The hook never returns `true`, so it never cancels a signal.
 * SIGKILL (and power loss) cannot be caught: what was not flushed is lost,
 * which is what `autoSave`, `sync` and `whenDurable` are for.
 *
 * @module
 */
import { onExit } from 'signal-exit';

/** Something that must flush synchronously at exit. */
export interface ExitParticipant {
  /** Flushes and releases synchronously; must not throw. */
  exitFlush(): void;
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
