/**
 * A one-line progress bar on stderr for operations that run longer than a
 * second: drawn only when stderr is a terminal (or `TERMSTORE_PROGRESS=1`),
 * from the first second on (including the replay of a dets file's journal,
 * before any row comes out), at most ten times a second, and erased when
 * done. It shows the percentage, the rows, the rate and the time left, and
 * always fits the terminal's width: the least useful parts go first when
 * the line is too long. Plus the number formats of the summaries.
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

/** `75` → `1:15`, `3725` → `1:02:05` (seconds, rounded up). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Rows per second: `12,345 rows/s`, `1.2M rows/s`. */
function perSecond(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M rows/s` : `${formatCount(Math.round(n))} rows/s`;
}

/** How far along `p` is, 0..1, or `undefined` when nothing says. */
function fraction(p: ConvertProgress): number | undefined {
  if (p.phase !== 'replay' && p.expectedRows !== undefined && p.expectedRows > 0) return Math.min(1, p.rows / p.expectedRows);
  if (p.totalBytes > 0) return Math.min(1, p.bytesRead / p.totalBytes);
  return undefined;
}

/**
 * The progress line for `p` after `elapsedMs`, at most `columns - 1`
 * characters wide (a full-width line would wrap on some terminals). Parts
 * are dropped, least useful first, until it fits: the bytes, the elapsed
 * time, the rows, the bar, the rate, the time left; the label is shortened.
 * The rate and the time left are those of the current phase, which began
 * `phaseMs` ago (a journal replay, then the rows).
 */
export function progressLine(label: string, p: ConvertProgress | undefined, elapsedMs: number, columns: number, phaseMs = elapsedMs): string {
  const width = Math.max(1, columns - 1);
  const elapsed = elapsedMs / 1000;
  const secs = phaseMs / 1000;
  const f = p === undefined ? undefined : fraction(p);
  const replay = p?.phase === 'replay';
  const parts: Record<string, string | undefined> = {
    pct: f === undefined ? undefined : `${(f * 100).toFixed(0).padStart(3)}%`,
    phase: p === undefined ? 'opening' : replay ? 'replaying journal' : undefined,
    rows: p === undefined || replay ? undefined : `${formatCount(p.rows)} rows`,
    rate: p === undefined || secs <= 0 ? undefined : replay ? `${formatBytes(Math.round(p.bytesRead / secs))}/s` : perSecond(p.rows / secs),
    eta: f !== undefined && f > 0.005 && f < 1 && secs >= 0.5 ? `ETA ${formatDuration((secs * (1 - f)) / f)}` : undefined,
    bytes: p === undefined ? undefined : `${formatBytes(p.bytesRead)}/${formatBytes(p.totalBytes)}`,
    elapsed: `${elapsed.toFixed(1)} s`,
  };
  const order = ['pct', 'phase', 'rows', 'rate', 'eta', 'bytes', 'elapsed'];
  const dropOrder = ['bytes', 'elapsed', 'rows', 'bar', 'rate', 'eta', 'phase'];
  let barWidth = 40;
  let name = label;
  const dropped = new Set<string>();
  const build = (): string => {
    const tail = order.filter((k) => parts[k] !== undefined && !dropped.has(k)).map((k) => parts[k]);
    const head = [name];
    if (!dropped.has('bar') && f !== undefined) {
      const filled = Math.round(f * barWidth);
      head.push(`[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`);
    }
    return [...head, ...tail].join('  ');
  };
  let line = build();
  // First shrink the bar to what is left, then drop parts, then shorten the label.
  while (line.length > width && barWidth > 10) {
    barWidth = Math.max(10, barWidth - (line.length - width));
    line = build();
  }
  for (const k of dropOrder) {
    if (line.length <= width) break;
    if (k === 'bar' && name.length > 12) {
      name = shorten(label, Math.max(12, name.length - (line.length - width)));
      line = build();
      if (line.length <= width) break;
    }
    dropped.add(k);
    line = build();
  }
  if (line.length > width) {
    name = shorten(label, Math.max(1, name.length - (line.length - width)));
    line = build();
  }
  return line.length > width ? line.slice(0, width) : line;
}

/** `label` cut to `n` characters, ending in `…` when cut. */
function shorten(label: string, n: number): string {
  return label.length <= n ? label : label.slice(0, Math.max(0, n - 1)) + '…';
}

/** The progress bar of one operation. */
export class Progress {
  private readonly start: number;
  private last = -Infinity;
  private shown = false;
  private state: ConvertProgress | undefined;
  /** When the current phase (replay, rows) began. */
  private phaseStart: number;
  private readonly enabled: boolean;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly label: string,
    private readonly stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'> = process.stderr,
    /** The clock, in ms (tests inject one). */
    private readonly now: () => number = () => performance.now(),
    /** Redraw every so many ms even without news (elapsed time, time left), 0 for never. */
    tick = 250,
  ) {
    this.start = now();
    this.phaseStart = this.start;
    this.enabled = stream.isTTY === true || process.env.TERMSTORE_PROGRESS === '1';
    if (this.enabled && tick > 0) {
      this.timer = setInterval(() => this.draw(), tick);
      this.timer.unref();
    }
  }

  /** Records the latest progress and redraws the bar when due. */
  update(p: ConvertProgress): void {
    if (!this.enabled) return;
    if (this.state !== undefined && (this.state.phase ?? 'rows') !== (p.phase ?? 'rows')) this.phaseStart = this.now();
    this.state = p;
    this.draw();
  }

  private draw(): void {
    const now = this.now();
    if (now - this.start < 1000 || now - this.last < 100) return;
    this.last = now;
    const cols = this.stream.columns ?? 80;
    this.stream.write(`\r${progressLine(this.label, this.state, now - this.start, cols, now - this.phaseStart)}\x1b[K`);
    this.shown = true;
  }

  /** Erases the bar and stops redrawing. */
  done(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
