// The DETS seed scenario. argv: file autoSave(default|ms) wait(none|durable)
// Writes one row; with `durable`, waits until the autoSave timer has made it
// durable (whenDurable forces nothing); prints WRITTEN and keeps running until killed.
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file, autoSave, wait] = process.argv.slice(2);
const opts = { file };
if (autoSave !== 'default') opts.autoSave = Number(autoSave);
const t = await dets.openFile('seed', opts);
dets.insert(t, ['k', 'v']);
if (wait === 'durable') await dets.whenDurable(t);
process.stdout.write('WRITTEN\n');
setInterval(() => {}, 1 << 30);
