/**
 * The temporary files writers make next to their target, named so that
 * anyone can tell what they are and whether their writer still runs:
 *
 * ```text
 * .<target name>.termstore-tmp-<pid>-<start>-<where>-<random>
 * ```
 *
 * `pid` is the writer's process id; `start` its start time (clock ticks
 * since boot, from `/proc/<pid>/stat`; `0` where unknown), so a reused pid is
 * told apart; `where` is 24 hex digits: a hash of the machine id, of the boot
 * id and of the pid namespace (8 each), the scope in which `pid` means this
 * process. A writer killed before it renamed its file leaves one behind;
 * the next writer to the same target removes those whose writer is surely
 * dead ({@link removeStaleTemps}): same machine, and a different boot, or
 * the same boot and pid namespace with no such process (or one that started
 * at another time). Files from another machine or another pid namespace (a
 * container sharing the directory) are left alone: their writer may live.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** What sits between the target name and the writer's identity in a temporary file's name. */
export const TEMP_MARK = '.termstore-tmp-';

interface Identity {
  /** 8 hex digits each; `00000000` when unknown. */
  machine: string;
  boot: string;
  ns: string;
}

const UNKNOWN = '00000000';

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function hash8(s: string): string {
  return s === '' ? UNKNOWN : createHash('sha256').update(s).digest('hex').slice(0, 8);
}

let self: (Identity & { start: string }) | undefined;

/** This process's identity (constant for its life, so computed once). */
function selfIdentity(): Identity & { start: string } {
  if (self === undefined) {
    let ns = '';
    try {
      ns = readlinkSync('/proc/self/ns/pid');
    } catch {
      // not Linux: no pid namespaces to tell apart
    }
    self = {
      machine: hash8(readOr('/etc/machine-id', readOr('/var/lib/dbus/machine-id', hostname()))),
      boot: hash8(readOr('/proc/sys/kernel/random/boot_id', '')),
      ns: hash8(ns),
      start: startTime(process.pid) ?? '0',
    };
  }
  return self;
}

/** The start time of process `pid` (field 22 of `/proc/<pid>/stat`), or `undefined` where unknown. */
function startTime(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`, '');
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields after it start at 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[22 - 3];
  return start !== undefined && /^[0-9]+$/.test(start) ? start : undefined;
}

/**
 * A fresh writer tag, `<pid>-<start>-<where>-<random>` (see the module
 * docs): what {@link writerIsDead} judges. Other temporary names (dets
 * creation temps) end with one too.
 */
export function writerTag(): string {
  const me = selfIdentity();
  return `${process.pid}-${me.start}-${me.machine}${me.boot}${me.ns}-${randomBytes(4).toString('hex')}`;
}

/** A fresh temporary path next to `target` (see the module docs). */
export function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}${TEMP_MARK}${writerTag()}`);
}

const NAME = /^([0-9]+)-([0-9]+)-([0-9a-f]{8})([0-9a-f]{8})([0-9a-f]{8})-[0-9a-f]{8}$/;

/** True if the writer of a temporary file named with `suffix` (a {@link writerTag}: what follows {@link TEMP_MARK}) is surely dead. */
export function writerIsDead(suffix: string): boolean {
  const m = NAME.exec(suffix);
  if (m === null) return false;
  const [, pidText, start, machine, boot, ns] = m as unknown as [string, string, string, string, string, string];
  const me = selfIdentity();
  if (machine !== me.machine || machine === UNKNOWN) return false;
  if (boot !== me.boot) return boot !== UNKNOWN && me.boot !== UNKNOWN;
  if (ns !== me.ns) return false;
  const pid = Number(pidText);
  try {
    process.kill(pid, 0);
  } catch (e) {
    // ESRCH: no such process. EPERM: it exists (another user's).
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const now = startTime(pid);
  return now !== undefined && start !== '0' && now !== start;
}

/**
 * Removes the temporary files next to `target` that a writer killed before
 * it finished left behind (only those whose writer is surely dead; see the
 * module docs). Best effort: never throws. Returns the paths removed.
 */
export async function removeStaleTemps(target: string): Promise<string[]> {
  const dir = dirname(target);
  const prefix = `.${basename(target)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (!n.startsWith(prefix) || !writerIsDead(n.slice(prefix.length))) continue;
    const p = join(dir, n);
    try {
      await rm(p, { force: true });
      removed.push(p);
    } catch {
      // best effort: a file we cannot remove is left for the user
    }
  }
  return removed;
}
