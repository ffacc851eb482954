/**
 * Caches of compiled specs: a `WeakMap` by spec object identity (O(1)), then
 * a bounded LRU keyed by a canonical serialization of the spec (O(size of
 * the spec), no validation or compilation).
 *
 * The serialization distinguishes every form the grammar distinguishes: a
 * `string` from a `Uint8Array` (`'$1'` is a variable, the bytes are a
 * literal), a `Tuple` from an array, a `Map` from a plain object.
 *
 * @module
 */
import { MAX_DEPTH } from '../term/copy.js';
import { Opaque, Pid, Tuple, isPlainObject } from '../term/types.js';

/** Most entries kept by the serialization-keyed LRU. */
export const LRU_MAX = 256;
/** Specs whose serialization is longer than this are not kept in the LRU. */
const MAX_KEY_CHARS = 64 * 1024;

/** A small LRU over a `Map` (insertion order is recency order). */
export class Lru<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.#map.get(k);
    if (v !== undefined) {
      this.#map.delete(k);
      this.#map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.#map.delete(k);
    this.#map.set(k, v);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
  }
  get size(): number {
    return this.#map.size;
  }
  clear(): void {
    this.#map.clear();
  }
}

class Unserializable extends Error {}

/** Appends the serialization of `x` to `out` (string concatenation: V8 ropes beat array joins for small specs). */
function ser(x: unknown, depth: number, out: string): string {
  if (depth > MAX_DEPTH) throw new Unserializable();
  switch (typeof x) {
    case 'number':
      return out + 'n' + String(x) + ';';
    case 'bigint':
      return out + 'i' + String(x) + ';';
    case 'string':
      return out + 's' + String(x.length) + ':' + x;
    case 'boolean':
      return out + (x ? 'T' : 'F');
    case 'undefined':
      return out + 'U';
    case 'symbol': {
      const k = Symbol.keyFor(x);
      if (k === undefined) throw new Unserializable();
      return out + 'a' + String(k.length) + ':' + k;
    }
    case 'object': {
      if (x === null) return out + 'N';
      if (x instanceof Uint8Array) return out + 'y' + Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64') + ';';
      if (x instanceof Pid) return out + 'p' + String(x.id) + ';';
      if (x instanceof Opaque) return out + 'o' + x.kind + Buffer.from(x.bytes).toString('base64') + ';';
      if (Array.isArray(x)) {
        out += (x instanceof Tuple ? 't' : 'l') + String(x.length) + '(';
        for (const e of x) out = ser(e, depth + 1, out);
        return out + ')';
      }
      if (x instanceof Map) {
        out += 'M' + String(x.size) + '{';
        for (const [k, v] of x) {
          out = ser(k, depth + 1, out);
          out = ser(v, depth + 1, out);
        }
        return out + '}';
      }
      if (isPlainObject(x)) {
        const keys = Object.keys(x);
        out += 'O' + String(keys.length) + '{';
        for (const k of keys) {
          out += String(k.length) + ':' + k;
          out = ser(x[k], depth + 1, out);
        }
        return out + '}';
      }
      throw new Unserializable();
    }
    default:
      throw new Unserializable();
  }
}

/**
 * A canonical string for a spec or pattern: equal strings mean specs of the
 * same meaning. `undefined` if the value holds something no spec may hold
 * (validation will report it) or is too large to be worth caching.
 */
export function serialize(x: unknown): string | undefined {
  let s: string;
  try {
    s = ser(x, 0, '');
  } catch (e) {
    if (e instanceof Unserializable || e instanceof RangeError) return undefined;
    throw e;
  }
  return s.length > MAX_KEY_CHARS ? undefined : s;
}

/** Two-level cache: identity, then serialization. Values per `keyIndex`. */
export class SpecCache<V> {
  #weak = new WeakMap<object, Map<number, V>>();
  readonly #lru = new Lru<V>(LRU_MAX);

  /** The cached value, or computes, stores and returns it. */
  get(spec: unknown, keyIndex: number, make: () => V): V {
    const isObj = typeof spec === 'object' && spec !== null;
    let perIndex = isObj ? this.#weak.get(spec) : undefined;
    const hit = perIndex?.get(keyIndex);
    if (hit !== undefined) return hit;
    const ser = serialize(spec);
    const key = ser === undefined ? undefined : `${keyIndex}#${ser}`;
    let v = key === undefined ? undefined : this.#lru.get(key);
    if (v === undefined) {
      v = make();
      if (key !== undefined) this.#lru.set(key, v);
    }
    if (isObj) {
      if (perIndex === undefined) this.#weak.set(spec, (perIndex = new Map()));
      perIndex.set(keyIndex, v);
    }
    return v;
  }

  /** The value cached for this spec object, if any (identity only, no serialization). */
  peek(spec: unknown, keyIndex: number): V | undefined {
    return typeof spec === 'object' && spec !== null ? this.#weak.get(spec)?.get(keyIndex) : undefined;
  }

  /**
   * As {@link get}, but by serialization only: for specs built fresh on
   * every call (keyed templates), where remembering the object would only
   * fill the WeakMap.
   */
  getBySerialization(spec: unknown, keyIndex: number, make: () => V): V {
    const ser = serialize(spec);
    const key = ser === undefined ? undefined : `${keyIndex}#${ser}`;
    let v = key === undefined ? undefined : this.#lru.get(key);
    if (v === undefined) {
      v = make();
      if (key !== undefined) this.#lru.set(key, v);
    }
    return v;
  }

  /** Forgets everything (for tests). */
  clear(): void {
    this.#weak = new WeakMap();
    this.#lru.clear();
  }

  /** Entries in the LRU (for tests). */
  get lruSize(): number {
    return this.#lru.size;
  }
}
