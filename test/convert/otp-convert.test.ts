/**
 * Live OTP (skipped without `erl`): files written by OTP 25 go through every
 * termstore format and back to an Erlang file, and OTP itself checks that
 * it sees the same table (type, keypos, objects =:=).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import type { FormatName } from '../../src/convert/types.js';
import { FIXTURES, runChecker } from './helpers.js';
import { EXT, errorOf, tempDir } from './support.js';

const { dir, cleanup } = tempDir('otp-convert');
afterAll(cleanup);
let k = 0;

const TABS = ['set', 'ordered_set', 'bag', 'duplicate_bag', 'set_extended', 'keypos2', 'empty', 'large'];
const DETS = ['set', 'bag', 'duplicate_bag', 'empty', 'large'];
/** Formats that keep every Erlang term exactly. */
const EXACT: FormatName[] = ['tab', 'jsonl', 'cbor-seq', 'sqlite', 'erl-tab', 'erl-dets'];

async function via(orig: string, middle: FormatName, back: FormatName): Promise<string> {
  const mid = join(dir, `mid${k++}.${EXT[middle]}`);
  const out = join(dir, `back${k++}.${EXT[back]}`);
  await convert(orig, mid);
  await convert(mid, out);
  return out;
}

function expectAllSame(out: string, pairs: number): void {
  const lines = out.trim().split('\n');
  expect(lines.filter((l) => l.startsWith('same')).length, out).toBe(pairs);
}

describe('OTP files through every format and back, checked by OTP', () => {
  it('ets:tab2file fixtures → each exact format → ets:tab2file file: =:= in OTP', async () => {
    const args: string[] = [];
    for (const name of TABS) {
      const orig = join(FIXTURES, 'tab2file', `${name}.tab`);
      for (const m of EXACT) {
        // DETS has no ordered_set: the type would change.
        if (m === 'erl-dets' && name === 'ordered_set') continue;
        args.push(orig, await via(orig, m, 'erl-tab'));
      }
    }
    expectAllSame(runChecker(['tabs', ...args]), args.length / 2);
  });

  it('DETS fixtures → each exact format → DETS file: =:= in OTP (opened by dets:open_file)', async () => {
    const args: string[] = [];
    for (const name of DETS) {
      const orig = join(FIXTURES, 'dets', `${name}.dets`);
      for (const m of EXACT) args.push(orig, await via(orig, m, 'erl-dets'));
    }
    expectAllSame(runChecker(['dets_dets', ...args]), args.length / 2);
  });

  it('through a termstore dets file: the fixtures without Erlang-only terms are =:=; the others are refused naming the row', async () => {
    const args: string[] = [];
    for (const name of ['keypos2', 'empty', 'large']) {
      const orig = join(FIXTURES, 'tab2file', `${name}.tab`);
      args.push(orig, await via(orig, 'dets', 'erl-tab'));
    }
    expectAllSame(runChecker(['tabs', ...args]), args.length / 2);
    for (const name of ['set', 'bag']) {
      const e = await errorOf(() => convert(join(FIXTURES, 'tab2file', `${name}.tab`), join(dir, `no${k++}.tsdb`)));
      expect(e.code).toBe('CONVERT_UNSUPPORTED_TERM');
      expect(typeof e.details.offset).toBe('number');
    }
  });

  it('tab2file fixture → DETS file and DETS fixture → tab2file file: same objects in OTP', async () => {
    const args: string[] = [];
    for (const name of ['set', 'bag', 'duplicate_bag', 'large']) {
      const tab = join(dir, `d${k++}.tab`);
      await convert(join(FIXTURES, 'dets', `${name}.dets`), tab);
      args.push(join(FIXTURES, 'dets', `${name}.dets`), tab);
    }
    expectAllSame(runChecker(['dets_tab', ...args]), args.length / 2);
  });
});
