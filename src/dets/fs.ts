/**
 * The thin file-system adapter every dets module does its I/O through, so
 * tests can inject faults (a disk that fills up, a write that fails after N
 * bytes) without mocking `node:fs`.
 *
 * Only positional writes are used (never `O_APPEND`), so re-writing the same
 * bytes at the same offset is idempotent: the exit path relies on that.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What dets reads of a file's status (an adapter may leave out all but `size`). */
export interface FileStat {
  size: number;
  mode?: number;
  uid?: number;
  gid?: number;
  dev?: number;
  ino?: number;
}

/** The file operations dets needs. Errors are Node `ErrnoException`s. */
export interface FsAdapter {
  openSync(file: string, flags: string, mode?: number): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): FileStat;
  statSync(file: string): FileStat & { isFile(): boolean };
  existsSync(file: string): boolean;
  readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  renameSync(from: string, to: string): void;
  linkSync(existing: string, newPath: string): void;
  unlinkSync(file: string): void;
  readdirSync(dir: string): string[];
  /** Sets a file's permission bits (keeping them across a rewrite). */
  fchmodSync(fd: number, mode: number): void;
  /** Sets a file's owner (keeping it across a rewrite). */
  fchownSync(fd: number, uid: number, gid: number): void;
  /** Copies a file (keeping a damaged original where it cannot be hard-linked). */
  copyFileSync(from: string, to: string): void;
  /** Async positional write; resolves with the number of bytes written (may be short). */
  write(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  fsync(fd: number): Promise<void>;
  open(file: string, flags: string, mode?: number): Promise<number>;
  close(fd: number): Promise<void>;
}

function promisify<T>(f: (cb: (err: NodeJS.ErrnoException | null, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));
}

/** The real file system. */
export const nodeFs: FsAdapter = {
  openSync: (f, flags, mode) => fs.openSync(f, flags, mode),
  closeSync: (fd) => fs.closeSync(fd),
  fstatSync: (fd) => fs.fstatSync(fd),
  statSync: (f) => fs.statSync(f),
  existsSync: (f) => fs.existsSync(f),
  readSync: (fd, buf, off, len, pos) => fs.readSync(fd, buf, off, len, pos),
  writeSync: (fd, buf, off, len, pos) => fs.writeSync(fd, buf, off, len, pos),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  renameSync: (a, b) => fs.renameSync(a, b),
  linkSync: (a, b) => fs.linkSync(a, b),
  unlinkSync: (f) => fs.unlinkSync(f),
  readdirSync: (d) => fs.readdirSync(d),
  fchmodSync: (fd, mode) => fs.fchmodSync(fd, mode),
  fchownSync: (fd, uid, gid) => fs.fchownSync(fd, uid, gid),
  copyFileSync: (a, b) => fs.copyFileSync(a, b, fs.constants.COPYFILE_EXCL),
  write: (fd, buf, off, len, pos) => promisify<number>((cb) => fs.write(fd, buf, off, len, pos, cb)),
  fsync: (fd) => promisify<void>((cb) => fs.fsync(fd, (e) => cb(e, undefined))),
  open: (f, flags, mode) => promisify<number>((cb) => fs.open(f, flags, mode, cb)),
  close: (fd) => promisify<void>((cb) => fs.close(fd, (e) => cb(e, undefined))),
};

/** Writes all of `buf` at `position`, looping over short writes. */
export function writeAllSync(a: FsAdapter, fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = a.writeSync(fd, buf, done, buf.length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    done += n;
  }
}

/** Async {@link writeAllSync}. */
export async function writeAll(a: FsAdapter, fd: number, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const n = await a.write(fd, buf, done, buf.length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
    done += n;
  }
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export function readAtSync(a: FsAdapter, fd: number, buf: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = a.readSync(fd, buf, done, length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

/**
 * fsyncs the directory holding `file`, so a rename or create in it is
 * durable. Platforms that cannot open a directory (Windows) are skipped.
 */
export function fsyncDirSync(a: FsAdapter, file: string): void {
  let fd: number;
  try {
    fd = a.openSync(path.dirname(file), 'r');
  } catch {
    return;
  }
  try {
    a.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw e;
  } finally {
    a.closeSync(fd);
  }
}
