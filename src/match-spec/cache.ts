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

function ser(x: unknown, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) throw new Unserializable();
  switch (typeof x) {
    case 'number':
      out.push('n', String(x), ';');
      return;
    case 'bigint':
      out.push('i', String(x), ';');
      return;
    case 'string':
      out.push('s', String(x.length), ':', x);
      return;
    case 'boolean':
      out.push(x ? 'T' : 'F');
      return;
    case 'undefined':
      out.push('U');
      return;
    case 'symbol': {
      const k = Symbol.keyFor(x);
      if (k === undefined) throw new Unserializable();
      out.push('a', String(k.length), ':', k);
      return;
    }
    case 'object': {
      if (x === null) {
        out.push('N');
        return;
      }
      if (x instanceof Uint8Array) {
        out.push('y', Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64'), ';');
        return;
      }
      if (x instanceof Pid) {
        out.push('p', String(x.id), ';');
        return;
      }
      if (x instanceof Opaque) {
        out.push('o', x.kind, Buffer.from(x.bytes).toString('base64'), ';');
        return;
      }
      if (Array.isArray(x)) {
        out.push(x instanceof Tuple ? 't' : 'l', String(x.length), '(');
        for (const e of x) ser(e, depth + 1, out);
        out.push(')');
        return;
      }
      if (x instanceof Map) {
        out.push('M', String(x.size), '{');
        for (const [k, v] of x) {
          ser(k, depth + 1, out);
          ser(v, depth + 1, out);
        }
        out.push('}');
        return;
      }
      if (isPlainObject(x)) {
        const keys = Object.keys(x);
        out.push('O', String(keys.length), '{');
        for (const k of keys) {
          out.push(String(k.length), ':', k);
          ser(x[k], depth + 1, out);
        }
        out.push('}');
        return;
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
  const out: string[] = [];
  try {
    ser(x, 0, out);
  } catch (e) {
    if (e instanceof Unserializable || e instanceof RangeError) return undefined;
    throw e;
  }
  const s = out.join('');
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
