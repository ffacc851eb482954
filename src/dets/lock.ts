/**
 * One writer per file: an operating-system lock on the file itself.
 *
 * The writer holds an exclusive advisory lock on the table file (Linux:
 * an open-file-description lock, `F_OFD_SETLK`; macOS and BSD: `flock`;
 * Windows: `LockFileEx`), through `fs-native-extensions`. So:
 *
 * - the lock belongs to the file (its device and inode), not to a name: a
 *   second opener through a symlink, a hard link, a bind mount or a
 *   container sharing the volume meets the same lock;
 * - the kernel releases it when the holder dies in any way (SIGKILL, a
 *   crash, a power cut ends it too): there is no stale lock to judge, no
 *   pid to trust (pids mean nothing across PID namespaces) and nothing to
 *   break; of many contenders exactly one gets it;
 * - a blocked event loop cannot lose it (there is no lease to refresh);
 * - it conflicts between two opens in one process too, and between worker
 *   threads; the lock's file handle is a `FileHandle`, which Node closes
 *   when a worker thread ends however it ends, so a terminated worker
 *   leaves no lock behind.
 *
 * After taking the lock the holder checks that the path still names the
 * file it locked (a compaction may have renamed a new file over it in
 * between), and tries again if not. Compaction locks the new file before
 * renaming it over the old one and only then lets the old lock go, so the
 * path is never unlocked.
 *
 * What it cannot do: it is advisory (a program that does not ask for it,
 * like `cp` or an editor, is not stopped), and on network file systems it
 * is only as good as the file system's own locking (NFSv4 and SMB forward
 * it to the server; NFSv3 needs `lockd`; some FUSE file systems ignore it).
 *
 * @module
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import { TermstoreError } from '../errors.js';

interface NativeLocks {
  tryLock(fd: number, offset?: number, length?: number, opts?: { shared?: boolean }): boolean;
  unlock(fd: number, offset?: number, length?: number): void;
}

let native: NativeLocks | undefined;
function locks(): NativeLocks {
  native ??= createRequire(import.meta.url)('fs-native-extensions') as NativeLocks;
  return native;
}

/** A file's identity: device and inode. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/** The identity as a string key (`dev:ino`). */
export function identityKey(id: FileIdentity): string {
  return `${id.dev}:${id.ino}`;
}

/** A held lock. */
export interface FileLock {
  /** The real path locked. */
  readonly file: string;
  /** The identity of the file locked. */
  readonly identity: FileIdentity;
  /** Releases the lock (idempotent, never throws). */
  release(): void;
}

function lockedError(file: string, cause?: unknown): TermstoreError {
  return new TermstoreError('DETS_LOCKED', `dets: ${file} is open for writing by another process or thread (it holds the file's lock)`, {
    cause,
    details: { file },
  });
}

function lockIoError(file: string, e: unknown): TermstoreError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return new TermstoreError('DETS_IO', `dets: cannot lock ${file}${code ? ` (${code})` : ''}`, { cause: e, details: { file, errno: code } });
}

/** Unlocks and closes a handle, without waiting (never throws). */
function drop(h: fsp.FileHandle | number): void {
  const fd = typeof h === 'number' ? h : h.fd;
  try {
    if (fd >= 0) locks().unlock(fd);
  } catch {
    // closing releases it anyway
  }
  if (typeof h === 'number') {
    try {
      fs.closeSync(h);
    } catch {
      // ignore
    }
  } else {
    h.close().catch(() => undefined);
  }
}

function held(file: string, h: fsp.FileHandle | number, st: fs.Stats): FileLock {
  let released = false;
  return {
    file,
    identity: { dev: st.dev, ino: st.ino },
    release() {
      if (released) return;
      released = true;
      drop(h);
    },
  };
}

/** A file opened, ready to be locked synchronously. */
export interface LockCandidate {
  /** Takes the lock now; throws `DETS_LOCKED` if it is held. The candidate is used up either way. */
  take(): FileLock;
  /** Closes it without locking. */
  discard(): void;
}

function candidate(file: string, h: fsp.FileHandle | number): LockCandidate {
  const fd = typeof h === 'number' ? h : h.fd;
  return {
    take() {
      let got: boolean;
      try {
        got = locks().tryLock(fd);
      } catch (e) {
        drop(h);
        throw lockIoError(file, e);
      }
      if (!got) {
        drop(h);
        throw lockedError(file);
      }
      return held(file, h, fs.fstatSync(fd));
    },
    discard() {
      drop(h);
    },
  };
}

/**
 * Opens `file` to lock it later with a synchronous call. The handle is a
 * `FileHandle` (closed by Node when a worker thread ends).
 */
export async function openForLock(file: string): Promise<LockCandidate> {
  try {
    return candidate(file, await fsp.open(file, 'r+'));
  } catch (e) {
    throw lockIoError(file, e);
  }
}

/** {@link openForLock}, synchronously, with a plain file descriptor (only for the main thread: a worker's would outlive it). */
export function openForLockSync(file: string): LockCandidate {
  try {
    return candidate(file, fs.openSync(file, 'r+'));
  } catch (e) {
    throw lockIoError(file, e);
  }
}

/**
 * Takes the writer lock of the existing file `file` (a real path). Throws
 * `DETS_LOCKED` at once if another process, thread or open holds it,
 * `DETS_IO` if the file cannot be opened.
 */
export async function acquireLock(file: string): Promise<FileLock> {
  for (let attempt = 0; ; attempt++) {
    const lock = (await openForLock(file)).take();
    // The path may name another file by now (a holder's compaction renamed a new file over it).
    if (stillNames(file, lock.identity)) return lock;
    lock.release();
    if (attempt >= 10) throw lockedError(file);
  }
}

/** True if some process, thread or open holds the writer lock of `file` (which must exist). */
export function isLocked(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return false;
  }
  try {
    const got = locks().tryLock(fd);
    if (got) locks().unlock(fd);
    return !got;
  } finally {
    fs.closeSync(fd);
  }
}

/** True if the file `file` names now is the one identified by `id` (false if it is gone or was replaced). */
export function stillNames(file: string, id: FileIdentity): boolean {
  try {
    const st = fs.statSync(file);
    return st.dev === id.dev && st.ino === id.ino;
  } catch {
    return false;
  }
}
