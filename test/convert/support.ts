/**
 * Helpers of the conversion tests: temp dirs, tables from rows, reading every
 * row of a file, comparing rows exactly (representation and all) or as
 * Erlang sees them (=:=), and the extension of each format.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openTableFile } from '../../src/convert/convert.js';
import { ErlBitstring, ErlFloat, ErlImproperList, erlCanonical, type ErlTerm } from '../../src/erlang/terms.js';
import type { FormatName } from '../../src/convert/types.js';
import { encodeTerm } from '../../src/erlang/etf.js';
import { toTaggedJson } from '../../src/convert/tagged-json.js';
import { TermstoreError } from '../../src/errors.js';
import { ets } from '../../src/ets/index.js';
import type { Table } from '../../src/ets/table.js';
import { Opaque, Tuple, type Term } from '../../src/term/types.js';
import { everyTermType, sameTerm } from '../dets/terms.js';

/** A fresh temp dir and its cleanup. */
export function tempDir(tag = 'conv'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `termstore-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The file extension `convert` maps to each format. */
export const EXT: Record<FormatName, string> = {
  dets: 'tsdb',
  tab: 'tstab',
  'erl-tab': 'tab',
  'erl-dets': 'dets',
  sqlite: 'sqlite',
  jsonl: 'jsonl',
  'cbor-seq': 'cbor',
  // Not a file: a shared table's address is its store and name (test/convert/shared.test.ts).
  shared: '',
};

/** Every format. */
export const FORMATS: FormatName[] = ['dets', 'tab', 'erl-tab', 'erl-dets', 'sqlite', 'jsonl', 'cbor-seq'];

let tables = 0;
/** A new table holding `rows`. */
export function tableOf(rows: ReadonlyArray<readonly unknown[]>, o: Parameters<typeof ets.new>[1] = {}): Table {
  const t = ets.new(`conv_${process.pid}_${tables++}`, o);
  ets.insertMany(t, rows);
  return t;
}

/** Every row of a table file, in file order. */
export async function readAll(file: string, o: Parameters<typeof openTableFile>[1] = {}): Promise<ErlTerm[][]> {
  const src = await openTableFile(file, o);
  const out: ErlTerm[][] = [];
  for await (const b of src) for (const r of b) out.push(Array.from(r));
  return out;
}

/** Expects the same rows in the same order, each exactly (same term and same JS representation). */
export function expectSameRows(got: ReadonlyArray<readonly unknown[]>, want: ReadonlyArray<readonly unknown[]>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = Array.from(got[i]!);
    const b = Array.from(want[i]!);
    if (!sameRow(a, b)) expect.fail(`row ${i} differs: ${show(a)} vs ${show(b)}`);
  }
}

function sameRow(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => sameErl(x, b[i]));
}

/** sameTerm extended to the Erlang wrappers. */
export function sameErl(a: unknown, b: unknown): boolean {
  if (a instanceof ErlFloat || a instanceof ErlImproperList || a instanceof ErlBitstring) return erlCanonical(a) === erlCanonical(b) && b?.constructor === a.constructor;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a instanceof Tuple === b instanceof Tuple && a.every((x, i) => sameErl(x, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    const eb = [...b];
    return [...a].every(([k, v], i) => sameErl(k, eb[i]![0]) && sameErl(v, eb[i]![1]));
  }
  return sameTerm(a, b);
}

function show(x: unknown): string {
  try {
    return erlCanonical(x).slice(0, 300);
  } catch {
    return String(x);
  }
}

/** A row as exact text (same term and same representation: the tagged JSON form). */
export function canonRow(r: readonly unknown[]): string {
  return JSON.stringify(toTaggedJson(Array.from(r)));
}

/** Canonical (Erlang =:=) form of a row, read as a list of its elements. */
export function canonErlRow(r: readonly unknown[]): string {
  return erlCanonical(Array.from(r));
}

/** Expects the same rows as Erlang sees them (=:=), as multisets (order ignored). */
export function expectSameErlRows(got: ReadonlyArray<readonly unknown[]>, want: ReadonlyArray<readonly unknown[]>): void {
  expect(got.map(canonErlRow).sort()).toEqual(want.map(canonErlRow).sort());
}

/** True if `t` can be written to an Erlang file. */
export function erlangable(t: unknown): boolean {
  try {
    encodeTerm(t as ErlTerm);
    return true;
  } catch {
    return false;
  }
}

/** Erlang values the term model lacks, for the exact formats. */
export function erlangOnly(): ErlTerm[] {
  return [
    new ErlFloat(1),
    new ErlFloat(-0),
    new ErlFloat(1e300),
    new ErlImproperList([1, 2], 3),
    new ErlImproperList([new ErlFloat(2)], Symbol.for('tail')),
    new ErlBitstring(Uint8Array.of(0xa0), 3),
    new ErlBitstring(Uint8Array.of(1, 2, 0xf0), 4),
    Tuple.from([new ErlFloat(7) as unknown as Term]) as unknown as ErlTerm,
    new Map<ErlTerm, ErlTerm>([
      [1, 'int'],
      [new ErlFloat(1), 'float'],
    ]),
    [new ErlBitstring(Uint8Array.of(0x80), 1)],
  ];
}

/** One row `[i, term]` per term of every type. */
export function everyTypeRows(): Term[][] {
  return everyTermType().map((t, i) => [i, t]);
}

/** Opaque terms valid for OTP (a pid and a reference of `nonode@nohost`). */
export function otpOpaques(): Opaque[] {
  const node = [100, 0, 13, ...Buffer.from('nonode@nohost')];
  return [
    new Opaque('pid', Uint8Array.from([88, ...node, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 0])),
    new Opaque('reference', Uint8Array.from([90, 0, 3, ...node, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6])),
  ];
}

/** Runs `f` and returns the TermstoreError it throws (fails otherwise). */
export async function errorOf(f: () => unknown): Promise<TermstoreError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof TermstoreError) return e;
    throw e;
  }
  return expect.fail('expected a TermstoreError');
}
