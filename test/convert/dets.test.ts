import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDetsFile, readDetsFile } from '../../src/erlang/dets-v9-read.js';
import type { ErlTerm } from '../../src/erlang/terms.js';
import { atomName } from '../../src/term/index.js';
import { FIXTURES, expectConvertError, expectSameRowsByKey, expected, fromTagged, largeRows, tempDir } from './helpers.js';

const dets = (name: string): string => join(FIXTURES, 'dets', `${name}.dets`);
const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('reading OTP DETS fixtures', () => {
  for (const name of ['set', 'bag', 'duplicate_bag', 'empty']) {
    it(name, async () => {
      const exp = expected(`${name}.dets`);
      const { info, rows, summary } = await readDetsFile(dets(name));
      expect(info.type).toBe(atomName(fromTagged(exp.type)));
      expect(info.keypos).toBe(fromTagged(exp.keypos));
      expect(info.objectCount).toBe(fromTagged(exp.size));
      expect(info.keyCount).toBe(fromTagged(exp.no_keys));
      expect(info.closedProperly).toBe(true);
      expect(info.hashMethod).toBe('phash2');
      expect(info.hasMd5).toBe(true);
      expect(summary.objectCount).toBe(rows.length);
      expectSameRowsByKey(rows, exp.rows!.map((r) => fromTagged(r)));
    });
  }

  it('large (20000 rows), streamed', async () => {
    const r = await openDetsFile(dets('large'), { batchSize: 5000 });
    const rows: ErlTerm[] = [];
    let batches = 0;
    for await (const b of r) {
      batches++;
      rows.push(...b);
    }
    expect(batches).toBeGreaterThanOrEqual(4);
    expect(r.info.slots).toBeGreaterThan(256); // the table grew (several keys per slot)
    expectSameRowsByKey(rows, largeRows());
  });

  it('refuses a file that was not closed properly, reads it with repair', async () => {
    const e = await expectConvertError(() => readDetsFile(dets('unclosed')), ['CONVERT_CORRUPT']);
    expect(e.details.reason).toBe('not_closed');
    const { info, rows, summary } = await readDetsFile(dets('unclosed'), { repair: true });
    expect(info.closedProperly).toBe(false);
    expect(summary.skipped).toEqual([]);
    expectSameRowsByKey(rows, expected('unclosed.dets').rows!.map((r) => fromTagged(r)));
  });

  it('with repair, skips a damaged collection and reports it', async () => {
    const b = Buffer.from(readFileSync(dets('set')));
    b.writeUInt32BE(0, 8); // not closed properly
    // find the first active collection after the segments and damage its status
    const at = b.indexOf(Buffer.from([0x12, 0x34, 0x56, 0x78]), 1336 + 4096);
    b.writeUInt32BE(0x0bad, at);
    const f = join(dir, 'damaged.dets');
    writeFileSync(f, b);
    const { rows, summary } = await readDetsFile(f, { repair: true });
    expect(summary.skipped.length).toBe(1);
    expect(summary.skipped[0]!.offset).toBe(at);
    expect(rows.length).toBeLessThan(expected('set.dets').rows!.length);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('refuses a wrong header count', async () => {
    const b = Buffer.from(readFileSync(dets('set')));
    // NoObjects is part of the MD5-protected header: zero the MD5 to make the file a 9(b) one
    b.writeUInt32BE(b.readUInt32BE(32) + 1, 32);
    b.fill(0, 168, 184);
    const f = join(dir, 'count.dets');
    writeFileSync(f, b);
    await expectConvertError(() => readDetsFile(f), ['CONVERT_CORRUPT']);
    await expect(readDetsFile(f, { verify: false })).resolves.toBeTruthy();
  });

  it('refuses a header with a bad checksum, a bad version, a bad cookie', async () => {
    const base = readFileSync(dets('empty'));
    const variant = async (patch: (b: Buffer) => void, code: string): Promise<void> => {
      const b = Buffer.from(base);
      patch(b);
      const f = join(dir, 'variant.dets');
      writeFileSync(f, b);
      await expectConvertError(() => readDetsFile(f), [code]);
    };
    await variant((b) => b.writeUInt32BE(5, 28), 'CONVERT_CORRUPT'); // keypos changed under the MD5
    await variant((b) => b.writeUInt32BE(8, 16), 'CONVERT_UNKNOWN_FORMAT');
    await variant((b) => b.writeUInt32BE(1, 4), 'CONVERT_UNKNOWN_FORMAT');
    await variant((b) => b.writeUInt32BE(7, 12), 'CONVERT_CORRUPT');
  });
});
