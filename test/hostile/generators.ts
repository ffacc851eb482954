/**
 * Generators of hostile input: small files that made a reader run for
 * minutes, exhaust memory or never finish before issue 8. Each returns the
 * bytes (or writes the file) of one attack, built with the formats' own
 * framing so that every checksum is right and only the hostile part is
 * wrong. `hostile.test.ts` feeds them to the readers in child processes.
 */
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { createCodec, toWire } from '../../src/dets/codec.js';
import { crc32 } from '../../src/dets/crc32.js';
import { Kind, SLOTS_SIZE, encodeHeader, encodeSlots, MAGIC as DETS_MAGIC } from '../../src/dets/format.js';
import { frameV1 } from '../../src/dets/frame-v1.js';
import { OpCode, encodeMarker } from '../../src/dets/items.js';
import { layOut } from '../../src/dets/layout.js';
import { logItem } from '../../src/erlang/disk-log.js';
import { writeTab2File } from '../../src/erlang/tab2file.js';
import { writeDetsFile } from '../../src/erlang/dets-v9-write.js';
import { TAB_MAGIC } from '../../src/tabfile/format.js';
import { convert } from '../../src/convert/convert.js';
import { Tuple } from '../../src/term/types.js';
import { FIXTURES } from '../convert/helpers.js';

/** The head of a CBOR item of major type `major` with argument `n`. */
export function cborHead(major: number, n: number): Buffer {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  if (n < 0x10000) return Buffer.from([m | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = m | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/**
 * A CBOR tag-2 bignum (RFC 8949 §3.4.3) of `bytes` bytes: cbor-x's decoder
 * of it shifts a BigInt once per byte, so its time is quadratic in `bytes`
 * (1 MiB: minutes).
 */
export function cborBignum(bytes: number): Buffer {
  return Buffer.concat([cborHead(6, 2), cborHead(2, bytes), Buffer.alloc(bytes, 0xff)]);
}

/** An atom of the dets codec (tag 40100 around its name). */
export function cborAtom(name: string): Buffer {
  const text = Buffer.from(name, 'utf8');
  return Buffer.concat([cborHead(6, 40100), cborHead(3, text.length), text]);
}

/** A row `[key, item]` as one CBOR item. */
export function cborRow(key: number, item: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x82]), cborHead(0, key), item]);
}

/** A termstore dets file: a header and its slots, one write inserting the row `row` (one CBOR item), a clean-close frame. */
export function detsWithRow(row: Buffer): Buffer {
  const codec = createCodec();
  const head = encodeHeader(codec, 'set', 1, false);
  const start = head.length + SLOTS_SIZE;
  // One write item: [0, [INSERT, row]].
  const item = Buffer.concat([Buffer.from([0x82, 0x00, 0x82, OpCode.INSERT]), row]);
  const ops = layOut([{ kind: Kind.OPS, buf: item, len: item.length, ends: [item.length], items: 1, firstRecord: 1 }], start);
  const marker = encodeMarker(codec, { at: 0, rows: 1 });
  const close = layOut([{ kind: Kind.CLEAN_CLOSE, buf: marker, len: marker.length, ends: [marker.length], items: 1, firstRecord: 2 }], start + ops.length);
  const slots = encodeSlots({ generation: 1, committed: start + ops.length + close.length, lastSeq: 1, snapshotRows: 0, snapshotSeq: 0 });
  return Buffer.concat([head, slots, ops, close]);
}

/** A termstore dets file whose header body is `body` (any bytes; the checksum is right). */
export function detsWithHeaderBody(body: Buffer): Buffer {
  const out = Buffer.alloc(16 + body.length + 4);
  DETS_MAGIC.copy(out, 0);
  out.writeUInt16LE(1, 8);
  out.writeUInt32LE(body.length, 12);
  body.copy(out, 16);
  out.writeUInt32LE(crc32(out.subarray(0, 16 + body.length)), 16 + body.length);
  return out;
}

/** A termstore tab file with header body `body` (default: a valid one) and one rows frame holding `rows` (CBOR items). */
export function tabFile(rows: Buffer[], body?: Buffer): Buffer {
  const b =
    body ??
    Buffer.from(createCodec().encode({ type: 'set', keypos: 1, name: toWire('hostile'), access: 'protected', named: false, createdAt: 0, writer: 'hostile' }));
  const head = Buffer.alloc(56 + b.length + 4);
  TAB_MAGIC.copy(head, 0);
  head.writeUInt16LE(1, 8);
  head.writeUInt32LE(b.length, 12);
  head.writeUInt32LE(rows.length, 16);
  b.copy(head, 56);
  head.writeUInt32LE(crc32(head.subarray(0, 56 + b.length)), 56 + b.length);
  if (rows.length === 0) return head;
  return Buffer.concat([head, frameV1(Kind.SNAPSHOT_ROWS, Buffer.concat(rows), head.length)]);
}

/** A SQLite database written by termstore (two rows) whose first row's `object` is `blob` (with a matching crc). */
export async function sqliteWithObject(dir: string, name: string, blob: Buffer): Promise<string> {
  const f = await sqliteOfTwoRows(dir, name);
  const db = new Database(f);
  const t = (db.prepare('SELECT sql_table FROM termstore_tables').get() as { sql_table: string }).sql_table;
  db.prepare(`UPDATE "${t}" SET object = ?, crc = ? WHERE seq = 0`).run(blob, crc32(blob));
  db.close();
  return f;
}

async function sqliteOfTwoRows(dir: string, name: string): Promise<string> {
  const src = join(dir, `${name}.jsonl`);
  writeFileSync(src, '[1, "a"]\n[2, "b"]\n');
  const f = join(dir, `${name}.sqlite`);
  await convert(src, f, { force: true });
  return f;
}

/**
 * A SQLite database written by termstore whose rows table is replaced by a
 * recursive VIEW of the same name and columns: `SELECT ... ORDER BY seq`
 * on it never returns.
 */
export async function sqliteRecursiveView(dir: string): Promise<string> {
  const f = await sqliteOfTwoRows(dir, 'view');
  const db = new Database(f);
  const t = (db.prepare('SELECT sql_table FROM termstore_tables').get() as { sql_table: string }).sql_table;
  db.exec(`ALTER TABLE "${t}" RENAME TO real_rows;
    CREATE VIEW "${t}" AS WITH RECURSIVE r(seq, object, crc) AS (
      SELECT seq, object, crc FROM real_rows UNION ALL SELECT seq + 2, object, crc FROM r
    ) SELECT seq, object, crc FROM r;`);
  db.close();
  return f;
}

/** A SQLite database written by termstore whose termstore_tables names a table that does not exist. */
export async function sqliteMissingTable(dir: string): Promise<string> {
  const f = await sqliteOfTwoRows(dir, 'missing');
  const db = new Database(f);
  const t = (db.prepare('SELECT sql_table FROM termstore_tables').get() as { sql_table: string }).sql_table;
  db.exec(`DROP TABLE "${t}"`);
  db.close();
  return f;
}

/**
 * An `ets:tab2file` file of about 110 KB: a valid header, then 14 objects,
 * each a compressed term (ETF tag 80) that inflates to a list of 8 million
 * empty lists (8 MB each; 112 MB in all, 4-5 GB of JS arrays).
 */
export async function zlibBombTab(file: string): Promise<void> {
  await writeTab2File(file, [], { force: true });
  const K = 8_000_000;
  const inner = Buffer.alloc(5 + K + 1, 106); // LIST_EXT K, K x NIL_EXT, NIL_EXT tail
  inner[0] = 108;
  inner.writeUInt32BE(K, 1);
  const z = deflateSync(inner, { level: 9 });
  const term = Buffer.concat([Buffer.from([131, 80, 0, 0, 0, 0]), z]);
  term.writeUInt32BE(inner.length, 2);
  const item = Buffer.from(logItem(term));
  appendFileSync(file, Buffer.concat(Array.from({ length: 14 }, () => item)));
}

function u32(b: Buffer, at: number): number {
  return b.readUInt32BE(at);
}

/**
 * OTP's `set.dets` fixture (67 objects, 12 KB) whose 256 slots all point to
 * its first collection: the header's count is passed long before the bytes
 * read pass the file.
 */
export function detsAliasedSmall(): Buffer {
  const d = Buffer.from(readFileSync(join(FIXTURES, 'dets/set.dets')));
  aliasFirstSegment(d);
  return d;
}

/** Points all 256 slots of the first segment of DETS file `d` at the collection of its first non-empty slot; returns the segment's offset. */
function aliasFirstSegment(d: Buffer): number {
  const seg = u32(d, u32(d, 312));
  let slot = seg;
  while (u32(d, slot + 4) === 0) slot += 8;
  const [size, ptr] = [u32(d, slot), u32(d, slot + 4)];
  for (let i = 0; i < 256; i++) {
    d.writeUInt32BE(size, seg + 8 * i);
    d.writeUInt32BE(ptr, seg + 8 * i + 4);
  }
  return seg;
}

/**
 * A DETS (v9) file of 12 KB (OTP's `set.dets` fixture) claiming 2^25 slots,
 * whose 256 segment array parts all point to the first part, whose 512
 * segment pointers all point to the first segment, and whose 256 slots all
 * point to one collection: 33 million reads of one collection.
 */
export function detsAliasedSlots(): Buffer {
  const d = Buffer.from(readFileSync(join(FIXTURES, 'dets/set.dets')));
  const part = u32(d, 312);
  const seg = aliasFirstSegment(d);
  for (let i = 0; i < 256; i++) d.writeUInt32BE(part, 312 + 4 * i);
  for (let i = 0; i < 512; i++) d.writeUInt32BE(seg, part + 4 * i);
  const slots = 2 ** 25;
  d.writeUInt32BE(slots, 20); // M
  d.writeUInt32BE(slots, 24); // Next
  d.writeUInt32BE(slots, 44); // MaxNoSlots
  d.fill(0, 168, 184); // no header MD5 (as in format 9(b))
  return d;
}

/**
 * A DETS (v9) bag of one key with 40 000 objects (one collection of about
 * 600 KB), whose 256 slots all point to that collection: each read of the
 * first segment decodes it 256 times.
 */
export async function detsAliasedCollection(file: string): Promise<void> {
  const rows = Array.from({ length: 40_000 }, (_, i) => Tuple.from(['k', i]) as Tuple);
  await writeDetsFile(file, rows, { type: 'bag', force: true });
  const d = readFileSync(file);
  aliasFirstSegment(d);
  writeFileSync(file, d);
}

/** `n` distinct atom names of `chars` characters each. */
export function longAtomNames(n: number, chars: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i}:`.padEnd(chars, 'a'));
}

/** A JSON Lines file of rows `[i, {"$atom": name}]`. */
export function jsonlWithAtoms(names: string[]): string {
  return names.map((a, i) => JSON.stringify([i, { $atom: a }])).join('\n') + '\n';
}
