/**
 * The conversion API around the formats: options and their errors, output
 * protection (CONVERT_EXISTS, force, nothing left behind on failure),
 * progress, inspectFile / verifyFile / openTableFile, JSON Lines written by
 * hand, and dets files (read while open, never written over a locked one).
 */
import { withoutSlotUpdate } from '../dets/frames.js';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert, inspectFile, openTableFile, verifyFile } from '../../src/convert/convert.js';
import { ErlFloat } from '../../src/erlang/terms.js';
import { dets } from '../../src/dets/index.js';
import { ets } from '../../src/index.js';
import { FIXTURES } from './helpers.js';
import { errorOf, readAll, tableOf, tempDir } from './support.js';

const { dir, cleanup } = tempDir('convert-api');
afterAll(cleanup);
let k = 0;
const out = (ext: string): string => join(dir, `o${k++}.${ext}`);
const LARGE = join(FIXTURES, 'tab2file', 'large.tab');

describe('convert options', () => {
  it('refuses bad arguments with CONVERT_BADARG before touching any file', async () => {
    for (const [args, option] of [
      [[LARGE, out('x')], 'to'],
      [[LARGE, out('jsonl'), { to: 'xml' }], 'to'],
      [[LARGE, out('jsonl'), { from: 'csv' }], 'from'],
      [[LARGE, out('jsonl'), { batchSize: 0 }], 'batchSize'],
      [[LARGE, out('jsonl'), { force: 'yes' }], 'force'],
      [[LARGE, out('jsonl'), { colour: true }], 'colour'],
    ] as const) {
      const e = await errorOf(() => convert(...(args as unknown as Parameters<typeof convert>)));
      expect(e.code, option).toBe('CONVERT_BADARG');
      expect(e.details.option, option).toBe(option);
    }
    expect((await errorOf(() => convert(LARGE, LARGE, { to: 'erl-tab', force: true }))).code).toBe('CONVERT_BADARG');
    expect((await errorOf(() => convert('', out('jsonl')))).code).toBe('CONVERT_BADARG');
  });

  it('never overwrites without force, replaces with it, and leaves nothing behind when the input is bad', async () => {
    const target = out('jsonl');
    writeFileSync(target, 'mine');
    expect((await errorOf(() => convert(LARGE, target))).code).toBe('CONVERT_EXISTS');
    expect(readFileSync(target, 'utf8')).toBe('mine');
    await convert(LARGE, target, { force: true, sync: false });
    expect((await readAll(target)).length).toBe(20000);
    const bad = out('tab');
    writeFileSync(bad, readFileSync(LARGE).subarray(0, 5000));
    const target2 = out('cbor');
    expect((await errorOf(() => convert(bad, target2))).code).toBe('CONVERT_CORRUPT');
    expect(existsSync(target2)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.termstore-tmp-'))).toEqual([]);
  });

  it('reports progress after each batch and a result with rows, bytes and seconds', async () => {
    const seen: number[] = [];
    const r = await convert(LARGE, out('sqlite'), { batchSize: 5000, onProgress: (p) => seen.push(p.rows) });
    expect(seen).toEqual([5000, 10000, 15000, 20000]);
    expect(r).toMatchObject({ from: 'erl-tab', to: 'sqlite', rows: 20000, notes: [] });
    expect(r.bytesRead).toBeGreaterThan(0);
    expect(r.bytesWritten).toBeGreaterThan(0);
    expect(r.seconds).toBeGreaterThan(0);
  });
});

describe('inspectFile, verifyFile, openTableFile', () => {
  it('inspectFile reads headers: format, table options, rows', async () => {
    expect(await inspectFile(LARGE)).toMatchObject({ format: 'erl-tab', meta: { name: 'fixture_large', type: 'set', keypos: 1 }, rows: 20000 });
    const j = out('jsonl');
    await convert(LARGE, j);
    expect(await inspectFile(j)).toMatchObject({ format: 'jsonl', meta: { name: 'fixture_large' }, rows: undefined });
  });

  it('verifyFile: a converted dets file is complete, so a cut is damage; a journal torn tail is lost data; an unclosed DETS file is refused', async () => {
    const f = out('tsdb');
    await convert(LARGE, f);
    const bytes = readFileSync(f);
    writeFileSync(f, bytes.subarray(0, bytes.length - 10));
    const cut = await errorOf(() => verifyFile(f));
    expect(cut.code).toBe('CONVERT_CORRUPT');
    // A table that crashed in the middle of a write: the torn write was never durable.
    const j = out('tsdb');
    const t = await dets.openFile('torn-journal', { file: j, autoSave: false });
    for (let i = 0; i < 100; i++) dets.insert(t, [i, 'r']);
    await dets.sync(t);
    // The crash strikes after the last write's frame reached the file, before the slot recording it.
    await withoutSlotUpdate(j, async () => {
      dets.insert(t, [100, 'x'.repeat(1000)]);
      await dets.sync(t);
    });
    await dets.simulateCrash(t);
    const whole = readFileSync(j);
    writeFileSync(j, whole.subarray(0, whole.length - 10));
    const v = await verifyFile(j);
    expect(v.rowsRead).toBe(100);
    expect(v.losses).toHaveLength(1);
    expect(v.losses[0]).toMatchObject({ kind: 'torn-tail' });
    expect(v.losses[0]!.offset + v.losses[0]!.bytes).toBe(whole.length - 10);
    expect((await errorOf(() => verifyFile(join(FIXTURES, 'dets', 'unclosed.dets')))).code).toBe('CONVERT_CORRUPT');
  });

  it("openTableFile reads rows in 'exact' mode, or 'storable' for tables", async () => {
    const rows = [
      [1, new ErlFloat(2)],
      [2, 'x'],
    ];
    const { openSink } = await import('../../src/convert/adapters.js');
    const f = out('tstab');
    const sink = await openSink(f, 'tab', { type: 'set', keypos: 1, name: 'e', access: 'public', named: false });
    await sink.write(rows);
    await sink.finish();
    expect((await readAll(f))[0]![1]).toBeInstanceOf(ErlFloat);
    // a float box is a term: storable mode keeps it too
    expect((await readAll(f, { terms: 'storable' }))[0]).toEqual([1, new ErlFloat(2)]);
    // file2tab keeps 2.0 a float
    const t = await ets.file2tab(f);
    expect(ets.lookup(t, 1)).toEqual([[1, new ErlFloat(2)]]);
    expect((await errorOf(() => openTableFile(f, { terms: 'loose' } as never))).code).toBe('CONVERT_BADARG');
  });
});

describe('JSON Lines written or edited by hand', () => {
  it('reads a file without header or end record as a set keyed on element 1', async () => {
    const f = out('jsonl');
    writeFileSync(f, '[1, "a"]\n\n[2, {"$atom": "b"}, {"$tuple": [1, 2]}]\r\n[3]');
    expect(await readAll(f)).toEqual([[1, 'a'], [2, Symbol.for('b'), expect.anything()], [3]]);
    const t = join(dir, `h${k++}.tstab`);
    await convert(f, t);
    expect((await inspectFile(t)).meta).toMatchObject({ type: 'set', keypos: 1 });
  });

  it('refuses an edited termstore file (checksum), unless verify is off', async () => {
    const f = out('jsonl');
    await convert(LARGE, f);
    const text = readFileSync(f, 'utf8').replace('[10248,30744]', '[10248,1]');
    writeFileSync(f, text);
    const e = await errorOf(() => readAll(f));
    expect(e.code).toBe('CONVERT_CORRUPT');
    expect(e.message).toMatch(/--no-verify/);
    const rows = await readAll(f, { verify: false });
    expect(rows.find((r) => r[0] === 10248)).toEqual([10248, 1]);
    await convert(f, out('tstab'), { verify: false });
  });
});

describe('termstore dets files', () => {
  it('can be read while a dets table has them open (the flushed state)', async () => {
    const f = out('tsdb');
    const t = await dets.openFile(`open_${k}`, { file: f, autoSave: false });
    dets.insertMany(t, [
      [1, 'one'],
      [2, 'two'],
    ]);
    await dets.sync(t);
    dets.insert(t, [3, 'unflushed']);
    expect(await readAll(f)).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    // ... and are never written over while open (the lock), even with force.
    expect((await errorOf(() => convert(LARGE, f, { force: true }))).code).toBe('DETS_LOCKED');
    await dets.close(t);
    await convert(LARGE, f, { force: true });
    const again = await dets.openFile(`reopen_${k}`, { file: f });
    expect(dets.info(again, 'size')).toBe(20000);
    await dets.close(again);
  });

  it('a tab file and a dets file hold the same table both ways', async () => {
    const tab = out('tstab');
    await ets.tab2file(tableOf([[1, { a: [1n, new ErlFloat(1)] }], [2, new Uint8Array([7])]], { type: 'ordered_set' }), tab);
    const d = out('tsdb');
    await convert(tab, d);
    const back = out('tstab');
    await convert(d, back);
    const t = await ets.file2tab(back);
    expect(ets.info(t, 'type')).toBe('ordered_set');
    expect(ets.tab2list(t)).toEqual([[1, { a: [1, new ErlFloat(1)] }], [2, new Uint8Array([7])]]);
  });

  it('an output directory that does not exist is CONVERT_IO', async () => {
    mkdirSync(join(dir, 'exists'), { recursive: true });
    expect((await errorOf(() => convert(LARGE, join(dir, 'nope', 'x.jsonl')))).code).toBe('CONVERT_IO');
  });
});
