/**
 * Child processes run the compiled package. This builds `src/` once into
 * `tmp/test-dist/` (gitignored) when any source is newer than the last
 * build, so `npx vitest run test/dets` works without a prior `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'tmp', 'test-dist');
export const CHILDREN = path.join(ROOT, 'test', 'dets', 'children');

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, fs.statSync(p).mtimeMs);
  }
  return t;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds the package for child processes if needed; returns the dist directory. */
export function ensureBuilt(): string {
  const stamp = path.join(DIST, '.stamp');
  const lock = `${DIST}.building`;
  fs.mkdirSync(path.dirname(DIST), { recursive: true });
  for (let i = 0; ; i++) {
    const src = newest(path.join(ROOT, 'src'));
    if (fs.existsSync(stamp) && Number(fs.readFileSync(stamp, 'utf8')) >= src) return DIST;
    try {
      fs.mkdirSync(lock);
    } catch {
      // Another test file is building: wait for it (a stale lock is broken after 60 s).
      if (i > 600) fs.rmSync(lock, { recursive: true, force: true });
      sleep(100);
      continue;
    }
    try {
      try {
        execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', DIST, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'], {
          cwd: ROOT,
          stdio: 'pipe',
        });
      } catch {
        // Type errors elsewhere still emit JavaScript; the check below decides.
      }
      if (!fs.existsSync(path.join(DIST, 'dets', 'index.js'))) throw new Error('build of src/ for the child-process tests failed');
      fs.writeFileSync(stamp, String(src));
      return DIST;
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}
