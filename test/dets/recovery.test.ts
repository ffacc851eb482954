/**
 * Recovery of the journal part: torn tails (writes never acknowledged as
 * durable) against damage (bytes the file says were complete), counted
 * write by write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine } from '../../src/engines/index.js';
import type { WriteOp } from '../../src/engines/types.js';
import { crc32 } from '../../src/dets/crc32.js';
import { FRAME_HEADER, HEADER_FIXED } from '../../src/dets/format.js';
import { applyOp } from '../../src/dets/recovery.js';
import { isTermstoreError } from '../../src/errors.js';
import { canonical } from '../../src/term/equal.js';
import { copyRow } from '../../src/term/copy.js';
import type { Row } from '../../src/term/types.js';
import { framesOf, headerOf, withoutSlotUpdate, type FrameAt } from './frames.js';
import { openStore, rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('recovery');
afterAll(() => rmDir(dir));

function state(rows: Iterable<Row>): string[] {
  return [...rows].map((r) => canonical(r)).sort();
}

async function codeOf(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return isTermstoreError(e) ? e.code : `non-termstore: ${String(e)}`;
  }
  return undefined;
}

/** Batches of writes; each batch is flushed as one frame (one write per op). */
const batches: WriteOp[][] = [];
for (let b = 0; b < 12; b++) {
  const ops: WriteOp[] = [];
  for (let i = 0; i < 5 + b; i++) ops.push({ op: 'insert', rows: [copyRow([b * 100 + i, `v${b}-${i}`, { b }])] });
  if (b > 2) ops.push({ op: 'delete', key: (b - 2) * 100 + 1 });
  if (b === 6) ops.push({ op: 'insert', rows: [copyRow([1, 'overwritten'])] });
  batches.push(ops);
}
const writesIn = (k: number): number => batches[k]!.length;

function expected(skip: ReadonlySet<number>, upTo = batches.length): string[] {
  const e = createEngine('set', 0);
  batches.slice(0, upTo).forEach((ops, i) => {
    if (!skip.has(i)) for (const op of ops) applyOp(e, op);
  });
  return state(e.rows());
}

let good: Buffer;
let goodFrames: FrameAt[];
let dataStart: number;

/** The file after `batches`, each flushed, and a crash; `synced`: as written; `good`: with the slots as they were at open. */
let synced: Buffer;

beforeAll(async () => {
  const file = path.join(dir, 'good.dets');
  const t = await openStore(file, { autoSave: false });
  // Every flush records its length in a slot. With the slots of the empty
  // file put back afterwards, every frame lies past the length the file says
  // is complete, as the frames of a flush under way at a crash (or whose
  // slot a power loss took) do.
  await withoutSlotUpdate(file, async () => {
    for (const ops of batches) {
      for (const op of ops) t.write(op);
      await t.store.sync();
    }
    await t.store.simulateCrash(); // no clean close
    synced = fs.readFileSync(file);
  });
  good = fs.readFileSync(file);
  goodFrames = framesOf(file);
  dataStart = headerOf(file).length;
  expect(goodFrames.length).toBe(batches.length);
  // Frames hold consecutive writes: the numbering starts at 1.
  expect(goodFrames.map((f) => f.seq)).toEqual(batches.map((_, k) => 1 + batches.slice(0, k).reduce((n, b) => n + b.length, 0)));
});

let n = 0;
function variant(bytes: Buffer): string {
  const f = path.join(dir, `v${n++}.dets`);
  fs.writeFileSync(f, bytes);
  return f;
}

describe('torn tails (after the length the file says is complete)', () => {
  test('truncation at every frame boundary opens with exactly the frames before it', async () => {
    for (let k = 0; k <= goodFrames.length; k++) {
      const cut = k === 0 ? dataStart : goodFrames[k - 1]!.end;
      const t = await openStore(variant(good.subarray(0, cut)), { repair: false });
      expect(state(t.rows())).toEqual(expected(new Set(), k));
      expect(t.store.recovered.droppedTailBytes).toBe(0);
      expect(t.store.recovered.damaged).toEqual([]);
      await t.store.close();
    }
  });

  test('truncation inside every frame drops just the torn frame, even with repair: false, and appends go on', async () => {
    for (let k = 0; k < goodFrames.length; k++) {
      const fr = goodFrames[k]!;
      for (const cut of [fr.offset + 1, fr.offset + 20, fr.offset + FRAME_HEADER, Math.floor((fr.offset + fr.end) / 2), fr.end - 1]) {
        const f = variant(good.subarray(0, cut));
        const t = await openStore(f, { repair: false });
        expect(state(t.rows())).toEqual(expected(new Set(), k));
        expect(t.store.recovered.droppedTailBytes).toBe(cut - fr.offset);
        expect(t.store.recovered.tailOffset).toBe(fr.offset);
        expect(t.store.recovered.rewritten).toBe(false);
        t.insert([999_999, 'after']);
        await t.store.close();
        const again = await openStore(f, { repair: false });
        expect(again.store.recovered.droppedTailBytes).toBe(0);
        expect(again.lookup(999_999).length).toBe(1);
        expect(state(again.rows()).length).toBe(expected(new Set(), k).length + 1);
        await again.store.close();
      }
    }
  });

  test('a file cut inside the header is refused as corrupt', async () => {
    expect(await codeOf(() => openStore(variant(good.subarray(0, HEADER_FIXED + 3))))).toBe('DETS_CORRUPT');
  });
});

describe('acknowledged writes (flushed by sync or the timer) lie below the complete length', () => {
  const total = batches.reduce((n, b) => n + b.length, 0);

  test('a cut at any frame boundary or inside any frame is damage: repair false refuses, repair names the lost writes', async () => {
    for (let k = 0; k < goodFrames.length; k++) {
      const fr = goodFrames[k]!;
      for (const cut of [fr.offset, fr.offset + FRAME_HEADER + 1]) {
        const f = variant(synced.subarray(0, cut));
        expect(await codeOf(() => openStore(f, { repair: false }))).toBe('DETS_CORRUPT');
        const t = await openStore(f);
        const r = t.store.recovered;
        expect(r.droppedTailBytes).toBe(0);
        expect(r.lost.writes).toBe(total - fr.seq + 1);
        expect(r.lost.writeRanges).toEqual([[fr.seq, total + 1]]);
        expect(state(t.rows())).toEqual(expected(new Set(), k));
        expect(fs.readFileSync(r.keptAs!).equals(synced.subarray(0, cut))).toBe(true);
        await t.store.close();
      }
    }
  });

  test('a flipped byte in the last acknowledged frame is damage, not a torn tail', async () => {
    const last = goodFrames[goodFrames.length - 1]!;
    const bad = Buffer.from(synced);
    bad[last.end - 1]! ^= 0x10;
    const f = variant(bad);
    expect(await codeOf(() => openStore(f, { repair: false }))).toBe('DETS_CORRUPT');
    const t = await openStore(f);
    expect(t.store.recovered.lost.writes).toBe(writesIn(goodFrames.length - 1));
    expect(t.store.recovered.droppedTailBytes).toBe(0);
    expect(state(t.rows())).toEqual(expected(new Set([goodFrames.length - 1])));
    await t.store.close();
  });

  test('the file as the crash left it opens whole, without damage', async () => {
    const t = await openStore(variant(synced), { repair: false });
    expect(state(t.rows())).toEqual(expected(new Set()));
    expect(t.store.recovered.damaged).toEqual([]);
    expect(t.store.recovered.droppedTailBytes).toBe(0);
    await t.store.close();
  });
});

describe('damage in the journal', () => {
  test('a flipped payload byte of any frame: repair false refuses naming the frame and leaves the file untouched', async () => {
    for (let k = 0; k < goodFrames.length; k++) {
      const fr = goodFrames[k]!;
      const bad = Buffer.from(good);
      const at = fr.offset + FRAME_HEADER + 3;
      bad[at] = bad[at]! ^ 0x40;
      const f = variant(bad);
      let err: unknown;
      try {
        await openStore(f, { repair: false });
      } catch (e) {
        err = e;
      }
      if (k === goodFrames.length - 1) {
        // The last frame, past what the file says is complete: indistinguishable from a torn write.
        expect(err).toBeUndefined();
        continue;
      }
      expect(isTermstoreError(err, 'DETS_CORRUPT')).toBe(true);
      expect((err as { details: { offset: number } }).details.offset).toBe(fr.offset);
      expect(fs.readFileSync(f).equals(bad)).toBe(true);
    }
  });

  test('repair keeps every intact frame before and after, counts the lost writes exactly, keeps the original', async () => {
    for (let k = 0; k < goodFrames.length - 1; k++) {
      const fr = goodFrames[k]!;
      const bad = Buffer.from(good);
      const at = Math.floor((fr.offset + FRAME_HEADER + fr.end) / 2);
      bad[at] = bad[at]! ^ 0xff;
      const f = variant(bad);
      const t = await openStore(f, { repair: true });
      const r = t.store.recovered;
      expect(state(t.rows())).toEqual(expected(new Set([k])));
      expect(r.damaged).toEqual([{ offset: fr.offset, length: fr.end - fr.offset }]);
      expect(r.lost.writes).toBe(writesIn(k));
      expect(r.lost.writeRanges).toEqual([[fr.seq, fr.seq + writesIn(k)]]);
      expect(r.rewritten).toBe(true);
      expect(fs.readFileSync(r.keptAs!).equals(bad)).toBe(true);
      await t.store.close();
      const again = await openStore(f, { repair: false });
      expect(again.store.recovered.damaged).toEqual([]);
      expect(state(again.rows())).toEqual(expected(new Set([k])));
      await again.store.close();
    }
  });

  test('the open emits one DETS_DAMAGED process warning saying what was lost', async () => {
    const k = 2;
    const bad = Buffer.from(good);
    bad[goodFrames[k]!.offset + FRAME_HEADER + 2]! ^= 0x01;
    const f = variant(bad);
    const warnings: Array<Error & { code?: string; detail?: string }> = [];
    const on = (w: Error): void => void warnings.push(w);
    process.on('warning', on);
    try {
      const t = await openStore(f);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      await t.store.close();
    } finally {
      process.off('warning', on);
    }
    const ours = warnings.filter((w) => w.code === 'DETS_DAMAGED');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message).toContain(f);
    expect(ours[0]!.message).toContain(`${writesIn(k)} write(s) lost`);
    expect(JSON.parse(ours[0]!.detail!)).toMatchObject({ damaged: [{ offset: goodFrames[k]!.offset }], lost: { writes: writesIn(k) } });
  });

  test('a damaged frame header: the next frame of the block is found again, so only that frame is lost', async () => {
    const k = 3;
    const bad = Buffer.from(good);
    bad[goodFrames[k]!.offset + 9]! ^= 0x01; // inside the length field: the header CRC fails
    const t = await openStore(variant(bad));
    const r = t.store.recovered;
    expect(r.damaged).toEqual([{ offset: goodFrames[k]!.offset, length: goodFrames[k + 1]!.offset - goodFrames[k]!.offset }]);
    expect(r.lost.writes).toBe(writesIn(k));
    expect(state(t.rows())).toEqual(expected(new Set([k])));
    await t.store.close();
  });

  test('several damaged frames are all skipped and reported', async () => {
    const bad = Buffer.from(good);
    for (const k of [1, 4, 7]) bad[goodFrames[k]!.offset + FRAME_HEADER + 2]! ^= 0x01;
    const t = await openStore(variant(bad));
    expect(t.store.recovered.damaged.map((d) => d.offset)).toEqual([1, 4, 7].map((k) => goodFrames[k]!.offset));
    expect(t.store.recovered.lost.writes).toBe(writesIn(1) + writesIn(4) + writesIn(7));
    expect(state(t.rows())).toEqual(expected(new Set([1, 4, 7])));
    await t.store.close();
  });

  test('after a clean close the whole file is complete: a cut or a flip at its end is damage, with the lost writes named', async () => {
    const f = path.join(dir, 'closed.dets');
    const t = await openStore(f, { autoSave: false });
    for (const ops of batches) {
      for (const op of ops) t.write(op);
      await t.store.sync();
    }
    await t.store.close();
    const closed = fs.readFileSync(f);
    const frames = framesOf(f);
    const lastOps = frames[frames.length - 2]!; // before the clean-close marker
    const total = batches.reduce((n2, b) => n2 + b.length, 0);

    const cut = variant(closed.subarray(0, lastOps.offset + 30));
    expect(await codeOf(() => openStore(cut, { repair: false }))).toBe('DETS_CORRUPT');
    const t2 = await openStore(cut);
    expect(t2.store.recovered.lost.writes).toBe(writesIn(batches.length - 1));
    expect(t2.store.recovered.lost.writeRanges).toEqual([[lastOps.seq, total + 1]]);
    expect(t2.store.recovered.droppedTailBytes).toBe(0);
    expect(state(t2.rows())).toEqual(expected(new Set([batches.length - 1])));
    await t2.store.close();

    const flipped = Buffer.from(closed);
    flipped[lastOps.end - 1]! ^= 0x08;
    const t3 = await openStore(variant(flipped));
    expect(t3.store.recovered.lost.writes).toBe(writesIn(batches.length - 1));
    await t3.store.close();
  });

  test("repair: 'force' always rewrites", async () => {
    const f = variant(good);
    const t = await openStore(f, { repair: 'force' });
    expect(t.store.recovered.rewritten).toBe(true);
    expect(t.store.recovered.keptAs).toBeUndefined();
    await t.store.close();
    const t2 = await openStore(f);
    expect(t2.store.recovered.snapshotRows).toBe(expected(new Set()).length);
    expect(state(t2.rows())).toEqual(expected(new Set()));
    await t2.store.close();
  });
});

describe('files that are not tables', () => {
  const cases: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('hello, world\nthis is not a table\n')],
    ['json', Buffer.from('{"a":1}')],
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['one byte', Buffer.from([0x89])],
    ['zeros', Buffer.alloc(4096)],
    ['erlang dets-like', Buffer.from([0, 0, 0, 0, 0x00, 0x0a, 0xa0, 0xb0, 0, 0, 0, 9])],
  ];
  test.each(cases)('%s: DETS_NOT_A_TABLE_FILE, never overwritten', async (_name, bytes) => {
    const f = variant(bytes);
    expect(await codeOf(() => openStore(f))).toBe('DETS_NOT_A_TABLE_FILE');
    expect(await codeOf(() => openStore(f, { access: 'read' }))).toBe('DETS_NOT_A_TABLE_FILE');
    expect(fs.readFileSync(f).equals(bytes)).toBe(true);
  });

  test('a newer format version is refused', async () => {
    const b = Buffer.from(good);
    b.writeUInt16LE(3, 8);
    const len = b.readUInt32LE(12);
    b.writeUInt32LE(crc32(b.subarray(0, HEADER_FIXED + len)), HEADER_FIXED + len);
    const f = variant(b);
    expect(await codeOf(() => openStore(f))).toBe('DETS_FORMAT_UNSUPPORTED');
    expect(fs.readFileSync(f).equals(b)).toBe(true);
  });

  test('a damaged header is corrupt', async () => {
    const b = Buffer.from(good);
    b[HEADER_FIXED + 2]! ^= 1;
    expect(await codeOf(() => openStore(variant(b)))).toBe('DETS_CORRUPT');
  });
});

describe('options', () => {
  test('an existing file must match type and keypos', async () => {
    const f = path.join(dir, 'opts.dets');
    const t = await openStore(f, { type: 'bag', keypos: 2 });
    await t.store.close();
    expect(await codeOf(() => openStore(f, { type: 'set' }))).toBe('DETS_OPTIONS_MISMATCH');
    expect(await codeOf(() => openStore(f, { keypos: 1 }))).toBe('DETS_OPTIONS_MISMATCH');
    const t2 = await openStore(f, { typeGiven: false, keyposGiven: false });
    expect(t2.store.type).toBe('bag');
    expect(t2.store.keypos).toBe(2);
    await t2.store.close();
  });

  test("access: 'read' of a missing file fails and creates nothing", async () => {
    const f = path.join(dir, 'missing.dets');
    expect(await codeOf(() => openStore(f, { access: 'read' }))).toBe('DETS_IO');
    expect(fs.existsSync(f)).toBe(false);
  });

  test('a missing directory names the directory and ENOENT', async () => {
    const f = path.join(dir, 'no', 'such', 'dir', 't.dets');
    let err: unknown;
    try {
      await openStore(f);
    } catch (e) {
      err = e;
    }
    expect(isTermstoreError(err, 'DETS_IO')).toBe(true);
    expect((err as { details: { errno: string } }).details.errno).toBe('ENOENT');
  });
});
