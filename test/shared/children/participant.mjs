// A participant of a shared table, run as a child process (argv[2]: JSON
// job, replies over IPC) or as a worker thread (workerData: the job, replies
// through parentPort). Imports the built package, as a user would.
//
// Jobs:
//   count     { n, keys }: n updateCounter calls on keys k0..k<keys-1>;
//             replies { written }, waits for 'check', syncs and replies
//             { sums } read from its own replica
//   race      insertNew(['race', id]); replies { won }
//   sequence  insertMany of 5 rows per step, forever; after each
//             acknowledged step writes "<i>\n" to stdout synchronously
//             (the parent SIGKILLs it at some point)
//   burst     { n } (SQLite): n inserts ['burst', i] in one synchronous run
//             of code, each acknowledged by "<i>\n" on stdout, then SIGKILLs
//             itself before the run ends: its last batch is never committed
//   endless   (SQLite) inserts ['endless', i] in one synchronous run of code
//             that never ends, replying { acked: i } after each (the parent
//             terminates the worker or kills the process)
//   hold      { n, holdMs } (SQLite): n inserts ['hold', i] in one
//             synchronous run of code, replies { acked: n }, and goes on
//             computing (no write, no await) for holdMs before the run ends
//   stream    { n }: insert ['w', id, i] into a duplicate_bag, up to 64 in
//             flight, until n resolved or the parent says stop; replies
//             { resolved, rejected: [{ i, code, inDoubt }] }
//   drop      deletes the table from the store
//   rows      { rows, position, snapshotPosition } after a sync
//   watch     { key }: waits, without calling anything but lookup on a
//             timer of its own, until key appears; replies { seen: true }
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';

const dist = process.env.TERMSTORE_DIST;
const { shared } = await import(`${dist}/index.js`);

const job = isMainThread ? JSON.parse(process.argv[2]) : workerData;
const reply = (m) => (isMainThread ? process.send(m) : parentPort.postMessage(m));
const onMessage = (f) => (isMainThread ? process.on('message', f) : parentPort.on('message', f));

const t = await shared.open(job.table, { store: job.store, type: job.type ?? 'set' });
const pg = t.storeKind === 'postgres';

async function count() {
  const inFlight = new Set();
  for (let i = 0; i < job.n; i++) {
    const r = shared.updateCounter(t, `k${i % job.keys}`, [2, 1], [`k`, 0]);
    if (pg) {
      const p = r.then(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  // Wait until every participant has written, then read this replica after a sync.
  reply({ written: true });
  await new Promise((resolve) => onMessage((m) => m === 'check' && resolve()));
  await shared.sync(t);
  const sums = {};
  for (let k = 0; k < job.keys; k++) sums[`k${k}`] = shared.lookupElement(t, `k${k}`, 2, 0);
  return { sums };
}

async function stream() {
  let stop = false;
  onMessage((m) => {
    if (m === 'stop') stop = true;
  });
  let resolved = 0;
  const rejected = [];
  const inFlight = new Set();
  reply({ started: true });
  for (let i = 0; i < job.n && !stop; i++) {
    const p = shared.insert(t, ['w', job.id, i]).then(
      () => {
        resolved++;
      },
      (e) => {
        rejected.push({ i, code: e.code, inDoubt: e.details?.inDoubt === true });
      },
    );
    const q = p.finally(() => inFlight.delete(q));
    inFlight.add(q);
    if (inFlight.size >= 64) await Promise.race(inFlight);
    if (i % 500 === 0) reply({ progress: resolved });
  }
  await Promise.all(inFlight);
  await shared.sync(t);
  return { resolved, rejected };
}

async function run() {
  switch (job.task) {
    case 'count':
      return count();
    case 'race':
      return { won: await shared.insertNew(t, ['race', job.id]) };
    case 'rows':
      await shared.sync(t);
      return { rows: shared.tab2list(t).length, position: shared.info(t, 'position'), snapshotPosition: shared.info(t, 'snapshotPosition') };
    case 'sequence':
      for (let i = 0; ; i++) {
        const rows = [0, 1, 2, 3, 4].map((j) => [`${job.id}:${i}:${j}`, i]);
        await shared.insertMany(t, rows);
        writeSync(1, `${i}\n`);
      }
    case 'stream':
      return stream();
    case 'endless':
      for (let i = 0; ; i++) {
        shared.insert(t, [`endless:${i}`, i]);
        reply({ acked: i });
      }
    case 'hold': {
      for (let i = 0; i < job.n; i++) shared.insert(t, [`hold:${i}`, i]);
      reply({ acked: job.n });
      const end = Date.now() + job.holdMs;
      while (Date.now() < end);
      await new Promise((r) => setImmediate(r));
      return { held: true };
    }
    case 'burst':
      for (let i = 0; i < job.n; i++) {
        shared.insert(t, [`burst:${i}`, i]);
        writeSync(1, `${i}\n`);
      }
      process.kill(process.pid, 'SIGKILL');
      break;
    case 'drop':
      await shared.delete(t);
      return { dropped: true };
    case 'watch':
      reply({ ready: true });
      await new Promise((resolve) => {
        const timer = setInterval(() => {
          if (shared.member(t, job.key)) {
            clearInterval(timer);
            resolve();
          }
        }, 1);
      });
      return { seen: true };
  }
  throw new Error(`unknown task ${job.task}`);
}

try {
  const result = await run();
  if (job.task !== 'drop') await shared.close(t);
  reply({ done: true, ...result });
} catch (e) {
  reply({ error: `${e.code ?? ''} ${e.stack ?? e}` });
}
if (isMainThread) process.disconnect?.();
