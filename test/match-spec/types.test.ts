/**
 * The grammar types of `src/match-spec/types.ts` agree with what the
 * validator accepts: every guard function the validator knows is a
 * `GuardFunction`, and nothing else is.
 */
import { describe, expect, it } from 'vitest';
import { BIF_ALIASES, BIFS } from '../../src/match-spec/functions.js';
import type { GuardFunction } from '../../src/match-spec/types.js';

// A Record over the union: the type checker refuses a missing or an extra name.
const NAMES: Record<GuardFunction, true> = {
  '<': true, '>': true, '=<': true, '<=': true, '>=': true, '==': true, '/=': true, '=:=': true, '=/=': true,
  '+': true, '-': true, '*': true, '/': true, div: true, rem: true, band: true, bor: true, bxor: true, bnot: true, bsl: true, bsr: true,
  abs: true, float: true, round: true, trunc: true,
  and: true, or: true, andalso: true, orelse: true, not: true, xor: true,
  is_atom: true, is_boolean: true, is_integer: true, is_float: true, is_number: true, is_binary: true, is_list: true, is_tuple: true,
  is_map: true, is_pid: true, is_reference: true, is_port: true, is_function: true, is_record: true,
  element: true, size: true, tuple_size: true, byte_size: true, length: true, hd: true, tl: true,
  map_get: true, is_map_key: true, map_size: true, min: true, max: true,
};

describe('GuardFunction', () => {
  it('names exactly the functions and aliases the validator accepts', () => {
    expect(Object.keys(NAMES).sort()).toEqual([...Object.keys(BIFS), ...Object.keys(BIF_ALIASES)].sort());
  });
});
