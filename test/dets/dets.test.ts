import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { dets, DetsTable } from '../../src/dets/index.js';
import { isLocked } from '../../src/dets/lock.js';
import type { TableType } from '../../src/engines/types.js';
import { isTermstoreError, type TermstoreError } from '../../src/errors.js';
import { ets } from '../../src/ets/index.js';
import { canonical } from '../../src/term/equal.js';
import { Tuple, type Row } from '../../src/term/types.js';
import type { MatchSpec } from '../../src/match-spec/types.js';
import { FaultyFs, rmDir, settle, tmpDir } from './helpers.js';

const dir = tmpDir('facade');
afterAll(async () => {
  for (const t of dets.all()) await dets.close(t).catch(() => undefined);
  rmDir(dir);
});
let n = 0;
const file = (): string => path.join(dir, `t${n++}.dets`);
const name = (): string => `tab${n++}`;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isTermstoreError(e) ? e.code : `non-termstore: ${String(e)}`;
  }
  return undefined;
}

async function rejectCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isTermstoreError(e) ? e.code : String(e);
  }
  return undefined;
}

const sorted = (rows: readonly Row[]): string[] => rows.map((r) => canonical(r)).sort();

describe('openFile, close, reference counting', () => {
  test('creates, reopens with the rows, counts opens', async () => {
    const f = file();
    const nm = name();
    const t = await dets.openFile(nm, { file: f });
    expect(t).toBeInstanceOf(DetsTable);
    expect(dets.isDetsFile(f)).toBe(true);
    dets.insert(t, [1, 'a']);
    dets.insert(nm, [2, 'b']); // by name
    const again = await dets.openFile(nm, { file: f });
    expect(again).toBe(t);
    expect(dets.info(t)!.openCount).toBe(2);
    await dets.close(t);
    expect(dets.lookup(t, 1)).toEqual([[1, 'a']]); // still open once
    await dets.close(t);
    expect(dets.info(t)).toBeUndefined();
    expect(codeOf(() => dets.lookup(t, 1))).toBe('DETS_CLOSED');
    expect(codeOf(() => dets.lookup(nm, 1))).toBe('ETS_NO_TABLE');
    const t2 = await dets.openFile(nm, { file: f });
    expect(t2).not.toBe(t);
    expect(sorted(dets.tab2list(t2))).toEqual(sorted([[1, 'a'], [2, 'b']]));
    await dets.close(t2);
  });

  test('option checks', async () => {
    const f = file();
    const nm = name();
    const t = await dets.openFile(nm, { file: f, type: 'bag', keypos: 2 });
    expect(await rejectCode(dets.openFile(nm, { file: f, type: 'set' }))).toBe('DETS_OPTIONS_MISMATCH');
    expect(await rejectCode(dets.openFile(nm, { file: file() }))).toBe('DETS_OPTIONS_MISMATCH');
    expect(await rejectCode(dets.openFile(name(), { file: f }))).toBe('DETS_LOCKED');
    await dets.close(t);
    expect(await rejectCode(dets.openFile(name(), { file: f, keypos: 1 }))).toBe('DETS_OPTIONS_MISMATCH');
    for (const bad of [{ type: 'queue' }, { keypos: 0 }, { autoSave: -5 }, { access: 'rw' }, { maxFileSize: 0 }, { repair: 'yes' }, { nope: 1 }]) {
      expect(await rejectCode(dets.openFile(name(), { file: file(), ...(bad as object) }))).toBe('ETS_BADARG');
    }
  });

  test("access: 'read' sees the last flush and refuses writes", async () => {
    const f = file();
    const w = await dets.openFile(name(), { file: f, autoSave: false });
    dets.insert(w, [1, 'flushed']);
    await dets.sync(w);
    dets.insert(w, [2, 'buffered']);
    // A reader in this process uses another name; it takes no lock.
    const r = await dets.openFile(name(), { file: f + '', access: 'read' }).catch((e: TermstoreError) => e);
    expect(isTermstoreError(r, 'DETS_LOCKED')).toBe(true); // same file, same process: one table per file
    await dets.close(w);
    const ro = await dets.openFile(name(), { file: f, access: 'read' });
    expect(dets.lookup(ro, 1).length).toBe(1);
    expect(codeOf(() => dets.insert(ro, [3, 'x']))).toBe('DETS_READ_ONLY');
    expect(codeOf(() => dets.delete(ro, 1))).toBe('DETS_READ_ONLY');
    expect(await rejectCode(dets.compact(ro))).toBe('DETS_READ_ONLY');
    await dets.sync(ro);
    await dets.close(ro);
    expect(isLocked(f)).toBe(false);
  });

  test('info reports the file and the pending writes', async () => {
    const f = file();
    const t = await dets.openFile(name(), { file: f, autoSave: false, type: 'ordered_set' });
    dets.insertMany(t, [[1], [2], [3]]);
    const i = dets.info(t)!;
    expect(i.filename).toBe(f);
    expect(i.type).toBe('ordered_set');
    expect(i.size).toBe(3);
    expect(i.pendingWrites).toBe(1);
    expect(i.pendingBytes).toBeGreaterThan(0);
    expect(i.durableSeq).toBeLessThan(i.writeSeq);
    expect(dets.info(t, 'autoSave')).toBe(false);
    await dets.sync(t);
    expect(dets.info(t, 'pendingWrites')).toBe(0);
    expect(dets.info(t, 'fileSize')).toBe(fs.statSync(f).size);
    await dets.close(t);
  });
});

describe('close and reopen races', () => {
  test('two closes of a single open share one close; an open during a close waits for it', async () => {
    const f = file();
    const nm = name();
    const t = await dets.openFile(nm, { file: f, autoSave: false });
    dets.insert(t, [1, 'a']);
    const c1 = dets.close(t);
    const c2 = dets.close(t);
    const reopened = dets.openFile(nm, { file: f });
    await Promise.all([c1, c2]);
    const t2 = await reopened;
    expect(t2).not.toBe(t);
    expect(dets.lookup(t2, 1)).toEqual([[1, 'a']]);
    await dets.close(t2);
  });
});

describe('durability helpers', () => {
  test('simulateCrash drops unflushed writes and frees the file', async () => {
    const f = file();
    const nm = name();
    const t = await dets.openFile(nm, { file: f, autoSave: false });
    dets.insert(t, [1, 'synced']);
    await dets.sync(t);
    dets.insert(t, [2, 'lost']);
    const durable = dets.whenDurable(t);
    await dets.simulateCrash(t);
    expect(await rejectCode(durable)).toBe('DETS_CLOSED');
    expect(isLocked(f)).toBe(false);
    const t2 = await dets.openFile(nm, { file: f });
    expect(dets.tab2list(t2)).toEqual([[1, 'synced']]);
    await dets.close(t2);
  });

  test('whenDurable resolves after the autoSave flush', async () => {
    const t = await dets.openFile(name(), { file: file(), autoSave: 50 });
    dets.insert(t, [1]);
    const t0 = Date.now();
    await dets.whenDurable(t);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
    expect(dets.info(t, 'pendingWrites')).toBe(0);
    await dets.close(t);
  });

  test("background failures are 'error' events", async () => {
    const ffs = new FaultyFs();
    const t = await dets.openFile(name(), { file: file(), autoSave: 10, fs: ffs });
    const errors: TermstoreError[] = [];
    t.on('error', (e) => errors.push(e));
    ffs.budget = 0;
    dets.insert(t, [1]);
    await settle(100);
    expect(errors.length).toBe(1);
    expect(errors[0]!.code).toBe('DETS_IO');
    expect(dets.info(t, 'lastError')?.code).toBe('DETS_IO');
    ffs.budget = Infinity;
    await dets.sync(t);
    await dets.close(t);
  });
});

describe('toEts, fromEts, all, isDetsFile', () => {
  test('round trip through an ets table', async () => {
    const t = await dets.openFile(name(), { file: file(), type: 'bag' });
    dets.insertMany(t, [[1, 'a'], [1, 'b'], [2, 'c']]);
    const e = ets.new('copy', { type: 'bag', access: 'public' });
    expect(dets.toEts(t, e)).toBe(e);
    expect(sorted(ets.tab2list(e))).toEqual(sorted(dets.tab2list(t)));
    ets.insert(e, [3, 'd']);
    ets.delete(e, 1);
    dets.fromEts(t, e);
    expect(sorted(dets.tab2list(t))).toEqual(sorted([[2, 'c'], [3, 'd']]));
    expect(dets.all()).toContain(t);
    await dets.close(t);
    expect(dets.all()).not.toContain(t);
    ets.delete(e);
  });

  test('isDetsFile', () => {
    const f = file();
    fs.writeFileSync(f, 'text');
    expect(dets.isDetsFile(f)).toBe(false);
    expect(dets.isDetsFile(path.join(dir, 'missing'))).toBe(false);
  });
});

// ------------------------------------------------------------------ model test

type Op = { kind: string; args: unknown[] };

const keyArb = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom('a', 'b', Tuple.from([1, 'x']), 2n));
const rowArb = fc.tuple(keyArb, fc.oneof(fc.integer({ min: -3, max: 3 }), fc.string({ maxLength: 3 })), fc.integer({ min: 0, max: 5 })).map((r) => r as unknown[]);
const opArb = fc.oneof(
  rowArb.map((r) => ({ kind: 'insert', args: [r] })),
  fc.array(rowArb, { maxLength: 4 }).map((rs) => ({ kind: 'insertMany', args: [rs] })),
  rowArb.map((r) => ({ kind: 'insertNew', args: [r] })),
  keyArb.map((k) => ({ kind: 'delete', args: [k] })),
  rowArb.map((r) => ({ kind: 'deleteObject', args: [r] })),
  keyArb.map((k) => ({ kind: 'take', args: [k] })),
  fc.tuple(keyArb, fc.integer({ min: -5, max: 5 })).map(([k, i]) => ({ kind: 'updateCounter', args: [k, [3, i], [k, 0, 0]] })),
  fc.tuple(keyArb, fc.string({ maxLength: 2 })).map(([k, v]) => ({ kind: 'updateElement', args: [k, [2, v]] })),
  fc.integer({ min: 0, max: 5 }).map((v) => ({ kind: 'selectDelete', args: [[[['_', '_', '$1'], [['>', '$1', v]], [true]]]] })),
  fc.integer({ min: 0, max: 5 }).map((v) => ({ kind: 'selectReplace', args: [[[['$1', '$2', '$3'], [['<', '$3', v]], [['$1', 'r', '$3']]]]] })),
  fc.constant({ kind: 'deleteAllObjects', args: [] }),
  keyArb.map((k) => ({ kind: 'lookup', args: [k] })),
  fc.constant({ kind: 'select', args: [[[['$1', '_', '_'], [], ['$1']]]] }),
) as unknown as fc.Arbitrary<Op>;

function run(api: Record<string, unknown>, t: unknown, op: Op): unknown {
  try {
    const v = (api[op.kind] as (...a: unknown[]) => unknown)(t, ...op.args);
    return { ok: Array.isArray(v) ? sorted(v as Row[]) : v };
  } catch (e) {
    return { err: isTermstoreError(e) ? e.code : String(e) };
  }
}

describe('dets behaves as ets, and the file replays to the same table', () => {
  const types: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
  test.each(types)('%s', async (type) => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), fc.boolean(), async (opsList, compactMidway) => {
        const f = file();
        const nm = name();
        const d = await dets.openFile(nm, { file: f, type, autoSave: false });
        const e = ets.new('model', { type, access: 'public' });
        try {
          for (let i = 0; i < opsList.length; i++) {
            const op = opsList[i]!;
            expect(run(dets as never, d, op)).toEqual(run(ets as never, e, op));
            if (compactMidway && i === opsList.length >> 1) await dets.compact(d);
          }
          expect(sorted(dets.tab2list(d))).toEqual(sorted(ets.tab2list(e)));
          await dets.close(d);
          const d2 = await dets.openFile(nm, { file: f });
          expect(sorted(dets.tab2list(d2))).toEqual(sorted(ets.tab2list(e)));
          await dets.close(d2);
        } finally {
          ets.delete(e);
          if (d.isOpen) await dets.close(d);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('select with limits and continuations on a dets table', () => {
  test('chunks cover the table; a closed table invalidates its continuation', async () => {
    const t = await dets.openFile(name(), { file: file(), type: 'ordered_set' });
    for (let i = 0; i < 25; i++) dets.insert(t, [i, i * 2]);
    const spec: MatchSpec = [[['$1', '$2'], [], ['$2']]];
    let r = dets.select(t, spec, 10);
    const seen: unknown[] = [];
    while (r !== dets.END_OF_TABLE) {
      const [items, cont] = r as [unknown[], unknown];
      seen.push(...items);
      r = dets.select(cont as never);
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
    const first = dets.select(t, spec, 5);
    await dets.close(t);
    expect(codeOf(() => dets.select((first as [unknown[], never])[1]))).toBe('ETS_BAD_CONTINUATION');
  });
});

describe('opening a large file', () => {
  test('loads in slices: the event loop turns while openFile is pending', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'termstore-slices-'));
    try {
      const file = path.join(dir, 'big.tsdb');
      const t = await dets.openFile('slices-w', { file, autoSave: false });
      for (let i = 0; i < 200; i++) dets.insertMany(t, Array.from({ length: 1000 }, (_, j) => [i * 1000 + j, `row ${i * 1000 + j}`]));
      await dets.close(t);
      let turns = 0;
      let pending = true;
      const tick = (): void => {
        turns++;
        if (pending) setImmediate(tick);
      };
      setImmediate(tick);
      const r = await dets.openFile('slices-r', { file, access: 'read' });
      pending = false;
      expect(dets.info(r, 'size')).toBe(200_000);
      // 200,000 rows take far more than one 16 ms slice to load, on any machine: the loop turned between slices.
      expect(turns).toBeGreaterThan(2);
      await dets.close(r);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
