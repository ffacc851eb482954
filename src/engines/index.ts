/**
 * Engine selection: one engine class per table type family.
 * @module
 */
import { HashEngine } from './hash.js';
import { OrderedEngine } from './ordered.js';
import type { Engine, TableType } from './types.js';
import type { Row } from '../term/types.js';

export * from './types.js';
export { HashEngine } from './hash.js';
export { OrderedEngine } from './ordered.js';

/** Engines that can hand out the single row of a key without allocating. */
export interface SingleRowLookup {
  lookupOne(key: unknown): readonly unknown[] | undefined;
}

/** Creates the engine for a table type; `keyIndex` is 0-based. */
export function createEngine(type: TableType, keyIndex: number): Engine & SingleRowLookup {
  return type === 'ordered_set' ? new OrderedEngine(keyIndex) : new HashEngine(type, keyIndex);
}

/**
 * Inserts `rows` in order, in one pass ({@link Engine.bulkLoad}) when the
 * engine is empty and can: how file2tab, `fromEts` and an insert of many
 * rows into an empty table fill a table.
 */
export function insertAll(engine: Engine, rows: readonly Row[]): void {
  if (engine.bulkLoad !== undefined && rows.length > 1 && engine.size() === 0) {
    engine.bulkLoad(rows);
    return;
  }
  for (let i = 0; i < rows.length; i++) engine.insert(rows[i]!);
}
