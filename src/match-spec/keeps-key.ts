/**
 * Whether a match specification keeps each row's key, as ETS decides it
 * for `select_replace/2` before looking at any row (checked against OTP
 * 25): every clause has exactly one body expression, which is `'$_'`, or a
 * tuple (built, or a constant) whose element at the key position is the
 * head's key itself: the same variable, or an exactly equal literal. A
 * spec that may change a key is refused whatever the table holds.
 *
 * @module
 */
import { exactEquals } from '../term/equal.js';
import { Tuple } from '../term/types.js';
import type { ClauseIR } from './types.js';
import { validateSpec } from './validate.js';

function clauseKeepsKey(c: ClauseIR, keyIndex: number): boolean {
  if (c.body.length !== 1) return false;
  const b = c.body[0]!;
  if (b.t === 'row') return b.viaVar !== true;
  if (c.head.t !== 'row') return false;
  const hk = c.head.e[keyIndex];
  if (hk === undefined) return false;
  if (b.t === 'tuple') {
    const bk = b.e[keyIndex];
    if (bk === undefined) return false;
    if (hk.t === 'var') return bk.t === 'var' && bk.n === hk.n;
    return hk.t === 'lit' && bk.t === 'lit' && exactEquals(bk.v, hk.v);
  }
  if (b.t === 'lit' && b.v instanceof Tuple) return hk.t === 'lit' && keyIndex < b.v.length && exactEquals(b.v[keyIndex], hk.v);
  return false;
}

/**
 * True if every clause of `spec` keeps the key at `keyIndex` (0-based).
 * Throws `ETS_BAD_MATCH_SPEC` for a spec that breaks the grammar.
 */
export function specKeepsKey(spec: unknown, keyIndex: number): boolean {
  return validateSpec(spec).every((c) => clauseKeepsKey(c, keyIndex));
}
