/**
 * Replaying a journaled write into an engine.
 *
 * @module
 */
import type { Engine, WriteOp } from '../engines/types.js';
import { rowEquals } from '../term/equal.js';

/** Applies one write to an engine, as the ets layer would have. */
export function applyOp(engine: Engine, op: WriteOp): void {
  switch (op.op) {
    case 'insert':
      for (const r of op.rows) engine.insert(r);
      return;
    case 'delete':
      engine.deleteKey(op.key);
      return;
    case 'deleteObject':
      engine.deleteObject(op.row);
      return;
    case 'replace': {
      const stored = engine.lookup(op.old[engine.keyIndex]).find((r) => rowEquals(r, op.old));
      if (stored !== undefined) engine.replace(stored, op.row);
      else if (engine.caps.duplicates === 'none') engine.insert(op.row);
      return;
    }
    case 'clear':
      engine.clear();
      return;
  }
}
