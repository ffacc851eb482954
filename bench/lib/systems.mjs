// The systems compared, each with its driver and durability setting.
// `targets: true` marks the systems the issue-2/3/11 targets need at 1M rows
// (the quick run measures those at 1M as well). `slowWrites: true` marks
// systems whose single writes take ~0.1 ms or more: their insert of the rows
// gets the short budget (the rest of the table is bulk-loaded unmeasured).

const TS_DETS = 'journal in memory, flushed (written + fsynced) by a timer';

/** @type {Array<{id: string, label: string, group: string, kind: 'memory'|'disk', durability: string, driver: string, variant?: string, erl?: boolean, targets?: boolean, slowWrites?: boolean, maxN?: number, maxNWhy?: string, quickMaxN?: number, quickMaxNWhy?: string}>} */
export const SYSTEMS = [
  { id: 'ts-set', label: 'termstore ets set', group: 'termstore', kind: 'memory', durability: 'none (memory)', driver: 'ets', variant: 'set', targets: true },
  { id: 'ts-ordered_set', label: 'termstore ets ordered_set', group: 'termstore', kind: 'memory', durability: 'none (memory)', driver: 'ets', variant: 'ordered_set', targets: true },
  { id: 'ts-bag', label: 'termstore ets bag', group: 'termstore', kind: 'memory', durability: 'none (memory)', driver: 'ets', variant: 'bag', targets: true },
  { id: 'ts-duplicate_bag', label: 'termstore ets duplicate_bag', group: 'termstore', kind: 'memory', durability: 'none (memory)', driver: 'ets', variant: 'duplicate_bag', targets: true },
  { id: 'ts-dets', label: 'termstore dets set', group: 'termstore', kind: 'disk', durability: `autoSave 3000 (default): ${TS_DETS} within ~3 s`, driver: 'dets', variant: 'default', targets: true },
  { id: 'ts-dets-0', label: 'termstore dets set, autoSave 0', group: 'termstore', kind: 'disk', durability: 'autoSave 0: each write written + fsynced before the call returns', driver: 'dets', variant: 'autosave0', slowWrites: true },
  { id: 'ts-dets-false', label: 'termstore dets set, autoSave false', group: 'termstore', kind: 'disk', durability: 'autoSave false: on disk only at sync/close/graceful exit', driver: 'dets', variant: 'nosave' },
  { id: 'ts-dets-ordered', label: 'termstore dets ordered_set', group: 'termstore', kind: 'disk', durability: `autoSave 3000 (default): ${TS_DETS} within ~3 s`, driver: 'dets', variant: 'ordered' },
  { id: 'map', label: 'Map (bare)', group: 'js limit', kind: 'memory', durability: 'none (memory); no copy, freeze or checks', driver: 'map', targets: true },
  { id: 'btree', label: 'sorted-btree (raw)', group: 'js limit', kind: 'memory', durability: 'none (memory); no copy, freeze or checks', driver: 'btree' },
  { id: 'otp-ets-set', label: 'OTP ets set', group: 'otp', kind: 'memory', durability: 'none (memory)', driver: 'ets_bench', variant: 'set', erl: true, targets: true },
  { id: 'otp-ets-ordered_set', label: 'OTP ets ordered_set', group: 'otp', kind: 'memory', durability: 'none (memory)', driver: 'ets_bench', variant: 'ordered_set', erl: true, targets: true },
  { id: 'otp-ets-bag', label: 'OTP ets bag', group: 'otp', kind: 'memory', durability: 'none (memory)', driver: 'ets_bench', variant: 'bag', erl: true, targets: true },
  { id: 'otp-ets-duplicate_bag', label: 'OTP ets duplicate_bag', group: 'otp', kind: 'memory', durability: 'none (memory)', driver: 'ets_bench', variant: 'duplicate_bag', erl: true, targets: true },
  {
    id: 'otp-dets',
    label: 'OTP dets set',
    group: 'otp',
    kind: 'disk',
    durability: 'OTP defaults: writes reach the file through dets\u2019 write cache, auto_save 3 min; an unclean close forces a repair on open',
    driver: 'dets_bench',
    variant: 'set',
    erl: true,
    targets: true,
    slowWrites: true,
    quickMaxN: 100_000,
    quickMaxNWhy: 'quick run: OTP dets builds a 1M-row table with single inserts (20-60 s); its 1M figures come from --full, the quick targets compare at 100k',
    maxN: 1_000_000,
    maxNWhy:
      'OTP dets builds the table with single inserts (~120 µs each here: ~20 min for 10M rows, per trial); its bulk path (init_table) would leave the table at its minimum of 256 slots, where a lookup reads a collection of ~40,000 objects, so the figures would not describe OTP dets',
  },
  { id: 'lmdb', label: 'lmdb', group: 'peer', kind: 'disk', durability: 'default: each batch one transaction, fsynced after commit (overlappingSync)', driver: 'lmdb' },
  { id: 'sqlite', label: 'better-sqlite3', group: 'peer', kind: 'disk', durability: 'WAL, synchronous=NORMAL: commit survives a process crash, fsync at checkpoint; 1000 writes per transaction', driver: 'sqlite' },
  { id: 'level', label: 'classic-level', group: 'peer', kind: 'disk', durability: 'default sync:false: each batch in the LevelDB log via the OS, no fsync; 1000 writes per batch', driver: 'level' },
  {
    id: 'nedb',
    label: '@seald-io/nedb',
    group: 'peer',
    kind: 'disk',
    durability: 'default: each write appended to the datafile, no fsync; 1000 docs per insert',
    driver: 'nedb',
    maxN: 1_000_000,
    maxNWhy: 'nedb keeps every document plus a JS AVL index in memory and awaits a promise per operation; 10M documents exceed the time and memory a run can spend',
  },
];
