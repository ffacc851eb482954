#!/usr/bin/env node
/**
 * The `termstore` command line.
 *
 * Exit codes: 0 ok; 1 usage error (bad arguments, unknown format name, an
 * output file that exists without `--force`); 2 bad or corrupt input
 * (unknown format, damaged or truncated file, a term the output cannot
 * hold); 3 I/O or other failure (missing file, permissions, disk full, a
 * locked dets file).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { TermstoreError, type ErrorCode } from '../errors.js';
import { EXIT, UsageError, compactCmd, convertCmd, dumpCmd, file2tabCmd, infoCmd, tab2fileCmd, verifyCmd, type Values } from './commands.js';
import { demo, demoChild } from './demo.js';

export { EXIT } from './commands.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** A CLI command. */
interface Command {
  summary: string;
  usage: string;
  /** Option lines for `--help`. */
  options: string[];
  /** Example lines for `--help`. */
  examples?: string[];
  spec: OptionSpec;
  run(values: Values, positionals: string[]): Promise<number>;
}

const FORMATS = 'dets, tab, erl-tab, erl-dets, sqlite, jsonl, cbor-seq';
const FROM = '  --from <fmt>     input format (default: detected from the content): ' + FORMATS;
const TABLE = '  --table <name>   SQLite: the table to read (or the name to write)';
const NO_VERIFY = "  --no-verify      skip the input's checksums and counts (a JSON Lines file edited by hand)";

const commands: Record<string, Command> = {
  convert: {
    summary: 'convert a table file to another format',
    usage: 'termstore convert <in> <out> [--from <fmt>] [--to <fmt>] [--force] [--table <name>] [--checksum] [--quiet]',
    options: [
      FROM,
      '  --to <fmt>       output format (default: from the extension: .tsdb dets, .tstab tab, .tab erl-tab,',
      '                   .dets erl-dets, .sqlite/.db sqlite, .jsonl jsonl, .cbor cbor-seq);',
      '                   a shared table: <in> or <out> is sqlite:<file>#<table> or postgres://...#<table>',
      '  --force          replace <out> if it exists',
      TABLE,
      '  --checksum       tab output: record a SHA-256 digest of the rows',
      NO_VERIFY,
      '  --quiet          no summary line',
    ],
    examples: [
      'termstore convert users.tab users.sqlite          # OTP ets:tab2file file to SQLite',
      'termstore convert cache.tsdb cache.jsonl --force',
      'termstore convert users.dets sqlite:/var/lib/app/tables.db#users   # into a shared table',
      'termstore convert postgres://app@db/app#users users.tstab           # a shared table backed up',
    ],
    spec: {
      from: { type: 'string' },
      to: { type: 'string' },
      force: { type: 'boolean', short: 'f' },
      table: { type: 'string' },
      checksum: { type: 'boolean' },
      'no-verify': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
    run: convertCmd,
  },
  tab2file: {
    summary: 'write a table file (dets, OTP, SQLite, ...) as a termstore tab file',
    usage: 'termstore tab2file <table-file> <tab-file> [--from <fmt>] [--force] [--checksum] [--quiet]',
    options: [FROM, '  --force          replace <tab-file> if it exists', '  --checksum       record a SHA-256 digest of the rows', TABLE, NO_VERIFY, '  --quiet          no summary line'],
    examples: ['termstore tab2file cache.tsdb backup/cache.tstab'],
    spec: { from: { type: 'string' }, force: { type: 'boolean', short: 'f' }, checksum: { type: 'boolean' }, table: { type: 'string' }, 'no-verify': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
    run: tab2fileCmd,
  },
  file2tab: {
    summary: 'load a tab file (termstore or OTP) into a new termstore dets file',
    usage: 'termstore file2tab <tab-file> <dets-file> [--from <fmt>] [--force] [--quiet]',
    options: [FROM, '  --force          replace <dets-file> if it exists (never one open in a dets table)', NO_VERIFY, '  --quiet          no summary line'],
    examples: ['termstore file2tab backup/cache.tstab cache.tsdb --force'],
    spec: { from: { type: 'string' }, force: { type: 'boolean', short: 'f' }, table: { type: 'string' }, 'no-verify': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
    run: file2tabCmd,
  },
  info: {
    summary: "show a table file's format, table options and row count (from its header)",
    usage: 'termstore info <file> [--from <fmt>] [--table <name>] [--json]',
    options: [FROM, TABLE, '  --json           print JSON'],
    spec: { from: { type: 'string' }, table: { type: 'string' }, json: { type: 'boolean' } },
    run: infoCmd,
  },
  verify: {
    summary: 'read a whole table file and check every checksum and count',
    usage: 'termstore verify <file> [--from <fmt>] [--table <name>]',
    options: [FROM, TABLE],
    spec: { from: { type: 'string' }, table: { type: 'string' } },
    run: verifyCmd,
  },
  dump: {
    summary: "print a table file's rows (JSON Lines or a text table)",
    usage: 'termstore dump <file> [--limit <n>] [--format jsonl|table] [--from <fmt>] [--table <name>]',
    options: [
      '  --limit <n>      print at most n rows',
      '  --format <f>     jsonl (default: one row per line, tagged JSON) or table (Erlang syntax, aligned)',
      FROM,
      TABLE,
      NO_VERIFY,
    ],
    examples: ['termstore dump users.tab --limit 10 --format table', "termstore dump cache.tsdb | jq -c '.[0]'"],
    spec: { limit: { type: 'string', short: 'n' }, format: { type: 'string' }, from: { type: 'string' }, table: { type: 'string' }, 'no-verify': { type: 'boolean' } },
    run: dumpCmd,
  },
  compact: {
    summary: 'rewrite a termstore dets file without its garbage (crash-safe)',
    usage: 'termstore compact <dets-file> [--repair]',
    options: ['  --repair         keep every intact record of a damaged file (default: refuse it)'],
    spec: { repair: { type: 'boolean' } },
    run: compactCmd,
  },
  demo: {
    summary: 'open a dets file, write, crash, reopen and show what survived',
    usage: 'termstore demo [--file <path>]',
    options: ['  --file <path>    the dets file to use (default: a temporary one)'],
    spec: { file: { type: 'string' } },
    async run(values) {
      await demo(values.file as string | undefined);
      return EXIT.OK;
    },
  },
};

function parse(args: string[], options: OptionSpec): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const EXIT_CODES = 'Exit codes: 0 ok, 1 usage error (also: output exists without --force), 2 bad or corrupt input, 3 I/O or other failure.';

function help(): string {
  const lines = ['Usage: termstore <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', "Run `termstore <command> --help` for a command's options.", `Formats: ${FORMATS}.`, EXIT_CODES);
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  const lines = [`Usage: ${c.usage}`, '', c.summary, ''];
  if (c.options.length > 0) lines.push('Options:', ...c.options, '  -h, --help       this help');
  if (c.examples !== undefined) lines.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`));
  lines.push('', EXIT_CODES);
  return lines.join('\n');
}

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['ETS_BADARG', 'CONVERT_EXISTS']);
const INPUT_CODES: ReadonlySet<ErrorCode> = new Set([
  'CONVERT_UNKNOWN_FORMAT',
  'CONVERT_CORRUPT',
  'CONVERT_UNSUPPORTED_TERM',
  'DETS_CORRUPT',
  'DETS_NOT_A_TABLE_FILE',
  'DETS_FORMAT_UNSUPPORTED',
]);

/** The exit code for an error a command threw. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT.USAGE;
  if (e instanceof TermstoreError) return USAGE_CODES.has(e.code) ? EXIT.USAGE : INPUT_CODES.has(e.code) ? EXIT.BAD_INPUT : EXIT.FAILURE;
  return EXIT.FAILURE;
}

/** The error line: code, message, and the file and byte offset when the message does not already say them. */
function describe(e: TermstoreError): string {
  let s = `${e.code}: ${e.message}`;
  const { file, offset } = e.details;
  if (typeof file === 'string' && !e.message.includes(file)) s += ` (file ${file})`;
  if (typeof offset === 'number' && offset >= 0 && !/offset \d+/.test(e.message)) s += ` (offset ${offset})`;
  return s;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'demo-child') {
    await demoChild(rest[0]!);
    return EXIT.OK;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const c = name === 'help' && rest[0] !== undefined ? commands[rest[0]] : undefined;
    process.stdout.write((c !== undefined ? commandHelp(c) : help()) + '\n');
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const cmd = commands[name];
  if (cmd === undefined) {
    process.stderr.write(`termstore: unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(cmd) + '\n');
    return EXIT.OK;
  }
  try {
    const { values, positionals } = parse(rest, cmd.spec);
    return await cmd.run(values, positionals);
  } catch (e) {
    const code = exitCodeFor(e);
    if (e instanceof UsageError) process.stderr.write(`termstore ${name}: ${e.message}\nUsage: ${cmd.usage}\n`);
    else if (e instanceof TermstoreError) process.stderr.write(`termstore ${name}: ${describe(e)}\n`);
    else process.stderr.write(`termstore ${name}: ${(e as Error)?.stack ?? String(e)}\n`);
    return code;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`termstore: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = EXIT.FAILURE;
  },
);
