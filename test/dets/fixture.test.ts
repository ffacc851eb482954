/**
 * One golden file per released format version (`fixtures/dets/`): each
 * still opens with the rows it must hold, and today's writer has not
 * drifted from version 2. Regenerate v2 (only when releasing a new format
 * version's fixture) with `TERMSTORE_WRITE_FIXTURE=1 npx vitest run test/dets/fixture.test.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createCodec } from '../../src/dets/codec.js';
import { dets } from '../../src/dets/index.js';
import { Kind } from '../../src/dets/format.js';
import { FileBuilder } from '../../src/dets/snapshot.js';
import { ROOT } from './build.js';
import { fixtureExpected, fixtureSnapshotRows, writeFixtureJournal } from './fixture.js';
import { framesOf, headerOf } from './frames.js';
import { openStore, rmDir, tmpDir } from './helpers.js';
import { sameTerm } from './terms.js';

const V1 = path.join(ROOT, 'fixtures', 'dets', 'v1.tsdb');
const V2 = path.join(ROOT, 'fixtures', 'dets', 'v2.tsdb');
const dir = tmpDir('fixture');
afterAll(() => rmDir(dir));

if (process.env.TERMSTORE_WRITE_FIXTURE === '1') {
  test('write the v2 fixture', async () => {
    const f = path.join(dir, 'v2.tsdb');
    const t = await openStore(f, { type: 'ordered_set', autoSave: false });
    for (const r of fixtureSnapshotRows()) t.write({ op: 'insert', rows: [r] });
    await t.store.compact();
    writeFixtureJournal(t);
    await t.store.close();
    fs.copyFileSync(f, V2);
  });
}

async function expectFixtureRows(file: string, name: string): Promise<void> {
  const t = await dets.openFile(name, { file, access: 'read' });
  expect(dets.info(t, 'type')).toBe('ordered_set');
  const rows = dets.tab2list(t);
  const want = fixtureExpected();
  expect(rows.length).toBe(want.length);
  rows.forEach((r, i) => expect(sameTerm(r, want[i]), `row ${i}`).toBe(true));
  expect(dets.info(t, 'recovered')).toMatchObject({ damaged: [], droppedTailBytes: 0, cleanClose: true, lost: { rows: 0, writes: 0 } });
  await dets.close(t);
}

describe('golden file of format v2', () => {
  test('is a dets file and opens (read-only, untouched) with the expected rows', async () => {
    const before = fs.readFileSync(V2);
    expect(dets.isDetsFile(V2)).toBe(true);
    await expectFixtureRows(V2, 'fixture-v2');
    expect(fs.readFileSync(V2).equals(before)).toBe(true);
  });

  test('has the documented structure: header and slots, snapshot begin/rows/end, ops, clean close', () => {
    const h = headerOf(V2);
    expect(h).toMatchObject({ version: 2, snapshot: true, type: 'ordered_set', keypos: 1 });
    const frames = framesOf(V2);
    expect(frames.map((f) => f.kind)).toEqual([Kind.SNAPSHOT_BEGIN, Kind.SNAPSHOT_ROWS, Kind.SNAPSHOT_END, Kind.OPS, Kind.CLEAN_CLOSE]);
    const rows = fixtureSnapshotRows().length;
    expect(frames[0]!.seq).toBe(rows); // begin: the row count
    expect(frames[1]).toMatchObject({ seq: 0, count: rows }); // rows 0.. start here
    expect(frames[3]!.seq).toBe(rows + 1); // the writes after the snapshot are numbered on from it
  });

  test("today's writer lays out the same snapshot bytes (the format has not drifted)", () => {
    const b = new FileBuilder(createCodec(), 'ordered_set', 1);
    b.start(fixtureSnapshotRows().length, fixtureSnapshotRows().length);
    for (const r of fixtureSnapshotRows()) b.row(r);
    const mine = b.flushRows();
    const golden = fs.readFileSync(V2).subarray(framesOf(V2)[1]!.offset, framesOf(V2)[1]!.end);
    expect(mine.equals(golden)).toBe(true);
  });
});

describe('golden file of format v1', () => {
  test('still opens read-only, untouched, with the expected rows', async () => {
    const before = fs.readFileSync(V1);
    expect(dets.isDetsFile(V1)).toBe(true);
    await expectFixtureRows(V1, 'fixture-v1');
    expect(fs.readFileSync(V1).equals(before)).toBe(true);
  });

  test('opened for writing, it is rewritten as version 2 with the same rows', async () => {
    const f = path.join(dir, 'upgrade.tsdb');
    fs.copyFileSync(V1, f);
    const t = await dets.openFile('upgrade', { file: f });
    expect(dets.info(t, 'recovered')).toMatchObject({ version: 1, upgradedFrom: 1, rewritten: true, keptAs: undefined });
    dets.insert(t, [500, 'new']);
    await dets.close(t);
    expect(headerOf(f).version).toBe(2);
    const again = await dets.openFile('upgrade', { file: f, access: 'read' });
    expect(dets.info(again, 'size')).toBe(fixtureExpected().length + 1);
    await dets.close(again);
  });
});
