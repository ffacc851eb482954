/**
 * Tests that run the built package in child processes (the CLI as a user's
 * `npx termstore` does, crash and shutdown children) use `dist/`, as
 * `npm test` builds it first. This rebuilds `dist/` when any file of `src/` is
 * newer than the last build: into a staging directory first, then each file
 * is renamed into `dist/`, so a test reading `dist/` meanwhile never sees a
 * half-written file. A lock directory keeps parallel test files from
 * building twice.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
export const CLI = path.join(DIST, 'cli', 'main.js');
const STAMP = path.join(ROOT, 'tmp', 'dist.stamp');
const STAGE = path.join(ROOT, 'tmp', 'dist-stage');

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

function moveInto(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) moveInto(a, b);
    else fs.renameSync(a, b);
  }
}

/** Builds `dist/` if it is older than `src/`; returns the path of the CLI. */
export function ensureDist(): string {
  const lock = path.join(ROOT, 'tmp', 'dist.building');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let i = 0; ; i++) {
    const src = newest(path.join(ROOT, 'src'));
    // Fresh if built after the last change to src/: by `npm run build` (npm test does that first) or by this helper.
    const built = Math.max(fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0, fs.existsSync(STAMP) ? Number(fs.readFileSync(STAMP, 'utf8')) : 0);
    if (fs.existsSync(CLI) && built >= src) return CLI;
    try {
      fs.mkdirSync(lock);
    } catch {
      if (i > 900) fs.rmSync(lock, { recursive: true, force: true });
      sleep(100);
      continue;
    }
    try {
      fs.rmSync(STAGE, { recursive: true, force: true });
      try {
        execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', STAGE], { cwd: ROOT, stdio: 'pipe' });
      } catch {
        // Type errors elsewhere still emit JavaScript; the check below decides.
      }
      if (!fs.existsSync(path.join(STAGE, 'cli', 'main.js'))) throw new Error('the build of src/ for the CLI tests failed');
      moveInto(STAGE, DIST);
      fs.rmSync(STAGE, { recursive: true, force: true });
      fs.writeFileSync(STAMP, String(src));
      return CLI;
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Builds `dist/` if needed (see {@link ensureDist}); returns the `dist` directory. */
export function ensureBuilt(): string {
  ensureDist();
  return DIST;
}
