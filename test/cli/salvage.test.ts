/**
 * `termstore salvage`: a damaged dets file's intact rows into a new file,
 * with the loss reported exactly and the damaged file left as it was.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dets } from '../../src/dets/index.js';
import { tempDir } from '../convert/support.js';
import { ensureDist } from '../build.js';
import { framesOf } from '../dets/frames.js';

const { dir, cleanup } = tempDir('salvage');
afterAll(cleanup);
let cli = '';
beforeAll(() => {
  cli = ensureDist();
}, 180_000);

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('termstore salvage', () => {
  it('writes every intact row to a new file, reports what was lost, and never touches the damaged file', async () => {
    const good = join(dir, 'good.tsdb');
    const t = await dets.openFile('salvage-src', { file: good });
    for (let i = 0; i < 10_000; i++) dets.insert(t, [i, `value ${i}`]);
    await dets.compact(t);
    await dets.close(t);
    const fr = framesOf(good)[2]!; // a block of snapshot rows
    const bytes = readFileSync(good);
    bytes[fr.offset + 1000]! ^= 0xff;
    const damaged = join(dir, 'damaged.tsdb');
    writeFileSync(damaged, bytes);

    // Opening it for real refuses without repair...
    const refused = run('verify', damaged);
    expect(refused.code).toBe(2);
    // ...salvage reads what is intact into a new file.
    const r = run('salvage', damaged, 'saved.tsdb');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/salvaged [\d,]+ rows/);
    expect(r.stdout).toMatch(/lost: snapshot rows \d+\.\.\d+ \(([\d,]+)\)/);
    const lost = Number(/lost: snapshot rows \d+\.\.\d+ \(([\d,]+)\)/.exec(r.stdout)![1]!.replace(/,/g, ''));
    expect(readFileSync(damaged).equals(bytes)).toBe(true);
    const s = await dets.openFile('salvaged', { file: join(dir, 'saved.tsdb'), repair: false });
    expect(dets.info(s, 'size')).toBe(10_000 - lost);
    for (const row of dets.tab2list(s)) expect(row[1]).toBe(`value ${String(row[0])}`);
    await dets.close(s);

    // Any output format; not a dets file: refused.
    expect(run('salvage', damaged, 'saved.jsonl').code).toBe(0);
    expect(readFileSync(join(dir, 'saved.jsonl'), 'utf8').trim().split('\n').length).toBe(10_000 - lost + 2); // a header and an end record
    expect(run('salvage', 'saved.jsonl', 'x.tsdb').code).toBe(2);
  });
});
