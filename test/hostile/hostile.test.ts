/**
 * Every reader is linear in time and bounded in memory on hostile input:
 * each generator of `generators.ts` (an attack that ran for minutes, ran
 * out of memory or never finished before issue 8) is read in a child
 * process with a 128 MiB heap, which must end with a TermstoreError of a
 * documented code (see `child.ts` for why no duration is asserted).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../convert/support.js';
import { expectRefused, runReader } from './child.js';
import {
  cborAtom,
  cborBignum,
  cborRow,
  detsAliasedCollection,
  detsAliasedSlots,
  detsAliasedSmall,
  detsWithHeaderBody,
  detsWithRow,
  jsonlWithAtoms,
  longAtomNames,
  sqliteMissingTable,
  sqliteRecursiveView,
  sqliteWithObject,
  tabFile,
  zlibBombTab,
} from './generators.js';

const { dir, cleanup } = tempDir('hostile');
afterAll(cleanup);
const MiB = 1 << 20;
const T = 180_000;

function put(name: string, bytes: Buffer | string): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
}

describe("cbor-x's tag decoders never run: a 1 MiB bignum item (tag 2) is refused at once", () => {
  const bignumRow = (): Buffer => cborRow(1, cborBignum(MiB));

  it('in a dets frame (open, and convert)', () => {
    const f = put('bignum.tsdb', detsWithRow(bignumRow()));
    expectRefused(runReader('dets-open', f), 'DETS_CORRUPT');
    expectRefused(runReader('verify', f), 'CONVERT_CORRUPT');
  }, T);

  it('in a dets header', () => {
    const f = put('bignum-header.tsdb', detsWithHeaderBody(cborBignum(MiB - 64)));
    expectRefused(runReader('dets-open', f), 'DETS_CORRUPT');
  }, T);

  it('in a tab file frame and header', () => {
    const f = put('bignum.tstab', tabFile([bignumRow()]));
    expectRefused(runReader('file2tab', f), 'CONVERT_CORRUPT');
    expectRefused(runReader('verify', f), 'CONVERT_CORRUPT');
    const g = put('bignum-header.tstab', tabFile([], cborBignum(MiB - 64)));
    expectRefused(runReader('verify', g), 'CONVERT_CORRUPT');
  }, T);

  it('in a CBOR sequence', () => {
    const f = put('bignum.cbor', bignumRow());
    expectRefused(runReader('verify', f, { from: 'cbor-seq' }), 'CONVERT_CORRUPT');
  }, T);

  it('in a SQLite blob', async () => {
    const f = await sqliteWithObject(dir, 'bignum', bignumRow());
    expectRefused(runReader('verify', f), 'CONVERT_CORRUPT');
  }, T);
});

describe('compressed Erlang terms inflate within a budget', () => {
  it('a 110 KB ets:tab2file file inflating to 112 MB of empty lists: CONVERT_LIMIT', async () => {
    const f = join(dir, 'bomb.tab');
    await zlibBombTab(f);
    expectRefused(runReader('verify', f, { from: 'erl-tab' }), 'CONVERT_LIMIT', { limit: 'maxInflatedTerms' });
    // Through the Erlang reader itself, and with the terms budget off: the bytes budget still holds.
    expectRefused(runReader('iterate', f, { from: 'erl-tab', maxInflatedTerms: 5_000_000 }), 'CONVERT_LIMIT', { limit: 'maxInflatedTerms' });
  }, T);
});

describe('DETS (v9) files whose blocks alias are refused in linear time', () => {
  it('2^25 slots in a 12 KB file, every segment and slot aliasing one: refused up front', () => {
    const f = put('aliased-slots.dets', detsAliasedSlots());
    expectRefused(runReader('verify', f, { from: 'erl-dets' }), 'CONVERT_CORRUPT', { reason: 'slots' });
    expectRefused(runReader('read-dets9', f, { repair: true }), 'CONVERT_CORRUPT', { reason: 'slots' });
  }, T);

  it('256 slots aliasing one 600 KB collection: refused once the blocks read pass the file, also unverified', async () => {
    const f = join(dir, 'aliased-collection.dets');
    await detsAliasedCollection(f);
    expectRefused(runReader('verify', f, { from: 'erl-dets' }), 'CONVERT_CORRUPT', { reason: 'aliased' });
    expectRefused(runReader('read-dets9', f, { verify: false }), 'CONVERT_CORRUPT', { reason: 'aliased' });
  }, T);

  it('256 slots aliasing one small collection: a closed file stops once it passes the header count', () => {
    const f = put('aliased-small.dets', detsAliasedSmall());
    expectRefused(runReader('verify', f, { from: 'erl-dets' }), 'CONVERT_CORRUPT', { reason: 'count' });
  }, T);
});

describe('SQLite: rows only from real tables', () => {
  it('a recursive VIEW in place of the rows table is refused, not read forever', async () => {
    const f = await sqliteRecursiveView(dir);
    expectRefused(runReader('verify', f), 'CONVERT_CORRUPT', { reason: 'not-a-table' });
    expectRefused(runReader('iterate', f, { verify: false }), 'CONVERT_CORRUPT', { reason: 'not-a-table' });
  }, T);

  it('a missing rows table is a CONVERT_CORRUPT, not a raw SqliteError', async () => {
    const f = await sqliteMissingTable(dir);
    expectRefused(runReader('verify', f), 'CONVERT_CORRUPT', { reason: 'missing-table' });
  }, T);
});

describe('atoms longer than 255 characters never reach the Symbol.for registry', () => {
  const names = longAtomNames(16, MiB);

  it('JSON Lines: 16 distinct atoms of 1 Mi characters', () => {
    const f = put('atoms.jsonl', jsonlWithAtoms(names));
    expectRefused(runReader('verify', f), 'CONVERT_CORRUPT');
  }, T);

  it('CBOR sequences, tab files and dets frames', () => {
    const rows = names.map((a, i) => cborRow(i, cborAtom(a)));
    expectRefused(runReader('verify', put('atoms.cbor', Buffer.concat(rows)), { from: 'cbor-seq' }), 'CONVERT_CORRUPT');
    expectRefused(runReader('verify', put('atoms.tstab', tabFile(rows))), 'CONVERT_CORRUPT');
    expectRefused(runReader('dets-open', put('atoms.tsdb', detsWithRow(rows[0]!))), 'DETS_CORRUPT');
  }, T);

  it('the limit is 255 characters, not bytes or UTF-16 units', () => {
    const ok = 'é'.repeat(255); // 510 bytes of UTF-8
    const emoji = '\u{1F600}'.repeat(255); // 510 UTF-16 units
    const f = put('atoms-ok.cbor', Buffer.concat([cborRow(1, cborAtom(ok)), cborRow(2, cborAtom(emoji))]));
    const r = runReader('verify', f, { from: 'cbor-seq' });
    expect(r.outcome, r.message).toBe('ok');
    expect(r.rows).toBe(2);
    expectRefused(runReader('verify', put('atoms-256.cbor', cborRow(1, cborAtom('\u{1F600}'.repeat(256)))), { from: 'cbor-seq' }), 'CONVERT_CORRUPT');
  }, T);
});
