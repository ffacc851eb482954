/**
 * Shared tables as a conversion source and sink, so that `convert` (and
 * `termstore convert`) loads a dets/tab/Erlang/SQLite/JSON file into a
 * shared table, and backs one up to any format.
 *
 * Address: the store and the table, `sqlite:/path/tables.db#users` or
 * `postgres://user@host:5432/db#users`. Without `#table` the table is the
 * `table` option, or (for an output) the input's table name.
 *
 * The sink loads the rows into a fresh table `<name>.converting-<id>` and
 * renames it to `<name>` at the end, so other participants never see a half
 * load; an existing table of that name is refused (`CONVERT_EXISTS`) unless
 * `force`, when it is deleted just before the rename. Each batch of rows is
 * one log entry.
 *
 * @module
 */
import { TermstoreError } from '../../errors.js';
import { shared, type SharedTable } from '../../shared/index.js';
import { redact } from '../../shared/options.js';
import type { SharedStore } from '../../shared/options.js';
import type { ConvRow, RowSink, RowSource, SinkOptions, SourceOptions, TableMeta } from '../types.js';

/** True if `x` names a shared table's store (`sqlite:...`, `postgres://...`, `postgresql://...`). */
export function isSharedAddress(x: string): boolean {
  return x.startsWith('sqlite:') || x.startsWith('postgres://') || x.startsWith('postgresql://');
}

/** Splits `store#table`; the table may come from the option instead. */
function parse(address: string, table: string | undefined): { store: SharedStore; table: string | undefined } {
  const i = address.lastIndexOf('#');
  if (i < 0) return { store: address as SharedStore, table };
  return { store: address.slice(0, i) as SharedStore, table: decodeURIComponent(address.slice(i + 1)) };
}

function needTable(address: string, table: string | undefined): string {
  if (table === undefined || table === '') {
    throw new TermstoreError('ETS_BADARG', `${redact(address)}: name the shared table, as <store>#<table> or with the table option (--table)`, { details: { option: 'table' } });
  }
  return table;
}

/** Opens a shared table as a source: its rows, in table order, from a replica loaded for the purpose. */
export async function openSharedSource(address: string, o: SourceOptions): Promise<RowSource> {
  const p = parse(address, o.table);
  const name = needTable(address, p.table);
  const t = await shared.open(name, { store: p.store, named: false });
  const info = shared.info(t)!;
  const meta: TableMeta = { type: info.type, keypos: info.keypos, name, access: 'public', named: true };
  const batch = o.batchSize ?? 1000;
  let read = 0;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await shared.close(t);
  };
  return {
    format: 'shared',
    file: redact(address),
    meta,
    expectedRows: info.size,
    fileBytes: info.memory,
    details: { store: info.store, storeKind: info.storeKind, position: info.position, snapshotPosition: info.snapshotPosition },
    bytesRead: () => read,
    close,
    async *[Symbol.asyncIterator]() {
      try {
        const rows = shared.tab2list(t);
        for (let i = 0; i < rows.length; i += batch) {
          const b = rows.slice(i, i + batch) as ConvRow[];
          read += b.length;
          yield b;
        }
      } finally {
        await close();
      }
    },
  };
}

/** Creates a sink that loads rows into a shared table (see the module docs). */
export async function createSharedSink(address: string, meta: TableMeta, o: SinkOptions): Promise<RowSink> {
  const p = parse(address, o.table ?? meta.name);
  const name = needTable(address, p.table);
  const probe = await shared.open(name, { store: p.store, named: false, type: meta.type, keypos: meta.keypos }).catch((e: unknown) => e);
  if (probe instanceof Error) {
    // A table of that name with other options: refuse unless force (it will be replaced).
    if (!(probe instanceof TermstoreError && probe.code === 'SHARED_OPTIONS_MISMATCH' && o.force === true)) throw probe;
  } else {
    const t = probe as SharedTable;
    const size = shared.info(t, 'size')!;
    await shared.close(t);
    if (size > 0 && o.force !== true) {
      throw new TermstoreError('CONVERT_EXISTS', `${redact(p.store)}: the shared table ${JSON.stringify(name)} exists and holds ${size} rows; give force (--force) to replace it`, {
        details: { file: redact(p.store), table: name },
      });
    }
  }
  const temp = `${name}.converting-${globalThis.crypto.randomUUID().slice(0, 8)}`;
  const t = await shared.open(temp, { store: p.store, named: false, type: meta.type, keypos: meta.keypos });
  let rows = 0;
  return {
    format: 'shared',
    exact: false,
    async write(batch) {
      if (batch.length === 0) return;
      await shared.insertMany(t, batch as never);
      rows += batch.length;
    },
    async finish() {
      const old = await shared.open(name, { store: p.store, named: false }).catch(() => undefined);
      if (old !== undefined) {
        if (o.force !== true && shared.info(old, 'size')! > 0) {
          await shared.close(old);
          await shared.delete(t);
          throw new TermstoreError('CONVERT_EXISTS', `${redact(p.store)}: the shared table ${JSON.stringify(name)} was filled by someone else meanwhile`, { details: { table: name } });
        }
        await shared.delete(old);
      }
      await shared.rename(t, name);
      const bytes = shared.info(t, 'memory')!;
      await shared.close(t);
      return { bytes, notes: [`${rows} rows loaded into shared table ${JSON.stringify(name)} (${redact(p.store)})`] };
    },
    async abort() {
      await Promise.resolve(shared.delete(t)).catch(() => undefined);
    },
  };
}
