/**
 * What one damaged or missing byte costs: one-byte flips and truncations at
 * every offset class of a compacted multi-block file (header, slots, frame
 * headers, payloads, padding, markers, the journal after the snapshot),
 * asserting how many rows survive, not only that nothing was invented, and
 * that the damaged original is kept byte for byte.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BLOCK, FRAME_HEADER, Kind, SLOT_SIZE } from '../../src/dets/format.js';
import { isTermstoreError } from '../../src/errors.js';
import { canonical } from '../../src/term/equal.js';
import type { Row } from '../../src/term/types.js';
import { framesOf, headerOf, type FrameAt } from './frames.js';
import { openStore, rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('damage');
afterAll(() => rmDir(dir));

const ROWS = 20_000;
const LATE = 50;
/** Rows a 64 KiB block can hold at most (the smallest row encodes in more than 20 bytes). */
const PER_BLOCK_MAX = Math.ceil(BLOCK / 20);

const rowOf = (i: number): unknown[] => [i, `value-${i}`, { n: i }];
let good: Buffer;
let frames: FrameAt[];
let original: Map<string, string>;
let slotsAt: number;
let dataStart: number;

beforeAll(async () => {
  const file = path.join(dir, 'good.tsdb');
  const t = await openStore(file, { autoSave: false });
  for (let i = 0; i < ROWS; i++) t.insert(rowOf(i));
  await t.store.compact();
  for (let i = 0; i < LATE; i++) t.insert(rowOf(ROWS + i));
  await t.store.close();
  good = fs.readFileSync(file);
  frames = framesOf(file);
  const h = headerOf(file);
  slotsAt = h.slotsAt;
  dataStart = h.length;
  const t2 = await openStore(file, { access: 'read' });
  original = new Map(t2.rows().map((r) => [canonical(r[0]!), canonical(r)]));
  await t2.store.close();
  expect(original.size).toBe(ROWS + LATE);
  expect(frames.filter((f) => f.kind === Kind.SNAPSHOT_ROWS).length).toBeGreaterThan(5);
});

let n = 0;
function variant(bytes: Buffer): string {
  const f = path.join(dir, `v${n++}.tsdb`);
  fs.writeFileSync(f, bytes);
  return f;
}

/** Opens a damaged copy with repair; checks nothing was invented, the count matches the report, the original was kept. */
async function survivors(bytes: Buffer): Promise<{ rows: number; lost: number; lostWrites: number; damaged: boolean }> {
  const f = variant(bytes);
  const t = await openStore(f);
  const r = t.store.recovered;
  const rows: Row[] = t.rows();
  for (const row of rows) expect(original.get(canonical(row[0]!))).toBe(canonical(row));
  const damaged = r.damaged.length > 0 || r.lost.rows > 0 || r.lost.writes > 0;
  // Every row is either there or counted as lost: snapshot rows by index, journal writes (one row each) by number.
  expect(rows.length + r.lost.rows + r.lost.writes).toBe(ROWS + LATE);
  if (damaged) {
    expect(r.rewritten).toBe(true);
    expect(fs.readFileSync(r.keptAs!).equals(bytes)).toBe(true);
  } else {
    expect(r.keptAs).toBeUndefined();
  }
  await t.store.close();
  return { rows: rows.length, lost: r.lost.rows, lostWrites: r.lost.writes, damaged };
}

async function refusedUntouched(bytes: Buffer): Promise<void> {
  const f = variant(bytes);
  let err: unknown;
  try {
    await openStore(f, { repair: false });
  } catch (e) {
    err = e;
  }
  expect(isTermstoreError(err, 'DETS_CORRUPT')).toBe(true);
  expect(fs.readFileSync(f).equals(bytes)).toBe(true);
  expect(fs.readdirSync(dir).filter((x) => x.startsWith(path.basename(f) + '.'))).toEqual([]);
}

function flip(at: number): Buffer {
  const b = Buffer.from(good);
  b[at] = b[at]! ^ 0x5a;
  return b;
}

describe('one flipped byte', () => {
  test('in a frame header or payload of each block: at most that block is lost, exactly as reported', async () => {
    for (const fr of frames.filter((f) => f.kind === Kind.SNAPSHOT_ROWS)) {
      for (const at of [fr.offset + 4, fr.offset + 21, fr.offset + 45, Math.floor((fr.offset + fr.end) / 2), fr.end - 1]) {
        const s = await survivors(flip(at));
        expect(s.damaged).toBe(true);
        expect(s.lost).toBeGreaterThan(0);
        expect(s.lost).toBeLessThanOrEqual(PER_BLOCK_MAX + 2); // the frame's rows and at most the two cut at its edges
        expect(s.lostWrites).toBe(0);
      }
    }
    await refusedUntouched(flip(frames[2]!.offset + 100));
  }, 180_000);

  test('in the snapshot markers, the journal frames and the clean-close marker: only what they hold', async () => {
    const begin = frames.find((f) => f.kind === Kind.SNAPSHOT_BEGIN)!;
    const end = frames.find((f) => f.kind === Kind.SNAPSHOT_END)!;
    const ops = frames.filter((f) => f.kind === Kind.OPS);
    const close = frames.find((f) => f.kind === Kind.CLEAN_CLOSE)!;
    // The begin marker: its count is known again from the end marker; no row is lost.
    expect(await survivors(flip(begin.offset + FRAME_HEADER + 2))).toMatchObject({ rows: ROWS + LATE, lost: 0, damaged: true });
    // The end marker: every row is there and the numbering tells so.
    expect(await survivors(flip(end.offset + FRAME_HEADER + 1))).toMatchObject({ rows: ROWS + LATE, lost: 0 });
    // A journal frame: its writes.
    const s = await survivors(flip(ops[0]!.offset + FRAME_HEADER + 5));
    expect(s.lostWrites).toBeGreaterThan(0);
    expect(s.rows).toBe(ROWS + LATE - s.lostWrites);
    // The clean-close marker: nothing but the marker.
    expect(await survivors(flip(close.offset + FRAME_HEADER + 1))).toMatchObject({ rows: ROWS + LATE, lost: 0, lostWrites: 0, damaged: true });
  });

  test('in the padding at a block end, and in a slot: nothing is lost', async () => {
    const padded = frames.find((f) => f.end % BLOCK !== 0 && BLOCK - (f.end % BLOCK) <= FRAME_HEADER);
    if (padded !== undefined) expect(await survivors(flip(padded.end))).toMatchObject({ rows: ROWS + LATE, damaged: false });
    // A slot: the other one still says how long the file is.
    expect(await survivors(flip(slotsAt + 3))).toMatchObject({ rows: ROWS + LATE, damaged: false });
    expect(await survivors(flip(slotsAt + SLOT_SIZE + 3))).toMatchObject({ rows: ROWS + LATE, damaged: false });
  });

  test('in the header: refused (the table options are unknown), never rewritten', async () => {
    for (const at of [0, 8, 12, 20, dataStart - SLOT_SIZE * 2 - 1]) {
      const f = variant(flip(at));
      let err: unknown;
      try {
        await openStore(f);
      } catch (e) {
        err = e;
      }
      expect(isTermstoreError(err)).toBe(true);
      expect(fs.readFileSync(f).equals(flip(at))).toBe(true);
    }
  });
});

describe('truncation', () => {
  test('at every block boundary and inside blocks: the rows before the cut survive, the rest is counted as lost', async () => {
    const size = good.length;
    const cuts = new Set<number>();
    const blocks = Math.ceil(size / BLOCK);
    for (const b of [1, Math.floor(blocks / 2), blocks - 1]) for (const d of [-1, 0, 1, FRAME_HEADER, 1000]) cuts.add(b * BLOCK + d);
    const classes = [frames[0]!, frames[1]!, ...frames.filter((f) => f.kind !== Kind.SNAPSHOT_ROWS)];
    for (const fr of classes) for (const d of [1, FRAME_HEADER - 1, FRAME_HEADER + 1]) cuts.add(fr.offset + d);
    cuts.add(Math.floor(size * 0.95));
    cuts.add(size - 1);
    for (const cut of [...cuts].filter((c) => c > dataStart && c < size).sort((a, b) => a - b)) {
      const s = await survivors(good.subarray(0, cut));
      expect(s.damaged).toBe(true);
      // Every whole frame before the cut survived: at most one block's rows are lost besides what was cut off.
      const whole = frames.filter((f) => f.end <= cut);
      const wholeRows = whole.filter((f) => f.kind === Kind.SNAPSHOT_ROWS).reduce((m, f) => Math.max(m, f.seq + f.count), 0);
      expect(s.rows).toBeGreaterThanOrEqual(Math.min(ROWS, wholeRows) - 1);
    }
  }, 180_000);

  test('the last 5% of a closed file: never an empty table, and repair: false refuses', async () => {
    const cut = good.subarray(0, Math.floor(good.length * 0.95));
    const s = await survivors(cut);
    expect(s.rows).toBeGreaterThan(ROWS * 0.9);
    await refusedUntouched(cut);
  });
});

describe('a closed journal-only file of 20,000 rows', () => {
  let closed: Buffer;
  beforeAll(async () => {
    const file = path.join(dir, 'journal.tsdb');
    const t = await openStore(file);
    for (let i = 0; i < ROWS; i++) t.insert(rowOf(i));
    await t.store.close();
    closed = fs.readFileSync(file);
  });

  test('one flipped byte costs one block of writes, counted', async () => {
    const b = Buffer.from(closed);
    b[Math.floor(b.length / 2)]! ^= 0x01;
    const f = variant(b);
    const t = await openStore(f);
    const r = t.store.recovered;
    expect(r.lost.writes).toBeGreaterThan(0);
    expect(r.lost.writes).toBeLessThanOrEqual(PER_BLOCK_MAX);
    expect(t.rows().length).toBe(ROWS - r.lost.writes);
    await t.store.close();
  });

  test('cut by 5%: the writes cut off are counted, the rest kept', async () => {
    const f = variant(closed.subarray(0, Math.floor(closed.length * 0.95)));
    const t = await openStore(f);
    const r = t.store.recovered;
    expect(r.lost.writes).toBeGreaterThan(0);
    expect(t.rows().length).toBe(ROWS - r.lost.writes);
    expect(t.rows().length).toBeGreaterThan(ROWS * 0.9);
    await t.store.close();
  });
});
