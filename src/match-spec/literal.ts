/**
 * Tagged forms and literals: how a spec spells terms that JSON (or a bare
 * string) cannot, and the converter from the JS-native form to pure JSON.
 *
 * A plain object whose only own key starts with `$` is a tag, in every
 * context: `{ $const: x }`, `{ $tuple: [...] }`, `{ $list: [...] }`,
 * `{ $map: ... }`, `{ $atom: 'name' }`, `{ $bigint: '123' }`,
 * `{ $binary: 'base64' }`, `{ $number: 'Infinity' }`, `{ $float: '1' }`. A
 * literal map with such a single key is written `{ $map: { $key: value } }`.
 *
 * One two-key form: `{ $list: [...], $tail: t }` is Erlang's `[... | T]`
 * (see {@link asCons}); a map with exactly those keys is written with `$map`.
 *
 * @module
 */
import { Opaque, Pid, Tuple, atom, isPlainObject, type Term } from '../term/types.js';
import { MAX_DEPTH } from '../term/copy.js';
import { ErlFloat } from '../term/number.js';

/** A problem found in a spec: `where` is a path inside the clause, e.g. `guards[1][2]`. */
export class SpecError extends Error {
  constructor(
    readonly where: string,
    readonly what: string,
  ) {
    super(`${where}: ${what}`);
  }
}

/** The tag names, with what each takes. */
export const TAGS = ['$const', '$tuple', '$list', '$map', '$atom', '$bigint', '$binary', '$number', '$float'] as const;
export type TagName = (typeof TAGS)[number];

/** If `x` is a tagged form, its tag and payload; `undefined` for anything else. Throws on an unknown tag. */
export function asTag(x: unknown, where: string): [TagName, unknown] | undefined {
  if (!isPlainObject(x)) return undefined;
  let only: string | undefined;
  for (const k in x) {
    if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
    if (only !== undefined) return undefined;
    only = k;
  }
  if (only === undefined || only.charCodeAt(0) !== 36 /* $ */) return undefined;
  if (!(TAGS as readonly string[]).includes(only)) {
    throw new SpecError(where, `unknown tag '${only}' (a single-key object whose key starts with '$' is a tag; write a literal map as { $map: { ... } })`);
  }
  return [only as TagName, x[only]];
}

/**
 * If `x` is the head|tail form `{ $list: [...], $tail: t }` (a plain object
 * with exactly these two own keys), its items and tail; else `undefined`.
 */
export function asCons(x: unknown, where: string): [readonly unknown[], unknown] | undefined {
  if (!isPlainObject(x)) return undefined;
  const keys = Object.keys(x);
  if (keys.length !== 2 || !Object.prototype.hasOwnProperty.call(x, '$list') || !Object.prototype.hasOwnProperty.call(x, '$tail')) return undefined;
  const items = x.$list;
  if (!Array.isArray(items)) throw new SpecError(`${where}.$list`, '$list takes an array');
  return [items, x.$tail];
}

/** Decodes one of the scalar tags (`$atom`, `$bigint`, `$binary`, `$number`, `$float`). */
export function decodeScalarTag(tag: TagName, p: unknown, where: string): Term {
  switch (tag) {
    case '$atom':
      if (typeof p !== 'string') throw new SpecError(where, '$atom takes a string');
      // The atoms with a JS-native spelling decode to it (they are the same terms).
      return p === 'true' ? true : p === 'false' ? false : p === 'nil' ? null : p === 'undefined' ? undefined : atom(p);
    case '$bigint':
      if (typeof p !== 'string' || !/^-?[0-9]+$/.test(p)) throw new SpecError(where, '$bigint takes a decimal integer string');
      return BigInt(p);
    case '$binary': {
      if (typeof p !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(p) || p.length % 4 !== 0) {
        throw new SpecError(where, '$binary takes a base64 string');
      }
      return new Uint8Array(Buffer.from(p, 'base64'));
    }
    case '$number': {
      const n = typeof p === 'number' ? p : typeof p === 'string' && p.trim() !== '' ? Number(p) : NaN;
      if (n !== n) throw new SpecError(where, "$number takes a number or a numeric string ('Infinity', '-Infinity', '1.5')");
      return n;
    }
    case '$float': {
      const n = typeof p === 'number' ? p : typeof p === 'string' && p.trim() !== '' ? Number(p) : NaN;
      if (!Number.isFinite(n)) throw new SpecError(where, "$float takes a finite number or numeric string ('1', '-0', '2.5')");
      return new ErlFloat(n);
    }
    default:
      throw new SpecError(where, `${tag} is not a scalar tag`);
  }
}

/**
 * Decodes a literal (the payload of `$const`, a map key in a pattern):
 * strings are never variables, arrays are lists, tags are decoded.
 * The result is not yet frozen (see `copyTerm`).
 */
export function decodeLiteral(x: unknown, where: string, depth = 0): Term {
  if (depth > MAX_DEPTH) throw new SpecError(where, `nested deeper than ${MAX_DEPTH} levels (cyclic?)`);
  switch (typeof x) {
    case 'number':
      if (x !== x) throw new SpecError(where, 'NaN is not a term');
      return x;
    case 'string':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return x;
    case 'symbol':
      if (Symbol.keyFor(x) === undefined) throw new SpecError(where, 'an unregistered symbol is not an atom: use Symbol.for(name)');
      return x;
    case 'object': {
      if (x === null || x instanceof Uint8Array || x instanceof Pid || x instanceof Opaque || x instanceof ErlFloat) return x;
      if (Array.isArray(x)) {
        const items = x.map((e, i) => decodeLiteral(e, `${where}[${i}]`, depth + 1));
        return x instanceof Tuple ? Tuple.from(items) : items;
      }
      if (x instanceof Map) {
        const m = new Map<Term, Term>();
        for (const [k, v] of x) m.set(decodeLiteral(k, `${where}<key>`, depth + 1), decodeLiteral(v, `${where}.${String(k)}`, depth + 1));
        return m;
      }
      if (isPlainObject(x)) {
        const cons = asCons(x, where);
        if (cons !== undefined) return literalCons(cons[0], cons[1], where, depth);
        const tag = asTag(x, where);
        if (tag !== undefined) return decodeLiteralTag(tag[0], tag[1], `${where}.${tag[0]}`, depth + 1);
        const o: Record<string, Term> = {};
        for (const k of Object.keys(x)) o[k] = decodeLiteral(x[k], `${where}.${k}`, depth + 1);
        return o;
      }
      throw new SpecError(where, 'class instances are not terms');
    }
    default:
      throw new SpecError(where, `a ${typeof x} is not a term`);
  }
}

/** A literal `[a, b | T]`: T must be a list (termstore lists are proper), and the result is their concatenation. */
function literalCons(items: readonly unknown[], tail: unknown, where: string, depth: number): Term {
  const head = items.map((e, i) => decodeLiteral(e, `${where}.$list[${i}]`, depth + 1));
  const t = decodeLiteral(tail, `${where}.$tail`, depth + 1);
  if (!Array.isArray(t) || t instanceof Tuple) throw new SpecError(`${where}.$tail`, 'the tail of a literal list must be a list (improper lists are not terms)');
  return [...head, ...(t as Term[])];
}

function decodeLiteralTag(tag: TagName, p: unknown, where: string, depth: number): Term {
  switch (tag) {
    case '$const':
      return decodeLiteral(p, where, depth);
    case '$tuple':
    case '$list': {
      if (!Array.isArray(p)) throw new SpecError(where, `${tag} takes an array`);
      const items = p.map((e, i) => decodeLiteral(e, `${where}[${i}]`, depth + 1));
      return tag === '$tuple' ? Tuple.from(items) : items;
    }
    case '$map': {
      if (Array.isArray(p)) {
        const m = new Map<Term, Term>();
        mapPairs(p, where).forEach(([k, v], i) =>
          m.set(decodeLiteral(k, `${where}[${i}][0]`, depth + 1), decodeLiteral(v, `${where}[${i}][1]`, depth + 1)),
        );
        return m;
      }
      if (isPlainObject(p)) {
        const o: Record<string, Term> = {};
        for (const k of Object.keys(p)) o[k] = decodeLiteral(p[k], `${where}.${k}`, depth + 1);
        return o;
      }
      throw new SpecError(where, '$map takes an array of [key, value] pairs or a plain object');
    }
    default:
      return decodeScalarTag(tag, p, where);
  }
}

/** Checks the `[[k, v], ...]` payload of `$map`. */
export function mapPairs(p: readonly unknown[], where: string): Array<readonly [unknown, unknown]> {
  return p.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new SpecError(`${where}[${i}]`, '$map pairs are [key, value] arrays');
    return [pair[0], pair[1]] as const;
  });
}

/**
 * Converts a spec (or pattern, or term) from the JS-native form to plain
 * JSON-safe data with the same meaning: tuples become `{ $tuple }`, atoms
 * `{ $atom }`, bigints `{ $bigint }`, binaries `{ $binary }` (base64), `Map`s
 * `{ $map: [[k, v], ...] }`, non-finite numbers `{ $number }`, and a plain
 * object with a single `$` key that is not a tag is escaped as `{ $map: {...} }`.
 * `JSON.parse(JSON.stringify(matchSpecToJSON(s)))` compiles to the same spec.
 * Pids and opaque terms have no JSON form and throw a `TypeError`.
 */
export function matchSpecToJSON(x: unknown): unknown {
  return enc(x, 0);
}

function enc(x: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new TypeError(`matchSpecToJSON: nested deeper than ${MAX_DEPTH} levels`);
  switch (typeof x) {
    case 'number':
      return Number.isFinite(x) ? x : { $number: String(x) };
    case 'string':
    case 'boolean':
      return x;
    case 'bigint':
      return { $bigint: String(x) };
    case 'undefined':
      return { $atom: 'undefined' };
    case 'symbol': {
      const name = Symbol.keyFor(x);
      if (name === undefined) throw new TypeError('matchSpecToJSON: unregistered symbol');
      return { $atom: name };
    }
    case 'object': {
      if (x === null) return null;
      if (x instanceof Uint8Array) return { $binary: Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64') };
      if (x instanceof ErlFloat) return { $float: Object.is(x.value, -0) ? '-0' : String(x.value) };
      if (x instanceof Tuple) return { $tuple: x.map((e) => enc(e, depth + 1)) };
      if (Array.isArray(x)) return x.map((e) => enc(e, depth + 1));
      if (x instanceof Map) return { $map: [...x].map(([k, v]) => [enc(k, depth + 1), enc(v, depth + 1)]) };
      if (isPlainObject(x)) {
        const keys = Object.keys(x);
        if (keys.length === 1 && keys[0]!.charCodeAt(0) === 36) {
          const k = keys[0]!;
          if (!(TAGS as readonly string[]).includes(k)) return { $map: { [k]: enc(x[k], depth + 1) } };
          return { [k]: encTagPayload(k as TagName, x[k], depth + 1) };
        }
        const o: Record<string, unknown> = {};
        for (const k of keys) o[k] = enc(x[k], depth + 1);
        return o;
      }
      throw new TypeError(`matchSpecToJSON: ${x instanceof Pid || x instanceof Opaque ? 'pids and opaque terms have' : 'this value has'} no JSON form`);
    }
    default:
      throw new TypeError(`matchSpecToJSON: a ${typeof x} has no JSON form`);
  }
}

function encTagPayload(tag: TagName, p: unknown, depth: number): unknown {
  switch (tag) {
    case '$atom':
    case '$bigint':
    case '$binary':
    case '$number':
    case '$float':
      return p;
    case '$map':
      if (isPlainObject(p)) {
        const o: Record<string, unknown> = {};
        for (const k of Object.keys(p)) o[k] = enc(p[k], depth + 1);
        return o;
      }
      return enc(p, depth);
    default:
      return enc(p, depth);
  }
}
