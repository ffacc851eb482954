import { expect } from 'vitest';
import { compileMatchSpec, NO_MATCH } from '../../src/match-spec/index.js';
import { isTermstoreError } from '../../src/errors.js';
import { Tuple, type Row, type Term } from '../../src/term/types.js';

export { NO_MATCH };

/** `Tuple.from(items)` without the literal-type inference of `tuple()`. */
export const T = (...items: Term[]): Tuple => Tuple.from(items);
export const A = (name: string): symbol => Symbol.for(name);

/** Runs a one-clause spec over a row (keyIndex 0). */
export function run1(head: unknown, guards: unknown[], body: unknown[], row: Row): unknown {
  return compileMatchSpec([{ head, guards, body }], 0).run(row);
}

/** The value of a body expression (no guards) over a row bound to `$1`, `$2`, ... */
export function ev(expr: unknown, row: Row = []): unknown {
  const head = row.map((_, i) => `$${i + 1}`);
  return compileMatchSpec([{ head, body: [expr] }], 0).run(row);
}

/** True if the guard passes for a row bound to `$1`, `$2`, ... */
export function guard(g: unknown, row: Row = []): boolean {
  const head = row.map((_, i) => `$${i + 1}`);
  return compileMatchSpec([{ head, guards: [g], body: [true] }], 0).run(row) === true;
}

/** Expects `f` to throw a TermstoreError with this code; returns it. */
export function expectCode(f: () => unknown, code: string): { details: Record<string, unknown> } {
  try {
    f();
  } catch (e) {
    expect(isTermstoreError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    return e as { details: Record<string, unknown> };
  }
  throw new Error(`expected a ${code} error`);
}
