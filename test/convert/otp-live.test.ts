/**
 * Live round trips through real OTP (skipped when `erl` is not installed):
 * Erlang file -> termstore -> Erlang file, then OTP checks that it sees the
 * same objects (=:=) in both.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { readDetsFile } from '../../src/erlang/dets-v9-read.js';
import { readTab2File, writeTab2File } from '../../src/erlang/tab2file.js';
import { decodeTerm, encodeTerm } from '../../src/erlang/etf.js';
import type { Tuple } from '../../src/term/index.js';
import { erlTermArb } from './arbitraries.js';
import { FIXTURES, canon, runChecker, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

function expectAllSame(out: string, pairs: number): void {
  const lines = out.trim().split('\n');
  expect(lines.filter((l) => l.startsWith('same')).length, out).toBe(pairs);
}

describe('live OTP round trip', () => {
  it('tab2file fixtures: read, written back by termstore, loaded by ets:file2tab with verify', async () => {
    const args: string[] = [];
    for (const name of ['set', 'ordered_set', 'bag', 'duplicate_bag', 'set_extended', 'keypos2', 'empty', 'large']) {
      const orig = join(FIXTURES, 'tab2file', `${name}.tab`);
      const { info, rows } = await readTab2File(orig);
      for (const ext of [[], ['object_count', 'md5sum']] as const) {
        const out = join(dir, `${name}-${ext.length}.tab`);
        await writeTab2File(out, rows as Tuple[], {
          name: info.name as symbol,
          type: info.type,
          keypos: info.keypos,
          protection: info.protection,
          extendedInfo: [...ext],
        });
        args.push(orig, out);
      }
    }
    expectAllSame(runChecker(['tabs', ...args]), args.length / 2);
  });

  it('items over 64 KiB: read from OTP, written for OTP', async () => {
    const fromOtp = join(dir, 'otp-big.tab');
    expect(runChecker(['write_big', fromOtp]).trim()).toBe('ok');
    const { rows, summary } = await readTab2File(fromOtp);
    expect(summary.md5Verified).toBe(true);
    expect(rows.length).toBe(3);
    const mine = join(dir, 'big.tab');
    await writeTab2File(mine, rows as Tuple[], { extendedInfo: ['md5sum', 'object_count'] });
    expectAllSame(runChecker(['tabs', fromOtp, mine]), 1);
  });

  it('DETS fixtures: read by termstore, written as tab2file, same objects in OTP', async () => {
    const args: string[] = [];
    for (const name of ['set', 'bag', 'duplicate_bag', 'empty', 'large']) {
      const orig = join(FIXTURES, 'dets', `${name}.dets`);
      const { info, rows } = await readDetsFile(orig);
      const out = join(dir, `${name}-from-dets.tab`);
      await writeTab2File(out, rows as Tuple[], { type: info.type, keypos: info.keypos });
      args.push(orig, out);
    }
    expectAllSame(runChecker(['dets_tab', ...args]), args.length / 2);
  });

  it('random terms: encodeTerm output is read by binary_to_term, and term_to_binary output read back', () => {
    const terms = fc.sample(erlTermArb, { numRuns: 500, seed: 42 });
    const frames: Buffer[] = [];
    for (const [i, t] of terms.entries()) {
      const b = encodeTerm(t, i % 5 === 0 ? { compressed: true } : undefined);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      frames.push(len, Buffer.from(b));
    }
    const inFile = join(dir, 'terms.in');
    const outFile = join(dir, 'terms.out');
    writeFileSync(inFile, Buffer.concat(frames));
    expect(runChecker(['terms', inFile, outFile]).trim()).toBe('ok');
    const out = readFileSync(outFile);
    let at = 0;
    for (const t of terms) {
      const len = out.readUInt32BE(at);
      const back = decodeTerm(out.subarray(at + 4, at + 4 + len));
      at += 4 + len;
      expect(canon(back)).toBe(canon(t));
    }
    expect(at).toBe(out.length);
  });
});
