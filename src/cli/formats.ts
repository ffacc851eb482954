/**
 * How the CLI names the formats, in one place: termstore's own files are a
 * "dets file" (`.tsdb`) and a "tab file" (`.tstab`); Erlang's are an
 * "Erlang DETS file" (`.dets`) and an "Erlang tab file" (`ets:tab2file`,
 * `.tab`). The same words are used by the README, `docs/conversion.md` and
 * the demo.
 *
 * @module
 */
import { extensionsOf } from '../convert/detect.js';
import { FORMAT_NAMES, type FormatName } from '../convert/types.js';

/** What each format is, in words. */
export const FORMAT_TITLES: Record<FormatName, string> = {
  dets: 'termstore dets file (dets.openFile)',
  tab: 'termstore tab file (ets.tab2file)',
  'erl-tab': 'Erlang tab file (ets:tab2file)',
  'erl-dets': 'Erlang DETS file (dets:open_file)',
  sqlite: 'SQLite database',
  jsonl: 'JSON Lines',
  'cbor-seq': 'CBOR sequence',
  shared: 'shared table (termstore shared, in a SQLite or PostgreSQL store)',
};

/** The formats section of `termstore --help`: name, what it is, extensions. */
export function formatsHelp(): string[] {
  const order: FormatName[] = ['dets', 'tab', 'erl-dets', 'erl-tab', 'sqlite', 'jsonl', 'cbor-seq', 'shared'];
  if (order.length !== FORMAT_NAMES.length) throw new Error('formatsHelp: a format is missing');
  const w = Math.max(...order.map((f) => FORMAT_TITLES[f].length));
  return [
    "Formats (an input's is found from its content, an output's from its extension; --from/--to override):",
    ...order.map((f) => `  ${f.padEnd(9)} ${FORMAT_TITLES[f].padEnd(w)}  ${f === 'shared' ? 'sqlite:<file>#<table>, postgres://...#<table>' : extensionsOf(f).join(' ')}`),
  ];
}
