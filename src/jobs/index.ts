/**
 * The scheduled jobs of `krbops serve`: dupes-watch, etypes-watch and approvals-verify when a directory is configured, adfs-watch when
 * metadata sources are. `createScheduler` runs them (see scheduler.ts for the once-per-tick rules).
 */
import type { Config } from '../config.js';
import { hasDirectory } from '../directory/open.js';
import { adfsWatchJob, type AdfsWatchOptions } from './adfs-watch.js';
import { approvalsVerifyJob } from './approvals-verify.js';
import { dupesWatchJob, type DupesWatchOptions } from './dupes-watch.js';
import { etypesWatchJob } from './etypes-watch.js';
import type { Job } from './types.js';

export type { Job, JobContext } from './types.js';
export { createScheduler, Scheduler, type SchedulerOptions, type TickResult, type JobStatus } from './scheduler.js';
export { dupesWatchJob, DUPES_JOB, dupesStateKey, type DupesState, type DupesWatchSummary, type DupesWatchOptions } from './dupes-watch.js';
export { adfsWatchJob, ADFS_JOB, adfsAlert, type AdfsWatchSummary, type AdfsWatchOptions } from './adfs-watch.js';
export { etypesWatchJob, ETYPES_JOB, etypesStateKey, isoWeek, type EtypesWatchState, type EtypesWatchSummary } from './etypes-watch.js';
export { approvalsVerifyJob, APPROVALS_JOB, landedAlert, type ApprovalsVerifySummary } from './approvals-verify.js';

export function defaultJobs(config: Config, options: { dupes?: DupesWatchOptions; adfs?: AdfsWatchOptions } = {}): Job[] {
  const jobs: Job[] = [];
  if (hasDirectory(config)) jobs.push(dupesWatchJob(config, options.dupes), etypesWatchJob(config), approvalsVerifyJob(config));
  if (config.adfs.metadataUrls.length) jobs.push(adfsWatchJob(config, options.adfs));
  return jobs;
}
