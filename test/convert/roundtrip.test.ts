/**
 * Every format pair on every term type: a file in format S, converted to
 * format T, reads back the rows it was made from. termstore's formats keep
 * each term exactly (and its JS representation); through an Erlang format
 * a term comes back as Erlang sees it (=:=). Erlang-only values (integral
 * floats, improper lists, bitstrings) go through every format but termstore
 * dets files, which refuse them naming the row.
 */
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { openSink } from '../../src/convert/adapters.js';
import { convert } from '../../src/convert/convert.js';
import type { ConvRow, FormatName, TableMeta } from '../../src/convert/types.js';
import { Tuple, type Term } from '../../src/term/types.js';
import { storedForm, termArb } from '../dets/terms.js';
import { ErlFloat } from '../../src/term/number.js';
import { EXT, FORMATS, canonErlRow, canonRow, erlangOnly, erlangable, errorOf, everyTypeRows, otpOpaques, readAll, tempDir } from './support.js';

const { dir, cleanup } = tempDir('roundtrip');
afterAll(cleanup);
let k = 0;

const ERLANG: ReadonlySet<FormatName> = new Set(['erl-tab', 'erl-dets']);
const OURS = FORMATS.filter((f) => !ERLANG.has(f));
const EXACT = FORMATS.filter((f) => f !== 'dets');
const META: TableMeta = { type: 'ordered_set', keypos: 1, name: 'rt', access: 'protected', named: false };

/** Writes `rows` as a file of format `f` (through the format's sink, as convert does). */
async function seed(f: FormatName, rows: ConvRow[], meta: TableMeta = META): Promise<string> {
  const file = join(dir, `seed${k++}.${EXT[f]}`);
  const sink = await openSink(file, f, meta);
  await sink.write(rows);
  await sink.finish();
  return file;
}

async function through(s: FormatName, t: FormatName, rows: ConvRow[]): Promise<unknown[][]> {
  const from = await seed(s, rows);
  const to = join(dir, `out${k++}.${EXT[t]}`);
  const r = await convert(from, to);
  expect(r).toMatchObject({ from: s, to: t, rows: rows.length });
  return readAll(to);
}

const sorted = (rows: ReadonlyArray<readonly unknown[]>, canon: (r: readonly unknown[]) => string): string[] => rows.map(canon).sort();

describe('termstore formats keep every term type exactly', () => {
  const rows = everyTypeRows();
  // Exactly: the same terms, each number in its stored form (a bigint in the safe range is read back as a number).
  const want = rows.map((r) => storedForm(r) as Term[]);
  for (const s of OURS) {
    it(`${s} → every termstore format`, async () => {
      for (const t of OURS) expect(sorted(await through(s, t, rows), canonRow), `${s} → ${t}`).toEqual(sorted(want, canonRow));
    });
  }

  it('random terms (fast-check) through tab, jsonl, cbor-seq, sqlite and dets', async () => {
    const samples = fc.sample(fc.array(termArb, { minLength: 1, maxLength: 4 }), { numRuns: 150, seed: 11 });
    const rows: Term[][] = samples.map((xs, i) => [i, ...xs]);
    for (const [s, t] of [
      ['tab', 'jsonl'],
      ['jsonl', 'cbor-seq'],
      ['cbor-seq', 'sqlite'],
      ['sqlite', 'dets'],
      ['dets', 'tab'],
    ] as const) {
      expect(sorted(await through(s, t, rows), canonRow), `${s} → ${t}`).toEqual(sorted(rows.map((r) => storedForm(r) as Term[]), canonRow));
    }
  });
});

describe('every pair through Erlang formats (=:=)', () => {
  const rows = [...everyTypeRows().filter((r) => erlangable(r[1])), ...otpOpaques().map((o, i) => [500 + i, o])];
  for (const s of FORMATS) {
    it(`${s} → every format`, async () => {
      for (const t of FORMATS) {
        if (!ERLANG.has(s) && !ERLANG.has(t)) continue;
        expect(sorted(await through(s, t, rows), canonErlRow), `${s} → ${t}`).toEqual(sorted(rows, canonErlRow));
      }
    });
  }
});

describe('Erlang-only values', () => {
  const rows = erlangOnly().map((t, i) => [i, t]);
  for (const s of EXACT) {
    it(`${s} → every exact format keeps them (=:=)`, async () => {
      for (const t of EXACT) expect(sorted(await through(s, t, rows), canonErlRow), `${s} → ${t}`).toEqual(sorted(rows, canonErlRow));
    });
  }

  it('a termstore dets file keeps integral floats (1.0 stays a float box) and refuses improper lists and bitstrings, naming the row', async () => {
    const floats = await through('tab', 'dets', [[1, erlangOnly()[0]!], [2, Tuple.from([erlangOnly()[2] as unknown as Term])]]);
    expect(floats).toEqual([[1, new ErlFloat(1)], [2, Tuple.from([1e300])]]);
    const file = await seed('jsonl', [[0, 'fine'], [1, erlangOnly()[3]!]]);
    const e = await errorOf(() => convert(file, join(dir, `refused${k++}.tsdb`)));
    expect(e.code).toBe('CONVERT_UNSUPPORTED_TERM');
    expect(e.details).toMatchObject({ position: 1 });
    expect(typeof e.details.offset).toBe('number');
  });

  it('a map with the keys 1 and 1.0 keeps both through a dets file', async () => {
    const back = await through('cbor-seq', 'dets', [[0, erlangOnly()[8]!]]);
    expect(canonErlRow(back[0]!)).toBe(canonErlRow([0, erlangOnly()[8]!]));
  });

  it('local pids cannot go to Erlang formats: refused naming the row, nothing written', async () => {
    const file = await seed('tab', everyTypeRows());
    for (const t of ['erl-tab', 'erl-dets'] as const) {
      const out = join(dir, `pid${k++}.${EXT[t]}`);
      const e = await errorOf(() => convert(file, out));
      expect(e.code).toBe('CONVERT_UNSUPPORTED_TERM');
      expect(typeof e.details.position).toBe('number');
      await expect(readAll(out)).rejects.toMatchObject({ code: 'CONVERT_IO' });
    }
  });
});

describe('table options', () => {
  const meta: TableMeta = { type: 'bag', keypos: 2, name: 'people', access: 'public', named: true };
  const rows: ConvRow[] = [
    ['ada', 1],
    ['alan', 1],
    ['grace', 2],
  ];

  it('are carried by every format that records them', async () => {
    const { openTableFile } = await import('../../src/convert/convert.js');
    for (const s of ['tab', 'jsonl', 'cbor-seq', 'sqlite', 'erl-tab'] as const) {
      for (const t of ['tab', 'jsonl', 'cbor-seq', 'sqlite', 'erl-tab'] as const) {
        const to = join(dir, `meta${k++}.${EXT[t]}`);
        await convert(await seed(s, rows, meta), to);
        const src = await openTableFile(to);
        expect(src.meta, `${s} → ${t}`).toEqual(meta);
        await src.close();
      }
    }
  });

  it('dets and DETS files record type and keypos (DETS has no ordered_set: written as a set, with a note)', async () => {
    const { openTableFile } = await import('../../src/convert/convert.js');
    const to = join(dir, `m${k++}.tsdb`);
    await convert(await seed('tab', rows, meta), to);
    expect((await openTableFile(to)).meta).toMatchObject({ type: 'bag', keypos: 2 });
    const r = await convert(await seed('tab', rows, META), join(dir, `m${k++}.dets`));
    expect(r.notes).toEqual(['DETS has no ordered_set: written as a set']);
  });
});
