// Worker-thread child: a worker opens a dets table (default autoSave), writes
// `rows` rows, tells the main thread; the worker then ends the way `how` says:
// natural (its code returns), terminate (worker.terminate()), exit (process.exit(0)
// from the main thread). Then, except for `exit`, the main thread opens the same
// file read-write (the worker's lock must be gone) and prints "MAIN <size>".
// argv: file how rows
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
if (isMainThread) {
  const [file, how, rows] = process.argv.slice(2);
  const w = new Worker(new URL(import.meta.url), { workerData: { file, rows: Number(rows) } });
  w.on('error', (e) => {
    process.stderr.write(`WORKER ERROR ${e.message}\n`);
    process.exit(98);
  });
  w.on('message', async (msg) => {
    if (msg !== 'written') return;
    process.stdout.write('WRITTEN\n');
    if (how === 'natural') w.postMessage('end');
    if (how === 'terminate') await w.terminate();
    if (how === 'exit') process.exit(0);
  });
  w.on('exit', async () => {
    if (how === 'exit') return;
    const t = await dets.openFile('after', { file });
    process.stdout.write(`MAIN ${dets.info(t, 'size')}\n`);
    await dets.close(t);
  });
} else {
  const { file, rows } = workerData;
  const t = await dets.openFile('in-worker', { file });
  for (let i = 0; i < rows; i++) dets.insert(t, [i, `row ${i}`]);
  parentPort.on('message', () => parentPort.close());
  parentPort.postMessage('written');
  setInterval(() => {}, 1 << 30).unref();
}
