/** Processes and worker threads sharing tables through a PostgreSQL store (a throwaway cluster). */
import { afterAll, beforeAll, describe } from 'vitest';
import { participantsSuite } from './participants.js';
import { startCluster, type Cluster } from './pg-cluster.js';

describe('shared tables on PostgreSQL: many participants', () => {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 180_000);
  afterAll(() => cluster?.stop());
  participantsSuite(() => cluster!.url as `postgres://${string}`);
});
