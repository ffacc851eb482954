import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine } from '../../src/engines/index.js';
import type { WriteOp } from '../../src/engines/types.js';
import { createCodec } from '../../src/dets/codec.js';
import { crc32 } from '../../src/dets/crc32.js';
import { HEADER_FIXED, decodeHeader } from '../../src/dets/format.js';
import { nodeFs } from '../../src/dets/fs.js';
import { scanFrames } from '../../src/dets/journal.js';
import { applyOp } from '../../src/dets/recovery.js';
import { isTermstoreError } from '../../src/errors.js';
import { canonical } from '../../src/term/equal.js';
import { copyRow } from '../../src/term/copy.js';
import type { Row } from '../../src/term/types.js';
import { openStore, rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('recovery');
afterAll(() => rmDir(dir));

function state(rows: Iterable<Row>): string[] {
  return [...rows].map((r) => canonical(r)).sort();
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isTermstoreError(e) ? e.code : `non-termstore: ${String(e)}`;
  }
  return undefined;
}

/** Frame offsets of a file: [start, end) of every valid frame. */
function frames(file: string): Array<{ offset: number; end: number }> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const h = decodeHeader(createCodec(), fs.readFileSync(file), size);
    if (!('length' in h)) throw new Error('bad header');
    const out: Array<{ offset: number; end: number }> = [];
    scanFrames(nodeFs, fd, h.length, size, (f) => {
      out.push({ offset: f.offset, end: f.offset + 24 + f.payload.length });
      return true;
    });
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** Batches of ops; each batch is flushed as one frame. */
const batches: WriteOp[][] = [];
for (let b = 0; b < 12; b++) {
  const ops: WriteOp[] = [];
  for (let i = 0; i < 5 + b; i++) ops.push({ op: 'insert', rows: [copyRow([b * 100 + i, `v${b}-${i}`, { b }])] });
  if (b > 2) ops.push({ op: 'delete', key: (b - 2) * 100 + 1 });
  if (b === 6) ops.push({ op: 'insert', rows: [copyRow([1, 'overwritten'])] });
  batches.push(ops);
}

function expected(skip: ReadonlySet<number>, upTo = batches.length): string[] {
  const e = createEngine('set', 0);
  batches.slice(0, upTo).forEach((ops, i) => {
    if (!skip.has(i)) for (const op of ops) applyOp(e, op);
  });
  return state(e.rows());
}

let good: Buffer;
let goodFrames: Array<{ offset: number; end: number }>;
let headerLen: number;

beforeAll(async () => {
  const file = path.join(dir, 'good.dets');
  const t = openStore(file, { autoSave: false });
  for (const ops of batches) {
    for (const op of ops) t.write(op);
    await t.store.sync();
  }
  t.store.simulateCrash(); // no clean-close marker: frames = batches
  await new Promise((r) => setTimeout(r, 10));
  good = fs.readFileSync(file);
  goodFrames = frames(file);
  headerLen = goodFrames[0]!.offset;
  expect(goodFrames.length).toBe(batches.length);
});

let n = 0;
function variant(bytes: Buffer): string {
  const f = path.join(dir, `v${n++}.dets`);
  fs.writeFileSync(f, bytes);
  return f;
}

describe('torn tails', () => {
  test('truncation at every frame boundary opens with exactly the frames before it', async () => {
    for (let k = 0; k <= goodFrames.length; k++) {
      const cut = k === 0 ? headerLen : goodFrames[k - 1]!.end;
      const f = variant(good.subarray(0, cut));
      const t = openStore(f, { repair: false });
      expect(state(t.rows())).toEqual(expected(new Set(), k));
      expect(t.store.recovered.droppedTailBytes).toBe(0);
      expect(t.store.recovered.damaged).toEqual([]);
      await t.store.close();
    }
  });

  test('truncation inside every frame drops just the torn frame, even with repair: false', async () => {
    for (let k = 0; k < goodFrames.length; k++) {
      const fr = goodFrames[k]!;
      const cuts = [fr.offset + 1, fr.offset + 12, fr.offset + 24, Math.floor((fr.offset + fr.end) / 2), fr.end - 1];
      for (const cut of cuts) {
        const f = variant(good.subarray(0, cut));
        const t = openStore(f, { repair: false });
        expect(state(t.rows())).toEqual(expected(new Set(), k));
        expect(t.store.recovered.droppedTailBytes).toBe(cut - fr.offset);
        expect(t.store.recovered.tailOffset).toBe(fr.offset);
        // The tail was truncated: appends continue at the last good frame.
        t.insert([999_999, 'after']);
        await t.store.close();
        expect(fs.statSync(f).size).toBeGreaterThan(fr.offset);
        const again = openStore(f, { repair: false });
        expect(again.store.recovered.droppedTailBytes).toBe(0);
        expect(again.lookup(999_999).length).toBe(1);
        await again.store.close();
      }
    }
  });

  test('a file cut inside the header is refused as corrupt', () => {
    const f = variant(good.subarray(0, headerLen - 2));
    expect(codeOf(() => openStore(f))).toBe('DETS_CORRUPT');
  });
});

describe('damage in the middle', () => {
  test('a flipped byte in any frame but the last: repair false refuses and leaves the file untouched', () => {
    for (let k = 0; k < goodFrames.length - 1; k++) {
      const fr = goodFrames[k]!;
      for (const at of [fr.offset, fr.offset + 9, fr.offset + 14, fr.offset + 21, fr.offset + 30, fr.end - 1]) {
        const bad = Buffer.from(good);
        bad[at] = bad[at]! ^ 0x40;
        const f = variant(bad);
        let err: unknown;
        try {
          openStore(f, { repair: false });
        } catch (e) {
          err = e;
        }
        expect(isTermstoreError(err, 'DETS_CORRUPT')).toBe(true);
        expect((err as { details: { offset: number } }).details.offset).toBe(fr.offset);
        expect(fs.readFileSync(f).equals(bad)).toBe(true);
        expect(fs.existsSync(`${f}.lock`)).toBe(false);
      }
    }
  });

  test('repair: true keeps every intact frame before and after, reports the damaged range, rewrites the file', async () => {
    for (let k = 0; k < goodFrames.length - 1; k++) {
      const fr = goodFrames[k]!;
      const bad = Buffer.from(good);
      const at = Math.floor((fr.offset + fr.end) / 2);
      bad[at] = bad[at]! ^ 0xff;
      const f = variant(bad);
      const t = openStore(f, { repair: true });
      expect(state(t.rows())).toEqual(expected(new Set([k])));
      expect(t.store.recovered.damaged).toEqual([{ offset: fr.offset, length: fr.end - fr.offset }]);
      expect(t.store.recovered.rewritten).toBe(true);
      await t.store.close();
      const again = openStore(f, { repair: false });
      expect(again.store.recovered.damaged).toEqual([]);
      expect(state(again.rows())).toEqual(expected(new Set([k])));
      await again.store.close();
    }
  });

  test('several damaged ranges and a block of garbage are all skipped and reported', async () => {
    const bad = Buffer.concat([
      good.subarray(0, goodFrames[2]!.offset),
      Buffer.alloc(777, 0xa5), // marker-ish garbage
      good.subarray(goodFrames[3]!.offset),
    ]);
    // Offsets of frames after the garbage no longer match: they are damaged too,
    // so recovery keeps frames 0-1 only and reports one range to the end.
    const f = variant(bad);
    const t = openStore(f);
    expect(state(t.rows())).toEqual(expected(new Set(), 2));
    expect(t.store.recovered.tailOffset).toBe(goodFrames[2]!.offset);
    await t.store.close();

    const bad2 = Buffer.from(good);
    for (const k of [1, 4, 7]) bad2[goodFrames[k]!.offset + 30]! ^= 0x01;
    const t2 = openStore(variant(bad2));
    expect(t2.store.recovered.damaged.map((d) => d.offset)).toEqual([1, 4, 7].map((k) => goodFrames[k]!.offset));
    expect(state(t2.rows())).toEqual(expected(new Set([1, 4, 7])));
    await t2.store.close();
  });

  test('a damaged last frame counts as a torn tail', async () => {
    const last = goodFrames[goodFrames.length - 1]!;
    const bad = Buffer.from(good);
    bad[last.end - 2]! ^= 0x10;
    const t = openStore(variant(bad), { repair: false });
    expect(t.store.recovered.droppedTailBytes).toBe(last.end - last.offset);
    expect(state(t.rows())).toEqual(expected(new Set(), batches.length - 1));
    await t.store.close();
  });

  test("repair: 'force' always rewrites", async () => {
    const f = variant(good);
    const t = openStore(f, { repair: 'force' });
    expect(t.store.recovered.rewritten).toBe(true);
    await t.store.close();
    const t2 = openStore(f);
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
  test.each(cases)('%s: DETS_NOT_A_TABLE_FILE, never overwritten', (_name, bytes) => {
    const f = variant(bytes);
    expect(codeOf(() => openStore(f))).toBe('DETS_NOT_A_TABLE_FILE');
    expect(codeOf(() => openStore(f, { access: 'read' }))).toBe('DETS_NOT_A_TABLE_FILE');
    expect(fs.readFileSync(f).equals(bytes)).toBe(true);
    expect(fs.existsSync(`${f}.lock`)).toBe(false);
  });

  test('a newer format version is refused', () => {
    const b = Buffer.from(good);
    b.writeUInt16LE(2, 8);
    const n = b.readUInt32LE(12);
    b.writeUInt32LE(crc32(b.subarray(0, HEADER_FIXED + n)), HEADER_FIXED + n);
    const f = variant(b);
    expect(codeOf(() => openStore(f))).toBe('DETS_FORMAT_UNSUPPORTED');
    expect(fs.readFileSync(f).equals(b)).toBe(true);
  });

  test('a damaged header is corrupt', () => {
    const b = Buffer.from(good);
    b[HEADER_FIXED + 2]! ^= 1;
    expect(codeOf(() => openStore(variant(b)))).toBe('DETS_CORRUPT');
  });
});

describe('options', () => {
  test('an existing file must match type and keypos', async () => {
    const f = path.join(dir, 'opts.dets');
    const t = openStore(f, { type: 'bag', keypos: 2 });
    await t.store.close();
    expect(codeOf(() => openStore(f, { type: 'set' }))).toBe('DETS_OPTIONS_MISMATCH');
    expect(codeOf(() => openStore(f, { keypos: 1 }))).toBe('DETS_OPTIONS_MISMATCH');
    const t2 = openStore(f, { typeGiven: false, keyposGiven: false });
    expect(t2.store.type).toBe('bag');
    expect(t2.store.keypos).toBe(2);
    await t2.store.close();
  });

  test("access: 'read' of a missing file fails and creates nothing", () => {
    const f = path.join(dir, 'missing.dets');
    expect(codeOf(() => openStore(f, { access: 'read' }))).toBe('DETS_IO');
    expect(fs.existsSync(f)).toBe(false);
  });
});
