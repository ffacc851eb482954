/**
 * Test helpers that look inside a dets file: its header length and the
 * valid v2 frames it holds.
 */
import * as fs from 'node:fs';
import { createCodec } from '../../src/dets/codec.js';
import { FRAME_HEADER, decodeHeader, type FileHeader } from '../../src/dets/format.js';
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
