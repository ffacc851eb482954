/**
 * What the CLI does when a file lost data (see `convert/losses.ts` for what
 * counts): `convert` (and `tab2file`, `file2tab`, `compact --repair`) warn
 * on stderr, even with `--quiet`; `verify` fails with exit status 2, unless
 * `--allow-torn-tail` accepts a torn last write (then it warns).
 *
 * @module
 */
import { describeDataLoss, type DataLoss } from '../convert/losses.js';

const err = (s: string): void => void process.stderr.write(s + '\n');

/** Warns about each loss of `file`; `what` says what the reader of the warning got (e.g. "the output holds the rest"). */
export function warnLosses(file: string, losses: readonly DataLoss[], what: string): void {
  for (const l of losses) err(`warning: ${file}: data lost: ${describeDataLoss(l)}; ${what}`);
}

/** Splits losses into those `verify` accepts (a torn tail, with `--allow-torn-tail`) and those that fail it. */
export function verifyLosses(losses: readonly DataLoss[], allowTornTail: boolean): { accepted: DataLoss[]; failing: DataLoss[] } {
  const accepted = losses.filter((l) => allowTornTail && l.kind === 'torn-tail');
  return { accepted, failing: losses.filter((l) => !accepted.includes(l)) };
}
