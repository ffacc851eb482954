import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { createCodec, fromWire, toWire, TAG } from '../../src/dets/codec.js';
import { crc32, crc32Js } from '../../src/dets/crc32.js';
import { decodeItems, encodeOp, encodeRow, opFromWire, rowFromWire } from '../../src/dets/items.js';
import { copyRow, copyTerm } from '../../src/term/copy.js';
import { exactEquals } from '../../src/term/equal.js';
import { Tuple, type Term } from '../../src/term/types.js';
import { openStore, rmDir, tmpDir, type TestTable } from './helpers.js';
import { everyTermType, sameTerm, storedForm, termArb } from './terms.js';

const codec = createCodec();

function roundTrip(t: Term): Term {
  const bytes = Buffer.from(codec.encode(toWire(t)));
  return fromWire(codec.decode(bytes));
}

describe('crc32', () => {
  test('standard check value, native and portable agree', () => {
    const b = Buffer.from('123456789');
    expect(crc32(b)).toBe(0xcbf43926);
    expect(crc32Js(b)).toBe(0xcbf43926);
    expect(crc32Js(b.subarray(4), crc32Js(b.subarray(0, 4)))).toBe(0xcbf43926);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (a, v) => crc32(a, v >>> 0) === crc32Js(a, v >>> 0)));
  });
});

describe('term codec', () => {
  // Exactly: the same term, and the stored form of its numbers (a bigint in the safe range comes back a number).
  test.each(everyTermType().map((t, i) => [i, t] as const))('every term type round-trips exactly (#%i)', (_i, t) => {
    const back = roundTrip(t);
    expect(sameTerm(back, storedForm(t))).toBe(true);
  });

  test('property: any term round-trips exactly', () => {
    fc.assert(
      fc.property(termArb, (t) => {
        const back = roundTrip(t);
        return sameTerm(back, storedForm(t)) && exactEquals(back, t);
      }),
      { numRuns: 500 },
    );
  });

  test('tuples, atoms and maps use the documented tags', () => {
    const w = toWire([Tuple.from([1]), Symbol.for('a'), new Map([[1, 2]]), 1n, -0]) as Array<{ tag: number }>;
    expect(w.map((x) => x.tag)).toEqual([TAG.TUPLE, TAG.ATOM, TAG.MAP, TAG.BIGINT, TAG.NEG_ZERO]);
  });

  test('rows of plain values are encoded without copying', () => {
    const row = copyRow([1, 'a', true, null]);
    expect(toWire(row)).toBe(row);
  });

  test('unknown tags and non-terms are refused on decode', () => {
    expect(() => fromWire(codec.decode(Buffer.from([0xd9, 0x9c, 0xa9, 0x01])))).toThrow(); // tag 40105 with a uint
    expect(() => fromWire(codec.decode(Buffer.from([0xc1, 0x01])))).toThrow(); // tag 1 (date)
  });

  test('ops round-trip through their CBOR items', () => {
    const rows = [copyRow([Tuple.from([1, 2]), 'x']), copyRow([3n, new Map([[1, 1]])])];
    const ops = [
      { op: 'insert' as const, rows },
      { op: 'delete' as const, key: copyTerm(Tuple.from([1, 2])) },
      { op: 'deleteObject' as const, row: rows[0]! },
      { op: 'replace' as const, old: rows[0]!, row: rows[1]! },
      { op: 'clear' as const },
    ];
    const payload = Buffer.concat(ops.map((o) => encodeOp(codec, o)));
    const back = decodeItems(codec, payload).map((x) => opFromWire(x, 1));
    expect(back.map((o) => o.op)).toEqual(ops.map((o) => o.op));
    expect(sameTerm((back[0] as unknown as { rows: Term[] }).rows, rows)).toBe(true);
    expect(sameTerm((back[1] as unknown as { key: Term }).key, Tuple.from([1, 2]))).toBe(true);
    expect(sameTerm((back[3] as unknown as { row: Term }).row, rows[1])).toBe(true);
  });

  test('a decoded row shorter than keypos is refused', () => {
    const b = encodeRow(codec, copyRow([1]));
    expect(() => rowFromWire(codec.decode(b), 2)).toThrow();
  });
});

describe('every term type through a real file', () => {
  const dir = tmpDir('terms');
  afterAll(() => rmDir(dir));

  test('rows written, closed, reopened and compacted read back identical', async () => {
    const file = path.join(dir, 'terms.dets');
    const all = everyTermType();
    const t = await openStore(file, { type: 'duplicate_bag' });
    all.forEach((v, i) => t.insert([i, v, Tuple.from([v])]));
    const samples = fc.sample(termArb, { numRuns: 300, seed: 42 });
    samples.forEach((v, i) => t.insert([1000 + i, v]));
    await t.store.close();

    const check = (tt: TestTable): void => {
      all.forEach((v, i) => {
        const got = tt.lookup(i);
        expect(got.length).toBe(1);
        expect(sameTerm(got[0]![1], storedForm(v))).toBe(true);
        expect(sameTerm(got[0]![2], storedForm(Tuple.from([v])))).toBe(true);
      });
      samples.forEach((v, i) => expect(sameTerm(tt.lookup(1000 + i)[0]![1], storedForm(v))).toBe(true));
    };
    const t2 = await openStore(file);
    check(t2);
    await t2.store.compact();
    await t2.store.close();
    const t3 = await openStore(file);
    expect(t3.store.recovered.snapshotRows).toBe(all.length + samples.length);
    check(t3);
    await t3.store.close();
  });
});
