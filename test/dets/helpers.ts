/**
 * Shared helpers for the dets tests: temp dirs, a store driven like the ets
 * layer drives it (journal first, then apply), and fault-injecting fs adapters.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEngine } from '../../src/engines/index.js';
import type { Engine, TableType, WriteOp } from '../../src/engines/types.js';
import { DetsStore, DEFAULT_MAX_FILE_SIZE, type StoreOptions } from '../../src/dets/store.js';
import { applyOp } from '../../src/dets/recovery.js';
import { nodeFs, type FsAdapter } from '../../src/dets/fs.js';
import { copyRow } from '../../src/term/copy.js';
import type { Row } from '../../src/term/types.js';

export function tmpDir(tag = 'dets'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `termstore-${tag}-`));
}

export function rmDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A store plus its engine, written to the way the ets layer does. */
export class TestTable {
  constructor(readonly store: DetsStore) {}
  get engine(): Engine {
    return this.store.engine;
  }
  write(op: WriteOp): void {
    this.store.append([op]);
    applyOp(this.store.engine, op);
  }
  insert(...rows: unknown[][]): void {
    this.write({ op: 'insert', rows: rows.map((r) => copyRow(r)) });
  }
  delete(key: unknown): void {
    this.write({ op: 'delete', key: key as never });
  }
  rows(): Row[] {
    return [...this.store.engine.rows()];
  }
  lookup(key: unknown): readonly Row[] {
    return this.store.engine.lookup(key as never);
  }
}

export async function openStore(file: string, o: Partial<StoreOptions> = {}): Promise<TestTable> {
  const opts: StoreOptions = {
    file,
    type: o.type ?? 'set',
    typeGiven: o.typeGiven ?? o.type !== undefined,
    keypos: o.keypos ?? 1,
    keyposGiven: o.keyposGiven ?? o.keypos !== undefined,
    autoSave: o.autoSave ?? 3000,
    access: o.access ?? 'read_write',
    maxFileSize: o.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
    repair: o.repair ?? true,
    fs: o.fs,
    clock: o.clock,
    compaction: o.compaction,
  };
  return new TestTable(await DetsStore.open(opts, (type: TableType, keypos: number) => createEngine(type, keypos - 1)));
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/**
 * An fs adapter that lets `budget` more bytes be written (sync or async),
 * then fails writes with `code` (writing the part that fits first, like a
 * disk that fills up mid-write). Also can fail fsync.
 */
export class FaultyFs implements FsAdapter {
  /** Bytes that may still be written; Infinity = no fault. */
  budget = Infinity;
  code = 'ENOSPC';
  failFsync = false;
  /** Opens of paths for which this returns true fail with `code`. */
  failOpen: ((file: string) => boolean) | undefined;
  writes = 0;
  constructor(private readonly base: FsAdapter = nodeFs) {}
  private take(len: number): number {
    if (this.budget === Infinity) return len;
    const n = Math.min(len, this.budget);
    this.budget -= n;
    return n;
  }
  openSync = (f: string, flags: string, mode?: number) => {
    if (this.failOpen?.(f) === true) throw errno(this.code, `open ${f}`);
    return this.base.openSync(f, flags, mode);
  };
  closeSync = (fd: number) => this.base.closeSync(fd);
  fstatSync = (fd: number) => this.base.fstatSync(fd);
  statSync = (f: string) => this.base.statSync(f);
  existsSync = (f: string) => this.base.existsSync(f);
  readSync = (fd: number, b: Uint8Array, o: number, l: number, p: number) => this.base.readSync(fd, b, o, l, p);
  writeSync = (fd: number, b: Uint8Array, o: number, l: number, p: number): number => {
    this.writes++;
    const n = this.take(l);
    if (n === 0) throw errno(this.code, 'write');
    return this.base.writeSync(fd, b, o, n, p);
  };
  fsyncSync = (fd: number) => {
    if (this.failFsync) throw errno('EIO', 'fsync');
    this.base.fsyncSync(fd);
  };
  ftruncateSync = (fd: number, len: number) => this.base.ftruncateSync(fd, len);
  renameSync = (a: string, b: string) => this.base.renameSync(a, b);
  linkSync = (a: string, b: string) => this.base.linkSync(a, b);
  unlinkSync = (f: string) => this.base.unlinkSync(f);
  readdirSync = (d: string) => this.base.readdirSync(d);
  fchmodSync = (fd: number, mode: number) => this.base.fchmodSync(fd, mode);
  fchownSync = (fd: number, uid: number, gid: number) => this.base.fchownSync(fd, uid, gid);
  copyFileSync = (a: string, b: string) => this.base.copyFileSync(a, b);
  write = async (fd: number, b: Uint8Array, o: number, l: number, p: number): Promise<number> => {
    this.writes++;
    const n = this.take(l);
    if (n === 0) throw errno(this.code, 'write');
    return this.base.write(fd, b, o, n, p);
  };
  fsync = async (fd: number) => {
    if (this.failFsync) throw errno('EIO', 'fsync');
    await this.base.fsync(fd);
  };
  /** Async opens attempted. */
  opens = 0;
  open = async (f: string, flags: string, mode?: number) => {
    this.opens++;
    if (this.failOpen?.(f) === true) throw errno(this.code, `open ${f}`);
    return this.base.open(f, flags, mode);
  };
  close = (fd: number) => this.base.close(fd);
}

/** A manual clock for the flush policy. */
export class FakeClock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Armed timers. */
  get armed(): number {
    return this.timers.length;
  }
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** Waits for pending I/O callbacks. */
export async function settle(ms = 20): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
