/**
 * `iterateTableFile(file)`: the rows of a table file of any format, one at
 * a time, as `convert` reads them: streamed batch by batch (see
 * `adapters.ts` for the formats that are not), never collected. Breaking
 * out of the loop (or an error) closes the file.
 *
 * @module
 */
import type { Row } from '../term/types.js';
import { openTableFile, type OpenTableFileOptions } from './convert.js';
import type { ConvRow } from './types.js';

/**
 * The rows of a table file (termstore dets or tab, OTP `ets:tab2file` or
 * DETS, SQLite, JSON Lines, CBOR sequence), one at a time. With
 * `terms: 'storable'` they are rows a table can hold (`Row`); by default
 * Erlang-only values are kept exactly (`ConvRow`).
 *
 * @example
 * ```ts
 * for await (const row of iterateTableFile('users.tab')) console.log(row);
 * ```
 */
export function iterateTableFile(file: string, options: OpenTableFileOptions & { terms: 'storable' }): AsyncGenerator<Row, void, undefined>;
export function iterateTableFile(file: string, options?: OpenTableFileOptions): AsyncGenerator<ConvRow, void, undefined>;
export async function* iterateTableFile(file: string, options?: OpenTableFileOptions): AsyncGenerator<ConvRow, void, undefined> {
  const source = await openTableFile(file, options);
  try {
    for await (const batch of source) yield* batch;
  } finally {
    await source.close();
  }
}
