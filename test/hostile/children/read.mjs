// Runs one reader of the built package on one file and prints one JSON line:
// {outcome: 'ok' | 'error', code, name, reason, limit, message, rows, ms, maxRssMiB}.
// argv: op file [options as JSON]. Ops:
//   verify     verifyFile(file, options)           every format, everything checked
//   iterate    openTableFile(file, options), every batch read and dropped
//   dets-open  dets.openFile on the file (repair false, read only), then close
//   file2tab   ets.file2tab(file)
//   read-dets9 readDetsFile(file, options), batches dropped
//   decode     decodeTerm(the file's bytes, options)
import { readFileSync } from 'node:fs';
const ts = await import(`${process.env.TERMSTORE_DIST}/index.js`);
const [op, file, json] = process.argv.slice(2);
const options = json === undefined ? undefined : JSON.parse(json);
const t0 = performance.now();
const result = { outcome: 'ok', rows: 0 };
try {
  switch (op) {
    case 'verify':
      result.rows = (await ts.verifyFile(file, options)).rowsRead;
      break;
    case 'iterate':
      for await (const batch of await ts.openTableFile(file, options)) result.rows += batch.length;
      break;
    case 'dets-open': {
      const t = await ts.dets.openFile('hostile', { file, repair: false, access: 'read' });
      result.rows = ts.dets.info(t, 'size');
      await ts.dets.close(t);
      break;
    }
    case 'file2tab':
      result.rows = ts.ets.info(await ts.ets.file2tab(file), 'size');
      break;
    case 'read-dets9':
      for await (const batch of await ts.openDetsFile(file, options)) result.rows += batch.length;
      break;
    case 'decode':
      ts.decodeTerm(readFileSync(file), options);
      break;
    default:
      throw new Error(`unknown op ${op}`);
  }
} catch (e) {
  Object.assign(result, {
    outcome: 'error',
    name: e?.name,
    code: e?.code,
    reason: e?.details?.reason,
    limit: e?.details?.limit,
    message: String(e?.message).slice(0, 300),
  });
}
result.ms = Math.round(performance.now() - t0);
result.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
