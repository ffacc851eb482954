/**
 * `iterateTableFile`: the rows of a table file of any format, one at a
 * time, as `convert` reads them; breaking out of the loop closes the file.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert, iterateTableFile, type Row } from '../../src/index.js';
import { FIXTURES } from './helpers.js';
import { EXT, FORMATS, readAll, tempDir } from './support.js';

const { dir, cleanup } = tempDir('iterate');
afterAll(cleanup);
const LARGE = join(FIXTURES, 'tab2file', 'large.tab');

/** Open file descriptors of this process (Linux). */
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('iterateTableFile', () => {
  it.each(FORMATS)('gives the rows of a %s file one at a time, as openTableFile does', async (format) => {
    const file = join(dir, `large.${EXT[format]}`);
    if (format !== 'erl-tab') await convert(LARGE, file, { force: true });
    const src = format === 'erl-tab' ? LARGE : file;
    const rows: unknown[][] = [];
    for await (const row of iterateTableFile(src)) rows.push(Array.from(row));
    expect(rows.length).toBe(20000);
    expect(rows).toEqual(await readAll(src));
  });

  it.runIf(process.platform === 'linux')('closes the file when the loop stops early or throws', async () => {
    for (const src of [LARGE, join(dir, 'large.sqlite'), join(dir, 'large.cbor')]) {
      const before = openFds();
      let n = 0;
      for await (const _ of iterateTableFile(src)) if (++n === 10) break;
      expect(n).toBe(10);
      expect(openFds()).toBe(before);
      await expect(
        (async () => {
          for await (const _ of iterateTableFile(src)) throw new Error('stop');
        })(),
      ).rejects.toThrow('stop');
      expect(openFds()).toBe(before);
    }
  });

  it("with terms: 'storable' gives rows a table holds", async () => {
    const it = iterateTableFile(LARGE, { terms: 'storable' });
    const first = await it.next();
    const row: Row | void = first.value;
    expect(row![1]).toBe((row![0] as number) * 3);
    await it.return();
  });

  it('reports a missing file or a bad option with its code', async () => {
    await expect(iterateTableFile(join(dir, 'missing.tab')).next()).rejects.toMatchObject({ code: 'CONVERT_IO' });
    await expect(iterateTableFile(LARGE, { terms: 'loose' as never }).next()).rejects.toHaveProperty('code');
  });
});
