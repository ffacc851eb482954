/**
 * `convert` into and out of shared tables: a table file loads into a shared
 * table (seen whole by other participants, or not at all), and a shared
 * table backs up to any format; also through the CLI.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, ets, shared, tuple } from '../../src/index.js';
import { ensureDist } from '../build.js';
import { startCluster, type Cluster } from '../shared/pg-cluster.js';
import { errorOf, readAll, tableOf, tempDir } from './support.js';

const { dir, cleanup } = tempDir('conv-shared');
afterAll(cleanup);
const store = `sqlite:${join(dir, 'tables.db')}` as const;
const ROWS: unknown[][] = [
  ['alice', 1, tuple('a', 1n)],
  ['bob', 2, { nested: [1, 2] }],
  [Symbol.for('atom_key'), 3, new Uint8Array([1, 2, 3])],
];

async function tabFile(name: string, type: 'set' | 'ordered_set' = 'set'): Promise<string> {
  const t = tableOf(ROWS, { type });
  const file = join(dir, `${name}.tstab`);
  await ets.tab2file(t, file);
  ets.delete(t);
  return file;
}

describe('convert and shared tables', () => {
  it('a tab file into a shared table and back out, exactly; an existing table needs force', async () => {
    const file = await tabFile('users', 'ordered_set');
    const r = await convert(file, `${store}#users`);
    expect(r).toMatchObject({ from: 'tab', to: 'shared', rows: 3 });
    const t = await shared.open('users', { store });
    expect(shared.info(t, 'type')).toBe('ordered_set');
    const want = ets.tab2list(await ets.file2tab(file));
    expect(shared.tab2list(t)).toEqual(want);
    expect(shared.all().map((x) => x.name)).not.toContain(expect.stringContaining('converting'));
    expect((await errorOf(() => convert(file, `${store}#users`)))?.code).toBe('CONVERT_EXISTS');
    shared.insert(t, ['carol', 4, 'extra']);
    await convert(file, `${store}#users`, { force: true });
    const again = await shared.open('users', { store });
    expect(shared.tab2list(again)).toEqual(want);
    // Back out, to a file of another format.
    const out = join(dir, 'users-back.jsonl');
    expect(await convert(`${store}#users`, out)).toMatchObject({ from: 'shared', to: 'jsonl', rows: 3 });
    expect(await readAll(out)).toEqual(want);
    await shared.delete(again);
  });

  it('the table name comes from #table, the table option, or the input', async () => {
    const file = await tabFile('named');
    await convert(file, store, { table: 'by_option' });
    const a = await shared.open('by_option', { store });
    expect(shared.info(a, 'size')).toBe(3);
    await shared.delete(a);
    const src = await tabFile('from_input_name');
    const r = await convert(src, store);
    const b = await shared.open(r.meta.name, { store });
    expect(shared.info(b, 'size')).toBe(3);
    await shared.delete(b);
    expect((await errorOf(() => convert(store, join(dir, 'x.jsonl'))))?.code).toBe('ETS_BADARG');
  });

  it('termstore convert loads a file into a shared table and backs it up', async () => {
    const cli = ensureDist();
    const file = await tabFile('cli');
    const load = spawnSync(process.execPath, [cli, 'convert', file, `${store}#cli_users`], { encoding: 'utf8' });
    expect(load.status).toBe(0);
    expect(load.stdout).toContain('tab → shared: 3 rows');
    const back = join(dir, 'cli-back.tstab');
    const save = spawnSync(process.execPath, [cli, 'convert', `${store}#cli_users`, back], { encoding: 'utf8' });
    expect(save.status).toBe(0);
    expect((await readAll(back)).length).toBe(3);
  }, 120_000);
});

describe('convert and shared tables on PostgreSQL', () => {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 180_000);
  afterAll(() => cluster?.stop());

  it('a tab file into a PostgreSQL shared table and back', async () => {
    const url = cluster!.url as `postgres://${string}`;
    const file = await tabFile('pg_users');
    await convert(file, `${url}#pg_users`);
    const t = await shared.open('pg_users', { store: url });
    expect(shared.info(t, 'size')).toBe(3);
    const out = join(dir, 'pg-back.tstab');
    await convert(`${url}#pg_users`, out);
    expect(await readAll(out)).toEqual(shared.tab2list(t));
    await shared.delete(t);
  });
});
