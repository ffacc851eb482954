/**
 * Where a table file really is: the path every rewrite renames over, so a
 * symlink to a table stays a symlink, and the directory of the temporary
 * files, the kept damaged originals and the lock.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TermstoreError } from '../errors.js';

/** Symlinks followed before giving up (as the kernel's `ELOOP` limit). */
const MAX_LINKS = 40;

/**
 * The real path of `file` (absolute): symlinks resolved, also a dangling
 * one (its target is where a new table file is created). Throws `DETS_IO`
 * naming the missing directory when the directory does not exist.
 */
export function realTablePath(file: string): string {
  let p = path.resolve(file);
  for (let i = 0; i < MAX_LINKS; i++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw pathError(file, e);
      // Not there yet: the real directory plus the name.
      const dir = path.dirname(p);
      let realDir: string;
      try {
        realDir = fs.realpathSync(dir);
      } catch (e2) {
        throw new TermstoreError('DETS_IO', `dets: cannot create ${file}: its directory ${dir} does not exist (ENOENT)`, {
          cause: e2,
          details: { file, errno: 'ENOENT', directory: dir },
        });
      }
      return path.join(realDir, path.basename(p));
    }
    if (!st.isSymbolicLink()) {
      try {
        return fs.realpathSync(p);
      } catch (e) {
        throw pathError(file, e);
      }
    }
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  throw new TermstoreError('DETS_IO', `dets: ${file}: too many symbolic links (ELOOP)`, { details: { file, errno: 'ELOOP' } });
}

function pathError(file: string, e: unknown): TermstoreError {
  const code = (e as NodeJS.ErrnoException).code;
  return new TermstoreError('DETS_IO', `dets: cannot resolve ${file}${code ? ` (${code})` : ''}`, { cause: e, details: { file, errno: code } });
}

/** A name for keeping a damaged original beside the table: `<file>.damaged-<UTC time>[-n]`. */
export function damagedName(file: string, exists: (p: string) => boolean, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let name = `${file}.damaged-${stamp}`;
  for (let n = 1; exists(name); n++) name = `${file}.damaged-${stamp}-${n}`;
  return name;
}
