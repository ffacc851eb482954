/** The conformance suite on ets tables, for all four table types. */
import { ets, type Table } from '../../src/index.js';
import { conformanceSuite } from './suite.js';

let n = 0;
conformanceSuite<Table>('ets', (type, { keypos }) => {
  const table = ets.new(`conformance_${n++}`, { type, keypos });
  return { table, api: ets, cleanup: () => ets.delete(table) };
});
