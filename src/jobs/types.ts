/** The contract between the scheduler and a scheduled job (dupes-watch, adfs-watch). */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DirectoryReader } from '../directory/types.js';
import type { Metrics } from '../metrics.js';
import type { Alert, DeliveryResult } from '../notify.js';
import type { Store } from '../store/types.js';

export interface JobContext {
  config: Config;
  store: Store;
  log: Logger;
  /** The schedule slot this run belongs to. */
  tick: Date;
  now(): Date;
  /** The directory, opened on first use and closed by the scheduler after the run. */
  directory(): Promise<DirectoryReader>;
  /** Posts an alert to every destination that has not had its key (see deliverAlert). */
  deliver(alert: Alert): Promise<DeliveryResult>;
  /**
   * Aborted when the process shuts down or this replica lost its lease. A job checks it before it
   * commits (`signal.throwIfAborted()`), so a run that may have been taken over never writes state.
   */
  signal: AbortSignal;
  metrics?: Metrics;
}

export interface Job {
  /** Unique name: the lease, the run records and the metrics use it. */
  name: string;
  /** node-cron expression. */
  schedule: string;
  /** The environment variable the schedule comes from, named in configuration errors (KRBOPS_SCHEDULE_DUPES). */
  scheduleVariable?: string;
  /** Where its alerts come from, for people ("duplicate SPN watch"), unless an alert names its own. Default: the job's name. */
  source?: string;
  /**
   * Does one run. Idempotent: it may be cut off anywhere before its final commit and run again.
   * Returns a small JSON summary recorded with the run. Throws to record a failed run.
   */
  run(ctx: JobContext): Promise<unknown>;
}
