/**
 * Progress of the synchronous replay of a termstore dets file's journal
 * (the one read that happens before a dets source yields its first batch):
 * an fs adapter that reports how far its reads have reached, so the CLI's
 * progress bar moves during the replay instead of staying blank.
 *
 * @module
 */
import type { FsAdapter } from '../dets/fs.js';

/** `fs`, reporting after each positional read the furthest byte read so far. */
export function countingReads(fs: FsAdapter, onRead: (position: number) => void): FsAdapter {
  let furthest = 0;
  return {
    ...fs,
    readSync(fd, buf, offset, length, position) {
      const n = fs.readSync(fd, buf, offset, length, position);
      if (position + n > furthest) {
        furthest = position + n;
        onRead(furthest);
      }
      return n;
    },
  };
}
