// Lock-race child: prints WAITING, waits for a line on stdin, then tries once
// to open the file read-write. The winner writes [round, pid], syncs, prints
// READY and holds the file until killed; a loser prints ERROR <code> and exits 2.
// argv: file round
import { createInterface } from 'node:readline';
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file, round] = process.argv.slice(2);
process.stdout.write('WAITING\n');
const rl = createInterface({ input: process.stdin });
await new Promise((resolve) => rl.once('line', resolve));
try {
  const t = await dets.openFile('race', { file });
  dets.insert(t, [Number(round), process.pid]);
  await dets.sync(t);
  process.stdout.write(`READY ${process.pid}\n`);
  setInterval(() => {}, 1 << 30);
} catch (e) {
  process.stdout.write(`ERROR ${e.code}\n`);
  rl.close();
  process.exitCode = 2;
}
