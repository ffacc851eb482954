/**
 * `dets.openFile` on a table file that is not a termstore dets file but
 * one termstore converts (an Erlang DETS or tab file, a termstore tab file,
 * SQLite): refused with `DETS_NOT_A_TABLE_FILE` and untouched, as any
 * foreign file, with a message naming `termstore convert`.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert, dets, isTermstoreError } from '../../src/index.js';
import { foreignKind } from '../../src/dets/foreign.js';
import { FIXTURES } from '../convert/helpers.js';
import { rmDir, tmpDir } from './helpers.js';

const dir = tmpDir('dets-foreign');
afterAll(() => rmDir(dir));

async function refusal(file: string): Promise<{ code: string; message: string }> {
  const before = readFileSync(file);
  try {
    await dets.openFile(`foreign_${Math.random()}`, { file });
  } catch (e) {
    if (!isTermstoreError(e)) throw e;
    expect(readFileSync(file).equals(before)).toBe(true);
    return { code: e.code, message: e.message };
  }
  throw new Error(`${file} was opened`);
}

describe('dets.openFile on a file termstore converts', () => {
  it.each([
    ['an Erlang DETS file', join(FIXTURES, 'dets', 'set.dets'), 'users.dets'],
    ['an Erlang tab file (ets:tab2file)', join(FIXTURES, 'tab2file', 'set.tab'), 'users.tab'],
  ])('%s: DETS_NOT_A_TABLE_FILE, untouched, and a hint to run termstore convert', async (kind, fixture, name) => {
    const file = join(dir, name);
    copyFileSync(fixture, file);
    const r = await refusal(file);
    expect(r.code).toBe('DETS_NOT_A_TABLE_FILE');
    expect(r.message).toContain(`is ${kind}, not a termstore dets file`);
    expect(r.message).toContain(`termstore convert ${file} ${join(dir, 'users.tsdb')}`);
  });

  it('the same for a termstore tab file and a SQLite database; no hint for a file of no known format', async () => {
    const tab = join(dir, 'large.tstab');
    await convert(join(FIXTURES, 'tab2file', 'large.tab'), tab);
    expect((await refusal(tab)).message).toContain('is a termstore tab file (ets.tab2file)');
    const db = join(dir, 'large.sqlite');
    await convert(join(FIXTURES, 'tab2file', 'large.tab'), db);
    expect((await refusal(db)).message).toContain('is a SQLite database');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'just some text, long enough to have a header to read\n');
    const r = await refusal(text);
    expect(r.code).toBe('DETS_NOT_A_TABLE_FILE');
    expect(r.message).not.toContain('termstore convert');
  });

  it('recognises the formats by their first bytes only', () => {
    expect(foreignKind(new Uint8Array(3))).toBeUndefined();
    expect(foreignKind(readFileSync(join(FIXTURES, 'dets', 'empty.dets')).subarray(0, 64))).toBe('an Erlang DETS file');
  });
});
