// Crash-test child: tab2file of the same table to the same file, over and over.
// argv: file rows. Each round sets the row ['version', v] and prints "W v"
// before and "D v" after ets.tab2file; a SIGKILL can land anywhere.
const { ets } = await import(`${process.env.TERMSTORE_DIST}/index.js`);
const [file, n] = process.argv.slice(2);
const t = ets.new('crash', { type: 'set' });
const rows = [];
for (let i = 0; i < Number(n); i++) rows.push([i, i * 2, 'value-' + i]);
ets.insertMany(t, rows);
const out = (line) => process.stdout.write(line + '\n');
for (let v = 1; ; v++) {
  ets.insert(t, ['version', v]);
  out(`W ${v}`);
  await ets.tab2file(t, file, { extendedInfo: v % 2 === 0 });
  out(`D ${v}`);
}
