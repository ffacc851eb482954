/**
 * The conformance suite on dets tables (all four types, incl. ordered_set,
 * which DETS lacks): the same semantics as ets, on a journaled table, with
 * a reopen from the file at the end of each table's life to check that
 * what was written is what comes back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { dets, type DetsTable } from '../../src/index.js';
import { conformanceSuite } from './suite.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'termstore-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
conformanceSuite<DetsTable>('dets', async (type, { keypos }) => {
  const name = `conformance_${n++}`;
  const file = path.join(dir, `${name}.dets`);
  const table = await dets.openFile(name, { file, type, keypos, autoSave: false });
  return {
    table,
    api: dets,
    cleanup: async () => {
      const before = dets.tab2list(table);
      await dets.close(table);
      const again = await dets.openFile(name, { file, type, keypos });
      // Same rows in the same order after a round trip through the file.
      expect(dets.tab2list(again)).toEqual(before);
      await dets.close(again);
    },
  };
});
