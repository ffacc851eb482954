/** The conformance suite on shared tables whose log is in SQLite. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { sharedConformance } from './shared.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'termstore-conf-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

sharedConformance('shared (sqlite)', () => `sqlite:${path.join(dir, 'tables.db')}`);
