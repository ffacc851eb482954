/**
 * Paths for the dets child-process tests; the build itself is shared
 * (`test/build.ts`): children import the package from `dist/`.
 */
import * as path from 'node:path';
import { ROOT } from '../build.js';

export { ROOT, ensureBuilt } from '../build.js';
export const CHILDREN = path.join(ROOT, 'test', 'dets', 'children');
