// An 'error' listener that throws, for a failing flush or a failing compaction.
// argv: file kind(flush|compaction)
const { dets } = await import(`${process.env.TERMSTORE_DIST}/dets/index.js`);
const { nodeFs } = await import(`${process.env.TERMSTORE_DIST}/dets/fs.js`);
const [file, kind] = process.argv.slice(2);
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
const fs = {
  ...nodeFs,
  write: async (...a) => {
    if (kind === 'flush') throw enospc();
    return nodeFs.write(...a);
  },
  open: async (f, ...a) => {
    if (kind === 'compaction' && f.includes('.compact-')) throw enospc();
    return nodeFs.open(f, ...a);
  },
};
const t = await dets.openFile('listener', { file, fs, autoSave: 10, compaction: { minBytes: 1, ratio: 1.01 } });
t.on('error', () => {
  throw new Error('listener boom');
});
for (let i = 0; i < 50; i++) dets.insert(t, [1, `b${i}`]);
setInterval(() => {}, 1000);
