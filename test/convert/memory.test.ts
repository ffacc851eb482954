/**
 * Streaming conversions hold at most a batch in memory: a child process
 * converts a generated file of 200 000 rows (~50 MB; as JS values well over
 * 100 MB) along tab, CBOR sequence, SQLite, OTP tab2file, JSON Lines
 * and a termstore dets file, collecting garbage as it goes, and the live
 * heap (and buffers) never grows by more than a few batches' worth; a dets
 * file as the input, replayed into memory first, is the control that shows
 * the measurement sees a table held in memory. No timing is asserted: the
 * samples are taken at fixed points (every 10th batch, after a forced full
 * collection), and V8's concurrent array-buffer sweeping is turned off in
 * the child, so a collection frees the buffers it found dead before the
 * sample is read (with it on, a loaded machine delays the sweeper thread
 * and dead buffers of 20 MiB and more still counted as live: the test
 * failed one run in three). The only time limit is a safety net against a
 * hang, far above any run on a loaded machine.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../build.js';
import { tempDir } from './support.js';

const { dir, cleanup } = tempDir('memory');
afterAll(cleanup);
const ROWS = 200_000;
/** Live heap growth allowed during one conversion (a batch of rows and a frame of bytes, with room to spare). */
const BOUND_MIB = 16;

describe('memory of streaming conversions', () => {
  it(`stays bounded (< ${BOUND_MIB} MiB live) converting ${ROWS} rows between streaming formats`, () => {
    const dist = ensureBuilt();
    const r = spawnSync(process.execPath, ['--expose-gc', '--no-concurrent-array-buffer-sweeping', '--max-old-space-size=256', join(import.meta.dirname, 'children', 'memory.mjs'), dir, String(ROWS)], {
      env: { ...process.env, TERMSTORE_DIST: dist },
      encoding: 'utf8',
      timeout: 900_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const steps = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { from: string; to: string; rows: number; peakMiB: number });
    expect(steps.length).toBe(7);
    const control = steps.pop()!;
    // The measurement sees a table held in memory: the dets source (a journal replayed first) is far above the bound.
    expect(control.peakMiB).toBeGreaterThan(2 * BOUND_MIB);
    for (const s of steps) {
      expect(s.rows, `${s.from} → ${s.to}`).toBe(ROWS);
      expect(s.peakMiB, `${s.from} → ${s.to}`).toBeLessThan(BOUND_MIB);
    }
    console.log([...steps, control].map((s) => `${s.from} → ${s.to}: peak ${s.peakMiB.toFixed(1)} MiB`).join('\n'));
  }, 960_000);
});
