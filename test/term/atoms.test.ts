/**
 * Atoms have Erlang's limit of 255 characters (code points) everywhere: a
 * table refuses a longer one, every writer refuses to write one, every
 * reader refuses to read one (before `Symbol.for`, whose registry never
 * frees a name).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WireError, createCodec, fromWire, toWire } from '../../src/dets/codec.js';
import { TaggedJsonError, decodeTerm, encodeTerm, ets, fromTaggedJson, toTaggedJson, writeTab2File } from '../../src/index.js';
import { MAX_ATOM_CHARS, atomTooLong } from '../../src/term/types.js';
import { tempDir } from '../convert/support.js';

const { dir, cleanup } = tempDir('atoms');
afterAll(cleanup);

const at255 = ['a'.repeat(255), 'é'.repeat(255), '\u{1F600}'.repeat(255)];
const over = ['a'.repeat(256), 'é'.repeat(256), '\u{1F600}'.repeat(256), 'x'.repeat(1 << 20)];

describe('atom length', () => {
  it('counts code points, not bytes or UTF-16 units', () => {
    expect(MAX_ATOM_CHARS).toBe(255);
    for (const a of at255) expect(atomTooLong(a), a.slice(0, 3)).toBe(false);
    for (const a of over) expect(atomTooLong(a), a.slice(0, 3)).toBe(true);
    // A lone surrogate is one character.
    expect(atomTooLong('\ud800'.repeat(255))).toBe(false);
    expect(atomTooLong('\ud800'.repeat(256))).toBe(true);
  });

  it('tables refuse longer atoms as not terms (ETS_BAD_TERM), anywhere in a row', () => {
    const t = ets.new('atoms', {});
    for (const a of at255) ets.insert(t, [Symbol.for(a), 1]);
    expect(ets.info(t, 'size')).toBe(3);
    for (const a of over) {
      expect(() => ets.insert(t, [1, Symbol.for(a)])).toThrow(expect.objectContaining({ code: 'ETS_BAD_TERM' }) as Error);
      expect(() => ets.insert(t, [2, [new Map([[Symbol.for(a), 1]])]])).toThrow(expect.objectContaining({ code: 'ETS_BAD_TERM' }) as Error);
    }
    ets.delete(t);
  });

  it('the dets codec and tagged JSON refuse them both ways', () => {
    const codec = createCodec();
    for (const a of at255) {
      expect(fromWire(codec.decode(codec.encode(toWire(Symbol.for(a)))))).toBe(Symbol.for(a));
      expect(fromTaggedJson(toTaggedJson(Symbol.for(a)))).toBe(Symbol.for(a));
    }
    const a = over[0]!;
    expect(() => toWire(Symbol.for(a))).toThrow(WireError);
    expect(() => toTaggedJson(Symbol.for(a))).toThrow(TaggedJsonError);
    // Reading: the name is checked before Symbol.for.
    const name = 'never-registered-'.padEnd(300, 'z');
    const wire = Buffer.concat([Buffer.from([0xd9, 0x9c, 0xa4, 0x79, 0x01, 0x2c]), Buffer.from(name)]);
    expect(() => fromWire(codec.decode(wire))).toThrow(WireError);
    expect(() => fromTaggedJson({ $atom: name })).toThrow(TaggedJsonError);
  });

  it('the ETF codec refuses them (CONVERT_UNSUPPORTED_TERM writing, CONVERT_CORRUPT reading)', async () => {
    const long = 'b'.repeat(256);
    expect(() => encodeTerm(Symbol.for(long))).toThrow(expect.objectContaining({ code: 'CONVERT_UNSUPPORTED_TERM' }) as Error);
    const bytes = Uint8Array.from([131, 118, 1, 0, ...Buffer.from(long)]);
    expect(() => decodeTerm(bytes)).toThrow(expect.objectContaining({ code: 'CONVERT_CORRUPT' }) as Error);
    await expect(writeTab2File(join(dir, 'long.tab'), [[1, Symbol.for(long)]])).rejects.toMatchObject({ code: 'CONVERT_UNSUPPORTED_TERM' });
  });
});
