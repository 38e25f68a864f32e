/** Moved to src/model/results.ts (the CommandResult union); re-exported here for rebasing. */
export type { SpnListResult, SpnQueryResult, SpnDupesResult, ErrorResult } from '../src/model/results.js';
