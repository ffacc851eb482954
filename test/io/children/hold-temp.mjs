// Starts an atomic write to argv[2] and never finishes it: prints the
// temporary file's path, then waits until it is killed.
const { AtomicFile } = await import(`${process.env.TERMSTORE_DIST}/io/atomic-file.js`);
const f = await AtomicFile.create(process.argv[2], { force: true });
await f.fh.write('partial');
process.stdout.write(f.tmp + '\n');
setInterval(() => undefined, 1 << 30);
