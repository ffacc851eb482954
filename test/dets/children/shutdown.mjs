// Shutdown-test child: autoSave false, writes rows, then ends in the way `how` says.
// argv: file how(end|exit3|sigterm|sigint|sighup|handler|throw) rows use(dets|none)
const [file, how, rowsArg, use] = process.argv.slice(2);
const rows = Number(rowsArg);
if (use === 'dets') {
  const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
  const t = await dets.openFile('shut', { file, autoSave: false });
  for (let i = 0; i < rows; i++) dets.insert(t, [i, `row ${i}`]);
}
if (how === 'handler') {
  process.on('SIGTERM', () => {
    process.stdout.write('HANDLER\n');
    process.exit(7);
  });
}
switch (how) {
  case 'end':
    break;
  case 'exit3':
    process.exit(3);
  case 'throw':
    setImmediate(() => {
      throw new Error('boom');
    });
    break;
  default:
    // Wait for the signal; the interval keeps the loop alive.
    setInterval(() => {}, 1 << 30);
    process.stdout.write('READY\n');
}
