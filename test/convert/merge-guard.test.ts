/**
 * No conversion into a table merges two terms Erlang tells apart: the one
 * such pair left, the float zeros 0.0 and -0.0 (one term in OTP 25 and in
 * termstore, two in OTP 27 and later), is refused naming the row when a
 * file holds both where a table would keep one; and a map whose keys are
 * one term in a table is refused too.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import { openSink } from '../../src/convert/adapters.js';
import { writeTab2File } from '../../src/erlang/tab2file.js';
import { ErlFloat, ets, tuple } from '../../src/index.js';
import type { ConvRow } from '../../src/convert/types.js';
import { errorOf, readAll, tempDir } from './support.js';

const { dir, cleanup } = tempDir('merge');
afterAll(cleanup);
let k = 0;

async function jsonl(rows: ConvRow[], type: 'set' | 'bag' | 'duplicate_bag' = 'set'): Promise<string> {
  const f = join(dir, `in${k++}.jsonl`);
  const sink = await openSink(f, 'jsonl', { type, keypos: 1, name: 'z', access: 'public', named: false });
  await sink.write(rows);
  await sink.finish();
  return f;
}

describe('float zeros (0.0 and -0.0 are one term in OTP 25, two in OTP 27)', () => {
  it('a set file with both keys is refused for a dets file, naming the second row', async () => {
    const f = await jsonl([[new ErlFloat(0), 'a'], ['x', 1], [new ErlFloat(-0), 'b']]);
    const e = await errorOf(() => convert(f, join(dir, `out${k++}.tsdb`)));
    expect(e.code).toBe('CONVERT_UNSUPPORTED_TERM');
    expect(e.details).toMatchObject({ position: 2 });
  });

  it('an OTP tab file with both keys is refused by ets.file2tab, naming the row', async () => {
    const f = join(dir, `otp${k++}.tab`);
    await writeTab2File(f, [tuple(new ErlFloat(0), 'a'), tuple(tuple(new ErlFloat(-0)), 'b'), tuple(new ErlFloat(-0), 'c')], { type: 'set' });
    const e = await errorOf(() => ets.file2tab(f));
    expect(e.code).toBe('CONVERT_UNSUPPORTED_TERM');
    expect(e.details).toMatchObject({ position: 2 });
  });

  it('a bag keeps both rows only if they differ in more than a zero sign; a duplicate_bag keeps all', async () => {
    const rows: ConvRow[] = [['k', new ErlFloat(0)], ['k', new ErlFloat(-0)]];
    const bag = await jsonl(rows, 'bag');
    expect((await errorOf(() => convert(bag, join(dir, `b${k++}.tsdb`)))).code).toBe('CONVERT_UNSUPPORTED_TERM');
    const dup = await jsonl(rows, 'duplicate_bag');
    const out = join(dir, `d${k++}.tsdb`);
    await convert(dup, out);
    expect((await readAll(out)).length).toBe(2);
  });

  it('the same zero twice is just the same key (no refusal); other keys are not remembered', async () => {
    const f = await jsonl([[new ErlFloat(-0), 'a'], [new ErlFloat(-0), 'b'], [1, 'c'], [1, 'd']]);
    const out = join(dir, `same${k++}.tsdb`);
    await convert(f, out);
    expect(await readAll(out)).toEqual([[new ErlFloat(-0), 'b'], [1, 'd']]); // read as a table: the last row of each key
  });
});

describe('map keys', () => {
  it('a map whose keys are one term in a table is refused for a dets file', async () => {
    const f = await jsonl([[1, new Map<unknown, unknown>([[new ErlFloat(0), 'a'], [new ErlFloat(-0), 'b']]) as never]]);
    const e = await errorOf(() => convert(f, join(dir, `m${k++}.tsdb`)));
    expect(e.code).toBe('CONVERT_UNSUPPORTED_TERM');
    expect(e.details).toMatchObject({ position: 0 });
  });
});
