/**
 * Integers and floats through live OTP 25, checked with `=:=` by OTP
 * itself: an OTP set holding `{1, a}` beside `{1.0, b}`, `3.0e300` and
 * other integral floats, taken through every path a table offers and
 * written back for OTP; and a termstore set holding `1` and `1n`, which
 * OTP reads as one key.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import { ErlFloat, dets, ets } from '../../src/index.js';
import { runChecker, tempDir } from '../convert/helpers.js';
import { requireErl } from '../tools.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const ORIG_TAB = join(dir, 'orig.tab');
const ORIG_DETS = join(dir, 'orig.dets');

function erl(code: string): string {
  requireErl();
  return execFileSync('erl', ['-noshell', '-eval', `${code}, halt().`], { encoding: 'utf8', timeout: 120_000 });
}

/** The objects OTP writes: two keys that are == but not =:=, and integral floats of every size. */
const OBJECTS = '[{1, a}, {1.0, b}, {x, 3.0e300}, {y, [1.0, 2.5, -0.0, 100000000000000000000, 1.0e20, 9007199254740993]}, {{2.0, z}, c}, {2, d}, {3.0, #{1 => int, 1.0 => float}}]';

function expectSame(out: string, pairs: number): void {
  const lines = out.trim().split('\n');
  expect(lines.filter((l) => l.startsWith('same')).length, out).toBe(pairs);
}

describe('{1, a} beside {1.0, b}, and 3.0e300, through live OTP', () => {
  beforeAll(() => {
    erl(
      `T = ets:new(nums, [set]), true = ets:insert(T, ${OBJECTS}), ok = ets:tab2file(T, "${ORIG_TAB}"), ` +
        `{ok, D} = dets:open_file(nums_dets, [{file, "${ORIG_DETS}"}, {type, set}]), ok = dets:insert(D, ${OBJECTS}), ok = dets:close(D)`,
    );
  });

  it('ets.file2tab keeps both keys and every float (termstore side)', async () => {
    const t = await ets.file2tab(ORIG_TAB);
    expect(ets.info(t, 'size')).toBe(7);
    expect(ets.lookup(t, 1)).toEqual([[1, Symbol.for('a')]]);
    expect(ets.lookup(t, new ErlFloat(1))).toEqual([[new ErlFloat(1), Symbol.for('b')]]);
    expect(ets.lookupElement(t, Symbol.for('x'), 2)).toBe(3e300);
    expect(ets.lookupElement(t, Symbol.for('y'), 2)).toEqual([new ErlFloat(1), 2.5, new ErlFloat(-0), 10n ** 20n, 1e20, 9007199254740993n]);
    ets.delete(t);
  });

  it('ETF file → ets.file2tab → ets.tab2file (format erlang): =:= in OTP', async () => {
    const t = await ets.file2tab(ORIG_TAB);
    const out = join(dir, 'via-ets.tab');
    await ets.tab2file(t, out, { format: 'erlang' });
    ets.delete(t);
    expectSame(runChecker(['tabs', ORIG_TAB, out]), 1);
  });

  it('→ a termstore tab file → back: =:= in OTP', async () => {
    const t = await ets.file2tab(ORIG_TAB);
    const mine = join(dir, 'via-tab.tstab');
    await ets.tab2file(t, mine);
    ets.delete(t);
    const t2 = await ets.file2tab(mine);
    const out = join(dir, 'via-tab.tab');
    await ets.tab2file(t2, out, { format: 'erlang' });
    ets.delete(t2);
    expectSame(runChecker(['tabs', ORIG_TAB, out]), 1);
  });

  it('→ a dets file (written, closed, reopened) → back: =:= in OTP', async () => {
    const t = await ets.file2tab(ORIG_TAB);
    const file = join(dir, 'via.tsdb');
    const d = await dets.openFile('nums_via_dets', { file });
    dets.fromEts(d, t);
    await dets.close(d);
    ets.delete(t);
    const d2 = await dets.openFile('nums_via_dets', { file });
    const back = dets.toEts(d2, ets.new('nums_back', {}));
    await dets.compact(d2); // the snapshot path of the format too
    await dets.close(d2);
    const d3 = await dets.openFile('nums_via_dets', { file });
    expect(dets.tab2list(d3).length).toBe(7);
    await dets.close(d3);
    const out = join(dir, 'via-dets.tab');
    await ets.tab2file(back, out, { format: 'erlang' });
    ets.delete(back);
    expectSame(runChecker(['tabs', ORIG_TAB, out]), 1);
  });

  it('an OTP DETS file → a termstore dets file → OTP tab2file and DETS files: =:= in OTP', async () => {
    const mine = join(dir, 'from-otp-dets.tsdb');
    await convert(ORIG_DETS, mine);
    const tab = join(dir, 'from-otp-dets.tab');
    const otpDets = join(dir, 'from-otp-dets.dets');
    await convert(mine, tab);
    await convert(mine, otpDets);
    expectSame(runChecker(['dets_tab', ORIG_DETS, tab]), 1);
    expectSame(runChecker(['dets_dets', ORIG_DETS, otpDets]), 1);
  });
});

describe('integers are one type: what OTP reads from a termstore set', () => {
  it('a set holding 1 and 1n written as an Erlang tab file is read by OTP as one key', async () => {
    const t = ets.new('one_and_1n', {});
    ets.insert(t, [1, 'a']);
    ets.insert(t, [1n, 'b']); // the same key: replaces
    ets.insert(t, [1e20, 'float']); // a float (not a safe integer)
    ets.insert(t, [10n ** 20n, 'integer']); // another key
    expect(ets.info(t, 'size')).toBe(3);
    const out = join(dir, 'one-key.tab');
    await ets.tab2file(t, out, { format: 'erlang' });
    ets.delete(t);
    const said = erl(
      `{ok, T} = ets:file2tab("${out}", [{verify, true}]), ` +
        `io:format("~p ~p ~p ~p~n", [ets:info(T, size), ets:lookup(T, 1), ets:lookup(T, 1.0e20), ets:lookup(T, 100000000000000000000)])`,
    );
    expect(said.trim()).toBe('3 [{1,<<"b">>}] [{1.0e20,<<"float">>}] [{100000000000000000000,<<"integer">>}]');
  });
});
