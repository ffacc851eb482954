// Memory child (run with --expose-gc): writes a JSON Lines file of N rows of
// ~250 bytes without holding them, then converts it along a chain of
// streaming formats. After every few batches it collects garbage and notes
// the live heap (and buffers) above the starting point; prints one JSON line per step:
// {"from", "to", "rows", "peakMiB"}.
import { openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
const { convert } = await import(`${process.env.TERMSTORE_DIST}/index.js`);
const [dir, n] = process.argv.slice(2);
const N = Number(n);
const first = join(dir, 'big.jsonl');
const fd = openSync(first, 'w');
let text = '';
for (let i = 0; i < N; i++) {
  text += JSON.stringify([i, 'x'.repeat(230) + i, { $atom: 'row' }]) + '\n';
  if (text.length > 1 << 20) {
    writeSync(fd, text);
    text = '';
  }
}
writeSync(fd, text);
closeSync(fd);
text = '';
const chain = [
  ['big.jsonl', 'a.tstab'],
  ['a.tstab', 'b.cbor'],
  ['b.cbor', 'c.sqlite'],
  ['c.sqlite', 'd.tab'],
  ['d.tab', 'e.jsonl'],
  ['e.jsonl', 'f.tsdb'],
  // A control: a dets journal is replayed into memory before it is read, so this one is not bounded.
  ['f.tsdb', 'g.jsonl'],
];
const live = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
for (const [from, to] of chain) {
  global.gc();
  const base = live();
  let peak = 0;
  let calls = 0;
  const r = await convert(join(dir, from), join(dir, to), {
    onProgress: () => {
      if (++calls % 10 !== 0) return;
      global.gc();
      peak = Math.max(peak, live() - base);
    },
  });
  global.gc();
  peak = Math.max(peak, live() - base);
  process.stdout.write(JSON.stringify({ from, to, rows: r.rows, peakMiB: peak / 2 ** 20 }) + '\n');
}
