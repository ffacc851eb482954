// Opens a dets file read-only and reports how long it took and the peak RSS.
// argv: file. Prints "OPENED <ms> <rssMiB> <rows> <damagedRanges>" or "ERROR <code>".
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file] = process.argv.slice(2);
process.removeAllListeners('warning');
process.on('warning', () => undefined);
const t0 = performance.now();
try {
  const t = await dets.openFile('hostile', { file, access: 'read' });
  const r = dets.info(t, 'recovered');
  process.stdout.write(`OPENED ${(performance.now() - t0).toFixed(0)} ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} ${dets.info(t, 'size')} ${r.damaged.length}\n`);
} catch (e) {
  process.stdout.write(`ERROR ${e.code} ${(performance.now() - t0).toFixed(0)}\n`);
}
