/** Moved to src/model/evidence.ts (plain data shared by collectors and rules); re-exported for rebasing. */
export * from '../model/evidence.js';
