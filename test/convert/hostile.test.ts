/**
 * Hostile input: every reader, on truncated, flipped, oversized or foreign
 * input, returns data or throws a TermstoreError with a CONVERT_* code and a
 * numeric offset; never another error, a hang, or a huge allocation.
 */
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readDetsFile } from '../../src/erlang/dets-v9-read.js';
import { readTab2File } from '../../src/erlang/tab2file.js';
import { decodeTerm } from '../../src/erlang/etf.js';
import { TermstoreError } from '../../src/errors.js';
import { FIXTURES, expectConvertError, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const CONVERT = ['CONVERT_CORRUPT', 'CONVERT_UNKNOWN_FORMAT', 'CONVERT_UNSUPPORTED_TERM', 'CONVERT_LIMIT'];
type Reader = (f: string) => Promise<unknown>;
const readers: Record<string, Reader> = {
  tab: (f) => readTab2File(f),
  tabRepair: (f) => readTab2File(f, { repair: true }),
  dets: (f) => readDetsFile(f),
  detsRepair: (f) => readDetsFile(f, { repair: true }),
};

async function dataOrConvertError(read: Reader, f: string): Promise<'ok' | string> {
  try {
    await read(f);
    return 'ok';
  } catch (e) {
    if (!(e instanceof TermstoreError)) throw new Error(`non-TermstoreError for ${f}: ${String(e)}`, { cause: e });
    expect(CONVERT).toContain(e.code);
    expect(typeof e.details.offset).toBe('number');
    expect(e.details.file).toBe(f);
    return e.code;
  }
}

describe('truncation at every byte', () => {
  // stride 1: every byte; larger strides sample (with the last bytes always included)
  const cases: Array<[string, string, Reader, number]> = [
    ['tab2file/set.tab', 'tab', readers.tab!, 1],
    ['tab2file/set_extended.tab', 'tab', readers.tab!, 4],
    ['tab2file/keypos2.tab', 'tab', readers.tab!, 1],
    ['dets/set.dets', 'dets', readers.dets!, 1],
    ['dets/bag.dets', 'dets', readers.dets!, 5],
  ];
  for (const [fixture, kind, read, stride] of cases) {
    it(`${fixture}: every prefix is refused with an offset (stride ${stride})`, async () => {
      const f = join(dir, `trunc.${kind}`);
      copyFileSync(join(FIXTURES, fixture), f);
      const n = readFileSync(f).length;
      const codes = new Map<string, number>();
      const lengths = [...Array(n).keys()].filter((len) => len % stride === 0 || len > n - 64).reverse();
      for (const len of lengths) {
        truncateSync(f, len);
        const r = await dataOrConvertError(read, f);
        if (r === 'ok') expect.fail(`a ${len}-byte prefix of ${fixture} was read as a whole file`);
        codes.set(r, (codes.get(r) ?? 0) + 1);
      }
      expect(codes.get('CONVERT_UNKNOWN_FORMAT') ?? 0).toBeGreaterThanOrEqual(1); // the empty file at least
    }, 120_000);
  }

  it('repair modes read only intact data of truncated files and never fail otherwise', async () => {
    for (const [fixture, read] of [
      ['tab2file/set.tab', readers.tabRepair!],
      ['dets/set.dets', readers.detsRepair!],
    ] as const) {
      const f = join(dir, 'trunc-repair');
      copyFileSync(join(FIXTURES, fixture), f);
      const n = readFileSync(f).length;
      for (let len = n - 1; len >= 0; len -= 7) {
        truncateSync(f, len);
        await dataOrConvertError(read, f);
      }
    }
  }, 120_000);
});

describe('flipped bytes', () => {
  const cases: Array<[string, Reader, number]> = [
    ['tab2file/set_extended.tab', readers.tab!, 1],
    ['tab2file/set.tab', readers.tabRepair!, 5],
    ['dets/duplicate_bag.dets', readers.dets!, 4],
    ['dets/set.dets', readers.detsRepair!, 9],
  ];
  for (const [fixture, read, stride] of cases) {
    it(`${fixture}: data or a CONVERT_* error at each flipped byte`, async () => {
      const orig = readFileSync(join(FIXTURES, fixture));
      const f = join(dir, 'flip');
      let errors = 0;
      for (let i = 0; i < orig.length; i += stride) {
        const b = Buffer.from(orig);
        b[i]! ^= i % 2 === 0 ? 0xff : 0x01;
        writeFileSync(f, b);
        if ((await dataOrConvertError(read, f)) !== 'ok') errors++;
      }
      expect(errors).toBeGreaterThan(0);
    }, 120_000);
  }

  it('a flip inside an MD5-protected tab2file object is always detected', async () => {
    const orig = readFileSync(join(FIXTURES, 'tab2file/set_extended.tab'));
    const f = join(dir, 'flip-md5');
    // the objects lie between the header item and the trailer item
    const headerLen = orig.readUInt32BE(8);
    const from = 8 + 8 + headerLen;
    const to = orig.lastIndexOf(Buffer.from('bWLA')) - 4;
    for (let i = from; i < to; i += 5) {
      const b = Buffer.from(orig);
      b[i]! ^= 0x10;
      writeFileSync(f, b);
      expect(await dataOrConvertError(readers.tab!, f)).not.toBe('ok');
    }
  }, 120_000);
});

describe('huge length fields are refused before allocation', () => {
  const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  it('in terms', () => {
    const huge = 0xfffffff0;
    for (const bytes of [
      [131, 108, ...u32(huge), 97, 1], // LIST
      [131, 109, ...u32(huge), 1, 2], // BINARY
      [131, 105, ...u32(huge), 97, 1], // LARGE_TUPLE
      [131, 116, ...u32(huge), 97, 1, 97, 2], // MAP
      [131, 111, ...u32(huge), 0, 1], // LARGE_BIG
      [131, 77, ...u32(huge), 3, 1], // BIT_BINARY
      [131, 118, 255, 255, 97], // ATOM_UTF8
      [131, 107, 255, 255, 1], // STRING
      [131, 112, ...u32(huge), 0], // NEW_FUN
      [131, 117, ...u32(huge), 0], // FUN
      [131, 90, 255, 255, 119, 1, 97], // NEWER_REFERENCE
    ]) {
      expect(() => decodeTerm(Uint8Array.from(bytes))).toThrow(TermstoreError);
      try {
        decodeTerm(Uint8Array.from(bytes));
      } catch (e) {
        expect((e as TermstoreError).code).toBe('CONVERT_CORRUPT');
      }
    }
    // a compressed term declaring 4 GiB: refused before inflating
    const z = Uint8Array.from([131, 80, ...u32(0xffffffff), 0x78, 0x9c, 0x03, 0x00]);
    expect(() => decodeTerm(z)).toThrow(expect.objectContaining({ code: 'CONVERT_LIMIT' }) as Error);
    // a zip bomb inflating past its declared size
    const bomb = Uint8Array.from([131, 80, ...u32(10), ...deflateSync(Buffer.alloc(1_000_000))]);
    expect(() => decodeTerm(bomb)).toThrow(expect.objectContaining({ code: 'CONVERT_CORRUPT' }) as Error);
  });

  it('deep nesting is refused, not a stack overflow', () => {
    const depth = 100_000;
    const bytes = new Uint8Array(1 + depth * 6 + 1);
    bytes[0] = 131;
    for (let i = 0; i < depth; i++) bytes.set([108, 0, 0, 0, 1], 1 + i * 5);
    // each list holds the next; close with NILs
    const body = [131];
    for (let i = 0; i < depth; i++) body.push(108, 0, 0, 0, 1);
    body.push(106);
    for (let i = 0; i < depth; i++) body.push(106);
    expect(() => decodeTerm(Uint8Array.from(body))).toThrow(expect.objectContaining({ code: 'CONVERT_UNSUPPORTED_TERM' }) as Error);
    // a maxDepth beyond what the JS stack holds still ends in a TermstoreError
    expect(() => decodeTerm(Uint8Array.from(body), { maxDepth: 200_000 })).toThrow(expect.objectContaining({ code: 'CONVERT_UNSUPPORTED_TERM' }) as Error);
    // a long list in tail position is not deep
    const long = [131];
    for (let i = 0; i < depth; i++) long.push(108, 0, 0, 0, 1, 97, 1);
    long.push(106);
    expect((decodeTerm(Uint8Array.from(long)) as number[]).length).toBe(depth);
  });

  it('in a disk_log item and in DETS pointers', async () => {
    const tab = Buffer.from(readFileSync(join(FIXTURES, 'tab2file/keypos2.tab')));
    const headerLen = tab.readUInt32BE(8);
    const objAt = 8 + 8 + headerLen;
    tab.writeUInt32BE(0xfffffff0, objAt);
    const f = join(dir, 'huge.tab');
    writeFileSync(f, tab);
    expect((await expectConvertError(() => readTab2File(f), ['CONVERT_CORRUPT'])).details.offset).toBe(objAt);

    const d = Buffer.from(readFileSync(join(FIXTURES, 'dets/set.dets')));
    // the first non-empty slot: give it a huge collection size
    const seg = d.readUInt32BE(d.readUInt32BE(312));
    let slot = seg;
    while (d.readUInt32BE(slot + 4) === 0) slot += 8;
    d.writeUInt32BE(0xfffffff0, slot);
    d.fill(0, 168, 184); // drop the header MD5 so only the slot is wrong
    const g = join(dir, 'huge.dets');
    writeFileSync(g, d);
    expect((await expectConvertError(() => readDetsFile(g), ['CONVERT_CORRUPT'])).details.offset).toBe(slot);
    d.writeUInt32BE(64, slot);
    d.writeUInt32BE(0xfffffff0, slot + 4);
    writeFileSync(g, d);
    await expectConvertError(() => readDetsFile(g), ['CONVERT_CORRUPT']);
  });
});

describe('foreign files', () => {
  it('empty files and wrong magic are CONVERT_UNKNOWN_FORMAT at offset 0 or 4', async () => {
    const f = join(dir, 'foreign');
    for (const content of [Buffer.alloc(0), Buffer.from('hello world, this is not an Erlang file at all......'), Buffer.alloc(4000)]) {
      writeFileSync(f, content);
      for (const read of [readers.tab!, readers.dets!]) {
        const e = await expectConvertError(() => read(f), ['CONVERT_UNKNOWN_FORMAT']);
        expect([0, 4]).toContain(e.details.offset);
      }
    }
  });

  it('each reader refuses the other format', async () => {
    await expectConvertError(() => readTab2File(join(FIXTURES, 'dets/set.dets')), ['CONVERT_UNKNOWN_FORMAT']);
    await expectConvertError(() => readDetsFile(join(FIXTURES, 'tab2file/set.tab')), ['CONVERT_UNKNOWN_FORMAT']);
  });

  it('a disk_log that is not a tab2file file', async () => {
    const f = join(dir, 'log');
    // head + one item holding the atom ok
    writeFileSync(f, Buffer.from([1, 2, 3, 4, 99, 88, 77, 11, 0, 0, 0, 5, 98, 87, 76, 65, 131, 119, 2, 111, 107]));
    await expectConvertError(() => readTab2File(f), ['CONVERT_UNKNOWN_FORMAT']);
    writeFileSync(f, Buffer.from([1, 2, 3, 4, 99, 88, 77, 11]));
    await expectConvertError(() => readTab2File(f), ['CONVERT_UNKNOWN_FORMAT']);
  });
});
