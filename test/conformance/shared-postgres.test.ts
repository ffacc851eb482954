/** The conformance suite on shared tables whose log is in PostgreSQL (a throwaway cluster). */
import { afterAll, beforeAll, describe } from 'vitest';
import { HAVE_PG, startCluster, type Cluster } from '../shared/pg-cluster.js';
import { sharedConformance } from './shared.js';

describe.skipIf(!HAVE_PG)('shared tables on PostgreSQL', () => {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 180_000);
  afterAll(() => cluster?.stop());
  sharedConformance('shared (postgres)', () => cluster!.url as `postgres://${string}`);
});
