#!/usr/bin/env node
/**
 * The `termstore` command line.
 *
 * Exit codes: 0 ok, 1 usage error, 2 bad or corrupt input, 3 I/O or other failure.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { TermstoreError } from '../errors.js';
import { demo, demoChild } from './demo.js';

/** A CLI command. */
interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Exit codes, documented in the README. */
export const EXIT = { OK: 0, USAGE: 1, BAD_INPUT: 2, FAILURE: 3 } as const;

class UsageError extends Error {}

const commands: Record<string, Command> = {
  demo: {
    summary: 'open a dets file, write, crash, reopen and show what survived',
    usage: 'termstore demo [--file <path>]',
    async run(args) {
      const { values } = parse(args, { file: { type: 'string' } });
      await demo(values.file as string | undefined);
      return EXIT.OK;
    },
  },
};

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>): { values: Record<string, unknown>; positionals: string[] } {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function help(): string {
  const lines = ['Usage: termstore <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `termstore <command> --help` for a command\'s options.');
  lines.push('Exit codes: 0 ok, 1 usage error, 2 bad or corrupt input, 3 I/O or other failure.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'demo-child') {
    await demoChild(rest[0]!);
    return EXIT.OK;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const cmd = commands[name];
  if (cmd === undefined) {
    process.stderr.write(`termstore: unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`Usage: ${cmd.usage}\n\n${cmd.summary}\n`);
    return EXIT.OK;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`termstore ${name}: ${e.message}\nUsage: ${cmd.usage}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof TermstoreError) {
      process.stderr.write(`termstore ${name}: ${e.code}: ${e.message}\n`);
      return e.code === 'DETS_IO' ? EXIT.FAILURE : EXIT.BAD_INPUT;
    }
    process.stderr.write(`termstore ${name}: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.FAILURE;
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
