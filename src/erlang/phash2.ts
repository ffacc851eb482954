/**
 * `erlang:phash2/1` for {@link ErlTerm}s: the portable term hash DETS uses
 * to place keys in slots (erts `utils.c`, `make_hash2`; atom hashes from
 * `atom.c`, `atom_hash`). Erlang guarantees the value is the same on every
 * machine and ERTS version, which is what lets a JS writer produce DETS
 * files OTP can look keys up in.
 *
 * Opaque pids, ports and references hash only their number fields, as
 * erts does; funs hash their module, index, uniq and free variables.
 *
 * @module
 */
import { Opaque, Tuple, atomName, isPlainObject } from '../term/index.js';
import { decodeBody } from './etf-decode.js';
import { ErlBitstring, ErlFloat, ErlImproperList, type ErlTerm } from './terms.js';
import { Tag } from './etf-tags.js';

const HCONST = 0x9e3779b9;
const HCONST_2 = 0x3c6ef372;
const HCONST_3 = 0xdaa66d2b;
const HCONST_4 = 0x78dde6e4;
const HCONST_5 = 0x1715609d;
const HCONST_6 = 0xb54cda56;
const HCONST_7 = 0x5384540f;
const HCONST_9 = 0x8ff34781;
const HCONST_10 = 0x2e2ac13a;
const HCONST_11 = 0xcc623af3;
const HCONST_12 = 0x6a99b4ac;
const HCONST_13 = 0x08d12e65;
const HCONST_14 = 0xa708a81e;
const HCONST_15 = 0x454021d7;
const HCONST_16 = 0xe3779b90;
const HCONST_19 = 0xbe1e08bb;
const NIL_FIRST = 3468870702;
const NIL_DEF = 2;

const utf8 = new TextEncoder();

/** Bob Jenkins' lookup2 mix over three uint32s; returns the new `c`. */
function mix(a: number, b: number, c: number): number {
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 13)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 8)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 13)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 12)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 16)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 5)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 3)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 10)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 15)) >>> 0;
  return c;
}

/** `UINT32_HASH_2(x, y, k)` applied to `hash`. */
function h2(x: number, y: number, k: number, hash: number): number {
  return mix((k + x) >>> 0, (k + y) >>> 0, hash);
}

/** erts `block_hash`: lookup2 over bytes, seeded with `init`. */
function blockHash(k: Uint8Array, init: number): number {
  let a = HCONST;
  let b = HCONST;
  let c = init >>> 0;
  const len = k.length;
  let i = 0;
  const u32le = (p: number): number => (k[p]! | (k[p + 1]! << 8) | (k[p + 2]! << 16) | (k[p + 3]! << 24)) >>> 0;
  while (len - i >= 12) {
    a = (a + u32le(i)) >>> 0;
    b = (b + u32le(i + 4)) >>> 0;
    c = (c + u32le(i + 8)) >>> 0;
    // MIX(a, b, c) updating all three
    [a, b, c] = mix3(a, b, c);
    i += 12;
  }
  c = (c + len) >>> 0;
  const r = len - i;
  const at = (j: number): number => k[i + j]!;
  if (r >= 11) c = (c + (at(10) << 24)) >>> 0;
  if (r >= 10) c = (c + (at(9) << 16)) >>> 0;
  if (r >= 9) c = (c + (at(8) << 8)) >>> 0;
  if (r >= 8) b = (b + (at(7) << 24)) >>> 0;
  if (r >= 7) b = (b + (at(6) << 16)) >>> 0;
  if (r >= 6) b = (b + (at(5) << 8)) >>> 0;
  if (r >= 5) b = (b + at(4)) >>> 0;
  if (r >= 4) a = (a + (at(3) << 24)) >>> 0;
  if (r >= 3) a = (a + (at(2) << 16)) >>> 0;
  if (r >= 2) a = (a + (at(1) << 8)) >>> 0;
  if (r >= 1) a = (a + at(0)) >>> 0;
  return mix(a, b, c);
}

function mix3(a: number, b: number, c: number): [number, number, number] {
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 13)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 8)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 13)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 12)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 16)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 5)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 3)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 10)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 15)) >>> 0;
  return [a, b, c];
}

/** erts `atom_hash`: hashpjw over the UTF-8 name, with 2-byte Latin-1 sequences folded to one byte. */
export function atomHash(name: string): number {
  const p = utf8.encode(name);
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    let v = p[i]!;
    if (i + 1 < p.length && (v & 0xfe) === 0xc2 && (p[i + 1]! & 0xc0) === 0x80) {
      v = ((v << 6) | (p[i + 1]! & 0x3f)) & 0xff;
      i++;
    }
    h = ((h << 4) + v) >>> 0;
    const g = (h & 0xf0000000) >>> 0;
    if (g !== 0) {
      h = (h ^ (g >>> 24)) >>> 0;
      h = (h ^ g) >>> 0;
    }
  }
  return h;
}

const SMALL28_MIN = -(2 ** 27);
const SMALL28_MAX = 2 ** 27 - 1;
const MASK64 = (1n << 64n) - 1n;

/** Integer hashing: 28-bit smalls, else 64-bit words of the magnitude. */
function intHash(v: number | bigint, hash: number): number {
  if (typeof v === 'bigint' && v >= SMALL28_MIN && v <= SMALL28_MAX) v = Number(v);
  if (typeof v === 'number' && v >= SMALL28_MIN && v <= SMALL28_MAX) {
    if (v < 0) hash = h2(-v >>> 0, 0, HCONST, hash);
    return h2(v >>> 0, 0, HCONST, hash);
  }
  let b = typeof v === 'bigint' ? v : BigInt(v);
  const con = b < 0n ? HCONST_10 : HCONST_11;
  if (b < 0n) b = -b;
  do {
    const w = b & MASK64;
    hash = h2(Number(w & 0xffffffffn), Number(w >> 32n), con, hash);
    b >>= 64n;
  } while (b > 0n);
  return hash;
}

function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Offset just past the atom (any encoding) starting at `at`. */
function skipAtom(b: Uint8Array, at: number): number {
  const tag = b[at];
  if (tag === Tag.ATOM || tag === Tag.ATOM_UTF8) return at + 3 + ((b[at + 1]! << 8) | b[at + 2]!);
  return at + 2 + b[at + 1]!;
}

/** The atom name at `at` (from an Opaque's bytes, already validated). */
function atomAt(b: Uint8Array, at: number): string {
  const { term } = decodeBody(b, at, { terms: 'exact' });
  return atomName(term) ?? '';
}

type Work =
  | { t: 'term'; v: unknown }
  | { t: 'list'; items: readonly unknown[]; at: number; tail: unknown }
  | { t: 'mapPair' }
  | { t: 'mapTail'; hash: number; xor: number };

function isByte(e: unknown): e is number | bigint {
  if (typeof e === 'bigint') return e >= 0n && e <= 255n;
  return typeof e === 'number' && Number.isSafeInteger(e) && e >= 0 && e <= 255;
}

/**
 * `make_hash2(Term)`: the full 32-bit hash, computed in the same order as
 * erts (depth first, left to right, with the same packing of byte runs in
 * lists and order-independent map hashing). `erlang:phash2/1` is this value
 * masked to 27 bits; see {@link phash2}.
 */
export function makeHash2(term: ErlTerm): number {
  // erts' fast paths for a lone atom or small integer (same results as the loop below)
  if (typeof term === 'number' && Number.isSafeInteger(term)) return intHash(term, 0);
  const atom = atomName(term);
  if (atom !== undefined) return atomHash(atom);
  let hash = 0;
  let xor = 0;
  const stack: Work[] = [{ t: 'term', v: term }];
  while (stack.length > 0) {
    const w = stack.pop()!;
    switch (w.t) {
      case 'mapPair':
        xor = (xor ^ hash) >>> 0;
        hash = 0;
        continue;
      case 'mapTail':
        hash = h2(xor, 0, HCONST_19, w.hash);
        xor = w.xor;
        continue;
      case 'list': {
        const { items, tail } = w;
        let i = w.at;
        let c = 0;
        let sh = 0;
        while (i < items.length && isByte(items[i])) {
          sh = ((sh << 8) + Number(items[i])) >>> 0;
          if (c === 3) {
            hash = h2(sh, 0, HCONST_4, hash);
            c = 0;
            sh = 0;
          } else {
            c++;
          }
          i++;
        }
        if (c > 0) hash = h2(sh, 0, HCONST_4, hash);
        if (i < items.length) {
          stack.push({ t: 'list', items, at: i + 1, tail }, { t: 'term', v: items[i] });
        } else {
          stack.push({ t: 'term', v: tail });
        }
        continue;
      }
      case 'term':
        break;
    }
    const x = w.v;
    const name = atomName(x);
    if (name !== undefined) {
      const hv = atomHash(name);
      hash = hash === 0 ? hv : h2(hv, 0, HCONST_3, hash);
    } else if (typeof x === 'number' || typeof x === 'bigint') {
      hash = typeof x === 'number' && !Number.isSafeInteger(x) ? floatHash(x, hash) : intHash(x, hash);
    } else if (x instanceof ErlFloat) {
      hash = floatHash(x.value, hash);
    } else if (typeof x === 'string' || x instanceof Uint8Array) {
      const bytes = typeof x === 'string' ? utf8.encode(x) : x;
      const con = (HCONST_13 + hash) >>> 0;
      hash = bytes.length === 0 ? con : blockHash(bytes, con);
    } else if (x instanceof ErlBitstring) {
      const con = (HCONST_13 + hash) >>> 0;
      hash = blockHash(x.bytes.subarray(0, x.bytes.length - 1), con);
      const last = x.bytes[x.bytes.length - 1]! >> (8 - x.bitsInLastByte);
      hash = h2(x.bitsInLastByte, last, HCONST_15, hash);
    } else if (x instanceof Tuple) {
      hash = h2(x.length, 0, HCONST_9, hash);
      for (let i = x.length - 1; i >= 0; i--) stack.push({ t: 'term', v: x[i] });
    } else if (Array.isArray(x)) {
      if (x.length === 0) hash = hash === 0 ? NIL_FIRST : h2(NIL_DEF, 0, HCONST_2, hash);
      else stack.push({ t: 'list', items: x, at: 0, tail: [] });
    } else if (x instanceof ErlImproperList) {
      stack.push({ t: 'list', items: x.items, at: 0, tail: x.tail });
    } else if (x instanceof Map || isPlainObject(x)) {
      const entries: Array<[unknown, unknown]> = x instanceof Map ? [...x.entries()] : Object.entries(x);
      hash = h2(entries.length, 0, HCONST_16, hash);
      if (entries.length > 0) {
        stack.push({ t: 'mapTail', hash, xor });
        hash = 0;
        xor = 0;
        for (let i = entries.length - 1; i >= 0; i--) {
          stack.push({ t: 'mapPair' }, { t: 'term', v: entries[i]![1] }, { t: 'term', v: entries[i]![0] });
        }
      }
    } else if (x instanceof Opaque) {
      hash = opaqueHash(x, hash, stack);
    } else {
      throw new TypeError('phash2: not an Erlang term');
    }
  }
  return hash;
}

function floatHash(v: number, hash: number): number {
  const f64 = new DataView(new ArrayBuffer(8));
  f64.setFloat64(0, v === 0 ? 0 : v); // -0.0 hashes as 0.0
  return h2(f64.getUint32(0), f64.getUint32(4), HCONST_12, hash);
}

function opaqueHash(o: Opaque, hash: number, stack: Work[]): number {
  const b = o.bytes;
  switch (b[0]) {
    case Tag.NEW_PID:
    case Tag.PID: {
      const at = skipAtom(b, 1);
      return h2(u32be(b, at), 0, HCONST_5, hash);
    }
    case Tag.NEWER_REFERENCE:
    case Tag.NEW_REFERENCE: {
      const n = (b[1]! << 8) | b[2]!;
      let at = skipAtom(b, 3);
      at += b[0] === Tag.NEWER_REFERENCE ? 4 : 1;
      return h2(n > 0 ? u32be(b, at) : 0, 0, HCONST_7, hash);
    }
    case Tag.REFERENCE: {
      const at = skipAtom(b, 1);
      return h2(u32be(b, at), 0, HCONST_7, hash);
    }
    case Tag.V4_PORT: {
      const at = skipAtom(b, 1);
      return h2(u32be(b, at + 4), u32be(b, at), HCONST_6, hash);
    }
    case Tag.NEW_PORT:
    case Tag.PORT: {
      const at = skipAtom(b, 1);
      return h2(u32be(b, at), 0, HCONST_6, hash);
    }
    case Tag.EXPORT: {
      const modAt = 1;
      const funAt = skipAtom(b, modAt);
      const arityAt = skipAtom(b, funAt);
      hash = h2(b[arityAt + 1]!, atomHash(atomAt(b, modAt)), HCONST, hash);
      return h2(atomHash(atomAt(b, funAt)), 0, HCONST_14, hash);
    }
    case Tag.NEW_FUN: {
      // Size:32 Arity:8 Uniq:128 Index:32 NumFree:32 Module OldIndex OldUniq Pid Free...
      const index = u32be(b, 22);
      const numFree = u32be(b, 26);
      let at = 30;
      const module = atomAt(b, at);
      at = skipAtom(b, at);
      const oldIndex = decodeBody(b, at, { terms: 'exact' });
      const oldUniq = decodeBody(b, oldIndex.end, { terms: 'exact' });
      const pid = decodeBody(b, oldUniq.end, { terms: 'exact' });
      at = pid.end;
      const free: ErlTerm[] = [];
      for (let i = 0; i < numFree; i++) {
        const r = decodeBody(b, at, { terms: 'exact' });
        free.push(r.term);
        at = r.end;
      }
      hash = h2(numFree, atomHash(module), HCONST, hash);
      hash = h2(index, Number(oldUniq.term) >>> 0, HCONST, hash);
      for (let i = free.length - 1; i >= 0; i--) stack.push({ t: 'term', v: free[i] });
      return hash;
    }
    default:
      throw new TypeError('phash2: unsupported opaque term');
  }
}

/** `erlang:phash2(Term)`: a 27-bit hash, 0 .. 2^27-1. */
export function phash2(term: ErlTerm): number {
  return makeHash2(term) & ((1 << 27) - 1);
}
