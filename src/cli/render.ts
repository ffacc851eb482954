/**
 * How `termstore dump --format table` and `termstore info` print terms: in
 * Erlang's syntax (`{ok, "text", [1, 2]}`, `#{k => v}`, `<<1,2>>`), cut to
 * a width.
 *
 * @module
 */
import { ErlBitstring, ErlFloat, ErlImproperList, formatFloat } from '../erlang/terms.js';
import { Opaque, Pid, Tuple, isPlainObject } from '../term/types.js';

const BARE_ATOM = /^[a-z][A-Za-z0-9_@]*$/;

function atom(name: string): string {
  return BARE_ATOM.test(name) ? name : `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
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
      return Number.isSafeInteger(x) ? String(x) : Number.isFinite(x) ? formatFloat(x) : String(x);
    case 'bigint':
      return x.toString();
    case 'string':
      return JSON.stringify(x);
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
