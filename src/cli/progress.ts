/**
 * A one-line progress bar on stderr, for operations that run longer than a
 * second, drawn only when stderr is a terminal (or `TERMSTORE_PROGRESS=1`),
 * at most ten times a second, and erased when done. Plus the number
 * formats of the summaries.
 *
 * @module
 */
import type { ConvertProgress } from '../convert/types.js';

/** `1536` → `1.5 KiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** The progress bar of one operation. */
export class Progress {
  private readonly start: number;
  private last = 0;
  private shown = false;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'> = process.stderr,
    /** The clock, in ms (tests inject one). */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
    this.enabled = stream.isTTY === true || process.env.TERMSTORE_PROGRESS === '1';
  }

  /** Redraws the bar (when due). */
  update(p: ConvertProgress): void {
    if (!this.enabled) return;
    const now = this.now();
    if (now - this.start < 1000 || now - this.last < 100) return;
    this.last = now;
    const frac =
      p.expectedRows !== undefined && p.expectedRows > 0 ? p.rows / p.expectedRows : p.totalBytes > 0 ? p.bytesRead / p.totalBytes : 0;
    const f = Math.max(0, Math.min(1, frac));
    const secs = ((now - this.start) / 1000).toFixed(1);
    const tail = ` ${(f * 100).toFixed(0).padStart(3)}%  ${formatCount(p.rows)} rows  ${formatBytes(p.bytesRead)}/${formatBytes(p.totalBytes)}  ${secs} s`;
    const cols = this.stream.columns ?? 80;
    const width = Math.max(10, Math.min(40, cols - this.label.length - tail.length - 4));
    const filled = Math.round(f * width);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`;
    this.stream.write(`\r${line.slice(0, cols - 1)}\x1b[K`);
    this.shown = true;
  }

  /** Erases the bar. */
  done(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
