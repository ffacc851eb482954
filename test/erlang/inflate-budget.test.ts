/**
 * The inflate budget of compressed Erlang terms (ETF tag 80): bytes and
 * terms decoded from inflated data, per `decodeTerm` call and per batch of
 * the file readers, with options to raise them (API, convert, CLI).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { logItem } from '../../src/erlang/disk-log.js';
import { MAX_INFLATED_BYTES, MAX_INFLATED_TERMS, convert, decodeTerm, encodeTerm, ets, readTab2File, writeTab2File } from '../../src/index.js';
import { Tuple, type Term } from '../../src/term/types.js';
import { CLI, ensureDist } from '../build.js';
import { tempDir } from '../convert/support.js';

const { dir, cleanup } = tempDir('inflate');
afterAll(cleanup);

/** `131 80 Size zlib(body)`: a compressed term around the ETF body `body` (no version byte). */
function compressed(body: Buffer): Buffer {
  const head = Buffer.from([131, 80, 0, 0, 0, 0]);
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, deflateSync(body)]);
}

/** The ETF body of a list of `n` empty lists. */
function listOfNils(n: number): Buffer {
  const b = Buffer.alloc(5 + n + 1, 106);
  b[0] = 108;
  b.writeUInt32BE(n, 1);
  return b;
}

/** A valid tab2file file of `n` objects, each `{i, [a, a, ... 300 times]}` stored compressed (302 terms each). */
async function compressedObjects(file: string, n: number): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => Tuple.of(i, Array.from({ length: 300 }, () => Symbol.for('a')) as Term) as Tuple);
  // OTP's writer (and ours) stores objects uncompressed: keep its header, then the objects compressed.
  await writeTab2File(file, rows, { force: true });
  const plain = readFileSync(file);
  writeFileSync(file, plain.subarray(0, 16 + plain.readUInt32BE(8)));
  for (const obj of rows) {
    const bytes = encodeTerm(obj, { compressed: 9 });
    expect(bytes[1]).toBe(80);
    appendFileSync(file, logItem(bytes));
  }
}

describe('inflate budget', () => {
  it('has documented defaults', () => {
    expect(MAX_INFLATED_BYTES).toBe(256 * 1024 * 1024);
    expect(MAX_INFLATED_TERMS).toBe(1_000_000);
  });

  it('refuses a term that inflates to more terms than the budget, before allocating for them', () => {
    const t = compressed(listOfNils(1_100_000));
    let e: unknown;
    try {
      decodeTerm(t);
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: 'CONVERT_LIMIT', details: { limit: 'maxInflatedTerms', offset: 1 } });
    expect((decodeTerm(t, { maxInflatedTerms: 1_100_001 }) as unknown[]).length).toBe(1_100_000);
    expect(() => decodeTerm(t, { maxInflatedTerms: 1_100_000 })).toThrow(expect.objectContaining({ code: 'CONVERT_LIMIT' }) as Error);
    expect((decodeTerm(t, { maxInflatedTerms: Infinity }) as unknown[]).length).toBe(1_100_000);
  });

  it('refuses inflating more bytes than maxInflatedBytes, and a term over maxUncompressedSize', () => {
    const t = compressed(Buffer.concat([Buffer.from([109, 0, 0, 0x10, 0]), Buffer.alloc(0x1000)])); // a 4 KiB binary
    expect(() => decodeTerm(t, { maxInflatedBytes: 4000 })).toThrow(expect.objectContaining({ code: 'CONVERT_LIMIT', details: expect.objectContaining({ limit: 'maxInflatedBytes' }) }) as Error);
    expect(() => decodeTerm(t, { maxUncompressedSize: 4000 })).toThrow(expect.objectContaining({ code: 'CONVERT_LIMIT', details: expect.objectContaining({ limit: 'maxUncompressedSize' }) }) as Error);
    expect((decodeTerm(t, { maxInflatedBytes: 5000, binaries: 'bytes' }) as Uint8Array).length).toBe(0x1000);
  });

  it('refuses invalid budget options (ETS_BADARG; CONVERT_BADARG from convert)', () => {
    const t = compressed(listOfNils(1));
    for (const bad of [-1, 1.5, Number.NaN, '10']) {
      expect(() => decodeTerm(t, { maxInflatedTerms: bad as number })).toThrow(expect.objectContaining({ code: 'ETS_BADARG' }) as Error);
      expect(() => decodeTerm(t, { maxInflatedBytes: bad as number })).toThrow(expect.objectContaining({ code: 'ETS_BADARG' }) as Error);
    }
  });

  it('spans a batch of the tab2file reader and starts afresh with the next', async () => {
    const f = join(dir, 'compressed.tab');
    await compressedObjects(f, 10);
    // 10 objects of 302 terms: 3020 in all, 604 per batch of 2.
    const all = await readTab2File(f, { batchSize: 2, maxInflatedTerms: 700 });
    expect(all.rows.length).toBe(10);
    await expect(readTab2File(f, { batchSize: 10, maxInflatedTerms: 700 })).rejects.toMatchObject({
      code: 'CONVERT_LIMIT',
      details: { limit: 'maxInflatedTerms' },
    });
  });

  it('reaches convert, ets.file2tab and the CLI', async () => {
    const f = join(dir, 'compressed-cli.tab');
    await compressedObjects(f, 3);
    await expect(convert(f, join(dir, 'out.jsonl'), { maxInflatedTerms: 100 })).rejects.toMatchObject({ code: 'CONVERT_LIMIT' });
    await expect(convert(f, join(dir, 'out.jsonl'), { maxInflatedTerms: -3 })).rejects.toMatchObject({ code: 'CONVERT_BADARG' });
    expect((await convert(f, join(dir, 'out.jsonl'), { maxInflatedTerms: 10_000 })).rows).toBe(3);
    await expect(ets.file2tab(f, { maxInflatedTerms: 100 })).rejects.toMatchObject({ code: 'CONVERT_LIMIT' });
    await expect(ets.file2tab(f, { maxInflatedBytes: -1 })).rejects.toMatchObject({ code: 'ETS_BADARG' });
    const t = await ets.file2tab(f, { maxInflatedTerms: 10_000 });
    expect(ets.info(t, 'size')).toBe(3);
    ets.delete(t);
    ensureDist();
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    const refused = run('dump', f, '--max-inflated-terms', '100');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^termstore dump: CONVERT_LIMIT: .*maxInflatedTerms/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const ok = run('dump', f, '--max-inflated-terms', 'inf');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim().split('\n').length).toBe(3);
    expect(run('dump', f, '--max-inflated-terms', 'lots').status).toBe(1);
  });
});
