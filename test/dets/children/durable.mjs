// whenDurable as the last thing a program waits for. argv: file autoSave(default|false)
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file, autoSave] = process.argv.slice(2);
const t = await dets.openFile('durable', autoSave === 'false' ? { file, autoSave: false } : { file });
dets.insert(t, ['k', 'v']);
await dets.whenDurable(t);
process.stdout.write('AFTER\n');
