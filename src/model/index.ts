/**
 * The bottom layer: plain data every other layer shares. Imports nothing of krbops (a test over
 * the import graph says so, test/architecture.test.ts).
 */
export * from './severity.js';
export * from './finding.js';
export * from './actor.js';
export * from './directory.js';
export * from './evidence.js';
export * from './adfs.js';
export * from './watch.js';
export * from './etypes.js';
export * from './approval.js';
export * from './results.js';
