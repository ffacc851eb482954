/** The progress bar (with an injected clock and a fake terminal) and the Erlang-syntax rendering of dump. */
import { describe, expect, it } from 'vitest';
import { Progress, formatBytes, formatCount } from '../../src/cli/progress.js';
import { renderTerm, TableLayout } from '../../src/cli/render.js';
import { ErlBitstring, ErlFloat, ErlImproperList } from '../../src/erlang/terms.js';
import { Opaque, Pid, Tuple } from '../../src/term/types.js';

function terminal(isTTY: boolean): { stream: { isTTY: boolean; columns: number; write: (s: string) => boolean }; text: () => string } {
  let out = '';
  return {
    stream: {
      isTTY,
      columns: 100,
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    text: () => out,
  };
}

const p = (rows: number, bytesRead: number) => ({ rows, bytesRead, totalBytes: 1000, expectedRows: undefined });

describe('Progress', () => {
  it('draws nothing in the first second, then at most every 100 ms, and erases itself', () => {
    let now = 0;
    const t = terminal(true);
    const bar = new Progress('big.tab', t.stream as never, () => now);
    now = 900;
    bar.update(p(10, 100));
    expect(t.text()).toBe('');
    now = 1200;
    bar.update(p(500, 500));
    expect(t.text()).toMatch(/^\rbig\.tab \[#+\.+\]  50%  500 rows  500 B\/1000 B  1\.2 s\x1b\[K$/);
    const once = t.text();
    now = 1250;
    bar.update(p(600, 600));
    expect(t.text()).toBe(once);
    now = 1400;
    bar.update(p(1000, 1000));
    expect(t.text()).toContain('100%');
    bar.done();
    expect(t.text().endsWith('\r\x1b[K')).toBe(true);
  });

  it('draws nothing when stderr is not a terminal', () => {
    let now = 0;
    const t = terminal(false);
    const bar = new Progress('x', t.stream as never, () => now);
    now = 5000;
    bar.update(p(1, 1));
    bar.done();
    expect(t.text()).toBe('');
  });

  it('formats sizes and counts', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 2 ** 20), formatBytes(3 * 2 ** 30)]).toEqual(['512 B', '1.50 KiB', '5.00 MiB', '3.00 GiB']);
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});

describe('rendering terms for dump --format table', () => {
  it('uses Erlang syntax', () => {
    const t = Tuple.from([Symbol.for('ok'), 'text', [1, 2.5], new Map([[Symbol.for('k'), 1n]]), new Uint8Array([1, 2]), Symbol.for('Big Atom'), null]);
    expect(renderTerm(t)).toBe('{ok, "text", [1, 2.5], #{k => 1}, <<1,2>>, \'Big Atom\', nil}');
    expect(renderTerm([new ErlFloat(1), new ErlImproperList([1], 2), new ErlBitstring(Uint8Array.of(0xa0), 3), new Pid(3), new Opaque('reference', Uint8Array.of(1))])).toBe(
      '[1.0, [1 | 2], <<5:3>>, <0.3.0>, #Ref<1 bytes>]',
    );
  });

  it('lays rows out in columns, marking the key, cutting long cells', () => {
    const l = new TableLayout([[1, 'a'.repeat(100)], ['key', 2, 3]], 1, 10);
    expect(l.header()).toBe('1*     2           3');
    expect(l.line([1, 'a'.repeat(100)])).toBe('1      "aaaaaaaa…');
  });
});
