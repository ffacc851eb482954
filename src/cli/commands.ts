/**
 * The file commands of the `termstore` CLI: convert, tab2file, file2tab,
 * info, verify, dump, compact. Each returns its exit code; errors are
 * thrown and mapped to exit codes by `main.ts`.
 *
 * @module
 */
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { convert, inspectFile, openTableFile, verifyFile, type ConvertResult } from '../convert/convert.js';
import { detectFormat, extensionsOf, formatFromExtension, formatName } from '../convert/detect.js';
import { describeDataLoss, lossesOf } from '../convert/losses.js';
import { rowToJsonLine } from '../convert/formats/jsonl.js';
import type { ConvRow, FormatName } from '../convert/types.js';
import { redact } from '../shared/options.js';
import { dets } from '../dets/index.js';
import { TermstoreError } from '../errors.js';
import { Progress, formatBytes, formatCount } from './progress.js';
import { readerGone } from './stdio.js';
import { FORMAT_TITLES } from './formats.js';
import { verifyLosses, warnLosses } from './losses.js';
import { TableLayout } from './render.js';

/** Exit codes, documented in the README. */
export const EXIT = { OK: 0, USAGE: 1, BAD_INPUT: 2, FAILURE: 3 } as const;

/**
 * The error line of an error that is not a `TermstoreError` (a bug, or a
 * system error that escaped the mapping): its system code or class name and
 * its message; the stack only with `TERMSTORE_DEBUG=1`.
 */
export function describeUnexpected(e: unknown, debug = process.env.TERMSTORE_DEBUG === '1'): string {
  if (!(e instanceof Error)) return `Error: ${String(e)}`;
  const code = (e as NodeJS.ErrnoException).code;
  const label = typeof code === 'string' ? code : e.name;
  const message = typeof code === 'string' && e.message.startsWith(`${code}: `) ? e.message.slice(code.length + 2) : e.message;
  const line = `${label}: ${message}`;
  return debug && e.stack !== undefined ? `${line}\n${e.stack}` : `${line} (unexpected; TERMSTORE_DEBUG=1 shows where)`;
}

/** A wrong command line. */
export class UsageError extends Error {}

/** Parsed command-line values. */
export type Values = Record<string, string | boolean | undefined>;

const out = (s: string): void => void process.stdout.write(s + '\n');
const err = (s: string): void => void process.stderr.write(s + '\n');

function positionals(p: string[], n: number, names: string): string[] {
  if (p.length !== n) throw new UsageError(`expected ${names}, got ${p.length === 0 ? 'nothing' : p.map((x) => JSON.stringify(x)).join(' ')}`);
  return p;
}

function fmt(v: unknown, option: string): FormatName | undefined {
  if (v === undefined) return undefined;
  try {
    return formatName(v, `--${option}`);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `--max-inflated-bytes` / `--max-inflated-terms`: the inflate budgets of OTP input ('inf' turns one off). */
function limits(v: Values): { maxInflatedBytes?: number; maxInflatedTerms?: number } {
  const r: { maxInflatedBytes?: number; maxInflatedTerms?: number } = {};
  for (const [flag, key] of [
    ['max-inflated-bytes', 'maxInflatedBytes'],
    ['max-inflated-terms', 'maxInflatedTerms'],
  ] as const) {
    const x = v[flag];
    if (typeof x !== 'string') continue;
    const n = x === 'inf' ? Infinity : Number(x);
    if (n !== Infinity && (!Number.isInteger(n) || n < 0)) throw new UsageError(`--${flag} must be a whole number or inf, got ${JSON.stringify(x)}`);
    r[key] = n;
  }
  return r;
}

function summary(r: ConvertResult): string {
  return `${r.from} → ${r.to}: ${formatCount(r.rows)} rows, ${formatBytes(r.bytesRead)} → ${formatBytes(r.bytesWritten)} in ${r.seconds.toFixed(2)} s (${redact(r.output)})`;
}

async function runConvert(input: string, output: string, v: Values, to: FormatName | undefined): Promise<number> {
  const progress = new Progress(basename(input));
  let r: ConvertResult;
  try {
    r = await convert(input, output, {
      from: fmt(v.from, 'from'),
      to,
      force: v.force === true,
      table: str(v.table),
      checksum: v.checksum === true,
      verify: v['no-verify'] !== true,
      ...limits(v),
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.done();
  }
  if (v.quiet !== true) {
    out(summary(r));
    for (const n of r.notes) err(`note: ${n}`);
  }
  warnLosses(input, r.losses, `${r.output} holds the ${formatCount(r.rows)} rows read`);
  return EXIT.OK;
}

/**
 * `tab2file`/`file2tab` write one format whatever the output is called: an
 * output named for another format (`file2tab x.tab y.dets`, where `.dets`
 * is an Erlang DETS file) is refused rather than misnamed.
 */
function fixedOutput(output: string, to: FormatName, cmd: string): void {
  const named = formatFromExtension(output);
  if (named !== undefined && named !== to) {
    throw new UsageError(
      `the name ${output} says: ${FORMAT_TITLES[named]}; but ${cmd} writes: ${FORMAT_TITLES[to]} (${extensionsOf(to).join(', ')}). Rename the output, or write ${named} with \`termstore convert\``,
    );
  }
}

/** `termstore convert <in> <out>`. */
export function convertCmd(v: Values, p: string[]): Promise<number> {
  const [input, output] = positionals(p, 2, '<in> <out>');
  return runConvert(input!, output!, v, fmt(v.to, 'to'));
}

/** `termstore tab2file <table-file> <tab-file>`: any table file to a termstore tab file. */
export function tab2fileCmd(v: Values, p: string[]): Promise<number> {
  const [input, output] = positionals(p, 2, '<table-file> <tab-file>');
  fixedOutput(output!, 'tab', 'tab2file');
  return runConvert(input!, output!, v, 'tab');
}

/** `termstore file2tab <tab-file> <dets-file>`: a tab file (termstore's or Erlang's) to a termstore dets file. */
export function file2tabCmd(v: Values, p: string[]): Promise<number> {
  const [input, output] = positionals(p, 2, '<tab-file> <dets-file>');
  fixedOutput(output!, 'dets', 'file2tab');
  return runConvert(input!, output!, v, 'dets');
}


/** `termstore info <file>`. */
export async function infoCmd(v: Values, p: string[]): Promise<number> {
  const [file] = positionals(p, 1, '<file>');
  const i = await inspectFile(file!, { from: fmt(v.from, 'from'), table: str(v.table) });
  if (v.json === true) {
    out(JSON.stringify({ ...i, file: resolve(i.file) }, null, 2));
    return EXIT.OK;
  }
  const m = i.meta;
  const lines: Array<[string, string]> = [
    ['file', i.file],
    ['format', `${i.format} (${FORMAT_TITLES[i.format]})`],
    ['table', `${m.name} (${m.type}, keypos ${m.keypos}, ${m.access}${m.named ? ', named' : ''})`],
    ['rows', i.rows === undefined ? 'not recorded (run verify to count)' : formatCount(i.rows)],
    ['size', `${formatBytes(i.fileBytes)} (${formatCount(i.fileBytes)} bytes)`],
  ];
  for (const [k, val] of Object.entries(i.details)) if (val !== undefined) lines.push([k, typeof val === 'string' ? val : JSON.stringify(val)]);
  const w = Math.max(...lines.map(([k]) => k.length));
  for (const [k, val] of lines) out(`${k.padEnd(w)}  ${val}`);
  return EXIT.OK;
}

/** `termstore verify <file>`. */
export async function verifyCmd(v: Values, p: string[]): Promise<number> {
  const [file] = positionals(p, 1, '<file>');
  const progress = new Progress(`verify ${basename(file!)}`);
  let r;
  try {
    r = await verifyFile(file!, { from: fmt(v.from, 'from'), table: str(v.table), ...limits(v), onProgress: (x) => progress.update(x) });
  } finally {
    progress.done();
  }
  for (const w of r.warnings) err(`warning: ${file}: ${w}`);
  const { accepted, failing } = verifyLosses(r.losses, v['allow-torn-tail'] === true);
  warnLosses(file!, accepted, 'accepted (--allow-torn-tail)');
  for (const l of failing) err(`lost: ${file}: ${describeDataLoss(l)}`);
  const checked = `${r.format}, ${formatCount(r.rowsRead)} rows, ${formatBytes(r.fileBytes)} checked in ${r.seconds.toFixed(2)} s`;
  if (failing.length > 0) {
    const hint = failing.every((l) => l.kind === 'torn-tail') ? ' (--allow-torn-tail accepts a torn last write)' : '';
    out(`lost data: ${file}: ${checked}; ${failing.reduce((n, l) => n + l.bytes, 0)} bytes could not be read${hint}`);
    return EXIT.BAD_INPUT;
  }
  out(`ok: ${file}: ${checked}`);
  return EXIT.OK;
}

/** Writes to stdout, waiting for it to drain; false once its reader is gone (EPIPE, see `stdio.ts`). */
async function write(s: string): Promise<boolean> {
  if (readerGone()) return false;
  if (!process.stdout.write(s)) {
    // `once` rejects on 'error' (EPIPE when the reader went away): that just ends the output.
    const drained = once(process.stdout, 'drain').then(
      () => true,
      () => false,
    );
    const closed = once(process.stdout, 'close').then(
      () => false,
      () => false,
    );
    return Promise.race([drained, closed]);
  }
  return true;
}

/** `termstore dump <file>`: rows to stdout (JSON Lines or a text table). */
export async function dumpCmd(v: Values, p: string[]): Promise<number> {
  const [file] = positionals(p, 1, '<file>');
  let limit = Infinity;
  if (v.limit !== undefined) {
    limit = Number(v.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number, got ${JSON.stringify(v.limit)}`);
  }
  const format = v.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'table') throw new UsageError(`--format must be jsonl or table, got ${JSON.stringify(format)}`);
  const from = fmt(v.from, 'from') ?? (await detectFormat(file!));
  // A bar for the replay of a dets file's journal only: the rows then go to stdout, often the same terminal.
  const progress = new Progress(`dump ${basename(file!)}`);
  let src;
  try {
    const onReplay = (bytesRead: number, totalBytes: number): void => progress.update({ phase: 'replay', rows: 0, bytesRead, totalBytes, expectedRows: undefined });
    src = await openTableFile(file!, { from, table: str(v.table), verify: v['no-verify'] !== true, onReplay, ...limits(v) });
  } finally {
    progress.done();
  }
  let n = 0;
  let layout: TableLayout | undefined;
  try {
    for await (const batch of src) {
      let text = '';
      for (const row of batch) {
        if (n >= limit) break;
        // No line limit: dump writes for people and tools, not for the JSON Lines reader.
        if (format === 'jsonl') text += rowToJsonLine(row, n, Infinity) + '\n';
        else {
          if (layout === undefined) {
            layout = new TableLayout(batch.slice(0, 100) as ConvRow[], src.meta.keypos);
            text += layout.header() + '\n';
          }
          text += layout.line(row) + '\n';
        }
        n++;
      }
      // A reader that went away (`| head`) just ends the dump.
      if (!(await write(text)) || readerGone() || n >= limit) break;
    }
  } finally {
    await src.close();
  }
  if (format === 'table' && layout === undefined && !readerGone()) out('(no rows)');
  const total = src.expectedRows;
  err(`${formatCount(n)}${total !== undefined && total !== n ? ` of ${formatCount(total)}` : ''} rows of ${src.meta.name} (${src.format}, ${src.meta.type}, keypos ${src.meta.keypos})`);
  return EXIT.OK;
}

/** `termstore compact <file>`: rewrites a termstore dets file without garbage. */
export async function compactCmd(v: Values, p: string[]): Promise<number> {
  const [file] = positionals(p, 1, '<dets-file>');
  const format = await detectFormat(file!);
  if (format !== 'dets') {
    throw new TermstoreError('CONVERT_UNKNOWN_FORMAT', `${file} is a ${format} file; compact rewrites termstore dets files only`, { details: { file, offset: 0, format } });
  }
  const t0 = performance.now();
  const t = await dets.openFile(`termstore-cli-compact-${process.pid}`, { file: file!, repair: v.repair === true, autoSave: false });
  warnLosses(file!, lossesOf(dets.info(t, 'recovered')!), 'the compacted file holds every intact record');
  const before = dets.info(t, 'fileSize')!;
  const rows = dets.info(t, 'size')!;
  try {
    await dets.compact(t);
  } finally {
    await dets.close(t);
  }
  const { size } = statSync(file!);
  out(`compacted ${file}: ${formatCount(rows)} rows, ${formatBytes(before)} → ${formatBytes(size)} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return EXIT.OK;
}
