/**
 * Finds where CBOR items end without decoding them: the item boundaries of
 * a CBOR sequence, so a streaming reader knows which items are complete and
 * where each starts (for error offsets), and refuses a damaged length field
 * before allocating anything for it.
 *
 * @module
 */

/** Thrown for bytes that are not well-formed CBOR; `at` is the offset in the scanned buffer. */
export class CborScanError extends Error {
  constructor(
    readonly at: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** Nesting deeper than this is refused (the decoder would recurse that deep). */
export const MAX_NESTING = 2000;

/**
 * Scans one item starting at `b[pos]`. Returns the offset just past it, or
 * `-1` if the buffer ends first. `limit` is how many bytes may still follow
 * `b[b.length]` in the whole input (a length field reaching past it is
 * damage, not truncation of the buffer). Throws {@link CborScanError}.
 */
export function scanItem(b: Uint8Array, pos: number, limit: number): number {
  // remaining[d]: items still to read at depth d (Infinity: indefinite length, until a break).
  const remaining: number[] = [1];
  let p = pos;
  const end = b.length;
  while (remaining.length > 0) {
    const top = remaining.length - 1;
    if (remaining[top] === 0) {
      remaining.pop();
      continue;
    }
    if (p >= end) return -1;
    const ib = b[p]!;
    if (ib === 0xff) {
      if (remaining[top] !== Infinity) throw new CborScanError(p, 'a break byte outside an indefinite-length item');
      p++;
      remaining.pop();
      continue;
    }
    remaining[top]!--;
    const major = ib >> 5;
    const info = ib & 0x1f;
    const start = p;
    p++;
    let arg = info;
    if (info >= 24 && info <= 27) {
      const n = 1 << (info - 24);
      if (p + n > end) return -1;
      arg = 0;
      for (let i = 0; i < n; i++) arg = arg * 256 + b[p + i]!;
      p += n;
    } else if (info >= 28 && info <= 30) {
      throw new CborScanError(start, `reserved additional information ${info}`);
    }
    const indefinite = info === 31;
    switch (major) {
      case 0:
      case 1:
        if (indefinite) throw new CborScanError(start, 'an integer with indefinite length');
        break;
      case 2:
      case 3:
        if (indefinite) {
          push(remaining, Infinity, start);
        } else {
          if (arg > end - p + limit) throw new CborScanError(start, `a length of ${arg} bytes runs past the end of the input`);
          if (p + arg > end) return -1;
          p += arg;
        }
        break;
      case 4:
      case 5: {
        const items = indefinite ? Infinity : major === 5 ? arg * 2 : arg;
        // Every item takes at least one byte.
        if (items !== Infinity && items > end - p + limit) throw new CborScanError(start, `a count of ${arg} items runs past the end of the input`);
        push(remaining, items, start);
        break;
      }
      case 6:
        if (indefinite) throw new CborScanError(start, 'a tag with indefinite length');
        push(remaining, 1, start);
        break;
      default:
        // major 7: simple values and floats; info 31 alone is the break, handled above.
        if (indefinite) throw new CborScanError(start, 'a break byte outside an indefinite-length item');
    }
  }
  return p;
}

function push(remaining: number[], n: number, at: number): void {
  if (remaining.length > MAX_NESTING) throw new CborScanError(at, `nested deeper than ${MAX_NESTING} levels`);
  remaining.push(n);
}
