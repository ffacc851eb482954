// Prints how many listeners SIGTERM, SIGINT and SIGHUP have once a table is open.
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file] = process.argv.slice(2);
const t = await dets.openFile('listeners', { file });
process.stdout.write(`LISTENERS ${['SIGTERM', 'SIGINT', 'SIGHUP'].map((s) => process.listeners(s).length).join(' ')}\n`);
await dets.close(t);
