/**
 * A tiny, obviously correct reference table for the engine model tests:
 * arrays and linear searches, nothing clever.
 */
import { compareTerms } from '../../src/term/order.js';
import { hashKey, rowEquals } from '../../src/term/equal.js';
import type { Row, Term } from '../../src/term/types.js';
import type { TableType } from '../../src/engines/types.js';

interface Entry {
  key: Term;
  rows: Row[];
}

/** Rows grouped by key; hash types keep key-creation order, ordered_set keeps keys sorted. */
export class ModelTable {
  entries: Entry[] = [];
  constructor(
    readonly type: TableType,
    readonly keyIndex: number,
  ) {}

  private sameKey(a: Term, b: Term): boolean {
    return this.type === 'ordered_set' ? compareTerms(a, b) === 0 : hashKey(a) === hashKey(b);
  }

  find(key: Term): Entry | undefined {
    return this.entries.find((e) => this.sameKey(e.key, key));
  }

  insert(row: Row): void {
    const key = row[this.keyIndex];
    const e = this.find(key);
    if (e === undefined) {
      this.entries.push({ key, rows: [row] });
      if (this.type === 'ordered_set') this.entries.sort((x, y) => compareTerms(x.key, y.key));
      return;
    }
    if (this.type === 'set' || this.type === 'ordered_set') {
      e.rows = [row];
      e.key = key;
    } else if (this.type === 'duplicate_bag' || !e.rows.some((r) => rowEquals(r, row))) {
      e.rows.push(row);
    }
  }

  deleteKey(key: Term): Row[] {
    const e = this.find(key);
    if (e === undefined) return [];
    this.entries = this.entries.filter((x) => x !== e);
    return e.rows;
  }

  deleteObject(row: Row): number {
    const e = this.find(row[this.keyIndex]);
    if (e === undefined) return 0;
    const before = e.rows.length;
    e.rows = e.rows.filter((r) => !rowEquals(r, row));
    if (e.rows.length === 0) this.entries = this.entries.filter((x) => x !== e);
    return before - e.rows.length;
  }

  replace(old: Row, next: Row): void {
    const e = this.find(old[this.keyIndex])!;
    e.rows = e.rows.map((r) => (r === old ? next : r));
    if (this.type === 'set' || this.type === 'ordered_set') e.key = next[this.keyIndex];
  }

  clear(): void {
    this.entries = [];
  }

  lookup(key: Term): Row[] {
    return this.find(key)?.rows ?? [];
  }

  rows(): Row[] {
    return this.entries.flatMap((e) => e.rows);
  }

  keys(): Term[] {
    return this.entries.map((e) => e.key);
  }

  size(): number {
    return this.rows().length;
  }
}
