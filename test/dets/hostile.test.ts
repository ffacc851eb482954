/**
 * Crafted files cannot make reading a dets file slow or large: the frame
 * search after damage is linear in the file size (version 2: bounded to the
 * block, with a budget for the payloads it checksums; version 1: a work
 * budget). Each file is opened in a child process, and the time and memory
 * it took are checked against bounds far below what quadratic work would
 * take (hours) and far above a linear read on a loaded machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createCodec } from '../../src/dets/codec.js';
import { crc32 } from '../../src/dets/crc32.js';
import { BLOCK, FRAME_HEADER, Kind, SLOTS_SIZE, encodeHeader, encodeSlots, sealFrameAt } from '../../src/dets/format.js';
import { FRAME_HEADER_V1 } from '../../src/dets/frame-v1.js';
import { runChild } from './child.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('hostile');
afterAll(() => rmDir(dir));
const SIZE = 8 << 20;

async function openInChild(file: string): Promise<{ ms: number; rssMiB: number; line: string }> {
  const c = runChild('open-file.mjs', [file]);
  const line = await c.waitFor(/^(OPENED|ERROR)/, 300_000);
  await c.exited;
  const parts = line.split(' ');
  return { ms: Number(parts[line.startsWith('OPENED') ? 1 : 2]), rssMiB: Number(parts[2]), line };
}

describe('crafted frame headers', () => {
  test('version 2: every block full of frame headers that check out but whose payloads do not', async () => {
    const codec = createCodec();
    const header = encodeHeader(codec, 'set', 1, false);
    const b = Buffer.alloc(SIZE);
    header.copy(b, 0);
    encodeSlots({ generation: 1, committed: header.length + SLOTS_SIZE, lastSeq: 0, snapshotRows: 0, snapshotSeq: 0 }).copy(b, header.length);
    for (let block = 1; block < SIZE / BLOCK; block++) {
      const base = block * BLOCK;
      b.fill(0xee, base, base + FRAME_HEADER); // the block's first header is garbage
      for (let at = base + FRAME_HEADER; at + FRAME_HEADER < base + BLOCK; at += FRAME_HEADER) {
        const len = base + BLOCK - at - FRAME_HEADER;
        sealFrameAt(b, at, 0, at, { kind: Kind.OPS, flags: 0, seq: 1, count: 1, skip: 0, tail: 0 });
        b.writeUInt32LE(len, at + 8); // claims the rest of the block...
        b.writeUInt32LE(crc32(b.subarray(at + 4, at + 44)), at + 44); // ...with a valid header CRC; the payload CRC is wrong
      }
    }
    const file = path.join(dir, 'v2-crafted.tsdb');
    fs.writeFileSync(file, b);
    const r = await openInChild(file);
    expect(r.line).toMatch(/^OPENED \d+ \d+ 0 /);
    expect(r.ms).toBeLessThan(60_000);
    expect(r.rssMiB).toBeLessThan(400);
  }, 320_000);

  test('version 1: markers every 24 bytes, each claiming the rest of the file', async () => {
    const codec = createCodec();
    const h2 = encodeHeader(codec, 'set', 1, false);
    // The same header as version 1 (version field 1, no slots).
    const h = Buffer.from(h2);
    h.writeUInt16LE(1, 8);
    const n = h.readUInt32LE(12);
    h.writeUInt32LE(crc32(h.subarray(0, 16 + n)), 16 + n);
    const b = Buffer.alloc(SIZE);
    h.copy(b, 0);
    for (let at = h.length; at + FRAME_HEADER_V1 < SIZE; at += FRAME_HEADER_V1) {
      b[at] = 0xa5;
      b[at + 1] = 0x54;
      b[at + 2] = 0x53;
      b[at + 3] = 0x52;
      b[at + 4] = Kind.OPS;
      b.writeUInt32LE(SIZE - at - FRAME_HEADER_V1, at + 8);
      b.writeUInt32LE(at, at + 12);
    }
    const file = path.join(dir, 'v1-crafted.tsdb');
    fs.writeFileSync(file, b);
    const r = await openInChild(file);
    expect(r.line).toMatch(/^OPENED \d+ \d+ 0 1$/); // the rest is one damaged range
    expect(r.ms).toBeLessThan(60_000);
    expect(r.rssMiB).toBeLessThan(400);
  }, 320_000);
});
