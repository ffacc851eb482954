/**
 * One writer per file across processes.
 *
 * The lock is proper-lockfile's: an atomic `mkdir` of `<file>.lock`, its
 * mtime refreshed every 5 s; proper-lockfile considers a lock older than
 * 10 s stale. To reopen *at once* after the holder died (SIGKILL, crash),
 * the holder also writes `<file>.lock/owner.json`:
 *
 * ```json
 * { "pid": 1234, "host": "box", "bootId": "…", "startTime": "567890", "file": "/abs/path" }
 * ```
 *
 * (`startTime` is field 22 of `/proc/<pid>/stat`, and `bootId` is
 * `/proc/sys/kernel/random/boot_id`, on Linux; absent elsewhere). A process
 * that finds the lock held reads the owner and, when the owner ran on the
 * same host, takes the lock over if that process is gone (`kill(pid, 0)`
 * gives ESRCH, or it is a zombie), or the pid now belongs to a different
 * process (another start time: pid reuse), or the machine rebooted since.
 * Otherwise the open fails at once with `DETS_LOCKED` naming the file.
 * Owners on other hosts (network file systems) fall back to the mtime
 * staleness rule.
 *
 * Writing owner.json changes the lock directory's mtime, which
 * proper-lockfile watches to detect a compromised lock, so the mtime is put
 * back right after. At release, owner.json is removed first, then the
 * directory.
 *
 * `onCompromised` (the lock was lost, e.g. the directory was removed or the
 * event loop was blocked past the stale threshold) is reported to the
 * caller, never thrown.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import lockfile from 'proper-lockfile';
import { TermstoreError } from '../errors.js';

/** What owner.json records. */
export interface LockOwner {
  pid: number;
  host: string;
  bootId?: string | undefined;
  startTime?: string | undefined;
  file?: string;
}

/** A held lock. */
export interface FileLock {
  readonly file: string;
  /** Releases the lock (idempotent, never throws). */
  release(): void;
}

/** The lock directory proper-lockfile uses for `file`. */
export function lockDir(file: string): string {
  return `${file}.lock`;
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 (starttime) of /proc/<pid>/stat, and the state letter; undefined where there is no /proc. */
function procStat(pid: number | 'self'): { start: string; state: string } | undefined {
  const s = readText(`/proc/${pid}/stat`);
  if (s === undefined) return undefined;
  const close = s.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = s.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); starttime is field 22.
  const start = fields[19];
  const state = fields[0];
  return start === undefined || state === undefined ? undefined : { start, state };
}

let selfInfo: LockOwner | undefined;

/** This process as a lock owner. */
export function selfOwner(): LockOwner {
  selfInfo ??= {
    pid: process.pid,
    host: os.hostname(),
    bootId: readText('/proc/sys/kernel/random/boot_id')?.trim(),
    startTime: procStat('self')?.start,
  };
  return selfInfo;
}

/**
 * True if the owner certainly no longer holds the lock: same host, and the
 * process is gone, a zombie, another process (pid reuse), or from before a reboot.
 */
export function ownerIsDead(owner: LockOwner): boolean {
  const me = selfOwner();
  if (owner.host !== me.host) return false;
  if (owner.bootId !== undefined && me.bootId !== undefined && owner.bootId !== me.bootId) return true;
  if (owner.pid === process.pid) {
    // Our own pid: dead only if it was an earlier process with our pid.
    return owner.startTime !== undefined && me.startTime !== undefined && owner.startTime !== me.startTime;
  }
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  const st = procStat(owner.pid);
  if (st === undefined) return false;
  if (st.state === 'Z' || st.state === 'X') return true;
  return owner.startTime !== undefined && st.start !== owner.startTime;
}

function readOwner(dir: string): LockOwner | undefined {
  const s = readText(path.join(dir, 'owner.json'));
  if (s === undefined) return undefined;
  try {
    const o = JSON.parse(s) as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(file: string, owner: LockOwner | undefined, cause?: unknown): TermstoreError {
  const who = owner === undefined ? 'another process' : `process ${owner.pid} on ${owner.host}`;
  return new TermstoreError('DETS_LOCKED', `dets: ${file} is open for writing by ${who}`, {
    cause,
    details: { file, pid: owner?.pid, host: owner?.host },
  });
}

/** Removes a dead owner's lock, if it is still that owner's. */
function breakLock(dir: string, dead: LockOwner): boolean {
  const again = readOwner(dir);
  if (again === undefined || again.pid !== dead.pid || again.startTime !== dead.startTime || again.host !== dead.host) return false;
  try {
    fs.rmSync(path.join(dir, 'owner.json'), { force: true });
    fs.rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Takes the writer lock of `file` (an absolute path; the file need not
 * exist yet). Throws `DETS_LOCKED` at once if a live process holds it.
 * `stale` is proper-lockfile's threshold (ms, min 2000; the lock's mtime
 * is refreshed every `stale / 2`).
 */
export function acquireLock(file: string, onCompromised: (err: TermstoreError) => void, stale = 10_000): FileLock {
  const dir = lockDir(file);
  const opts = {
    realpath: false,
    stale,
    onCompromised: (err: Error) => {
      onCompromised(new TermstoreError('DETS_LOCKED', `dets: the lock on ${file} was lost (${err.message}); writes are refused`, { cause: err, details: { file, compromised: true } }));
    },
  };
  let release: () => void;
  for (let attempt = 0; ; attempt++) {
    try {
      release = lockfile.lockSync(file, opts);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTEMPTY: proper-lockfile found the lock stale by mtime but could
      // not remove it because owner.json is inside.
      if (code !== 'ELOCKED' && code !== 'ENOTEMPTY') {
        throw new TermstoreError('DETS_IO', `dets: cannot lock ${file}`, { cause: e, details: { file } });
      }
      const owner = readOwner(dir);
      const takeOver = owner !== undefined && (ownerIsDead(owner) || (code === 'ENOTEMPTY' && owner.host !== selfOwner().host));
      if (attempt < 2 && takeOver && breakLock(dir, owner)) continue;
      throw lockedError(file, owner, e);
    }
  }
  // Record the owner, keeping the directory's mtime as proper-lockfile set it.
  try {
    const st = fs.statSync(dir);
    fs.writeFileSync(path.join(dir, 'owner.json'), JSON.stringify({ ...selfOwner(), file }));
    fs.utimesSync(dir, st.atime, st.mtime);
  } catch {
    // Without owner.json a dead holder is detected by staleness (10 s) instead.
  }
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      try {
        fs.rmSync(path.join(dir, 'owner.json'), { force: true });
      } catch {
        // ignore
      }
      try {
        release();
      } catch {
        // already released or compromised
      }
    },
  };
}
