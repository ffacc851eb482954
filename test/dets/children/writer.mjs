// Crash-test child: writes continuously, reports each completed sync on stdout.
// argv: file mode(plain|compact) seed
// Op s (1-based): s % 5 == 4 -> delete key (s * 7) % K, else insert [s % K, s, payload(s)].
// Prints "S <n>" when every op 1..n is durable (after dets.sync), "C" when a compaction starts.
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const [file, mode] = process.argv.slice(2);
const K = 500;
const payload = (s) => `p${s}-${'x'.repeat(s % 61)}`;
const t = await dets.openFile('crash', { file, autoSave: 15, compaction: { minBytes: 64 * 1024, ratio: 2 } });
let s = 0;
const out = (line) => process.stdout.write(line + '\n');
if (mode === 'compact') {
  // Ballast, so that a compaction takes long enough to be killed in the middle.
  for (let i = 0; i < 20_000; i++) dets.insert(t, [`b${i}`, -1, 'ballast']);
  await dets.sync(t);
}
out('READY');
let compacting = false;
for (;;) {
  for (let i = 0; i < 200; i++) {
    s++;
    if (s % 5 === 4) dets.delete(t, (s * 7) % K);
    else dets.insert(t, [s % K, s, payload(s)]);
  }
  if (mode === 'compact' && !compacting && s % 2000 === 0) {
    compacting = true;
    out('C');
    dets.compact(t).then(() => {
      compacting = false;
      out('c');
    });
  }
  const n = s;
  await dets.sync(t);
  out(`S ${n}`);
  await new Promise((r) => setImmediate(r));
}
