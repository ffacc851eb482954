import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTab2File, readTab2File, writeTab2File } from '../../src/erlang/tab2file.js';
import { ErlFloat, ErlImproperList, type ErlTerm } from '../../src/erlang/terms.js';
import { TermstoreError } from '../../src/errors.js';
import { Pid, Tuple, atomName, type Term } from '../../src/term/index.js';
import { FIXTURES, expectConvertError, expectSameRowsByKey, expectSameTerms, expected, fromTagged, largeRows, tempDir } from './helpers.js';

const tab = (name: string): string => join(FIXTURES, 'tab2file', `${name}.tab`);
const t = (...xs: unknown[]): Tuple => Tuple.from(xs as Term[]) as Tuple;
const a = (n: string): symbol => Symbol.for(n);
const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('reading OTP tab2file fixtures', () => {
  for (const name of ['set', 'ordered_set', 'bag', 'duplicate_bag', 'set_extended', 'keypos2', 'empty']) {
    it(name, async () => {
      const exp = expected(`${name}.tab`);
      const { info, rows, summary } = await readTab2File(tab(name));
      expect(info.type).toBe(atomName(fromTagged(exp.type)));
      expect(info.keypos).toBe(fromTagged(exp.keypos));
      expect(info.protection).toBe(atomName(fromTagged(exp.protection)));
      expect(info.namedTable).toBe(fromTagged(exp.named_table));
      expect(info.size).toBe(fromTagged(exp.size));
      expect(info.name).toBe(fromTagged(exp.name));
      expect(info.extendedInfo).toEqual((fromTagged(exp.extended_info) as symbol[]).map((s) => Symbol.keyFor(s)));
      expect(info.closedProperly).toBe(true);
      expect([info.majorVersion, info.minorVersion]).toEqual([1, 0]);
      expect(info.header.map(([k]) => k)).toContain('owner');
      // exactly the objects OTP logged, in file order
      expectSameTerms(rows, exp.rows!.map((r) => fromTagged(r)));
      expect(summary.objectCount).toBe(rows.length);
      expect(summary.md5Verified).toBe(name === 'set_extended' ? true : undefined);
      expect(summary.trailerCount).toBe(name === 'set_extended' ? rows.length : undefined);
    });
  }

  it('large (20000 rows, md5sum), streamed in batches', async () => {
    const r = await openTab2File(tab('large'), { batchSize: 3000 });
    expect(r.info.size).toBe(20000);
    const sizes: number[] = [];
    const rows: ErlTerm[] = [];
    for await (const batch of r) {
      sizes.push(batch.length);
      rows.push(...batch);
    }
    expect(sizes).toEqual([3000, 3000, 3000, 3000, 3000, 3000, 2000]);
    expect(r.summary.md5Verified).toBe(true);
    expectSameRowsByKey(rows, largeRows());
  });

  it('binaries: bytes and terms: storable apply to the rows', async () => {
    const { rows } = await readTab2File(tab('set'), { binaries: 'bytes', terms: 'storable' }).catch((e: TermstoreError) => ({ rows: [e] }));
    // the set fixture holds improper lists and bitstrings: storable refuses them with an offset
    expect(rows[0]).toBeInstanceOf(TermstoreError);
    expect((rows[0] as TermstoreError).code).toBe('CONVERT_UNSUPPORTED_TERM');
    expect(typeof (rows[0] as TermstoreError).details.offset).toBe('number');
    const big = await readTab2File(tab('large'), { binaries: 'bytes', terms: 'storable' });
    expect(big.rows.length).toBe(20000);
  });
});

describe('verification', () => {
  it('detects a changed object through the MD5', async () => {
    const f = join(dir, 'md5.tab');
    const b = readFileSync(tab('set_extended'));
    // flip a byte inside the last object's payload (before the trailer item)
    const trailerAt = b.lastIndexOf(Buffer.from('bWLA')) - 4;
    b[trailerAt - 1]! ^= 1;
    writeFileSync(f, b);
    const e = await expectConvertError(() => readTab2File(f), ['CONVERT_CORRUPT']);
    expect(e.details.reason).toBe('checksum_error');
    // verify: false reads it anyway
    await expect(readTab2File(f, { verify: false })).resolves.toBeTruthy();
  });

  it('detects a missing trailer and a short file', async () => {
    const f = join(dir, 'short.tab');
    const b = readFileSync(tab('set_extended'));
    writeFileSync(f, b.subarray(0, b.lastIndexOf(Buffer.from('bWLA')) - 4));
    await expectConvertError(() => readTab2File(f), ['CONVERT_CORRUPT']);
    const g = join(dir, 'short2.tab');
    const c = readFileSync(tab('set'));
    writeFileSync(g, c.subarray(0, c.lastIndexOf(Buffer.from('bWLA')) - 4));
    const e = await expectConvertError(() => readTab2File(g), ['CONVERT_CORRUPT']);
    expect(e.details.reason).toBe('invalid_object_count');
  });

  it('refuses a torn log that was not closed, and reads its intact items with repair', async () => {
    const f = join(dir, 'open.tab');
    const b = Buffer.from(readFileSync(tab('keypos2')));
    b.set([6, 7, 8, 9], 4); // OPENED
    writeFileSync(f, b.subarray(0, b.length - 3));
    const e = await expectConvertError(() => readTab2File(f), ['CONVERT_CORRUPT']);
    expect(e.details.closedProperly).toBe(false);
    const { rows, summary, info } = await readTab2File(f, { repair: true });
    expect(info.closedProperly).toBe(false);
    expect(rows.length).toBe(9);
    expect(summary.tornTailAt).toBeGreaterThan(8);
  });
});

describe('writeTab2File', () => {
  it('round-trips every fixture through termstore', async () => {
    for (const name of ['set', 'ordered_set', 'bag', 'duplicate_bag', 'keypos2', 'empty', 'set_extended']) {
      const orig = await readTab2File(tab(name));
      const out = join(dir, `${name}.tab`);
      const ext = name === 'set_extended' ? (['object_count', 'md5sum'] as const) : [];
      const res = await writeTab2File(out, orig.rows as Tuple[], {
        name: orig.info.name as symbol,
        type: orig.info.type,
        keypos: orig.info.keypos,
        protection: orig.info.protection,
        extendedInfo: [...ext],
      });
      expect(res.objectCount).toBe(orig.rows.length);
      const back = await readTab2File(out);
      expect(back.info.size).toBe(orig.rows.length);
      expect(back.info.type).toBe(orig.info.type);
      expect(back.info.keypos).toBe(orig.info.keypos);
      expect(back.info.name).toBe(orig.info.name);
      expectSameTerms(back.rows, orig.rows);
      if (ext.length > 0) expect(back.summary.md5Verified).toBe(true);
    }
  });

  it('accepts plain arrays, iterables and async iterables of rows', async () => {
    const out = join(dir, 'iter.tab');
    async function* gen(): AsyncGenerator<ErlTerm[]> {
      for (let i = 0; i < 2500; i++) yield [i, new ErlFloat(i), [i, new ErlImproperList([1], 2)]];
    }
    const res = await writeTab2File(out, gen(), { extendedInfo: ['md5sum'], type: 'ordered_set' });
    expect(res.objectCount).toBe(2500);
    const back = await readTab2File(out);
    expect(back.info.size).toBe(2500);
    expect(back.rows[7]).toEqual(t(7, new ErlFloat(7), [7, new ErlImproperList([1], 2)]));
    expect(back.summary.md5Verified).toBe(true);
  });

  it('writes big items with the size checksum disk_log uses', async () => {
    const out = join(dir, 'big.tab');
    const big = 'x'.repeat(100_000);
    await writeTab2File(out, [t(1, big), t(2, 'small')], { extendedInfo: ['md5sum', 'object_count'] });
    const back = await readTab2File(out);
    expect(back.rows[0]).toEqual(t(1, big));
    expect(back.summary.md5Verified).toBe(true);
  });

  it('refuses to overwrite without force, and bad rows with their index', async () => {
    const out = join(dir, 'exists.tab');
    copyFileSync(tab('empty'), out);
    await expect(writeTab2File(out, [])).rejects.toMatchObject({ code: 'CONVERT_EXISTS' });
    await writeTab2File(out, [t(1)], { force: true });
    expect((await readTab2File(out)).rows).toEqual([t(1)]);
    const bad = writeTab2File(join(dir, 'bad.tab'), [t(1), t(2, new Pid(1))]);
    await expect(bad).rejects.toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM', details: { position: 1, path: '1' } });
    await expect(writeTab2File(join(dir, 'bad2.tab'), [t()], {})).rejects.toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM' });
    await expect(writeTab2File(join(dir, 'bad3.tab'), [], { keypos: 0 })).rejects.toMatchObject({ code: 'ETS_BADARG' });
    // a failed write leaves no file behind
    await expect(readTab2File(join(dir, 'bad.tab'))).rejects.toMatchObject({ code: 'CONVERT_IO', details: { errno: 'ENOENT' } });
  });

  it('header options reach the file', async () => {
    const out = join(dir, 'opts.tab');
    await writeTab2File(out, [t(a('k'), 1)], { name: 'users', namedTable: true, protection: 'public', compressed: true, type: 'bag' });
    const { info } = await readTab2File(out);
    expect(info).toMatchObject({ name: a('users'), namedTable: true, protection: 'public', compressed: true, type: 'bag', size: 1 });
  });
});
