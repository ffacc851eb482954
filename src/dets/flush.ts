/**
 * The flush policy (`autoSave`), separate from the writing itself, with an
 * injected clock so tests can drive it with fake time.
 *
 * - `autoSave: N` (ms, default 3000): the first write after the table was
 *   clean arms a timer for N ms; later writes do not move it, so steady
 *   traffic cannot postpone a save (DETS restarts its 3-minute idle timer on
 *   every write). When the timer fires, a background flush starts; if writes
 *   arrived meanwhile, or the flush failed, the timer is armed again. A
 *   write is therefore on disk about N ms (plus the flush time) after it was
 *   made, at the latest.
 * - `autoSave: false`: no timer; data reaches the disk on `sync`, `close`
 *   and graceful shutdown only.
 * - `autoSave: 0`: every write is written and fsynced synchronously before
 *   the call that made it returns (the policy never arms a timer; the store
 *   writes inline).
 *
 * @module
 */

/** Time and timers, injectable for tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. Timers are unref'd: a pending save never keeps Node alive (the exit hook flushes). */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** `autoSave` option value. */
export type AutoSave = number | false;

/** Validates an `autoSave` option (undefined → 3000). Returns undefined if invalid. */
export function parseAutoSave(v: unknown): AutoSave | undefined {
  if (v === undefined) return 3000;
  if (v === false) return false;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff) return v;
  return undefined;
}

/** Decides when a table's buffered writes are flushed. */
export class FlushPolicy {
  private timer: unknown;
  private armed = false;
  private disposed = false;
  /** Timer firings so far (for tests and `info`). */
  ticks = 0;

  constructor(
    readonly autoSave: AutoSave,
    private readonly clock: Clock,
    /** Starts a background flush; resolves when done (rejections are the caller's to report). */
    private readonly flush: () => Promise<void>,
    /** True while there are writes not on disk. */
    private readonly dirty: () => boolean,
  ) {}

  /** True when every write must be durable before it returns (`autoSave: 0`). */
  get synchronous(): boolean {
    return this.autoSave === 0;
  }

  /** Called after each buffered write: arms the timer if it is not armed. */
  noteWrite(): void {
    if (this.armed || this.disposed || this.autoSave === false || this.autoSave === 0) return;
    this.arm();
  }

  private arm(): void {
    this.armed = true;
    this.timer = this.clock.setTimeout(() => this.fire(), this.autoSave as number);
  }

  private fire(): void {
    this.timer = undefined;
    if (this.disposed) return;
    this.ticks++;
    const rearm = (): void => {
      this.armed = false;
      if (!this.disposed && this.dirty()) this.arm();
    };
    this.flush().then(rearm, rearm);
  }

  /** Stops the timer for good (close, crash). */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armed = false;
  }
}
