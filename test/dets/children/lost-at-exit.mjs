// A table whose file another program replaces, then the process exits with writes buffered.
// argv: file mode(exit|autosave0)
import * as fs from 'node:fs';
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file, mode] = process.argv.slice(2);
const t = await dets.openFile('lost', { file, autoSave: mode === 'autosave0' ? 0 : false });
dets.insert(t, [1, 'saved']);
await dets.sync(t);
fs.writeFileSync(`${file}.other`, 'not ours');
fs.renameSync(`${file}.other`, file);
if (mode === 'autosave0') {
  try {
    dets.insert(t, [2, 'refused']);
    process.stdout.write('ACCEPTED\n');
  } catch (e) {
    process.stdout.write(`${e.code}\n`);
  }
  process.exit(0);
}
dets.insert(t, [2, 'lost']);
dets.insert(t, [3, 'lost']);
process.exit(0);
