/**
 * The command table of the CLI: every option a command accepts is in its
 * usage line and explained in its `--help`, with its short form; nothing
 * is documented that the command does not accept.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/main.js';
import { ROOT } from '../build.js';

describe.each(Object.entries(commands))('termstore %s', (name, c) => {
  it('names every option in its usage line and explains each, with its short form', () => {
    expect(c.usage.startsWith(`termstore ${name}`)).toBe(true);
    const help = c.options.join('\n');
    for (const [opt, spec] of Object.entries(c.spec)) {
      expect(c.usage, `--${opt} in the usage line`).toMatch(new RegExp(`--${opt}\\b`));
      expect(help, `--${opt} explained`).toMatch(new RegExp(`^  ${spec.short !== undefined ? `-${spec.short}, ` : ''}--${opt}\\b`, 'm'));
      if (spec.short !== undefined) expect(c.usage).toContain(`-${spec.short}|--${opt}`);
      if (spec.type === 'string') expect(c.usage).toMatch(new RegExp(`--${opt} <[^>]+>|--${opt} [a-z]+\\|`));
    }
    const documented = [...`${c.usage}\n${help}`.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
    for (const opt of documented) if (opt !== 'help') expect(Object.keys(c.spec), `--${opt} is accepted`).toContain(opt);
  });
});

describe('the README', () => {
  it("lists every command with its complete usage line, as `--help` prints it", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\\\|/g, '|');
    for (const c of Object.values(commands)) expect(readme, c.usage).toContain(`\`${c.usage}\``);
  });
});
