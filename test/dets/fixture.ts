/**
 * The golden file of format version 1: `fixtures/dets/v1.tsdb`, and the
 * rows it must hold. Regenerate (only when adding a format version's
 * fixture) with `TERMSTORE_WRITE_FIXTURE=1 npx vitest run test/dets/fixture.test.ts`.
 */
import { copyRow } from '../../src/term/copy.js';
import { Opaque, Pid, Tuple, type Row, type Term } from '../../src/term/types.js';
import { V1_FIXTURE_TERMS, everyTermType, storedForm } from './terms.js';
import type { TestTable } from './helpers.js';

/**
 * Snapshot part: one row per term type, as the v1 file was written (so with
 * bigints in the safe range, which copy-in now stores as numbers: the rows
 * are not put through copy-in); journal part: one op of each kind.
 */
export function fixtureSnapshotRows(): Row[] {
  return everyTermType()
    .slice(0, V1_FIXTURE_TERMS)
    .map((t, i) => Object.freeze([i, t]) as Row);
}

/** Writes the journal part after the snapshot. */
export function writeFixtureJournal(t: TestTable): void {
  t.insert([100, Tuple.from([Symbol.for('user'), 42n, new Pid(7)])]);
  t.write({ op: 'insert', rows: [copyRow([101, 'a']), copyRow([102, new Map<Term, Term>([[1, new Uint8Array([9])]])])] });
  t.delete(0);
  t.write({ op: 'deleteObject', row: copyRow([102, new Map<Term, Term>([[1, new Uint8Array([9])]])]) });
  t.write({ op: 'replace', old: t.lookup(101)[0]!, row: copyRow([101, new Opaque('port', new Uint8Array([1, 2]))]) });
}

/** The rows the fixture holds, in key order. */
export function fixtureExpected(): Row[] {
  const rows = new Map<number, Row>();
  // Read back, every number is in its stored form (42n is 42).
  for (const r of fixtureSnapshotRows()) rows.set(r[0] as number, storedForm(r) as Row);
  rows.set(100, copyRow([100, Tuple.from([Symbol.for('user'), 42n, new Pid(7)])]));
  rows.delete(0);
  rows.set(101, copyRow([101, new Opaque('port', new Uint8Array([1, 2]))]));
  return [...rows.keys()].sort((a, b) => a - b).map((k) => rows.get(k)!);
}
