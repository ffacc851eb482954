// Lock-test child: opens the file read-write and holds it until killed.
// argv: file [name]
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file] = process.argv.slice(2);
const t0 = performance.now();
try {
  const t = await dets.openFile('held', { file });
  dets.insert(t, [process.pid, 'holder']);
  await dets.sync(t);
  process.stdout.write(`READY ${(performance.now() - t0).toFixed(1)}\n`);
  setInterval(() => {}, 1 << 30);
} catch (e) {
  process.stdout.write(`ERROR ${e.code} ${(performance.now() - t0).toFixed(1)} ${JSON.stringify(e.message)}\n`);
  process.exitCode = 2;
}
