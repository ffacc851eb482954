/**
 * Finds where CBOR items end without decoding them, in one linear pass over
 * the item heads (string and byte payloads are skipped by their length):
 *
 * - the item boundaries of a CBOR sequence, so a streaming reader knows
 *   which items are complete and where each starts (for error offsets), and
 *   refuses a damaged length field before allocating anything for it;
 * - the guard in front of every decode ({@link checkItems}): the tags of an
 *   item are checked against the format's own before cbor-x sees a byte, so
 *   cbor-x's built-in tag decoders (bignums, whose decoder is quadratic in
 *   the length; shared references; records; typed arrays; `RegExp`) never
 *   run on input termstore reads.
 *
 * @module
 */
/** Thrown for bytes that are not well-formed CBOR (or hold a refused tag); `at` is the offset in the scanned buffer. */
export class CborScanError extends Error {
  constructor(
    readonly at: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Nesting deeper than this is refused: cbor-x recurses once per level and
 * runs out of stack at about 2200 levels on Node's default stack. (Its
 * encoder gives up sooner: a tuple takes two levels, a tag and its array,
 * and tuples nested about 800 deep are the most it writes.)
 */
export const MAX_NESTING = 2000;

/** Which tags an item may hold: `undefined` allows every tag. */
export type TagPolicy = ((tag: number) => boolean) | undefined;

/**
 * Scans one item starting at `b[pos]`. Returns the offset just past it, or
 * `-1` if the buffer ends first. `limit` is how many bytes may still follow
 * `b[b.length]` in the whole input (a length field reaching past it is
 * damage, not truncation of the buffer). A tag that `tags` refuses throws.
 * Throws {@link CborScanError}.
 */
export function scanItem(b: Uint8Array, pos: number, limit: number, tags?: TagPolicy, end = b.length): number {
  // remaining[d]: items still to read at depth d (Infinity: indefinite length, until a break).
  const remaining: number[] = [1];
  let p = pos;
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
        if (tags !== undefined && !tags(arg)) throw new CborScanError(start, `CBOR tag ${arg} is not one of this format's`);
        push(remaining, 1, start);
        break;
      default:
        // major 7: simple values and floats; info 31 alone is the break, handled above.
        if (indefinite) throw new CborScanError(start, 'a break byte outside an indefinite-length item');
    }
  }
  return p;
}

/**
 * Checks that `b[start, end)` is a sequence of complete, well-formed items
 * whose tags `tags` allows. Linear in the length, no allocation per item;
 * throws {@link CborScanError} at the first problem. (The same grammar as
 * {@link scanItem}, written as one loop: this runs before every decode.)
 */
export function checkItems(b: Uint8Array, start: number, end: number, tags: TagPolicy): void {
  // `left`: items still to read in the innermost open container; INDEFINITE
  // until a break byte; SEQUENCE at the top level (any number of items).
  const SEQUENCE = -2;
  const INDEFINITE = -1;
  const outer: number[] = [];
  let left = SEQUENCE;
  let p = start;
  for (;;) {
    if (left === 0) {
      left = outer.pop()!;
      continue;
    }
    if (p >= end) {
      if (left === SEQUENCE) return;
      throw new CborScanError(p, 'the last item is incomplete');
    }
    const ib = b[p]!;
    const major = ib >> 5;
    const info = ib & 0x1f;
    if (info < 24 && major !== 4 && major !== 5 && major !== 6) {
      // The common cases: a small integer, a simple value, a short string.
      p += major === 2 || major === 3 ? 1 + info : 1;
      if (p > end) throw new CborScanError(p - 1 - info, 'the last item is incomplete');
      if (left > 0) left--;
      continue;
    }
    if (ib === 0xff) {
      if (left !== INDEFINITE) throw new CborScanError(p, 'a break byte outside an indefinite-length item');
      p++;
      left = outer.pop()!;
      continue;
    }
    const at = p++;
    if (left > 0) left--;
    let arg = info;
    if (info >= 24) {
      if (info <= 27) {
        const n = 1 << (info - 24);
        if (p + n > end) throw new CborScanError(at, 'the last item is incomplete');
        arg = 0;
        for (let i = 0; i < n; i++) arg = arg * 256 + b[p + i]!;
        p += n;
      } else if (info !== 31) {
        throw new CborScanError(at, `reserved additional information ${info}`);
      } else if (major !== 2 && major !== 3 && major !== 4 && major !== 5) {
        throw new CborScanError(at, major === 7 ? 'a break byte outside an indefinite-length item' : `major type ${major} with indefinite length`);
      } else {
        if (outer.length >= MAX_NESTING) throw new CborScanError(at, `nested deeper than ${MAX_NESTING} levels`);
        outer.push(left);
        left = INDEFINITE;
        continue;
      }
    }
    switch (major) {
      case 2:
      case 3:
        if (arg > end - p) throw new CborScanError(at, `a length of ${arg} bytes runs past the end of the input`);
        p += arg;
        break;
      case 4:
      case 5: {
        const items = major === 5 ? arg * 2 : arg;
        if (items === 0) break;
        // Every item takes at least one byte.
        if (items > end - p) throw new CborScanError(at, `a count of ${arg} items runs past the end of the input`);
        if (outer.length >= MAX_NESTING) throw new CborScanError(at, `nested deeper than ${MAX_NESTING} levels`);
        outer.push(left);
        left = items;
        break;
      }
      case 6:
        if (tags !== undefined && !tags(arg)) throw new CborScanError(at, `CBOR tag ${arg} is not one of this format's`);
        if (outer.length >= MAX_NESTING) throw new CborScanError(at, `nested deeper than ${MAX_NESTING} levels`);
        outer.push(left);
        left = 1;
        break;
      // 0, 1, 7: integers, floats and simple values with a following argument: nothing more to skip.
    }
  }
}

function push(remaining: number[], n: number, at: number): void {
  if (remaining.length > MAX_NESTING) throw new CborScanError(at, `nested deeper than ${MAX_NESTING} levels`);
  remaining.push(n);
}
