/** The conformance suite on shared tables whose log is in PostgreSQL (a throwaway cluster). */
import { afterAll, beforeAll, describe } from 'vitest';
import { shared, type SharedTable } from '../../src/index.js';
import { startCluster, type Cluster } from '../shared/pg-cluster.js';
import { sharedConformance } from './shared.js';

describe('shared tables on PostgreSQL', () => {
  let cluster: Cluster | undefined;
  // A table open for the whole file keeps the store's connections between
  // the suite's tables (closing the last table of a store releases them).
  let keep: SharedTable | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
    keep = await shared.open('keepalive', { store: cluster.url as `postgres://${string}` });
  }, 180_000);
  afterAll(async () => {
    if (keep !== undefined) await shared.close(keep);
    cluster?.stop();
  });
  sharedConformance('shared (postgres)', () => cluster!.url as `postgres://${string}`);
});
