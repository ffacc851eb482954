/**
 * The package as a new user gets it: `npm pack`, then `npm install` of the
 * tarball into a fresh project in a temporary directory (`"type": "module"`,
 * `strict`, `module: nodenext`, `skipLibCheck: false`), where every
 * TypeScript example of `README.md` and `docs/*.md` (found by
 * `doc-examples.ts`) is compiled and run, the package is required from
 * CommonJS, and the `termstore` bin runs.
 *
 * Kept fast: `dist/` is the one the other tests use (packed with
 * `--ignore-scripts`, so nothing rebuilds it under them), dependencies come
 * from the local npm cache (`--prefer-offline`), and better-sqlite3's native
 * addon, whose build takes minutes, is copied from this repository's
 * `node_modules` when the versions match (the same binary a build would
 * produce) instead of being compiled again.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/index.js';
import { ROOT, ensureDist } from '../build.js';
import { anchors, docExamples, docFiles, relativeLinks, type DocExample } from './doc-examples.js';

/**
 * Files the documented examples read, as a user would have them: path in
 * the example's directory → fixture. Files in termstore's own formats are
 * converted from OTP's 20,000-row `large.tab` (the formats are told by the
 * extension).
 */
const SEED: Record<string, string> = {
  'users.tab': 'fixtures/erlang/tab2file/large.tab',
  'from-beam/users.tab': 'fixtures/erlang/tab2file/large.tab',
  'from-beam/orders.dets': 'fixtures/erlang/dets/set.dets',
  'cache.tsdb': 'fixtures/erlang/tab2file/large.tab',
  'backup.tstab': 'fixtures/erlang/tab2file/large.tab',
};

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const examples: DocExample[] = docExamples(ROOT);

let work = '';
let app = '';
let packed: string[] = [];
let compiled: { status: number | null; output: string } = { status: null, output: '' };

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function version(pkgDir: string): string | undefined {
  const f = join(pkgDir, 'package.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { version: string }).version : undefined;
}

/** better-sqlite3's addon: copied from this repository's build when the versions match, else built. */
function nativeAddons(): void {
  const mine = join(ROOT, 'node_modules', 'better-sqlite3');
  const theirs = join(app, 'node_modules', 'better-sqlite3');
  const binary = join('build', 'Release', 'better_sqlite3.node');
  if (version(mine) === version(theirs) && existsSync(join(mine, binary))) {
    mkdirSync(dirname(join(theirs, binary)), { recursive: true });
    copyFileSync(join(mine, binary), join(theirs, binary));
  } else {
    npm(['rebuild', 'better-sqlite3'], app);
  }
}

let seedDir = '';

beforeAll(async () => {
  ensureDist();
  work = mkdtempSync(join(tmpdir(), 'termstore-consumer-'));
  seedDir = join(work, 'seed');
  for (const [to, from] of Object.entries(SEED)) {
    if (to.endsWith('.tsdb') || to.endsWith('.tstab')) await convert(join(ROOT, from), join(seedDir, to));
    else cpSync(join(ROOT, from), join(seedDir, to));
  }
  const [pack] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packed = pack!.files.map((f) => f.path);
  app = join(work, 'app');
  mkdirSync(join(app, 'examples'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', skipLibCheck: false, types: ['node'], rootDir: 'examples', outDir: 'out' },
        include: ['examples'],
      },
      null,
      2,
    ),
  );
  npm(['install', join(work, pack!.filename), `@types/node@${version(join(ROOT, 'node_modules', '@types', 'node'))}`, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], app);
  nativeAddons();
  // Every declaration file the package reaches, checked whole (skipLibCheck: false).
  writeFileSync(join(app, 'examples', 'all-types.ts'), "import * as termstore from 'termstore';\nexport const names: string[] = Object.keys(termstore);\n");
  for (const e of examples) writeFileSync(join(app, 'examples', e.file), `// ${e.where}\n${e.code}`);
  const r = spawnSync(process.execPath, [TSC, '-p', app], { cwd: app, encoding: 'utf8' });
  compiled = { status: r.status, output: r.stdout + r.stderr };
}, 300_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** Runs a compiled example in a fresh directory holding the seed files. */
function runExample(e: DocExample): Promise<{ code: number | null; output: string }> {
  const dir = join(work, 'runs', e.file.replace(/\.ts$/, ''));
  cpSync(seedDir, dir, { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(app, 'out', e.file.replace(/\.ts$/, '.js'))], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the packed package', () => {
  it('holds the build, its types, the docs and every file the README, the docs and bench/RESULTS.md link to', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'README.md', 'CHANGELOG.md', 'package.json']) expect(packed, f).toContain(f);
    expect(packed.some((f) => f.startsWith('test/'))).toBe(false);
    const broken: string[] = [];
    for (const doc of [...docFiles(ROOT), 'bench/RESULTS.md']) {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      for (const link of relativeLinks(text)) {
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? doc : posix.normalize(posix.join(posix.dirname(doc), path));
        if (!packed.includes(target)) broken.push(`${doc}: ${link} (${target} is not in the package)`);
        else if (anchor !== undefined && target.endsWith('.md') && !anchors(readFileSync(join(ROOT, target), 'utf8')).has(anchor)) {
          broken.push(`${doc}: ${link} (no heading #${anchor} in ${target})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the documented examples (README and docs); most of them run', () => {
    expect(examples.filter((e) => e.compileOnly).length).toBeLessThanOrEqual(examples.length / 4);
    expect(examples.filter((e) => e.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(4);
    expect(examples.filter((e) => e.where.startsWith('docs/')).length).toBeGreaterThanOrEqual(5);
  });

  it('compiles every example in a strict nodenext project with skipLibCheck false', () => {
    expect(compiled.output).toBe('');
    expect(compiled.status).toBe(0);
  });

  it.each(examples.filter((e) => !e.compileOnly).map((e) => [e.where, e] as const))('runs the example at %s', async (_where, e) => {
    expect(compiled.status).toBe(0);
    const r = await runExample(e);
    expect(r.output).not.toMatch(/Error|Warning/);
    expect(r.code, r.output).toBe(0);
  }, 60_000);

  it('a doc that imports an export that does not exist fails to compile', () => {
    const probe = join(work, 'probe');
    mkdirSync(join(probe, 'examples'), { recursive: true });
    for (const f of ['package.json', 'tsconfig.json']) copyFileSync(join(app, f), join(probe, f));
    symlinkSync(join(app, 'node_modules'), join(probe, 'node_modules'));
    // A name the package does not export.
    writeFileSync(join(probe, 'examples', 'probe.ts'), "import { matchSpecCompiler } from 'termstore';\nmatchSpecCompiler([], 0);\n");
    const r = spawnSync(process.execPath, [TSC, '-p', probe], { cwd: probe, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/probe\.ts.*TS2305.*matchSpecCompiler/);
  });

  it('every ets.* and dets.* function the README and docs name exists', () => {
    const named = new Set<string>();
    for (const doc of docFiles(ROOT)) {
      for (const m of readFileSync(join(ROOT, doc), 'utf8').matchAll(/\b(d?ets)\.([A-Za-z_][A-Za-z0-9_]*)\b(?!\.?(?:md|ts)\b)/g)) {
        if (m[2] !== 'md' && m[2] !== 'ts') named.add(`${m[1]}.${m[2]}`);
      }
    }
    expect(named.size).toBeGreaterThan(40);
    writeFileSync(join(app, 'names.mjs'), `import { ets, dets } from 'termstore';\nconst api = { ets, dets };\nconsole.log(JSON.stringify(${JSON.stringify([...named])}.filter((n) => { const [o, f] = n.split('.'); return !(f in api[o]); })));\n`);
    const r = spawnSync(process.execPath, ['names.mjs'], { cwd: app, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('installs a working `termstore` bin (through the symlink npm makes)', () => {
    const { version: v } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = spawnSync(join(app, 'node_modules', '.bin', 'termstore'), ['--version'], { cwd: app, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${v}\n`);
    const info = spawnSync(join(app, 'node_modules', '.bin', 'termstore'), ['info', join(ROOT, 'fixtures/erlang/tab2file/large.tab')], { cwd: app, encoding: 'utf8' });
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/rows\s+20,000/);
  });

  it('is required from CommonJS (Node >= 20.19 loads the ESM build through the default condition)', () => {
    writeFileSync(join(app, 'require.cjs'), "const { ets, END_OF_TABLE } = require('termstore');\nconst t = ets.new('cjs', {});\nets.insert(t, ['k', 1]);\nconsole.log(JSON.stringify(ets.lookup(t, 'k')), ets.next(t, 'k') === END_OF_TABLE);\n");
    const r = spawnSync(process.execPath, ['require.cjs'], { cwd: app, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('[["k",1]] true\n');
  });
});
