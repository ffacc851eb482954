#!/usr/bin/env node
/**
 * The `termstore` command line.
 *
 * Exit codes: 0 ok; 1 usage error (bad arguments, unknown format name, an
 * output file that exists without `--force`); 2 bad or corrupt input
 * (unknown format, damaged or truncated file, a term the output cannot
 * hold, input past a safety limit); 3 I/O or other failure (missing file,
 * permissions, disk full, a locked dets file, an unexpected error).
 *
 * Errors are one line on stderr, `termstore <command>: CODE: message`, never
 * a stack trace: a `TermstoreError` with its code, anything else with its
 * system code or class name (`ENOSPC: ...`, `RangeError: ...`). The
 * environment variable `TERMSTORE_DEBUG=1` adds the stack of an unexpected
 * error.
 *
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TermstoreError, type ErrorCode } from '../errors.js';
import { EXIT, UsageError, compactCmd, convertCmd, describeUnexpected, dumpCmd, file2tabCmd, infoCmd, tab2fileCmd, verifyCmd, type Values } from './commands.js';
import { demo, demoChild } from './demo.js';
import { formatsHelp } from './formats.js';
import { salvageCommand } from './salvage.js';
import { guardStdio } from './stdio.js';
import { packageVersion } from './version.js';

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
const FROM = '  --from <fmt>       input format (default: detected from the content): ' + FORMATS;
const TABLE = '  --table <name>     SQLite: the table to read (or the name to write)';
const NO_VERIFY = "  --no-verify        skip the input's checksums and counts (a JSON Lines file edited by hand)";
const FORCE = (what: string, note = ''): string => `  -f, --force        replace ${what} if it exists${note}`;
const QUIET = '  -q, --quiet        no summary line (warnings are still printed)';
const LIMITS = [
  '  --max-inflated-bytes <n>  Erlang input: bytes compressed terms may inflate to per batch (default 268435456; inf: no limit)',
  '  --max-inflated-terms <n>  Erlang input: terms decoded from compressed terms per batch (default 1000000; inf: no limit)',
];
/** The limit options, in usage lines. */
const LIMITS_USAGE = ' [--max-inflated-bytes <n>] [--max-inflated-terms <n>]';
const LIMIT_SPEC = { 'max-inflated-bytes': { type: 'string' }, 'max-inflated-terms': { type: 'string' } } as const;

/** The command table. Each usage line names every option of `spec`, and `options` explains each (test/cli/usage.test.ts). */
export const commands: Record<string, Command> = {
  convert: {
    summary: 'convert a table file to another format',
    usage: `termstore convert <in> <out> [--from <fmt>] [--to <fmt>] [-f|--force] [--table <name>] [--checksum] [--no-verify]${LIMITS_USAGE} [-q|--quiet]`,
    options: [
      FROM,
      '  --to <fmt>         output format (default: from the extension; see `termstore --help`);',
      '                     a shared table: <in> or <out> is sqlite:<file>#<table> or postgres://...#<table>',
      FORCE('<out>'),
      TABLE,
      '  --checksum         tab output: record a SHA-256 digest of the rows',
      NO_VERIFY,
      ...LIMITS,
      QUIET,
    ],
    examples: [
      'termstore convert users.tab users.sqlite          # an Erlang tab file (ets:tab2file) to SQLite',
      'termstore convert orders.dets orders.tsdb         # an Erlang DETS file to a termstore dets file',
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
      ...LIMIT_SPEC,
    },
    run: convertCmd,
  },
  tab2file: {
    summary: 'write a table file (dets, Erlang, SQLite, ...) as a termstore tab file (.tstab)',
    usage: `termstore tab2file <table-file> <tab-file> [--from <fmt>] [-f|--force] [--checksum] [--table <name>] [--no-verify]${LIMITS_USAGE} [-q|--quiet]`,
    options: [FROM, FORCE('<tab-file>'), '  --checksum         record a SHA-256 digest of the rows', TABLE, NO_VERIFY, ...LIMITS, QUIET],
    examples: ['termstore tab2file cache.tsdb backup/cache.tstab'],
    spec: { from: { type: 'string' }, force: { type: 'boolean', short: 'f' }, checksum: { type: 'boolean' }, table: { type: 'string' }, 'no-verify': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, ...LIMIT_SPEC },
    run: tab2fileCmd,
  },
  file2tab: {
    summary: 'load a tab file (termstore .tstab or Erlang .tab) into a new termstore dets file (.tsdb)',
    usage: `termstore file2tab <tab-file> <dets-file> [--from <fmt>] [-f|--force] [--table <name>] [--no-verify]${LIMITS_USAGE} [-q|--quiet]`,
    options: [FROM, FORCE('<dets-file>', ' (never one open in a dets table)'), TABLE, NO_VERIFY, ...LIMITS, QUIET],
    examples: ['termstore file2tab backup/cache.tstab cache.tsdb --force'],
    spec: { from: { type: 'string' }, force: { type: 'boolean', short: 'f' }, table: { type: 'string' }, 'no-verify': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, ...LIMIT_SPEC },
    run: file2tabCmd,
  },
  info: {
    summary: "show a table file's format, table options and row count (from its header)",
    usage: 'termstore info <file> [--from <fmt>] [--table <name>] [--json]',
    options: [FROM, TABLE, '  --json             print JSON'],
    spec: { from: { type: 'string' }, table: { type: 'string' }, json: { type: 'boolean' } },
    run: infoCmd,
  },
  verify: {
    summary: 'read a whole table file, check every checksum and count, and report any data lost (exit 2)',
    usage: `termstore verify <file> [--from <fmt>] [--table <name>] [--allow-torn-tail]${LIMITS_USAGE}`,
    options: [FROM, TABLE, '  --allow-torn-tail  a dets file whose last write was cut short (a torn tail, dropped on open) passes with a warning', ...LIMITS],
    spec: { from: { type: 'string' }, table: { type: 'string' }, 'allow-torn-tail': { type: 'boolean' }, ...LIMIT_SPEC },
    run: verifyCmd,
  },
  dump: {
    summary: "print a table file's rows (JSON Lines or a text table in Erlang syntax)",
    usage: `termstore dump <file> [-n|--limit <n>] [--format jsonl|table] [--from <fmt>] [--table <name>] [--no-verify]${LIMITS_USAGE}`,
    options: [
      '  -n, --limit <n>    print at most n rows',
      '  --format <f>       jsonl (default: one row per line, tagged JSON) or table (Erlang syntax, aligned)',
      FROM,
      TABLE,
      NO_VERIFY,
      ...LIMITS,
    ],
    examples: ['termstore dump users.tab --limit 10 --format table', "termstore dump cache.tsdb | jq -c '.[0]'"],
    spec: { limit: { type: 'string', short: 'n' }, format: { type: 'string' }, from: { type: 'string' }, table: { type: 'string' }, 'no-verify': { type: 'boolean' }, ...LIMIT_SPEC },
    run: dumpCmd,
  },
  compact: {
    summary: 'rewrite a termstore dets file (.tsdb) without its garbage (crash-safe)',
    usage: 'termstore compact <dets-file> [--repair]',
    options: ['  --repair           keep every intact record of a damaged file and say what was lost (default: refuse it)'],
    spec: { repair: { type: 'boolean' } },
    run: compactCmd,
  },
  salvage: salvageCommand,
  demo: {
    summary: 'open a termstore dets file, write, crash, reopen and show what survived',
    usage: 'termstore demo [--file <path>]',
    options: ['  --file <path>      the dets file (.tsdb) to use (default: a temporary one)'],
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
  const lines = ['Usage: termstore <command> [options]', '       termstore --version', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', ...formatsHelp(), '', "Run `termstore <command> --help` for a command's options.", EXIT_CODES);
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  const lines = [`Usage: ${c.usage}`, '', c.summary, ''];
  if (c.options.length > 0) lines.push('Options:', ...c.options, '  -h, --help         this help');
  if (c.examples !== undefined) lines.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`));
  lines.push('', EXIT_CODES);
  return lines.join('\n');
}

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['ETS_BADARG', 'CONVERT_BADARG', 'CONVERT_EXISTS']);
const INPUT_CODES: ReadonlySet<ErrorCode> = new Set([
  'CONVERT_UNKNOWN_FORMAT',
  'CONVERT_CORRUPT',
  'CONVERT_UNSUPPORTED_TERM',
  'CONVERT_LIMIT',
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

/** The system error beneath `e` (`ENOENT: no such file or directory, open '...'`), following `cause`, if any. */
function systemCause(e: unknown): NodeJS.ErrnoException | undefined {
  for (let c = (e as { cause?: unknown }).cause, depth = 0; c !== undefined && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    if (c instanceof Error && typeof (c as NodeJS.ErrnoException).code === 'string' && !(c instanceof TermstoreError)) return c as NodeJS.ErrnoException;
  }
  return undefined;
}

/** The error line: code, message, the file and byte offset, and the system error beneath, when the message does not already say them. */
export function describe(e: TermstoreError): string {
  let s = `${e.code}: ${e.message}`;
  const { file, offset } = e.details;
  if (typeof file === 'string' && !e.message.includes(file)) s += ` (file ${file})`;
  if (typeof offset === 'number' && offset >= 0 && !/offset \d+/.test(e.message)) s += ` (offset ${offset})`;
  const sys = systemCause(e);
  if (sys !== undefined && !e.message.includes(sys.code!)) s += `: ${sys.message}`;
  return s;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'demo-child') {
    await demoChild(rest[0]!);
    return EXIT.OK;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
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
    else process.stderr.write(`termstore ${name}: ${describeUnexpected(e)}\n`);
    return code;
  }
}

/** True when this module is the program (`termstore`, `node dist/cli/main.js`), not imported (the tests read `commands`). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  guardStdio();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`termstore: ${e instanceof TermstoreError ? `${e.code}: ${e.message}` : describeUnexpected(e)}\n`);
      process.exitCode = EXIT.FAILURE;
    },
  );
}
