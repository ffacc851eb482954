/**
 * Match specifications outside tables: ETS's `match_spec_compile/1`,
 * `match_spec_run/2`, `test_ms/2` and `is_compiled_ms/1`.
 *
 * The objects a spec runs over are rows, as in a table: arrays (plain or
 * `Tuple`), each standing for a tuple. They are copied in first (as an
 * insert would), so numbers have their stored form and nothing the caller
 * holds is shared with a result.
 *
 * @module
 */
import { TermstoreError, fail } from '../errors.js';
import { compileMatchSpec, isCompiledMatchSpec, NO_MATCH, type CompiledMatchSpec } from '../match-spec/index.js';
import { NotATermError, copyOut, copyRow } from '../term/copy.js';
import { show, type Row, type Term } from '../term/types.js';

/** What {@link testMs} returns: the result for the row, or why the spec is not valid. */
export type TestMsResult =
  | {
      readonly ok: true;
      /** The first matching clause's result; `false` when no clause matched (as ETS, which returns `{ok, false}`). */
      readonly result: Term;
      /** Whether a clause matched (tells a no-match from a body that returned `false`). */
      readonly matched: boolean;
    }
  | { readonly ok: false; readonly errors: readonly string[] };

function rowArg(x: unknown, fn: string, position: number): Row {
  if (!Array.isArray(x)) fail('ETS_BADARG', `${fn}: a match spec runs over rows (arrays standing for tuples), got ${show(x)} (argument ${position})`, { position });
  try {
    return copyRow(x);
  } catch (e) {
    if (e instanceof NotATermError) fail('ETS_BAD_TERM', `${fn}: ${e.message} (argument ${position})`, { position });
    throw e;
  }
}

/** `ets:match_spec_compile/1`: validates and compiles a spec (cached, as every compile). */
export function matchSpecCompile(spec: unknown): CompiledMatchSpec {
  return compileMatchSpec(spec, 0);
}

/**
 * `ets:match_spec_run/2`: the results of the spec for each row it matches,
 * in order. `compiled` may also be a spec not compiled yet (an extension).
 */
export function matchSpecRun(rows: readonly unknown[], compiled: CompiledMatchSpec | unknown, fn = 'ets.matchSpecRun'): Term[] {
  if (!Array.isArray(rows)) fail('ETS_BADARG', `${fn}: expected an array of rows, got ${show(rows)} (argument 1)`, { position: 1 });
  const c = isCompiledMatchSpec(compiled) ? compiled : compileMatchSpec(compiled, 0);
  const out: Term[] = [];
  for (const x of rows) {
    const r = c.run(rowArg(x, fn, 1));
    if (r !== NO_MATCH) out.push(copyOut(r));
  }
  return out;
}

/**
 * `ets:test_ms/2`: checks a spec and runs it over one row. A spec that
 * breaks the grammar gives `{ ok: false, errors }` instead of throwing.
 */
export function testMs(row: unknown, spec: unknown, fn = 'ets.testMs'): TestMsResult {
  const r = rowArg(row, fn, 1);
  let c: CompiledMatchSpec;
  try {
    c = compileMatchSpec(spec, 0);
  } catch (e) {
    if (e instanceof TermstoreError && e.code === 'ETS_BAD_MATCH_SPEC') return Object.freeze({ ok: false, errors: Object.freeze([e.message]) });
    throw e;
  }
  const result = c.run(r);
  if (result === NO_MATCH) return Object.freeze({ ok: true, result: false, matched: false });
  return Object.freeze({ ok: true, result: copyOut(result), matched: true });
}

/** `ets:is_compiled_ms/1`. */
export function isCompiledMs(x: unknown): boolean {
  return isCompiledMatchSpec(x);
}
