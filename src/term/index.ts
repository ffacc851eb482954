/**
 * The term model, a leaf layer: types, order, equality/hash, copying.
 * @module
 */
export * from './types.js';
export { compareTerms, compareStrings, rankOf, Rank, sortedMapEntries, binaryBytes } from './order.js';
export { exactEquals, rowEquals, hashKey, canonical, bytesAsString, type HashKey } from './equal.js';
export { copyTerm, checkTerm, copyRow, storedRow, storedTail, thawRow, privateRow, shareRow, isPrivateRow, readsMustCopy, copyOut, rowOut, scanOut, holdsBinary, FrozenMap, NotATermError, MAX_DEPTH } from './copy.js';
export {
  ErlFloat,
  formatFloat,
  isIntegerTerm,
  isFloatTerm,
  isNumberTerm,
  numericValue,
  canonicalInteger,
  floatTerm,
  canonicalFloat,
} from './number.js';
