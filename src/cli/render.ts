/**
 * How `termstore dump --format table` prints terms: in Erlang's syntax, as
 * Erlang reads them back (`erl_parse:parse_term/1`; checked against live
 * OTP by `test/cli/render.test.ts`): `{ok, <<"text">>, [1, 2]}`,
 * `<<"héllo"/utf8>>`, `#{<<"k">> => v}`, `<<1,2>>`, `'quoted atom'`,
 * `1.0e300`. Cut to a width when too long (then with `...`); pids,
 * references, ports and funs are printed as the shell prints them, which
 * Erlang does not parse.
 *
 * @module
 */
import { ErlBitstring, ErlFloat, ErlImproperList, formatFloat } from '../erlang/terms.js';
import { Opaque, Pid, Tuple, isPlainObject } from '../term/types.js';

const BARE_ATOM = /^[a-z][A-Za-z0-9_@]*$/;

/** Erlang's reserved words: as atoms they must be quoted. */
const RESERVED = new Set(
  'after and andalso band begin bnot bor bsl bsr bxor case catch cond div else end fun if let maybe not of or orelse receive rem try when xor'.split(' '),
);

/** The characters of a quoted atom or string, escaped as Erlang reads them; `quote` is `'` or `"`. */
function escaped(text: string, quote: string): { body: string; ascii: boolean } {
  let body = '';
  let ascii = true;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') body += '\\' + ch;
    else if (c >= 0x20 && c < 0x7f) body += ch;
    else if (c === 0x0a) body += '\\n';
    else if (c === 0x09) body += '\\t';
    else if (c === 0x0d) body += '\\r';
    else if (c < 0xa0 || (c >= 0xd800 && c <= 0xdfff)) body += `\\x{${c.toString(16).toUpperCase()}}`;
    else body += ch;
    if (c > 0x7f) ascii = false;
  }
  return { body, ascii };
}

function atom(name: string): string {
  return BARE_ATOM.test(name) && !RESERVED.has(name) ? name : `'${escaped(name, "'").body}'`;
}

/** A binary holding the UTF-8 of `s`: `<<"ada">>`, or `<<"héllo"/utf8>>` when it has characters beyond ASCII. */
function binaryString(s: string): string {
  const { body, ascii } = escaped(s, '"');
  return ascii ? `<<"${body}">>` : `<<"${body}"/utf8>>`;
}

/** An integer or a float as Erlang writes it (an integral number is an integer, whatever its size). */
/** A number in Erlang syntax: an integer only in the safe range; any other number is a float (see `src/term/number.ts`). */
function number(x: number): string {
  if (Number.isSafeInteger(x)) return String(x);
  return Number.isFinite(x) ? formatFloat(x) : String(x);
}

function bytes(b: Uint8Array, max: number): string {
  const shown = Array.from(b.subarray(0, max)).join(',');
  return `<<${shown}${b.length > max ? ',...' : ''}>>`;
}

/** A term in Erlang syntax; stops adding once the text passes `budget` characters. */
export function renderTerm(x: unknown, budget = 200, depth = 0): string {
  if (depth > 50) return '...';
  switch (typeof x) {
    case 'number':
      return number(x);
    case 'bigint':
      return x.toString();
    case 'string':
      return binaryString(x);
    case 'boolean':
      return String(x);
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return atom(Symbol.keyFor(x) ?? '?');
    case 'object': {
      if (x === null) return 'nil';
      if (x instanceof Uint8Array) return bytes(x, 16);
      if (x instanceof ErlFloat) return x.toString();
      if (x instanceof ErlBitstring) {
        const n = x.bytes.length;
        const head = Array.from(x.bytes.subarray(0, Math.min(n - 1, 16)), String);
        if (n - 1 > 16) head.push('...');
        head.push(`${x.bytes[n - 1]! >> (8 - x.bitsInLastByte)}:${x.bitsInLastByte}`);
        return `<<${head.join(',')}>>`;
      }
      if (x instanceof Pid) return x.toString();
      if (x instanceof Opaque) return `#${x.kind === 'reference' ? 'Ref' : x.kind === 'fun' ? 'Fun' : x.kind === 'port' ? 'Port' : 'Pid'}<${x.bytes.length} bytes>`;
      if (x instanceof ErlImproperList) return `[${list(x.items, budget, depth)} | ${renderTerm(x.tail, budget, depth + 1)}]`;
      if (Array.isArray(x)) return x instanceof Tuple ? `{${list(x, budget, depth)}}` : `[${list(x, budget, depth)}]`;
      if (x instanceof Map || isPlainObject(x)) {
        const entries: Array<[unknown, unknown]> = x instanceof Map ? [...x] : Object.entries(x);
        let s = '';
        for (const [k, v] of entries) {
          if (s.length > budget) return `#{${s}, ...}`;
          s += (s === '' ? '' : ', ') + `${renderTerm(k, budget, depth + 1)} => ${renderTerm(v, budget, depth + 1)}`;
        }
        return `#{${s}}`;
      }
      return String(x);
    }
    default:
      return String(x);
  }
}

function list(xs: readonly unknown[], budget: number, depth: number): string {
  let s = '';
  for (const e of xs) {
    if (s.length > budget) return `${s}, ...`;
    s += (s === '' ? '' : ', ') + renderTerm(e, budget, depth + 1);
  }
  return s;
}

/** Cuts `s` to `width` characters, ending in `…` when cut. */
export function cut(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, Math.max(0, width - 1)) + '…';
}

/**
 * Lays rows out as a text table: one column per element position (the
 * key's marked `*`), widths from `sample` (cells at most `maxWidth`).
 */
export class TableLayout {
  private readonly widths: number[] = [];

  constructor(
    sample: ReadonlyArray<readonly unknown[]>,
    private readonly keypos: number,
    private readonly maxWidth = 40,
  ) {
    const cols = Math.max(keypos, ...sample.map((r) => r.length));
    for (let i = 0; i < cols; i++) this.widths[i] = this.title(i).length;
    for (const r of sample) r.forEach((v, i) => (this.widths[i] = Math.max(this.widths[i] ?? 0, Math.min(maxWidth, renderTerm(v, maxWidth).length))));
  }

  private title(i: number): string {
    return i === this.keypos - 1 ? `${i + 1}*` : String(i + 1);
  }

  /** The header line. */
  header(): string {
    return this.widths.map((w, i) => this.title(i).padEnd(w)).join('  ').trimEnd();
  }

  /** One row as a line. */
  line(row: readonly unknown[]): string {
    const cells = row.map((v, i) => {
      const w = this.widths[i] ?? this.maxWidth;
      return cut(renderTerm(v, this.maxWidth), w).padEnd(w);
    });
    return cells.join('  ').trimEnd();
  }
}
