/**
 * The tagged JSON form of terms: how JSON Lines files, the SQLite `json`
 * column and `termstore dump` write the terms JSON lacks. One module, so
 * every place that writes or reads JSON agrees.
 *
 * JSON's own values stand for themselves: numbers (finite, not `-0`),
 * strings (binaries), `true`, `false`, `null` (the atoms), arrays (lists),
 * and objects with string keys (maps whose keys are binaries). Everything
 * else is a **tag**: an object with exactly one key, which starts with `$`.
 * The tags are those of match specifications (`docs/match-spec.md`) plus a
 * few for values a match spec never holds:
 *
 * | term                                  | JSON                                          |
 * |---------------------------------------|-----------------------------------------------|
 * | tuple (`Tuple`)                       | `{"$tuple": [a, b]}`                          |
 * | atom `Symbol.for('ok')`               | `{"$atom": "ok"}` (`undefined` is `{"$atom": "undefined"}`; the atoms `true`, `false`, `nil` are JSON's `true`, `false`, `null`, also when given as symbols) |
 * | `bigint`                              | `{"$bigint": "123"}`                          |
 * | `Uint8Array` (binary that is not a string) | `{"$binary": "base64"}`                  |
 * | `Infinity`, `-Infinity`, `-0`         | `{"$number": "Infinity"}`, `{"$number": "-Infinity"}`, `{"$number": "-0"}` |
 * | `Map` (any keys)                      | `{"$map": [[k, v], ...]}`                     |
 * | plain object with a single `$` key    | `{"$map": {"$key": v}}` (the escape; also accepted for any plain object) |
 * | `Pid`                                 | `{"$pid": 12}`                                |
 * | `Opaque` (Erlang pid, ref, port, fun) | `{"$opaque": ["reference", "base64 of its ETF bytes"]}` |
 * | `ErlFloat` (integral Erlang float)    | `{"$float": "1"}` (the number as text; `"-0"` for -0.0); also a `number` beyond ±2^53 (a float: `{"$float": "100000000000000000000"}`) |
 * | `ErlImproperList`                     | `{"$improper": [[a, b], tail]}`               |
 * | `ErlBitstring`                        | `{"$bits": ["base64", bitsInLastByte]}`       |
 *
 * An object with a single `$` key that is not one of these tags is refused,
 * so a typo never silently becomes a map. An atom name has at most 255
 * characters (Erlang's limit; `MAX_ATOM_CHARS`). Integers beyond ±2^53 must be
 * written as `$bigint` (JSON parsers round them). Reading gives every
 * number its stored form (`src/term/number.ts`): `{"$bigint": "1"}` is the
 * number `1`, `{"$float": "1.5"}` the number `1.5`.
 *
 * @module
 */
import { MAX_ATOM_CHARS, Opaque, Pid, Tuple, atomTooLong, isPlainObject, type OpaqueKind } from '../term/types.js';
import { ErlBitstring, ErlFloat, ErlImproperList, type ErlTerm } from '../erlang/terms.js';
import { canonicalFloat, canonicalInteger } from '../term/number.js';

/** A value the tagged form cannot express, or JSON that is not valid tagged JSON; `path` says where (`2/0/#1k`). */
export class TaggedJsonError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === '' ? reason : `at ${path}: ${reason}`);
  }
}

const MAX_DEPTH = 2000;
const TAGS = new Set(['$tuple', '$atom', '$bigint', '$binary', '$number', '$map', '$pid', '$opaque', '$float', '$improper', '$bits']);
const OPAQUE_KINDS: ReadonlySet<string> = new Set(['pid', 'reference', 'port', 'fun']);

function b64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

function sub(path: string, k: string | number): string {
  return path === '' ? String(k) : `${path}/${k}`;
}

/** The tagged JSON value of a term (or Erlang value); throws {@link TaggedJsonError}. */
export function toTaggedJson(x: unknown, path = '', depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TaggedJsonError(path, `nested deeper than ${MAX_DEPTH} levels`);
  switch (typeof x) {
    case 'number':
      if (x !== x) throw new TaggedJsonError(path, 'NaN is not a term');
      if (!Number.isFinite(x) || Object.is(x, -0)) return { $number: Object.is(x, -0) ? '-0' : String(x) };
      // A float that prints as an integer (1e20: not a safe integer, so a float) says so.
      if (Number.isInteger(x) && !Number.isSafeInteger(x)) return { $float: String(x) };
      return x;
    case 'string':
    case 'boolean':
      return x;
    case 'bigint':
      return { $bigint: x.toString() };
    case 'undefined':
      return { $atom: 'undefined' };
    case 'symbol': {
      const name = Symbol.keyFor(x);
      if (name === undefined) throw new TaggedJsonError(path, 'an unregistered symbol is not an atom');
      if (atomTooLong(name)) throw new TaggedJsonError(path, `an atom longer than ${MAX_ATOM_CHARS} characters`);
      // The same atoms as JSON's own true, false and null: written as those.
      return name === 'true' ? true : name === 'false' ? false : name === 'nil' ? null : { $atom: name };
    }
    case 'object': {
      if (x === null) return null;
      if (x instanceof Uint8Array) return { $binary: b64(x) };
      if (Array.isArray(x)) {
        const a = new Array<unknown>(x.length);
        for (let i = 0; i < x.length; i++) a[i] = toTaggedJson(x[i], sub(path, i), depth + 1);
        return x instanceof Tuple ? { $tuple: a } : a;
      }
      if (x instanceof Map) {
        const pairs: unknown[] = [];
        let i = 0;
        for (const [k, v] of x) {
          pairs.push([toTaggedJson(k, sub(path, `#${i}k`), depth + 1), toTaggedJson(v, sub(path, `#${i}v`), depth + 1)]);
          i++;
        }
        return { $map: pairs };
      }
      if (x instanceof Pid) return { $pid: x.id };
      if (x instanceof Opaque) return { $opaque: [x.kind, b64(x.bytes)] };
      if (x instanceof ErlFloat) return { $float: Object.is(x.value, -0) ? '-0' : String(x.value) };
      if (x instanceof ErlImproperList) {
        return { $improper: [x.items.map((e, i) => toTaggedJson(e, sub(path, i), depth + 1)), toTaggedJson(x.tail, sub(path, 'tail'), depth + 1)] };
      }
      if (x instanceof ErlBitstring) return { $bits: [b64(x.bytes), x.bitsInLastByte] };
      if (isPlainObject(x)) {
        const keys = Object.keys(x);
        const o: Record<string, unknown> = {};
        for (const k of keys) defineKey(o, k, toTaggedJson(x[k], sub(path, k), depth + 1));
        // A single key starting with `$` would read as a tag: escape it.
        return keys.length === 1 && keys[0]!.charCodeAt(0) === 36 ? { $map: o } : o;
      }
      throw new TaggedJsonError(path, 'a class instance is not a term');
    }
    default:
      throw new TaggedJsonError(path, `a ${typeof x} is not a term`);
  }
}

function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesOf(p: unknown, path: string, tag: string): Uint8Array {
  if (typeof p !== 'string' || p.length % 4 !== 0 || !BASE64.test(p)) throw new TaggedJsonError(path, `${tag} takes a base64 string`);
  return new Uint8Array(Buffer.from(p, 'base64'));
}

/** The term (or Erlang value) a tagged JSON value stands for; throws {@link TaggedJsonError}. */
export function fromTaggedJson(j: unknown, path = '', depth = 0): ErlTerm {
  if (depth > MAX_DEPTH) throw new TaggedJsonError(path, `nested deeper than ${MAX_DEPTH} levels`);
  switch (typeof j) {
    case 'number':
    case 'string':
    case 'boolean':
      return j;
    case 'object': {
      if (j === null) return null;
      if (Array.isArray(j)) {
        const a = new Array<ErlTerm>(j.length);
        for (let i = 0; i < j.length; i++) a[i] = fromTaggedJson(j[i], sub(path, i), depth + 1);
        return a;
      }
      const o = j as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0]!.charCodeAt(0) === 36) return fromTag(keys[0]!, o[keys[0]!], sub(path, keys[0]!), depth + 1);
      const out: Record<string, ErlTerm> = {};
      for (const k of keys) defineKey(out, k, fromTaggedJson(o[k], sub(path, k), depth + 1));
      return out;
    }
    default:
      throw new TaggedJsonError(path, `a ${typeof j} is not JSON`);
  }
}

function fromTag(tag: string, p: unknown, path: string, depth: number): ErlTerm {
  if (!TAGS.has(tag)) throw new TaggedJsonError(path, `unknown tag '${tag}' (write a map with a single '$' key as {"$map": {...}})`);
  switch (tag) {
    case '$tuple':
      if (!Array.isArray(p)) throw new TaggedJsonError(path, '$tuple takes an array');
      return Tuple.from(p.map((e, i) => fromTaggedJson(e, sub(path, i), depth + 1))) as unknown as ErlTerm;
    case '$atom':
      if (typeof p !== 'string') throw new TaggedJsonError(path, '$atom takes a string');
      if (atomTooLong(p)) throw new TaggedJsonError(path, `$atom takes at most ${MAX_ATOM_CHARS} characters (Erlang's limit)`);
      return p === 'true' ? true : p === 'false' ? false : p === 'nil' ? null : p === 'undefined' ? undefined : Symbol.for(p);
    case '$bigint':
      if (typeof p !== 'string' || !/^-?[0-9]+$/.test(p) || p.length > 100_000) throw new TaggedJsonError(path, '$bigint takes a decimal integer string');
      return canonicalInteger(BigInt(p));
    case '$binary':
      return bytesOf(p, path, '$binary');
    case '$number': {
      const n = p === '-0' ? -0 : typeof p === 'number' ? p : typeof p === 'string' && p.trim() !== '' ? Number(p) : NaN;
      if (n !== n) throw new TaggedJsonError(path, "$number takes 'Infinity', '-Infinity', '-0' or a number");
      return n;
    }
    case '$map': {
      if (Array.isArray(p)) {
        const m = new Map<ErlTerm, ErlTerm>();
        p.forEach((pair, i) => {
          if (!Array.isArray(pair) || pair.length !== 2) throw new TaggedJsonError(sub(path, i), '$map pairs are [key, value] arrays');
          m.set(fromTaggedJson(pair[0], sub(path, `#${i}k`), depth + 1), fromTaggedJson(pair[1], sub(path, `#${i}v`), depth + 1));
        });
        return m;
      }
      if (isPlainObject(p)) {
        const out: Record<string, ErlTerm> = {};
        for (const k of Object.keys(p)) defineKey(out, k, fromTaggedJson(p[k], sub(path, k), depth + 1));
        return out;
      }
      throw new TaggedJsonError(path, '$map takes an array of [key, value] pairs or an object');
    }
    case '$pid':
      if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 0) throw new TaggedJsonError(path, '$pid takes a non-negative integer');
      return new Pid(p);
    case '$opaque': {
      if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || !OPAQUE_KINDS.has(p[0])) {
        throw new TaggedJsonError(path, '$opaque takes ["pid" | "reference" | "port" | "fun", base64]');
      }
      return new Opaque(p[0] as OpaqueKind, bytesOf(p[1], path, '$opaque'));
    }
    case '$float': {
      const n = p === '-0' ? -0 : typeof p === 'string' && p.trim() !== '' ? Number(p) : typeof p === 'number' ? p : NaN;
      if (!Number.isFinite(n)) throw new TaggedJsonError(path, '$float takes a finite number as text');
      return canonicalFloat(new ErlFloat(n));
    }
    case '$improper': {
      if (!Array.isArray(p) || p.length !== 2 || !Array.isArray(p[0])) throw new TaggedJsonError(path, '$improper takes [[items...], tail]');
      const items = (p[0] as unknown[]).map((e, i) => fromTaggedJson(e, sub(path, i), depth + 1));
      const tail = fromTaggedJson(p[1], sub(path, 'tail'), depth + 1);
      try {
        return new ErlImproperList(items, tail);
      } catch (e) {
        throw new TaggedJsonError(path, (e as Error).message);
      }
    }
    default: {
      // '$bits'
      if (!Array.isArray(p) || p.length !== 2) throw new TaggedJsonError(path, '$bits takes [base64, bitsInLastByte]');
      try {
        return new ErlBitstring(bytesOf(p[0], path, '$bits'), p[1] as number);
      } catch (e) {
        throw e instanceof TaggedJsonError ? e : new TaggedJsonError(path, (e as Error).message);
      }
    }
  }
}
