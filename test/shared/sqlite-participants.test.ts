/** Processes and worker threads sharing tables through a SQLite store. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe } from 'vitest';
import { participantsSuite } from './participants.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'termstore-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shared tables on SQLite: many participants', () => {
  participantsSuite(() => `sqlite:${path.join(dir, 'tables.db')}`);
});
