/**
 * `termstore salvage <damaged> <out>`: every intact row of a damaged
 * termstore dets file, written to a new file, with an exact account of what
 * was lost. The damaged file is only read (SQLite's `.recover` does the
 * same: salvage into a new file, never write to the original).
 *
 * @module
 */
import { basename } from 'node:path';
import { convert } from '../convert/convert.js';
import { formatName } from '../convert/detect.js';
import type { FormatName } from '../convert/types.js';
import { EXIT, UsageError, type Values } from './commands.js';
import { Progress, formatCount } from './progress.js';

/** The `salvage` command's entry in the CLI's command table. */
export const salvageCommand = {
  summary: 'copy every intact row of a damaged dets file into a new file (the damaged file is only read)',
  usage: 'termstore salvage <damaged.tsdb> <out> [--to <fmt>] [-f|--force] [-q|--quiet]',
  options: [
    '  --to <fmt>         output format (default: from the extension of <out>; .tsdb a new dets file)',
    '  -f, --force        replace <out> if it exists',
    '  -q, --quiet        no report',
  ],
  examples: ['termstore salvage orders.tsdb orders-salvaged.tsdb', 'termstore salvage orders.tsdb orders.jsonl   # the intact rows as JSON Lines'],
  spec: { to: { type: 'string' }, force: { type: 'boolean', short: 'f' }, quiet: { type: 'boolean', short: 'q' } } as const,
  run: salvageCmd,
};

/** `termstore salvage <damaged> <out>`. */
export async function salvageCmd(v: Values, p: string[]): Promise<number> {
  if (p.length !== 2) throw new UsageError(`expected <damaged.tsdb> <out>, got ${p.length === 0 ? 'nothing' : p.map((x) => JSON.stringify(x)).join(' ')}`);
  const [input, output] = p as [string, string];
  let to: FormatName | undefined;
  try {
    to = v.to === undefined ? undefined : formatName(v.to, '--to');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const progress = new Progress(`salvage ${basename(input)}`);
  let r;
  try {
    r = await convert(input, output, { from: 'dets', to, force: v.force === true, salvage: true, onProgress: (x) => progress.update(x) });
  } finally {
    progress.done();
  }
  if (v.quiet !== true) {
    const lost = r.recovered?.lost;
    const say = (s: string): void => void process.stdout.write(`${s}\n`);
    say(`salvaged ${formatCount(r.rows)} rows of ${input} into ${output} (${r.to}); ${input} was not changed`);
    if (r.recovered !== undefined) {
      const d = r.recovered;
      if (d.damaged.length === 0 && lost!.rows === 0 && lost!.writes === 0 && !lost!.uncounted) say('no damage found');
      for (const range of d.damaged) say(`damaged: bytes ${range.offset}..${range.offset + range.length} (${formatCount(range.length)} bytes)`);
      for (const [a, b] of lost!.rowRanges) say(`lost: snapshot rows ${a}..${b - 1} (${formatCount(b - a)})`);
      for (const [a, b] of lost!.writeRanges) say(`lost: writes ${a}..${b - 1} (${formatCount(b - a)})`);
      if (lost!.partialWrites > 0) say(`of those, ${formatCount(lost!.partialWrites)} write(s) only in part (their intact part was kept)`);
      if (lost!.uncounted) say('more was lost than the file can count (the part that numbered it is gone too)');
      if (d.droppedTailBytes > 0) say(`dropped: a torn write of ${formatCount(d.droppedTailBytes)} bytes at the end (never durable)`);
    }
  }
  return EXIT.OK;
}
