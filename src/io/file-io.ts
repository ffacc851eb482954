/**
 * File helpers shared by the Erlang file readers and writers: a windowed
 * positional reader, a buffered appender, and the crash-safe
 * write-temp-fsync-rename sequence.
 * @module
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { TermstoreError } from '../errors.js';
import { AtomicFile, installFile, ioError, refuseExisting } from './atomic-file.js';
import { removeStaleTemps } from './temp-files.js';

/**
 * Reads byte ranges of a file through a window (default 1 MiB): a read
 * outside the window loads `window` bytes from there. `read` returns views
 * that stay valid after later reads.
 */
export class FileSource {
  private window = new Uint8Array(0);
  private windowAt = 0;

  private constructor(
    private readonly fh: FileHandle,
    /** Size of the file in bytes when opened. */
    readonly size: number,
    /** The path, for error details. */
    readonly path: string,
    private readonly windowSize: number,
  ) {}

  /**
   * Opens `path` for reading (a missing file, or any system error, rejects with `CONVERT_IO`).
   * @param windowSize bytes loaded by a read outside the window; `Infinity` reads the whole file at the first read.
   */
  static async open(path: string, windowSize = 1 << 20): Promise<FileSource> {
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'r');
      const st = await fh.stat();
      return new FileSource(fh, st.size, path, windowSize);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      throw ioError(e, path, 'opening');
    }
  }

  /**
   * Exactly `len` bytes at `pos`, or fewer if the file ends first (the caller
   * checks). Never reads before allocating a buffer larger than the file allows.
   */
  async read(pos: number, len: number): Promise<Uint8Array> {
    if (pos >= this.size || len <= 0) return new Uint8Array(0);
    const avail = Math.min(len, this.size - pos);
    if (pos >= this.windowAt && pos + avail <= this.windowAt + this.window.length) {
      return this.window.subarray(pos - this.windowAt, pos - this.windowAt + avail);
    }
    const want = Math.min(Math.max(avail, this.windowSize), this.size - pos);
    const buf = new Uint8Array(want);
    let got = 0;
    try {
      while (got < want) {
        const { bytesRead } = await this.fh.read(buf, got, want - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (e) {
      throw ioError(e, this.path, 'reading');
    }
    this.window = buf.subarray(0, got);
    this.windowAt = pos;
    return this.window.subarray(0, Math.min(avail, got));
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Appends to a file through a 256 KiB buffer; `pwrite` patches bytes already written. */
export class FileSink {
  private buf = new Uint8Array(256 * 1024);
  private len = 0;
  /** Bytes handed to `write` so far (the logical file size). */
  position = 0;

  constructor(private readonly fh: FileHandle) {}

  /** Appends `b`. */
  async write(b: Uint8Array): Promise<void> {
    if (this.len + b.length > this.buf.length) {
      await this.flush();
      if (b.length > this.buf.length) {
        await this.writeAll(b, this.position);
        this.position += b.length;
        return;
      }
    }
    this.buf.set(b, this.len);
    this.len += b.length;
    this.position += b.length;
  }

  /** Writes the buffered bytes to the file. */
  async flush(): Promise<void> {
    if (this.len === 0) return;
    await this.writeAll(this.buf.subarray(0, this.len), this.position - this.len);
    this.len = 0;
  }

  /** Overwrites bytes at `pos` (flushes first). */
  async pwrite(b: Uint8Array, pos: number): Promise<void> {
    await this.flush();
    await this.writeAll(b, pos);
  }

  private async writeAll(b: Uint8Array, pos: number): Promise<void> {
    let done = 0;
    while (done < b.length) {
      const { bytesWritten } = await this.fh.write(b, done, b.length - done, pos + done);
      done += bytesWritten;
    }
  }
}

/** Options of the Erlang file writers that concern the output file. */
export interface OutputFileOptions {
  /** Replace an existing file (default `false`: `CONVERT_EXISTS`). */
  force?: boolean;
  /** fsync the file and its directory before returning (default `true`). */
  sync?: boolean;
}

/**
 * Writes a file crash-safely: `fill` writes a temporary file in the same
 * directory, which is fsynced and put in place by {@link installFile}
 * (never over a file that appeared meanwhile unless `force`; replacing a
 * file keeps its mode and owner), then the directory is fsynced. On failure
 * the temporary file is removed and `path` is untouched; a system error
 * (ENOSPC, EIO, ...) is `CONVERT_IO` naming `path`.
 */
export async function writeFileAtomically<T>(
  path: string,
  options: OutputFileOptions,
  fill: (fh: FileHandle, tmpPath: string) => Promise<T>,
): Promise<T> {
  try {
    return await writeAtomically(path, options, fill);
  } catch (e) {
    throw ioError(e, path, 'writing');
  }
}

async function writeAtomically<T>(
  path: string,
  options: OutputFileOptions,
  fill: (fh: FileHandle, tmpPath: string) => Promise<T>,
): Promise<T> {
  if (options.force !== true) await refuseExisting(path);
  await removeStaleTemps(path);
  const tmp = AtomicFile.tempName(path);
  const fh = await open(tmp, 'wx');
  let result: T;
  try {
    result = await fill(fh, tmp);
    if (options.sync !== false) await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await installFile(tmp, path, { force: options.force === true, syncFile: false, syncDir: options.sync !== false });
  return result;
}
