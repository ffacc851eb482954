// A worker overwrites the same 50 keys until a write meets maxFileSize: in a
// worker that write is refused (no synchronous compaction off the main
// thread) and a background compaction starts; once it is done the write is
// retried and goes in. The main thread then reopens the file.
// argv: file maxFileSize. Prints REFUSED <code> <compaction started?>, ACCEPTED <tries>, MAIN <size> <value of key 7> <file bytes>.
import * as fs from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
if (isMainThread) {
  const [file, max] = process.argv.slice(2);
  const w = new Worker(new URL(import.meta.url), { workerData: { file, max: Number(max) } });
  w.on('message', (m) => process.stdout.write(`${m}\n`));
  w.on('error', (e) => {
    process.stderr.write(`WORKER ERROR ${e.stack}\n`);
    process.exit(98);
  });
  w.on('exit', async () => {
    const t = await dets.openFile('after', { file });
    process.stdout.write(`MAIN ${dets.info(t, 'size')} ${dets.lookup(t, 7)[0][1]} ${fs.statSync(file).size}\n`);
    await dets.close(t);
  });
} else {
  const { file, max } = workerData;
  const t = await dets.openFile('in-worker', { file, maxFileSize: max });
  const value = (i) => `${i}:${'v'.repeat(200)}`;
  let i = 0;
  for (;; i++) {
    try {
      dets.insert(t, [i % 50, value(i)]);
    } catch (e) {
      parentPort.postMessage(`REFUSED ${e.code} ${/a compaction has started/.test(e.message)}`);
      break;
    }
  }
  // Retry the refused write until the background compaction has made room (bounded: 30 s).
  let tries = 0;
  for (const end = Date.now() + 30_000; Date.now() < end; tries++) {
    try {
      dets.insert(t, [i % 50, value(i)]);
      parentPort.postMessage(`ACCEPTED ${tries}`);
      break;
    } catch (e) {
      if (e.code !== 'DETS_FILE_TOO_LARGE') throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  dets.insert(t, [7, 'last']);
  await dets.close(t);
  parentPort.close();
}
