// Shutdown-under-load child: keeps writing from setImmediate and from a timer
// until it is ended the way `how` says; prints "AT <n> <m>" (n immediate-loop
// rows and m timer rows written so far, every write before the line returned).
// argv: file how(sigterm|sigint|sighup|handler|exit5) autoSave(default|false)
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file, how, autoSave] = process.argv.slice(2);
const t = await dets.openFile('busy', autoSave === 'false' ? { file, autoSave: false } : { file });
process.on('uncaughtException', (e) => {
  process.stderr.write(`UNCAUGHT ${e && e.code} ${e && e.message}\n`);
  process.exit(99);
});
if (how === 'handler') {
  process.on('SIGTERM', () => {
    process.stdout.write('HANDLER\n');
    process.exit(7);
  });
}
let n = 0;
let m = 0;
let lines = 0;
const loop = () => {
  for (let i = 0; i < 50; i++) dets.insert(t, [n++, 'loop']);
  if (++lines % 10 === 0) process.stdout.write(`AT ${n} ${m}\n`);
  if (how === 'exit5' && n >= 50_000) process.exit(5);
  setImmediate(loop);
};
setInterval(() => {
  for (let i = 0; i < 20; i++) dets.insert(t, [`t${m++}`, 'timer']);
}, 1);
loop();
