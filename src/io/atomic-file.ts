/**
 * Output files that appear whole or not at all: written under a temporary
 * name in the same directory, fsynced, then moved over the target name (a
 * hard link when the target must not be replaced, so two writers can never
 * both win and a target that appeared during the run is never clobbered),
 * and the directory fsynced. Replacing a file (`force`) gives the new file
 * the old one's permission bits and owner, and replaces the real file when
 * the target is a symlink (the symlink stays). A process killed at any
 * point leaves the target as it was (plus, at worst, a
 * `.<name>.termstore-tmp-...` file, which the next writer to the same
 * target removes: `temp-files.ts`).
 *
 * Also: a buffered positional writer with at most one write in flight.
 *
 * @module
 */
import { chmod, chown, link, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TermstoreError } from '../errors.js';
import { removeStaleTemps, tempPath } from './temp-files.js';

/** How an {@link AtomicFile} is committed. */
export interface AtomicFileOptions {
  /** Replace an existing file (default `false`: `CONVERT_EXISTS`, checked at create and at commit). */
  force?: boolean;
  /** fsync the file before it takes the target name (default `true`). */
  syncFile?: boolean;
  /** fsync the directory after the rename, so the new name itself is durable (default `true`). */
  syncDir?: boolean;
}

/** Throws `CONVERT_EXISTS` if `path` exists. */
export async function refuseExisting(path: string): Promise<void> {
  const exists = await stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
  if (exists) existsError(path);
}

function existsError(path: string): never {
  throw new TermstoreError('CONVERT_EXISTS', `${path} exists (pass force / --force to replace it)`, { details: { file: path, option: 'force' } });
}

/** fsyncs a directory; file systems that cannot are ignored. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is done all the same.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** A file being written under a temporary name; see the module docs. */
export class AtomicFile {
  private done = false;

  private constructor(
    /** The target path. */
    readonly path: string,
    /** The temporary path being written. */
    readonly tmp: string,
    /** The open temporary file. */
    readonly fh: FileHandle,
    private readonly options: AtomicFileOptions,
  ) {}

  /** Creates the temporary file (after checking the target unless `force`). */
  static async create(path: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    await removeStaleTemps(path);
    if (options.force !== true) await refuseExisting(path);
    const tmp = AtomicFile.tempName(path);
    const fh = await open(tmp, 'wx');
    return new AtomicFile(path, tmp, fh, options);
  }

  /** A fresh temporary name next to `path` (see `temp-files.ts`). */
  static tempName(path: string): string {
    return tempPath(path);
  }

  /** fsyncs, closes and moves the file to its target name, then fsyncs the directory. */
  async commit(): Promise<void> {
    if (this.done) throw new Error('internal: AtomicFile committed twice');
    this.done = true;
    const o = this.options;
    try {
      if (o.syncFile !== false) await this.fh.sync();
      await this.fh.close();
    } catch (e) {
      await this.fh.close().catch(() => undefined);
      await rm(this.tmp, { force: true });
      throw e;
    }
    await installFile(this.tmp, this.path, { ...o, syncFile: false });
  }

  /** Closes and removes the temporary file; the target is untouched. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/**
 * Moves a finished temporary file to its target name: fsyncs it (unless
 * `syncFile: false`), links it there (refusing an existing target unless
 * `force`, then renaming over it), fsyncs the directory (unless `syncDir:
 * false`). On failure the temporary file is removed.
 */
export async function installFile(tmp: string, path: string, o: AtomicFileOptions): Promise<void> {
  try {
    if (o.syncFile !== false) {
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    if (o.force === true) {
      const real = await realTarget(path);
      await keepModeAndOwner(tmp, real);
      await rename(tmp, real);
    } else {
      await linkNoClobber(tmp, path);
    }
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  if (o.syncDir !== false) await syncDir(dirname(path));
}

/** The file `path` names: the end of a symlink chain, or `path` itself when nothing is there yet. */
async function realTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** Gives `tmp` the permission bits and owner of the existing file `target` (if there is one). */
async function keepModeAndOwner(tmp: string, target: string): Promise<void> {
  let st;
  try {
    st = await stat(target);
  } catch {
    return; // nothing to replace
  }
  const now = await stat(tmp);
  if (now.uid !== st.uid || now.gid !== st.gid) {
    // Only root may give a file away; another user's replacement is theirs (as with `mv`), with the same mode.
    await chown(tmp, st.uid, st.gid).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPERM') throw e;
    });
  }
  await chmod(tmp, st.mode & 0o7777);
}

async function linkNoClobber(tmp: string, path: string): Promise<void> {
  try {
    await link(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') existsError(path);
    // No hard links on this file system: check, then rename (a small race).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'ENOSYS') throw e;
    await refuseExisting(path);
    await rename(tmp, path);
    return;
  }
  await rm(tmp, { force: true });
}

/**
 * Writes buffers at increasing positions of a file with at most one write in
 * flight: `write` returns once the previous write has finished, so the caller
 * may fill the next buffer while this one is written. A buffer handed to
 * `write` must not be changed afterwards.
 */
export class PipelinedWriter {
  private inFlight: Promise<void> | undefined;
  /** Bytes handed to `write` so far. */
  position: number;

  constructor(
    private readonly fh: FileHandle,
    start = 0,
  ) {
    this.position = start;
  }

  /** Queues `buf` at the current position. */
  async write(buf: Uint8Array): Promise<void> {
    if (this.inFlight !== undefined) await this.inFlight;
    const at = this.position;
    this.position += buf.length;
    const w = writeAll(this.fh, buf, at);
    // Surfaced by the next write or drain; never an unhandled rejection.
    w.catch(() => undefined);
    this.inFlight = w;
  }

  /** Waits for the last write. */
  async drain(): Promise<void> {
    if (this.inFlight !== undefined) await this.inFlight;
    this.inFlight = undefined;
  }
}

/** Writes all of `buf` at `pos`. */
export async function writeAll(fh: FileHandle, buf: Uint8Array, pos: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, pos + done);
    done += bytesWritten;
  }
}

/**
 * A `TermstoreError` for a failed file operation: `TermstoreError`s pass
 * through; system errors (ENOENT, EACCES, ENOSPC, ...) become `CONVERT_IO`
 * naming the file, with the system error as `cause`.
 */
export function ioError(e: unknown, file: string, doing: string): unknown {
  if (e instanceof TermstoreError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') {
    const msg = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    return new TermstoreError('CONVERT_IO', `${file}: ${doing} failed: ${msg} (${code})`, { details: { file, errno: code }, cause: e });
  }
  return e;
}
