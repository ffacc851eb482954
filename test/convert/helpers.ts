/**
 * Shared helpers of the Erlang converter tests: the tagged JSON of
 * fixtures/erlang/expected (see fixtures/erlang/README.md), fixture paths,
 * temp dirs, and running OTP when it is installed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { TermstoreError } from '../../src/errors.js';
import { Opaque, Tuple, type OpaqueKind, type Term } from '../../src/term/index.js';
import { ErlBitstring, ErlFloat, ErlImproperList, erlCanonical, type ErlTerm } from '../../src/erlang/terms.js';
import { requireErl } from '../tools.js';

const here = dirname(fileURLToPath(import.meta.url));
/** fixtures/erlang */
export const FIXTURES = resolve(here, '../../fixtures/erlang');
/** test/convert/otp (the Erlang checker used by the live tests) */
export const OTP_DIR = resolve(here, 'otp');

/** A tagged JSON value (one-key object). */
export type Tagged = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Converts tagged JSON to the term the decoder should return (default options). */
export function fromTagged(j: unknown, mode: { binaries?: 'auto' | 'bytes' } = {}): ErlTerm {
  const t = j as Tagged;
  if ('int' in t) {
    const b = BigInt(t.int as string);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  }
  if ('float' in t) {
    const v = Number(t.float as string);
    return Number.isInteger(v) ? new ErlFloat(v) : v;
  }
  if ('atom' in t) {
    const n = t.atom as string;
    return n === 'true' ? true : n === 'false' ? false : n === 'nil' ? null : n === 'undefined' ? undefined : Symbol.for(n);
  }
  if ('bin' in t) {
    const b = bytes(t.bin as string);
    if (mode.binaries === 'bytes') return b;
    try {
      return utf8.decode(b);
    } catch {
      return b;
    }
  }
  if ('bits' in t) return new ErlBitstring(bytes(t.bits as string), t.last as number);
  if ('list' in t) return (t.list as unknown[]).map((e) => fromTagged(e, mode));
  if ('improper' in t) return new ErlImproperList((t.improper as unknown[]).map((e) => fromTagged(e, mode)), fromTagged(t.tail, mode));
  if ('tuple' in t) return Tuple.from((t.tuple as unknown[]).map((e) => fromTagged(e, mode)) as Term[]) as Tuple;
  if ('map' in t) return new Map((t.map as Array<[unknown, unknown]>).map(([k, v]) => [fromTagged(k, mode), fromTagged(v, mode)]));
  if ('opaque' in t) return new Opaque(t.opaque as OpaqueKind, bytes(t.etf as string));
  throw new Error(`unknown tagged value ${JSON.stringify(j)}`);
}

/** Reads fixtures/erlang/expected/NAME.json. */
export function expected(name: string): Record<string, unknown> & { rows?: unknown[] } {
  return JSON.parse(readFileSync(join(FIXTURES, 'expected', `${name}.json`), 'utf8')) as Record<string, unknown> & { rows?: unknown[] };
}

/** Canonical form of a term (Erlang =:=), for comparisons in tests. */
export function canon(t: unknown): string {
  return erlCanonical(t);
}

/** Expects two lists of terms to be equal element by element (Erlang =:=). */
export function expectSameTerms(got: readonly unknown[], want: readonly unknown[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = canon(got[i]);
    const w = canon(want[i]);
    if (g !== w) expect.fail(`element ${i} differs:\n got  ${g.slice(0, 300)}\n want ${w.slice(0, 300)}`);
  }
}

/** Expects the same multiset of rows, and the same order of the rows of each key (bags). */
export function expectSameRowsByKey(got: readonly unknown[], want: readonly unknown[], keypos = 1): void {
  const group = (rows: readonly unknown[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const r of rows) {
      const k = canon((r as unknown[])[keypos - 1]);
      const l = m.get(k) ?? [];
      l.push(canon(r));
      m.set(k, l);
    }
    return m;
  };
  const g = group(got);
  const w = group(want);
  expect([...g.keys()].sort()).toEqual([...w.keys()].sort());
  for (const [k, rows] of w) expect(g.get(k)).toEqual(rows);
}

/** The rows of the `large` fixtures. */
export function largeRows(): Tuple[] {
  const out: Tuple[] = [];
  for (let k = 1; k <= 20000; k++) out.push(Tuple.from([k, k * 3]) as Tuple);
  return out;
}

/** A fresh temp dir, removed by the returned function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'termstore-convert-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs test/convert/otp/check.escript with arguments; returns its stdout. Throws, naming what to install, without OTP. */
export function runChecker(args: string[]): string {
  requireErl();
  return execFileSync('escript', [join(OTP_DIR, 'check.escript'), ...args], { encoding: 'utf8', timeout: 120_000 });
}

/**
 * Runs `f` and expects a `TermstoreError` with one of `codes` and a numeric
 * `details.offset`; returns it. Any other outcome fails the test.
 */
export async function expectConvertError(f: () => unknown, codes: readonly string[]): Promise<TermstoreError> {
  try {
    await f();
  } catch (e) {
    if (!(e instanceof TermstoreError)) throw e;
    expect(codes).toContain(e.code);
    expect(typeof e.details.offset).toBe('number');
    return e;
  }
  return expect.fail('expected a TermstoreError');
}
