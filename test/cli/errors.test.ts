/**
 * How the CLI prints an error that is not a TermstoreError (a bug, or a
 * system error that escaped the mapping): one line with its system code or
 * class name and its message; the stack only with TERMSTORE_DEBUG=1.
 * (TermstoreErrors: `CODE: message`, checked end to end in cli.test.ts and
 * convert/enospc.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { describeUnexpected } from '../../src/cli/commands.js';

describe('unexpected errors in the CLI', () => {
  it('are one line: system code or class name, then the message', () => {
    const sys = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(describeUnexpected(sys, false)).toBe('ENOSPC: no space left on device, write (unexpected; TERMSTORE_DEBUG=1 shows where)');
    const range = new RangeError('Invalid string length');
    expect(describeUnexpected(range, false)).toBe('RangeError: Invalid string length (unexpected; TERMSTORE_DEBUG=1 shows where)');
    expect(describeUnexpected('a thrown string', false)).toBe('Error: a thrown string');
    for (const e of [sys, range]) expect(describeUnexpected(e, false)).not.toContain('\n');
  });

  it('carry their stack with TERMSTORE_DEBUG=1', () => {
    const e = new TypeError('x is not a function');
    const text = describeUnexpected(e, true);
    expect(text.startsWith('TypeError: x is not a function\n')).toBe(true);
    expect(text).toContain(e.stack!);
  });
});
