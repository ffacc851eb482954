/** Small helpers shared by the ets, process and conformance tests. */
import { expect } from 'vitest';
import { spawn, whenExited } from '../src/process/index.js';

/**
 * Maps read from a table are `FrozenMap`s; vitest's `toEqual` refuses Maps
 * of different classes. Compare any two Maps by content (keys by identity,
 * which suits primitive keys).
 */
type Tester = Parameters<typeof expect.addEqualityTesters>[0][number];
const mapContents: Tester = function (a, b, customTesters) {
  if (!(a instanceof Map) || !(b instanceof Map)) return undefined;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!b.has(k) || !this.equals(v, b.get(k), customTesters)) return false;
  return true;
};
expect.addEqualityTesters([mapContents]);

/** The `code` of the error `f` throws (its name for a non-termstore error), or undefined if it returns. */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).name;
  }
  return undefined;
}

/** As {@link codeOf}, for a function that may also return a promise that rejects. */
export async function codeOfAsync(f: () => unknown): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).name;
  }
  return undefined;
}

/** Runs `fn` as a new process and resolves with what it returns (rejects with what it throws). */
export async function inProcess<T>(fn: () => T | Promise<T>): Promise<T> {
  const pid = spawn(fn);
  const exit = await whenExited(pid);
  if (exit.reason === 'error') throw exit.error;
  return exit.value as T;
}

let n = 0;
/** A table name unique within the test run. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}_${process.pid}_${n++}`;
}
