/**
 * The conformance suite on shared tables: the same semantics as ets, with
 * every write going through the store's log. At the end of each table's
 * life a fresh replica is loaded from the store and must hold the same rows
 * in the same order: what the log says is what the writer saw.
 */
import { expect } from 'vitest';
import { shared, type SharedStore, type SharedTable } from '../../src/index.js';
import { conformanceSuite } from './suite.js';

let n = 0;
export function sharedConformance(name: string, store: () => SharedStore): void {
  conformanceSuite<SharedTable>(name, async (type, { keypos }) => {
    const tableName = `conformance_${process.pid}_${n++}`;
    const table = await shared.open(tableName, { store: store(), type, keypos });
    return {
      table,
      api: shared,
      cleanup: async () => {
        const before = shared.tab2list(table);
        await shared.close(table);
        const again = await shared.open(tableName, { store: store() });
        expect(shared.tab2list(again)).toEqual(before);
        await shared.delete(again);
      },
    };
  });
}
