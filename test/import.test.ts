/**
 * Imports the built package the way a user does (`import { ets } from
 * 'termstore'`, resolved through package.json `exports` to dist/), in a
 * separate Node process. Builds dist/ first if it is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function runModule(source: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', source], { cwd: root, encoding: 'utf8' });
}

beforeAll(() => {
  if (existsSync(join(root, 'dist', 'index.js'))) return;
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    // tsc exits non-zero on a type error but still emits; the tests below say whether the output works.
    if (!existsSync(join(root, 'dist', 'index.js'))) throw e;
  }
}, 120_000);

describe('the built package', () => {
  it('is importable by name, with named exports only', () => {
    const out = runModule(`
      import * as termstore from 'termstore';
      import { ets, END_OF_TABLE, TermstoreError, isTermstoreError, spawn, self, whenExited, tuple, compareTerms } from 'termstore';
      const t = ets.new('users', { type: 'ordered_set' });
      ets.insert(t, ['bob', 2]);
      ets.insertMany(t, [['alice', 1], ['carol', 3]]);
      let code;
      try { ets.lookupElement(t, 'nobody', 2); } catch (e) { code = e instanceof TermstoreError && isTermstoreError(e, 'ETS_NO_KEY') ? e.code : 'wrong'; }
      const selected = ets.select(t, [{ head: ['$1', '$2'], guards: [['>', '$2', 1]], body: ['$1'] }]);
      const pid = spawn(() => self());
      const exit = await whenExited(pid);
      console.log(JSON.stringify({
        hasDefault: 'default' in termstore,
        rows: ets.tab2list(t),
        first: ets.first(t),
        end: ets.next(t, 'carol') === END_OF_TABLE,
        counter: ets.updateCounter(t, 'bob', 5),
        code,
        selected,
        spawned: exit.reason === 'normal' && exit.value !== self(),
        order: compareTerms(tuple(1), [1]) < 0,
      }));
    `);
    expect(JSON.parse(out)).toEqual({
      hasDefault: false,
      rows: [
        ['alice', 1],
        ['bob', 2],
        ['carol', 3],
      ],
      first: 'alice',
      end: true,
      counter: 7,
      code: 'ETS_NO_KEY',
      selected: ['bob', 'carol'],
      spawned: true,
      order: true,
    });
  });

  it('ships type declarations next to the code, as the exports map says', () => {
    expect(existsSync(join(root, 'dist', 'index.d.ts'))).toBe(true);
    const out = runModule(`
      import { createRequire } from 'node:module';
      const pkg = createRequire(import.meta.url)('termstore/package.json');
      console.log(JSON.stringify(pkg.exports['.']));
    `);
    expect(JSON.parse(out)).toEqual({ types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' });
  });
});
