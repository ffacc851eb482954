/**
 * Every atomic-file writer (conversion outputs of every format, tab2file,
 * the Erlang writers): replacing a file keeps its mode and owner (and a
 * symlink stays a symlink), and a target that appears while a conversion
 * runs is never clobbered without `force`. The tests run as root, so
 * `chown` works; as another user they check the mode only.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import type { FormatName } from '../../src/convert/types.js';
import { ets } from '../../src/index.js';
import { isTermstoreError } from '../../src/errors.js';
import { FIXTURES } from '../convert/helpers.js';
import { tempDir } from '../convert/support.js';

const { dir, cleanup } = tempDir('atomic');
afterAll(cleanup);
const root = process.getuid?.() === 0;
const SOURCE = join(FIXTURES, 'tab2file', 'large.tab');
const OUTPUTS: Array<[FormatName, string]> = [
  ['dets', 'tsdb'],
  ['tab', 'tstab'],
  ['erl-tab', 'tab'],
  ['erl-dets', 'dets'],
  ['sqlite', 'sqlite'],
  ['jsonl', 'jsonl'],
  ['cbor-seq', 'cbor'],
];

function secure(file: string): void {
  fs.chmodSync(file, 0o600);
  if (root) fs.chownSync(file, 4321, 4322);
}

function expectSecure(file: string): void {
  const st = fs.statSync(file);
  expect(st.mode & 0o7777).toBe(0o600);
  if (root) expect([st.uid, st.gid]).toEqual([4321, 4322]);
}

describe('replacing a file keeps its mode and owner', () => {
  it.each(OUTPUTS)('convert --force to %s', async (to, ext) => {
    const out = join(dir, `keep.${ext}`);
    fs.writeFileSync(out, 'old contents');
    secure(out);
    await convert(SOURCE, out, { to, force: true });
    expectSecure(out);
    expect(fs.readFileSync(out).toString('latin1')).not.toBe('old contents');
  });

  it('ets.tab2file over an existing file, both formats, through a symlink', async () => {
    const t = ets.new('keep', {});
    ets.insert(t, [1, 'a']);
    for (const format of ['termstore', 'erlang'] as const) {
      const real = join(dir, `real-${format}.tab`);
      const link = join(dir, `link-${format}.tab`);
      fs.writeFileSync(real, 'old');
      secure(real);
      fs.symlinkSync(real, link);
      await ets.tab2file(t, link, { format });
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      expectSecure(real);
      const back = await ets.file2tab(real);
      expect(ets.lookup(back, 1)).toEqual([[1, 'a']]);
      ets.delete(back);
    }
    ets.delete(t);
  });
});

describe('a target that appears during a conversion', () => {
  it.each(OUTPUTS)('is not clobbered without force (%s)', async (to, ext) => {
    const out = join(dir, `race.${ext}`);
    let created = false;
    let err: unknown;
    try {
      await convert(SOURCE, out, {
        to,
        batchSize: 100,
        onProgress: () => {
          if (created) return;
          created = true;
          fs.writeFileSync(out, 'appeared meanwhile');
        },
      });
    } catch (e) {
      err = e;
    }
    expect(created).toBe(true);
    expect(isTermstoreError(err, 'CONVERT_EXISTS')).toBe(true);
    expect(fs.readFileSync(out, 'utf8')).toBe('appeared meanwhile');
    // No temporary file is left behind.
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(`.race.${ext}.`))).toEqual([]);
  });
});
