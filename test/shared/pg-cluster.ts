/**
 * A throwaway PostgreSQL cluster for a test file: `initdb` into a temporary
 * directory, `pg_ctl start` on a free loopback port, `pg_ctl stop` and
 * removal at the end. Runs the server as the `postgres` system user when
 * the tests run as root (initdb refuses root).
 *
 * Found through `TERMSTORE_PG_BIN` (the directory of initdb/pg_ctl), then
 * PATH, then `/usr/lib/postgresql/<version>/bin`. Tests that need it fail,
 * naming what to install, when no PostgreSQL is installed (`npm test`
 * installs it first as root: scripts/test-deps.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

function findBin(): string | undefined {
  const fromEnv = process.env.TERMSTORE_PG_BIN;
  if (fromEnv !== undefined && fs.existsSync(path.join(fromEnv, 'initdb'))) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs
      .readdirSync(base)
      .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return path.join(base, versions[0], 'bin');
  }
  return undefined;
}

/** The directory of initdb/pg_ctl, or undefined if PostgreSQL is not installed. */
export const PG_BIN = findBin();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program, as the `postgres` user when we are root. */
function pg(program: string, args: string[]): string {
  const exe = path.join(PG_BIN!, program);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: os.tmpdir() });
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface Cluster {
  /** `postgres://termstore@127.0.0.1:<port>/postgres` */
  url: string;
  /** `pg_ctl restart -m fast`: every session is cut, the server comes back on the same port. */
  restart(): void;
  stop(): void;
}

/**
 * Starts a cluster. `fsync` off by default for speed (`synchronous_commit`
 * stays on: a commit still waits for its WAL write, so a server restart
 * loses nothing; only power loss could): the tests check ordering,
 * idempotence and reconnection, not the disk's flush.
 */
export async function startCluster(options: { fsync?: boolean } = {}): Promise<Cluster> {
  if (PG_BIN === undefined) {
    throw new Error('this test runs a PostgreSQL server but `initdb`/`pg_ctl` were not found: install postgresql (apt-get install -y postgresql) or set TERMSTORE_PG_BIN, or run `npm test` as root, which installs it');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'termstore-pg-'));
  fs.chmodSync(dir, 0o755);
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  pg('initdb', ['-D', data, '-U', 'termstore', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  let port = 0;
  const opts = (): string => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=${options.fsync === true ? 'on' : 'off'} -c synchronous_commit=on -c max_connections=200`;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      pg('pg_ctl', ['-D', data, '-o', opts(), '-l', path.join(dir, 'log'), '-w', '-t', '120', 'start']);
      break;
    } catch (e) {
      if (attempt >= 4) throw e;
    }
  }
  return {
    url: `postgres://termstore@127.0.0.1:${port}/postgres`,
    restart: () => {
      pg('pg_ctl', ['-D', data, '-o', opts(), '-l', path.join(dir, 'log'), '-m', 'fast', '-w', '-t', '120', 'restart']);
    },
    stop: () => {
      try {
        pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '60', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
