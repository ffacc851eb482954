/**
 * Hostile input for the readers of termstore's formats (tab, dets, SQLite,
 * JSON Lines, CBOR sequence; the Erlang readers have hostile.test.ts):
 * truncation, flipped bytes, wrong magic, empty files, files of the other
 * formats and huge length fields each give a TermstoreError with a code (and
 * an offset where the format has one), never a crash, a hang or wrong rows.
 * Formats with slack (SQLite's free space) may also read the same rows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import type { FormatName } from '../../src/convert/types.js';
import { TermstoreError } from '../../src/errors.js';
import { ets } from '../../src/index.js';
import { canonRow, EXT, everyTypeRows, readAll, tableOf, tempDir } from './support.js';

const { dir, cleanup } = tempDir('damage');
afterAll(cleanup);

const OURS: FormatName[] = ['tab', 'jsonl', 'cbor-seq', 'sqlite', 'dets'];
const files = {} as Record<FormatName, string>;
let original: string[] = [];
let k = 0;

beforeAll(async () => {
  const rows = [...everyTypeRows(), ...Array.from({ length: 40 }, (_, i) => [1000 + i, 'row'.repeat(i), [i, -i]])];
  const t = tableOf(rows, { type: 'ordered_set' });
  files.tab = join(dir, 'good.tstab');
  await ets.tab2file(t, files.tab);
  original = ets.tab2list(t).map(canonRow);
  for (const f of OURS) if (f !== 'tab') await convert(files.tab, (files[f] = join(dir, `good.${EXT[f]}`)));
  // erl-tab and erl-dets inputs for the cross-format checks.
  const plain = tableOf(rows.filter((r) => typeof r[1] === 'number' && Number.isFinite(r[1]) && !Object.is(r[1], -0)));
  await ets.tab2file(plain, (files['erl-tab'] = join(dir, 'good.tab')), { format: 'erlang' });
  await convert(files['erl-tab'], (files['erl-dets'] = join(dir, 'good.dets')));
});

/** Writes `bytes` to a new file and reads it all; returns the error, or the rows read. */
async function attempt(bytes: Uint8Array, from?: FormatName): Promise<TermstoreError | string[]> {
  const f = join(dir, `bad${k++}`);
  writeFileSync(f, bytes);
  try {
    return (await readAll(f, from === undefined ? {} : { from })).map(canonRow);
  } catch (e) {
    if (e instanceof TermstoreError) return e;
    throw e;
  }
}

function expectRefused(r: TermstoreError | string[], what: string, offset = true): void {
  if (!(r instanceof TermstoreError)) return expect.fail(`${what}: read ${r.length} rows instead of refusing`);
  expectCode(r, what, offset);
}

/** Refused, or (when only bytes that hold no data were lost, such as a final newline) exactly the original rows. */
function expectRefusedOrSame(r: TermstoreError | string[], what: string): void {
  if (r instanceof TermstoreError) expectCode(r, what, true);
  else expect(r, `${what}: read different rows instead of refusing`).toEqual(original);
}

function expectCode(r: TermstoreError, what: string, offset: boolean): void {
  expect(['CONVERT_CORRUPT', 'CONVERT_UNKNOWN_FORMAT'], `${what}: ${r.message}`).toContain(r.code);
  if (offset) expect(typeof r.details.offset, `${what}: ${r.message}`).toBe('number');
}

/** Positions spread over [0, n): every one up to 1000 bytes, else `count` of them plus the first and last 20. */
function positions(n: number, count = 150): number[] {
  if (n <= 1000) return Array.from({ length: n }, (_, i) => i);
  const s = new Set<number>();
  for (let i = 0; i < 20; i++) s.add(i).add(n - 1 - i);
  for (let i = 0; i < count; i++) s.add(Math.floor((i * 7919) % n));
  return [...s].sort((a, b) => a - b);
}

describe('truncated files', () => {
  for (const f of ['tab', 'jsonl', 'cbor-seq', 'sqlite'] as const) {
    it(`${f}: every truncation is refused with an offset`, async () => {
      const bytes = readFileSync(files[f]);
      for (const len of positions(bytes.length, f === 'sqlite' ? 40 : 150)) expectRefusedOrSame(await attempt(bytes.subarray(0, len), f), `${f} cut at ${len}`);
    });
  }

  it('dets: a journal cut short keeps a prefix of its writes (a torn tail is dropped, as on open), or is refused', async () => {
    const bytes = readFileSync(files.dets);
    for (const len of positions(bytes.length)) {
      const r = await attempt(bytes.subarray(0, len), 'dets');
      if (r instanceof TermstoreError) expectRefused(r, `dets cut at ${len}`);
      else for (const row of r) expect(original).toContain(row);
    }
  });

  it('tab: cut at every frame boundary of a many-frame file', async () => {
    const t = tableOf(Array.from({ length: 2500 }, (_, i) => [i, 'y'.repeat(1500)]));
    const f = join(dir, 'frames.tstab');
    await ets.tab2file(t, f);
    const bytes = readFileSync(f);
    const bounds: number[] = [];
    for (let at = bytes.indexOf(Buffer.from([0xa5, 0x54, 0x53, 0x52])); at > 0; at = bytes.indexOf(Buffer.from([0xa5, 0x54, 0x53, 0x52]), at + 1)) bounds.push(at);
    expect(bounds.length).toBeGreaterThan(2);
    for (const b of bounds) {
      const r = await attempt(bytes.subarray(0, b), 'tab');
      expectRefused(r, `cut at frame ${b}`);
      expect((r as TermstoreError).details.reason ?? 'count').toBe('count');
    }
  });
});

describe('flipped bytes', () => {
  for (const f of ['tab', 'jsonl', 'cbor-seq'] as const) {
    it(`${f}: any flipped byte is refused with an offset`, async () => {
      const bytes = readFileSync(files[f]);
      for (const at of positions(bytes.length, 300)) {
        const b = Buffer.from(bytes);
        b[at]! ^= 0x5a;
        expectRefused(await attempt(b), `${f} flipped at ${at}`);
      }
    });
  }

  for (const f of ['sqlite', 'dets'] as const) {
    it(`${f}: a flipped byte is refused, or lands in unused space and the same rows are read`, async () => {
      const bytes = readFileSync(files[f]);
      let refused = 0;
      for (const at of positions(bytes.length, 200)) {
        const b = Buffer.from(bytes);
        b[at]! ^= 0x5a;
        const r = await attempt(b, f);
        if (r instanceof TermstoreError) {
          refused++;
          expectRefused(r, `${f} flipped at ${at}`, f === 'dets');
        } else expect(r, `${f} flipped at ${at}`).toEqual(original);
      }
      expect(refused).toBeGreaterThan(0);
    });
  }
});

describe('wrong magic, empty files, other formats', () => {
  it('a changed first byte is no known format (detected), and refused by the reader of the format (forced)', async () => {
    for (const f of OURS) {
      const b = Buffer.from(readFileSync(files[f]));
      b[0] = 0x00;
      expectRefused(await attempt(b), `${f}, detected`);
      const forced = await attempt(b, f);
      expect(forced instanceof TermstoreError, `${f}, forced`).toBe(true);
    }
  });

  it('an empty file is refused by every reader with CONVERT_UNKNOWN_FORMAT', async () => {
    for (const f of [...OURS, 'erl-tab', 'erl-dets'] as FormatName[]) {
      const r = await attempt(new Uint8Array(0), f);
      expectRefused(r, `empty as ${f}`);
      expect((r as TermstoreError).code).toBe('CONVERT_UNKNOWN_FORMAT');
    }
  });

  it("every reader refuses every other format's file", async () => {
    const all = [...OURS, 'erl-tab', 'erl-dets'] as FormatName[];
    for (const reader of all) {
      for (const other of all) {
        if (other === reader) continue;
        const r = await attempt(readFileSync(files[other]), reader);
        expect(r instanceof TermstoreError, `${other} file read as ${reader}`).toBe(true);
        expect(['CONVERT_CORRUPT', 'CONVERT_UNKNOWN_FORMAT'], `${other} as ${reader}: ${(r as TermstoreError).message}`).toContain((r as TermstoreError).code);
      }
    }
  });

  it('detection tells every format apart', async () => {
    for (const f of [...OURS, 'erl-tab', 'erl-dets'] as FormatName[]) {
      const copy = join(dir, `noext${k++}`);
      writeFileSync(copy, readFileSync(files[f]));
      const { detectFormat } = await import('../../src/convert/detect.js');
      expect(await detectFormat(copy)).toBe(f);
    }
  });
});

describe('huge length fields', () => {
  it('tab: a frame length or header body length of 4 GiB is refused at once', async () => {
    const bytes = readFileSync(files.tab);
    const frameAt = bytes.indexOf(Buffer.from([0xa5, 0x54, 0x53, 0x52]));
    const a = Buffer.from(bytes);
    a.writeUInt32LE(0xffffffff, frameAt + 8);
    expectRefused(await attempt(a), 'frame length');
    const b = Buffer.from(bytes);
    b.writeUInt32LE(0xffffffff, 12);
    expectRefused(await attempt(b), 'header length');
    const c = Buffer.from(bytes);
    c.writeUInt32LE(0xffffffff, 16);
    c.writeUInt32LE(0xffffffff, 20);
    expectRefused(await attempt(c), 'row count');
  });

  it('cbor-seq: items declaring 2^64 bytes or 2^32 elements are refused before any allocation', async () => {
    const head = readFileSync(files['cbor-seq']).subarray(0, 200);
    const magicAndHeader = head.subarray(0, head.indexOf(Buffer.from('named')) + 6);
    for (const item of [
      [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01],
      [0x81, 0x7a, 0x7f, 0xff, 0xff, 0xff, 0x61],
      Array.from({ length: 5000 }, () => 0x81),
    ]) {
      expectRefused(await attempt(Buffer.concat([magicAndHeader, Buffer.from(item)])), `item ${item.slice(0, 4).join(',')}`);
    }
  });

  it('jsonl: a line over 64 MiB, deeply nested JSON and invalid UTF-8 are refused', async () => {
    expectRefused(await attempt(Buffer.alloc(65 * 1024 * 1024 + 10, 0x5b), 'jsonl'), 'long line');
    expectRefused(await attempt(Buffer.from('['.repeat(100_000) + ']'.repeat(100_000) + '\n'), 'jsonl'), 'deep');
    expectRefused(await attempt(Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d, 0x0a]), 'jsonl'), 'utf-8');
    expectRefused(await attempt(Buffer.from('[1]\n{"$weird": 1}\n'), 'jsonl'), 'unknown tag');
  });

  it('sqlite: a header claiming more pages than the file has is refused as truncated', async () => {
    const b = Buffer.from(readFileSync(files.sqlite));
    b.writeUInt32BE(0x7fffffff, 28);
    expectRefused(await attempt(b, 'sqlite'), 'page count');
  });
});
