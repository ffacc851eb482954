/**
 * Standard output and error as a command-line tool should treat them: a
 * reader that goes away (`termstore dump f | head -1`: EPIPE) is not an
 * error. The output just stops; the command ends quietly with its own exit
 * status (0 when it succeeded), as Node's own CLIs do.
 *
 * @module
 */

const closed = new Set<NodeJS.WritableStream>();

/** Errors that mean the reader of a stream went away. */
const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

/**
 * Makes writes to `stdout`/`stderr` safe once their reader is gone: the
 * error is swallowed and the stream remembered as closed. Any other error
 * on them is rethrown, as before.
 */
export function guardStdio(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== undefined && GONE.has(e.code)) {
        closed.add(s);
        return;
      }
      throw e;
    });
  }
}

/** True once the reader of `s` has gone away (EPIPE). */
export function readerGone(s: NodeJS.WritableStream = process.stdout): boolean {
  return closed.has(s) || (s as NodeJS.WriteStream).destroyed === true;
}
