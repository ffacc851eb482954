/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial 0xEDB88320, reflected, initial
 * and final XOR 0xFFFFFFFF): `crc32('123456789') === 0xCBF43926`.
 *
 * Uses `zlib.crc32` where Node has it (20.15+, 22.2+) and a table-driven
 * implementation otherwise; both give the same values and both accept a
 * running value so a CRC can be computed over several buffers.
 *
 * @module
 */
import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** The portable implementation (exported for tests; {@link crc32} picks the fastest). */
export function crc32Js(data: Uint8Array, value = 0): number {
  const t = (table ??= makeTable());
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data`, continuing from `value` (the CRC of the bytes before it; 0 to start). */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof native === 'function' ? (data, value = 0) => native(data, value) >>> 0 : crc32Js;
