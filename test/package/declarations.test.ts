/**
 * The shipped declarations (`dist/**.d.ts`) as a user's type checker reads
 * them: no `any` anywhere in the public types (every file reachable from
 * `dist/index.d.ts`). That they compile with `skipLibCheck: false` is
 * checked by `consumer.test.ts` against the packed tarball.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../build.js';

let dist = '';
beforeAll(() => {
  dist = ensureBuilt();
}, 180_000);

/** `any` as a type: not a property name (`any:`), not a member access (`.any`). */
const ANY = /(?<![.\w$])any(?![\w$])(?!\s*\??:)/;

/** Declaration text without comments and string literals. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
}

/** Every .d.ts file reachable from `entry` through relative imports and re-exports. */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(f), m[1]!.replace(/\.js$/, '.d.ts'));
      if (existsSync(target)) todo.push(target);
    }
  }
  return [...seen].sort();
}

describe('the shipped declarations', () => {
  it('reach every public module and use no `any`', () => {
    const files = reachable(join(dist, 'index.d.ts'));
    expect(files.length).toBeGreaterThan(20);
    const hits: string[] = [];
    for (const f of files) {
      code(readFileSync(f, 'utf8'))
        .split('\n')
        .forEach((line, i) => {
          if (ANY.test(line)) hits.push(`${f.slice(dist.length + 1)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('the scan would see an `any` (the check is not vacuous)', () => {
    expect(ANY.test(code('export declare function f(x: any): void; // any'))).toBe(true);
    expect(ANY.test(code('type M = { any: any };'))).toBe(true);
    expect(ANY.test(code('/** any */ export declare const s: "any"; declare const ms: { readonly any: "_" };'))).toBe(false);
  });
});
