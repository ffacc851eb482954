/**
 * ets.tab2file / ets.file2tab / ets.tabfileInfo: round trips of every table
 * type and term type, the table options, ownership and naming, checksums,
 * OTP's own tab files, and the golden file of format v1.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { readTab2File } from '../../src/erlang/tab2file.js';
import { TAB_MAGIC } from '../../src/tabfile/format.js';
import { convert } from '../../src/convert/convert.js';
import { ets } from '../../src/index.js';
import { self, spawn, whenExited } from '../../src/process/index.js';
import { Tuple, type Term } from '../../src/term/types.js';
import { V1_FIXTURE_TERMS, storedForm, termArb } from '../dets/terms.js';
import { FIXTURES } from './helpers.js';
import { erlangable, errorOf, everyTypeRows, expectSameRows, readAll, tableOf, tempDir } from './support.js';

const { dir, cleanup } = tempDir('tabfile');
afterAll(cleanup);
let n = 0;
const file = (ext = 'tstab'): string => join(dir, `t${n++}.${ext}`);
const GOLDEN = join(FIXTURES, '..', 'tab', 'v1.tstab');
const GOLDEN_ERL = join(FIXTURES, '..', 'tab', 'v1-erlang.tstab');

describe('tab2file then file2tab', () => {
  for (const type of ['set', 'ordered_set', 'bag', 'duplicate_bag'] as const) {
    it(`recreates an equal ${type} holding every term type`, async () => {
      const rows: Term[][] = everyTypeRows();
      if (type !== 'set' && type !== 'ordered_set') rows.push([0, 'second'], [0, 'second'], [1, Tuple.from([1])]);
      const t = tableOf(rows, { type });
      const f = file();
      await ets.tab2file(t, f);
      const t2 = await ets.file2tab(f);
      expect(ets.info(t2)).toMatchObject({ type, keypos: 1, protection: 'protected', named: false, owner: self(), size: ets.info(t, 'size') });
      expect(ets.info(t2, 'name')).toBe(ets.info(t, 'name'));
      expectSameRows(ets.tab2list(t2), ets.tab2list(t));
      ets.delete(t);
      ets.delete(t2);
    });
  }

  it('keeps keypos, access and named, and refuses a taken name with ETS_NAME_TAKEN', async () => {
    const name = `named_${process.pid}`;
    const t = ets.new(name, { type: 'ordered_set', keypos: 3, access: 'public', named: true });
    ets.insertMany(t, [
      ['a', 1, 'k1'],
      ['b', 2, 'k0'],
    ]);
    const f = file();
    await ets.tab2file(name, f, { sync: true });
    const before = ets.all().length;
    expect((await errorOf(() => ets.file2tab(f))).code).toBe('ETS_NAME_TAKEN');
    expect(ets.all().length).toBe(before);
    ets.delete(t);
    const t2 = await ets.file2tab(f);
    expect(ets.whereis(name)).toBe(t2);
    expect(ets.info(t2)).toMatchObject({ type: 'ordered_set', keypos: 3, protection: 'public', named: true });
    expect(ets.lookup(name, 'k0')).toEqual([['b', 2, 'k0']]);
    ets.delete(t2);
  });

  it('gives the new table to the calling process, which may be any process', async () => {
    const f = file();
    await ets.tab2file(tableOf([[1, 2]], { access: 'private' }), f);
    const pid = spawn(async () => {
      const t = await ets.file2tab(f);
      return [ets.info(t, 'owner') === self(), ets.lookup(t, 1)];
    });
    expect(await whenExited(pid)).toMatchObject({ reason: 'normal', value: [true, [[1, 2]]] });
  });

  it('refuses a private table of another process (ETS_ACCESS) and bad arguments (ETS_BADARG)', async () => {
    let t: unknown;
    const pid = spawn(async () => {
      t = ets.new('private_one', { access: 'private' });
      await new Promise((r) => setTimeout(r, 50));
    });
    await new Promise((r) => setTimeout(r, 10));
    expect((await errorOf(() => ets.tab2file(t as never, file()))).code).toBe('ETS_ACCESS');
    await whenExited(pid);
    const ok = tableOf([]);
    expect((await errorOf(() => ets.tab2file(ok, ''))).code).toBe('ETS_BADARG');
    expect((await errorOf(() => ets.tab2file(ok, file(), { nope: 1 } as never))).code).toBe('ETS_BADARG');
    expect((await errorOf(() => ets.tab2file(ok, file(), { format: 'xml' } as never))).code).toBe('ETS_BADARG');
    expect((await errorOf(() => ets.file2tab(file(), { verify: 'yes' } as never))).code).toBe('ETS_BADARG');
    expect((await errorOf(() => ets.file2tab(join(dir, 'missing.tstab')))).code).toBe('CONVERT_IO');
    expect((await errorOf(() => ets.tab2file(ok, join(dir, 'no', 'such', 'dir.tstab')))).code).toBe('CONVERT_IO');
  });

  it('round trips random rows (fast-check), in a duplicate_bag keyed on element 2', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), termArb, termArb), { maxLength: 30 }), async (xs) => {
        const rows = xs.map(([k, a, b]) => [a, k, b]);
        const t = tableOf(rows, { type: 'duplicate_bag', keypos: 2 });
        const f = file();
        await ets.tab2file(t, f);
        const t2 = await ets.file2tab(f, { verify: true });
        expectSameRows(ets.tab2list(t2), ets.tab2list(t));
        ets.delete(t);
        ets.delete(t2);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('replaces an existing file, leaving no temporary file behind', async () => {
    const f = file();
    writeFileSync(f, 'old contents');
    await ets.tab2file(tableOf([[1, 'new']]), f);
    expect(readFileSync(f).subarray(0, 8).equals(TAB_MAGIC)).toBe(true);
    expect(readdirSync(dir).filter((x) => x.includes('.termstore-tmp-'))).toEqual([]);
  });

  it('writes many frames for a large table and reads them back (1 MiB frames)', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [i, 'x'.repeat(1000), i * 2]);
    const t = tableOf(rows);
    const f = file();
    await ets.tab2file(t, f, { extendedInfo: true });
    const t2 = await ets.file2tab(f, { verify: true });
    expectSameRows(ets.tab2list(t2), ets.tab2list(t));
    const info = await ets.tabfileInfo(f);
    expect(info).toMatchObject({ format: 'termstore', size: 3000, checksum: true, version: 1 });
    expect(info.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('tabfileInfo', () => {
  it('reports the options and size from the header, with or without a checksum', async () => {
    const t = tableOf([[1], [2], [3]], { type: 'bag', access: 'public' });
    const f = file();
    await ets.tab2file(t, f);
    expect(await ets.tabfileInfo(f)).toMatchObject({
      format: 'termstore',
      name: ets.info(t, 'name'),
      type: 'bag',
      keypos: 1,
      access: 'public',
      named: false,
      size: 3,
      checksum: false,
      digest: undefined,
      extendedInfo: ['object_count'],
      writer: 'termstore/1',
    });
  });

  it('reads the header of OTP tab2file files too', async () => {
    expect(await ets.tabfileInfo(join(FIXTURES, 'tab2file', 'set_extended.tab'))).toMatchObject({
      format: 'erlang',
      name: 'fixture_set_extended',
      type: 'set',
      size: 67,
      checksum: true,
      extendedInfo: ['object_count', 'md5sum'],
    });
  });

  it('refuses files that are not tab files', async () => {
    expect((await errorOf(() => ets.tabfileInfo(join(FIXTURES, 'dets', 'set.dets')))).code).toBe('CONVERT_UNKNOWN_FORMAT');
  });
});

describe('OTP tab2file files', () => {
  it('file2tab loads them (name, type, keypos, protection) as storable rows', async () => {
    const t = await ets.file2tab(join(FIXTURES, 'tab2file', 'keypos2.tab'));
    const { info, rows } = await readTab2File(join(FIXTURES, 'tab2file', 'keypos2.tab'), { terms: 'storable' });
    expect(ets.info(t)).toMatchObject({ type: info.type, keypos: 2, protection: info.protection, size: rows.length });
    ets.delete(t);
  });

  it('file2tab refuses one holding improper lists or bitstrings, naming the row', async () => {
    const e = await errorOf(() => ets.file2tab(join(FIXTURES, 'tab2file', 'set.tab')));
    expect(e.code).toBe('CONVERT_UNSUPPORTED_TERM');
    expect(typeof e.details.offset).toBe('number');
  });

  it("tab2file with format 'erlang' writes a file the OTP reader (and file2tab) reads back", async () => {
    const rows = everyTypeRows().filter((r) => erlangable(r[1]));
    const t = tableOf(rows, { type: 'ordered_set', access: 'public' });
    const f = file('tab');
    await ets.tab2file(t, f, { format: 'erlang', extendedInfo: ['md5sum'] });
    const back = await readTab2File(f, { terms: 'storable' });
    expect(back.info).toMatchObject({ type: 'ordered_set', protection: 'public', extendedInfo: ['object_count', 'md5sum'] });
    const t2 = await ets.file2tab(f);
    expect(ets.info(t2, 'size')).toBe(rows.length);
  });
});

describe('golden file of tab format v1 (fixtures/tab)', () => {
  if (process.env.TERMSTORE_WRITE_FIXTURE === '1') {
    it('write the fixtures', async () => {
      const t = ets.new('fixture_v1', { type: 'ordered_set', access: 'public', named: true });
      ets.insertMany(t, everyTypeRows());
      await ets.tab2file(t, GOLDEN, { extendedInfo: true });
      ets.delete(t);
      await convert(join(FIXTURES, 'tab2file', 'set.tab'), GOLDEN_ERL, { force: true });
    });
  }

  it('v1.tstab holds the expected table', async () => {
    const bytes = readFileSync(GOLDEN);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from('\x89TSTAB\r\n', 'latin1'));
    expect(bytes.readUInt16LE(8)).toBe(1);
    expect(bytes.readUInt16LE(10)).toBe(1);
    const t = await ets.file2tab(GOLDEN, { verify: true });
    expect(ets.info(t)).toMatchObject({ name: 'fixture_v1', type: 'ordered_set', keypos: 1, protection: 'public', named: true });
    // the file holds the first V1_FIXTURE_TERMS term types; read back, each number is in its stored form
    expectSameRows(ets.tab2list(t), everyTypeRows().slice(0, V1_FIXTURE_TERMS).map((r) => storedForm(r) as Term[]));
    ets.delete(t);
    expect(readFileSync(GOLDEN).equals(bytes)).toBe(true);
  });

  it('v1-erlang.tstab keeps the Erlang-only terms of an OTP file exactly', async () => {
    expect(existsSync(GOLDEN_ERL)).toBe(true);
    const want = (await readTab2File(join(FIXTURES, 'tab2file', 'set.tab'))).rows.map((r) => Array.from(r as Tuple));
    expectSameRows(await readAll(GOLDEN_ERL), want);
  });
});
