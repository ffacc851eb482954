/**
 * JSON Lines and CBOR sequences hold items of at most MAX_ITEM_BYTES
 * (64 MiB) both ways: the writers refuse a row that would make a longer
 * line or item (CONVERT_UNSUPPORTED_TERM naming the row and the limit),
 * instead of a RangeError or a file their own readers refuse.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_ITEM_BYTES } from '../../src/convert/formats/stream-io.js';
import { rowToJsonLine } from '../../src/convert/formats/jsonl.js';
import { convert, ets } from '../../src/index.js';
import { tempDir } from './support.js';

const { dir, cleanup } = tempDir('item-limits');
afterAll(cleanup);

function refusal(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('JSON Lines line limit', () => {
  it('is 64 MiB, the longest line the reader accepts', () => {
    expect(MAX_ITEM_BYTES).toBe(64 * 1024 * 1024);
  });

  it('refuses a row by its size before building its line (a binary over the limit)', () => {
    const e = refusal(() => rowToJsonLine([1, new Uint8Array(MAX_ITEM_BYTES)], 7));
    expect(e).toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM', details: { position: 7, limit: 'MAX_ITEM_BYTES' } });
  });

  it('refuses a line that escapes make too long (a string of 12 Mi NULs is 72 MiB of JSON)', () => {
    const e = refusal(() => rowToJsonLine([1, '\0'.repeat(12 << 20)], 3));
    expect(e).toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM', details: { position: 3, limit: 'MAX_ITEM_BYTES' } });
  });

  it('counts UTF-8 bytes, to the byte', () => {
    const row = [1, 'é'.repeat(100)];
    const bytes = Buffer.byteLength(rowToJsonLine(row, 0));
    expect(bytes).toBe('[1,""]'.length + 200);
    expect(rowToJsonLine(row, 0, bytes)).toBe(JSON.stringify(row));
    expect(refusal(() => rowToJsonLine(row, 0, bytes - 1))).toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM' });
    // Nested rows are measured as a whole.
    expect(refusal(() => rowToJsonLine([1, [['x'.repeat(60)], new Map([['k', 'y'.repeat(60)]])]], 0, 100))).toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM' });
  });
});

describe('writers never write what their reader refuses', () => {
  it('convert to JSON Lines or a CBOR sequence refuses a 65 MiB binary, leaving nothing behind', async () => {
    const t = ets.new('big', {});
    ets.insert(t, [1, 'small']);
    ets.insert(t, [2, new Uint8Array(65 << 20).fill(7)]);
    const src = join(dir, 'big.tstab');
    await ets.tab2file(t, src);
    ets.delete(t);
    for (const ext of ['jsonl', 'cbor']) {
      const out = join(dir, `big.${ext}`);
      await expect(convert(src, out)).rejects.toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM', details: { position: 1, limit: 'MAX_ITEM_BYTES' } });
      expect(existsSync(out)).toBe(false);
    }
    expect(readdirSync(dir).filter((f) => f.includes('.termstore-tmp-'))).toEqual([]);
  }, 60_000);
});
