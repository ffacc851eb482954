import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createCodec } from '../../src/dets/codec.js';
import { dets } from '../../src/dets/index.js';
import { Kind, decodeHeader } from '../../src/dets/format.js';
import { nodeFs } from '../../src/dets/fs.js';
import { scanFrames } from '../../src/dets/journal.js';
import { snapshotFrames } from '../../src/dets/compaction.js';
import { ROOT } from './build.js';
import { fixtureExpected, fixtureSnapshotRows, writeFixtureJournal } from './fixture.js';
import { openStore, rmDir, tmpDir } from './helpers.js';
import { sameTerm } from './terms.js';

const FIXTURE = path.join(ROOT, 'fixtures', 'dets', 'v1.tsdb');
const dir = tmpDir('fixture');
afterAll(() => rmDir(dir));

function framesOf(file: string): Array<{ kind: number; payload: Buffer }> {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const h = decodeHeader(createCodec(), fs.readFileSync(file), size);
  if (!('length' in h)) throw new Error('bad header');
  const out: Array<{ kind: number; payload: Buffer }> = [];
  scanFrames(nodeFs, fd, h.length, size, (f) => (out.push({ kind: f.kind, payload: Buffer.from(f.payload) }), true));
  fs.closeSync(fd);
  return out;
}

if (process.env.TERMSTORE_WRITE_FIXTURE === '1') {
  test('write the v1 fixture', async () => {
    const f = path.join(dir, 'v1.tsdb');
    const t = openStore(f, { type: 'ordered_set', autoSave: false });
    for (const r of fixtureSnapshotRows()) t.write({ op: 'insert', rows: [r] });
    await t.store.compact();
    writeFixtureJournal(t);
    await t.store.close();
    fs.mkdirSync(path.dirname(FIXTURE), { recursive: true });
    fs.copyFileSync(f, FIXTURE);
  });
}

describe('golden file of format v1', () => {
  test('is a dets file and opens (read-only, untouched) with the expected rows', async () => {
    const before = fs.readFileSync(FIXTURE);
    expect(dets.isDetsFile(FIXTURE)).toBe(true);
    const t = await dets.openFile('fixture-v1', { file: FIXTURE, access: 'read' });
    expect(dets.info(t, 'type')).toBe('ordered_set');
    const rows = dets.tab2list(t);
    const want = fixtureExpected();
    expect(rows.length).toBe(want.length);
    rows.forEach((r, i) => expect(sameTerm(r, want[i]), `row ${i}`).toBe(true));
    const rec = dets.info(t, 'recovered')!;
    expect(rec).toMatchObject({ damaged: [], droppedTailBytes: 0, cleanClose: true });
    await dets.close(t);
    expect(fs.readFileSync(FIXTURE).equals(before)).toBe(true);
  });

  test('has the documented structure: snapshot begin/rows/end, ops, clean close', () => {
    expect(framesOf(FIXTURE).map((f) => f.kind)).toEqual([Kind.SNAPSHOT_BEGIN, Kind.SNAPSHOT_ROWS, Kind.SNAPSHOT_END, Kind.OPS, Kind.CLEAN_CLOSE]);
  });

  test('today\'s encoder writes the same snapshot bytes (the format has not drifted)', () => {
    const codec = createCodec();
    const stats = { length: 0, rowBytes: 0, rows: 0 };
    const frames = [...snapshotFrames(codec, Buffer.alloc(0), fixtureSnapshotRows(), stats)];
    const rowsFrame = frames[2]!; // [header, begin, rows, end]
    const golden = framesOf(FIXTURE).find((f) => f.kind === Kind.SNAPSHOT_ROWS)!;
    expect(rowsFrame.subarray(24).equals(golden.payload)).toBe(true);
  });
});
