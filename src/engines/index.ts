/**
 * Engine selection: one engine class per table type family.
 * @module
 */
import { HashEngine } from './hash.js';
import { OrderedEngine } from './ordered.js';
import type { Engine, TableType } from './types.js';

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
