/**
 * `termstore demo`: the README's first command. Opens a dets file, writes,
 * crashes (a child process killed with SIGKILL) or closes, reopens, and
 * shows what survived.
 *
 * @module
 */
import { spawn as spawnChild } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dets } from '../dets/index.js';

const out = (s: string): void => void process.stdout.write(s + '\n');

/** The child half of the demo: writes, syncs some, writes more, then dies hard. */
export async function demoChild(file: string): Promise<never> {
  const t = await dets.openFile('demo', { file, autoSave: false });
  for (let i = 1; i <= 5; i++) dets.insert(t, [`order-${i}`, 'paid', i * 10]);
  await dets.sync(t); // these five are on disk now
  for (let i = 6; i <= 8; i++) dets.insert(t, [`order-${i}`, 'pending', i * 10]);
  dets.updateCounter(t, 'order-1', [3, 1]);
  // Unflushed: order-6..8 and the counter bump. A SIGKILL gives no chance to flush.
  process.kill(process.pid, 'SIGKILL');
  return await new Promise<never>(() => {});
}

function show(rows: ReadonlyArray<readonly unknown[]>): void {
  for (const r of [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true }))) {
    out(`    ${JSON.stringify(r)}`);
  }
}

/** Runs the demo; `file` defaults to a fresh temporary directory. */
export async function demo(file?: string): Promise<void> {
  const dir = file === undefined ? mkdtempSync(path.join(os.tmpdir(), 'termstore-demo-')) : undefined;
  const target = file ?? path.join(dir!, 'orders.tsdb');
  try {
    out(`termstore demo: a crash-tolerant table in the dets file ${target}\n`);
    out('1. A child process opens the file, inserts order-1..5, calls sync(),');
    out('   inserts order-6..8 and bumps order-1, then is killed with SIGKILL before any flush.');
    const main = fileURLToPath(new URL('./main.js', import.meta.url));
    const status = await new Promise<NodeJS.Signals | number | null>((resolve) => {
      const child = spawnChild(process.execPath, [main, 'demo-child', target], { stdio: 'inherit' });
      child.on('exit', (code, signal) => resolve(signal ?? code));
    });
    out(`   child ended: ${String(status)}\n`);

    out('2. Reopen the file (the dead child\'s lock is cleared at once):');
    let t = await dets.openFile('demo', { file: target });
    const info = dets.info(t)!;
    show(dets.tab2list(t));
    out(`   ${info.size} rows survived: every synced write, nothing that was not flushed.`);
    out(`   recovery: ${JSON.stringify(info.recovered)}\n`);

    out('3. Write more and close normally (close flushes):');
    dets.insert(t, ['order-9', 'paid', 90]);
    dets.updateCounter(t, 'order-1', [3, 5]);
    await dets.close(t);
    t = await dets.openFile('demo', { file: target });
    out('   after reopening:');
    show(dets.tab2list(t));
    out(`   ${dets.info(t)!.size} rows; order-1 is now ${JSON.stringify(dets.lookup(t, 'order-1')[0])}`);
    await dets.close(t);
    out('\nDone. See README.md for the API.');
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
