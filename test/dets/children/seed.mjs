// The DETS seed scenario. argv: file autoSave(default|ms) waitMs
// Writes one row, waits, prints WRITTEN and keeps running until killed.
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file, autoSave, wait] = process.argv.slice(2);
const opts = { file };
if (autoSave !== 'default') opts.autoSave = Number(autoSave);
const t = await dets.openFile('seed', opts);
dets.insert(t, ['k', 'v']);
await new Promise((r) => setTimeout(r, Number(wait)));
process.stdout.write('WRITTEN\n');
setInterval(() => {}, 1 << 30);
