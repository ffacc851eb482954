/**
 * `termstore --version`: the version of the installed package, read from
 * its `package.json` (two levels above this module in `src/` and `dist/`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** The package version, e.g. `0.1.0`. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
