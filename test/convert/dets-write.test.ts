import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { readDetsFile } from '../../src/erlang/dets-v9-read.js';
import { slotsFor, writeDetsFile } from '../../src/erlang/dets-v9-write.js';
import { readTab2File, writeTab2File } from '../../src/erlang/tab2file.js';
import { phash2 } from '../../src/erlang/phash2.js';
import { decodeTerm } from '../../src/erlang/etf.js';
import { ErlFloat, erlCanonical, type ErlTerm } from '../../src/erlang/terms.js';
import { erlTermArb } from './arbitraries.js';
import { Pid, Tuple, type Term } from '../../src/term/index.js';
import { FIXTURES, expectSameRowsByKey, expectSameTerms, runChecker, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const t = (...xs: unknown[]): Tuple => Tuple.from(xs as Term[]) as Tuple;
const a = (n: string): symbol => Symbol.for(n);
const dets = (name: string): string => join(FIXTURES, 'dets', `${name}.dets`);

/** What a DETS table of `type` holds after inserting `rows` in order (a naive model). */
function detsModel(type: 'set' | 'bag' | 'duplicate_bag', rows: readonly Tuple[]): Tuple[] {
  const byKey = new Map<string, Tuple[]>();
  for (const r of rows) {
    const k = erlCanonical(r[0]);
    const l = byKey.get(k) ?? [];
    if (type === 'set') l.length = 0;
    if (type === 'bag') {
      const i = l.findIndex((x) => erlCanonical(x) === erlCanonical(r));
      if (i >= 0) l.splice(i, 1);
    }
    l.push(r);
    byKey.set(k, l);
  }
  return [...byKey.values()].flat();
}

/** Tables of random rows with distinct keys (any term kind as key), and, for bags, extra rows per key. */
const randomTableArb = fc
  .tuple(
    fc.constantFrom<'set' | 'bag' | 'duplicate_bag'>('set', 'bag', 'duplicate_bag'),
    fc.uniqueArray(fc.tuple(erlTermArb, erlTermArb), { maxLength: 40, selector: ([k]) => erlCanonical(k) }),
  )
  .map(([type, pairs]) => {
    const rows = pairs.map(([k, v]) => t(k, v));
    if (type !== 'set') for (const [k, v] of pairs.slice(0, 5)) rows.push(t(k, [v]), t(k, v));
    return { type, rows };
  });

describe('writeDetsFile', () => {
  it('round-trips the DETS fixtures through the reader', async () => {
    for (const name of ['set', 'bag', 'duplicate_bag', 'empty', 'large']) {
      const orig = await readDetsFile(dets(name));
      const out = join(dir, `${name}.dets`);
      const res = await writeDetsFile(out, orig.rows as Tuple[], { type: orig.info.type, keypos: orig.info.keypos });
      expect(res).toEqual({ objectCount: orig.info.objectCount, keyCount: orig.info.keyCount });
      const back = await readDetsFile(out);
      expect(back.info).toMatchObject({ type: orig.info.type, keypos: orig.info.keypos, closedProperly: true, hasMd5: true, hashMethod: 'phash2' });
      // about two keys per slot, whole segments of 256, as OTP's own files after batched inserts
      expect(back.info.slots).toBe(slotsFor(back.info.keyCount));
      expectSameRowsByKey(back.rows, orig.rows);
    }
  });

  it('sizes the table like OTP (two keys per slot, in segments) and places every key in the slot dets_v9:db_hash gives', async () => {
    expect([0, 1, 512, 513, 1_000_000].map(slotsFor)).toEqual([256, 256, 256, 512, 500_224]);
    const out = join(dir, 'slots.dets');
    const count = 2600; // 1536 slots: M = 1024 with N = 512 slots already split (linear hashing)
    const rows = Array.from({ length: count }, (_, i) => t(i % 3 === 0 ? `k${i}` : i % 3 === 1 ? i : t(a('k'), i), i));
    await writeDetsFile(out, rows);
    const b = readFileSync(out);
    const [m, next, n] = [b.readUInt32BE(20), b.readUInt32BE(24), b.readUInt32BE(52)];
    expect({ m, next, n }).toEqual({ m: 1024, next: 1536, n: 512 });
    const slotOf = (k: ErlTerm): number => {
      const h = phash2(k);
      return (h & (m - 1)) < n ? h & (2 * m - 1) : h & (m - 1);
    };
    // walk the segments: slot s holds only keys whose db_hash is s
    let seen = 0;
    for (let s = 0; s < next; s++) {
      const part = b.readUInt32BE(312 + 4 * (s >> 17));
      const seg = b.readUInt32BE(part + 4 * ((s >> 8) & 511));
      const size = b.readUInt32BE(seg + 8 * (s & 255));
      const ptr = b.readUInt32BE(seg + 8 * (s & 255) + 4);
      if (ptr === 0) continue;
      for (let at = ptr + 8; at < ptr + size; ) {
        const objSize = b.readUInt32BE(at);
        const obj = decodeTerm(b.subarray(at + 4, at + objSize)) as Tuple;
        expect(slotOf(obj[0] as ErlTerm)).toBe(s);
        seen++;
        at += objSize;
      }
    }
    expect(seen).toBe(count);
  });

  it('applies DETS insert semantics per type', async () => {
    const rows = [t(1, a('a')), t(2, a('b')), t(1, a('c')), t(1, a('a')), t(1, new ErlFloat(1)), t(new ErlFloat(1), a('float key'))];
    const read = async (type: 'set' | 'bag' | 'duplicate_bag'): Promise<ErlTerm[]> => {
      const out = join(dir, `sem-${type}.dets`);
      await writeDetsFile(out, rows, { type, force: true });
      const r = (await readDetsFile(out)).rows;
      // order the keys as in the input (1, 2, 1.0) for comparison
      const order = ['i1', 'i2', 'f1'];
      const keyOf = (x: ErlTerm): string => {
        const k = (x as Tuple)[0];
        return k instanceof ErlFloat ? 'f1' : `i${String(k)}`;
      };
      return [...r].sort((p, q) => order.indexOf(keyOf(p)) - order.indexOf(keyOf(q)));
    };
    // set: the last row of a key wins; 1 and 1.0 are different keys
    expectSameTerms(await read('set'), [t(1, new ErlFloat(1)), t(2, a('b')), t(new ErlFloat(1), a('float key'))]);
    // bag: a repeated object moves after the others of its key
    expectSameTerms(await read('bag'), [t(1, a('c')), t(1, a('a')), t(1, new ErlFloat(1)), t(2, a('b')), t(new ErlFloat(1), a('float key'))]);
    // duplicate_bag: everything, in order
    expectSameTerms(await read('duplicate_bag'), [t(1, a('a')), t(1, a('c')), t(1, a('a')), t(1, new ErlFloat(1)), t(2, a('b')), t(new ErlFloat(1), a('float key'))]);
  });

  it('supports keypos and async iterables; refuses bad rows, options and overwrites', async () => {
    const out = join(dir, 'kp.dets');
    async function* gen(): AsyncGenerator<ErlTerm[]> {
      for (let i = 0; i < 300; i++) yield [a('rec'), i, `v${i}`];
    }
    expect(await writeDetsFile(out, gen(), { keypos: 2 })).toEqual({ objectCount: 300, keyCount: 300 });
    const back = await readDetsFile(out);
    expect(back.info.keypos).toBe(2);
    expect(back.info.slots).toBe(256);
    await expect(writeDetsFile(out, [])).rejects.toMatchObject({ code: 'CONVERT_EXISTS' });
    await expect(writeDetsFile(join(dir, 'bad.dets'), [t(1), t(new Pid(2))])).rejects.toMatchObject({
      code: 'CONVERT_UNSUPPORTED_TERM',
      details: { position: 1 },
    });
    await expect(writeDetsFile(join(dir, 'bad.dets'), [t(1)], { keypos: 2 })).rejects.toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM' });
    await expect(writeDetsFile(join(dir, 'bad.dets'), [], { type: 'ordered_set' as never })).rejects.toMatchObject({ code: 'ETS_BADARG' });
  });
});

describe('random tables', () => {
  it('round-trip through writeDetsFile and readDetsFile, and through tab2file', async () => {
    const tables = fc.sample(randomTableArb, { numRuns: 25, seed: 11 });
    for (const [i, { type, rows }] of tables.entries()) {
      const out = join(dir, `rand-${i}.dets`);
      await writeDetsFile(out, rows, { type });
      const back = await readDetsFile(out);
      const want = detsModel(type, rows);
      expectSameRowsByKey(back.rows, want);
      const tab = join(dir, `rand-${i}.tab`);
      await writeTab2File(tab, back.rows as Tuple[], { type });
      expectSameRowsByKey((await readTab2File(tab)).rows, want);
    }
  });

  it('OTP sees the same objects in both and finds every key in the DETS file (live OTP)', async () => {
    const args: string[] = [];
    for (const [i, { type, rows }] of fc.sample(randomTableArb, { numRuns: 12, seed: 12 }).entries()) {
      const d = join(dir, `live-rand-${i}.dets`);
      const tab = join(dir, `live-rand-${i}.tab`);
      await writeDetsFile(d, rows, { type });
      await writeTab2File(tab, rows, { type });
      args.push(d, tab);
    }
    const lines = runChecker(['dets_tab', ...args]).trim().split('\n');
    expect(lines.filter((l) => l.startsWith('same')).length, lines.join('\n')).toBe(args.length / 2);
  });
});

describe('DETS files written by termstore in live OTP', () => {
  it('dets:open_file opens them without repair, finds every key, sees the same objects in the same order', async () => {
    const args: string[] = [];
    for (const name of ['set', 'bag', 'duplicate_bag', 'empty', 'large']) {
      const orig = await readDetsFile(dets(name));
      const out = join(dir, `live-${name}.dets`);
      await writeDetsFile(out, orig.rows as Tuple[], { type: orig.info.type, keypos: orig.info.keypos });
      args.push(dets(name), out);
    }
    const lines = runChecker(['dets_dets', ...args]).trim().split('\n');
    expect(lines.filter((l) => l.startsWith('same')).length, lines.join('\n')).toBe(args.length / 2);
  });

  it('tab2file fixtures converted to DETS hold the same objects for OTP', async () => {
    const args: string[] = [];
    for (const name of ['set', 'bag', 'duplicate_bag', 'keypos2', 'large']) {
      const tab = join(FIXTURES, 'tab2file', `${name}.tab`);
      const { info, rows } = await readTab2File(tab);
      const out = join(dir, `from-tab-${name}.dets`);
      await writeDetsFile(out, rows as Tuple[], { type: info.type as 'set' | 'bag' | 'duplicate_bag', keypos: info.keypos });
      args.push(out, tab);
    }
    const lines = runChecker(['dets_tab', ...args]).trim().split('\n');
    expect(lines.filter((l) => l.startsWith('same')).length, lines.join('\n')).toBe(args.length / 2);
  });

  it('OTP can go on writing to them (free lists and counters are consistent)', async () => {
    for (const name of ['bag', 'large']) {
      const orig = await readDetsFile(dets(name));
      const out = join(dir, `modify-${name}.dets`);
      await writeDetsFile(out, orig.rows as Tuple[], { type: orig.info.type });
      const res = runChecker(['dets_modify', out]).trim();
      expect(res).toMatch(/^ok \d+$/);
      // and termstore reads what OTP wrote
      const back = await readDetsFile(out);
      expect(back.rows.length).toBe(Number(res.split(' ')[1]));
    }
    // a keypos-2 table
    const out = join(dir, 'modify-kp2.dets');
    await writeDetsFile(out, Array.from({ length: 3000 }, (_, i) => t(a('r'), i, [i])), { keypos: 2, type: 'duplicate_bag' });
    expect(runChecker(['dets_modify', out]).trim()).toMatch(/^ok \d+$/);
  });
});
