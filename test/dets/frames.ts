/**
 * Test helpers that look inside a dets file: its header length and the
 * valid v2 frames it holds.
 */
import * as fs from 'node:fs';
import { createCodec } from '../../src/dets/codec.js';
import { FRAME_HEADER, SLOTS_SIZE, decodeHeader, type FileHeader } from '../../src/dets/format.js';
import { nodeFs } from '../../src/dets/fs.js';
import { scanFrames } from '../../src/dets/scan.js';

/** A valid frame: where it is, what it says. */
export interface FrameAt {
  offset: number;
  end: number;
  kind: number;
  flags: number;
  seq: number;
  count: number;
  payload: Buffer;
}

export function headerOf(file: string): FileHeader {
  const h = decodeHeader(createCodec(), fs.readFileSync(file), fs.statSync(file).size);
  if (!('length' in h)) throw new Error(`bad header: ${JSON.stringify(h)}`);
  return h;
}

/** Every valid frame of a v2 file, in order. */
export function framesOf(file: string): FrameAt[] {
  const h = headerOf(file);
  const fd = fs.openSync(file, 'r');
  try {
    const out: FrameAt[] = [];
    scanFrames(nodeFs, fd, h.length, fs.fstatSync(fd).size, (f) => {
      out.push({ offset: f.offset, end: f.offset + FRAME_HEADER + f.length, kind: f.kind, flags: f.flags, seq: f.seq, count: f.count, payload: Buffer.from(f.payload) });
      return true;
    });
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Runs `flush` (writes followed by `sync`), then puts the file's slots back
 * as they were before: the file as a crash leaves it when it struck after
 * the flush's frames were written but before the slot recording them was
 * (or a power loss took that slot): the frames lie past the length the file
 * says is complete, so a cut in them is a torn tail.
 */
export async function withoutSlotUpdate(file: string, flush: () => Promise<void>): Promise<void> {
  const at = headerOf(file).slotsAt;
  const before = Buffer.from(fs.readFileSync(file).subarray(at, at + SLOTS_SIZE));
  await flush();
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, before, 0, before.length, at);
  } finally {
    fs.closeSync(fd);
  }
}
