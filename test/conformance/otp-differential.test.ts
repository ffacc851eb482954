/**
 * The differential test against live OTP 25: fixed-seed random operation
 * scripts over all four table types and both key positions (1 and 2), run
 * by termstore and by `ets` in one `erl` process (test/conformance/otp/
 * ets_diff.escript), compared op by op. Zero mismatches.
 *
 * The scripts (otp-diff/script.ts) insert, look up, delete, count, update
 * and walk, and query with the match specs and patterns of
 * otp-diff/catalogue.ts (guards, bodies, constants, head|tail patterns),
 * with limits and continuations. Results are compared as OTP prints them
 * (`=:=`); on hash tables, results that list several keys are compared as
 * multisets, since ETS walks them in hash order (otp-diff/run.ts).
 *
 * OTP is required: without `erl` this test fails, loudly (`npm test`
 * installs erlang-nox first as root, see scripts/test-deps.sh).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTerm, encodeTerm } from '../../src/erlang/etf.js';
import type { ErlTerm } from '../../src/erlang/terms.js';
import type { TableType } from '../../src/engines/types.js';
import { Tuple, type Term } from '../../src/term/types.js';
import { canon, normalize, runTermstore } from './otp-diff/run.js';
import { Rng, ScriptGen, type Op } from './otp-diff/script.js';
import { otpRelease, requireErl } from '../tools.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNNER = join(here, 'otp', 'ets_diff.escript');

const TYPES: TableType[] = ['set', 'ordered_set', 'bag', 'duplicate_bag'];
const SCRIPTS_PER_TABLE = 5;
const OPS_PER_SCRIPT = 500;
const SEED = 20261207;

interface Case {
  type: TableType;
  keypos: number;
  seed: number;
  ops: Op[];
}

function cases(): Case[] {
  const out: Case[] = [];
  let n = 0;
  for (const type of TYPES) {
    for (const keypos of [1, 2]) {
      for (let i = 0; i < SCRIPTS_PER_TABLE; i++) {
        const seed = SEED + n++;
        const gen = new ScriptGen(new Rng(seed), type, keypos);
        const ops: Op[] = [];
        for (let j = 0; j < OPS_PER_SCRIPT; j++) ops.push(gen.op());
        out.push({ type, keypos, seed, ops });
      }
    }
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'termstore-otp-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('termstore ets against live OTP 25 ets (fixed-seed random scripts)', () => {
  it(`agrees op by op on ${TYPES.length * 2 * SCRIPTS_PER_TABLE * OPS_PER_SCRIPT} operations over every table type and key position`, () => {
    const all = cases();
    const input = join(dir, 'script.etf');
    const output = join(dir, 'results.etf');
    const erlCases = all.map((c) => Tuple.from([Symbol.for(c.type), c.keypos, c.ops.map((o) => o.erl) as Term]) as unknown as ErlTerm);
    writeFileSync(input, encodeTerm(erlCases));
    requireErl();
    // The expected behaviour is OTP 25's (later releases changed a few results, e.g. float zeros, lookup_element/4).
    expect(otpRelease(), 'the differential test compares with OTP 25: install erlang-nox from a distribution that ships OTP 25 (Debian 12)').toBe('25');
    execFileSync('escript', [RUNNER, input, output], { timeout: 300_000, stdio: ['ignore', 'ignore', 'pipe'] });
    const otp = decodeTerm(new Uint8Array(readFileSync(output))) as ErlTerm[][];
    expect(otp.length).toBe(all.length);

    const mismatches: string[] = [];
    let compared = 0;
    /** Per op name: how many ran, and how many gave a result other than an error (the scripts must exercise each). */
    const seen = new Map<string, { ops: number; ok: number }>();
    all.forEach((c, i) => {
      const mine = runTermstore(c.type, c.keypos, c.ops);
      const theirs = otp[i]!;
      c.ops.forEach((op, j) => {
        compared++;
        const s = seen.get(op.name) ?? { ops: 0, ok: 0 };
        s.ops++;
        if (theirs[j] !== Symbol.for('$error')) s.ok++;
        seen.set(op.name, s);
        const a = canon(normalize(op, mine[j]!, c.type));
        const b = canon(normalize(op, theirs[j]!, c.type));
        if (a !== b && mismatches.length < 20) {
          mismatches.push(`${c.type} keypos ${c.keypos} seed ${c.seed} op ${j} ${op.name}(${canon(op.erl).slice(0, 300)}):\n  termstore ${a.slice(0, 400)}\n  OTP       ${b.slice(0, 400)}`);
        } else if (a !== b) {
          mismatches.push('...');
        }
      });
    });
    expect(compared).toBeGreaterThanOrEqual(20_000);
    for (const [name, s] of seen) expect(s.ok, `${name}: ${s.ok} of ${s.ops} succeeded`).toBeGreaterThanOrEqual(20);
    expect(seen.size).toBeGreaterThanOrEqual(34);
    expect(mismatches.length, mismatches.slice(0, 20).join('\n')).toBe(0);
  });
});
