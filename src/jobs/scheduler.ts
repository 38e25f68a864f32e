/**
 * Runs jobs on node-cron schedules, once per tick across every replica sharing the store:
 *
 * 1. in-process guard: a job never overlaps itself in one process;
 * 2. `store.claimRun(job, tick)`: the run row is unique per (job, tick), so of several replicas
 *    firing the same tick exactly one gets it; the job's lease stops a new tick from starting while
 *    an earlier run (on any replica) is still going;
 * 3. the lease is renewed while the run lasts; a replica that dies stops renewing, its lease
 *    expires after `leaseMs` and the next tick (on any replica) takes over, marking the dead run
 *    abandoned. Jobs write their state in one transaction at the end, so nothing is half-written.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DirectoryReader } from '../directory/types.js';
import { ConfigError, isKrbopsError, JobError } from '../errors.js';
import { instrumentDirectory, type Metrics } from '../metrics.js';
import { deliverAlert, redeliverPending, type Alert, type Notifier } from '../notify.js';
import type { Store } from '../store/types.js';
import type { Job, JobContext } from './types.js';
import { settledWithin } from '../timeout.js';

export interface SchedulerOptions {
  config: Config;
  store: Store;
  jobs: Job[];
  log: Logger;
  /** Alert destinations (Slack, Teams, log…). */
  notifiers: Notifier[];
  /** Opens a directory for one run; the scheduler closes it after the run. */
  openDirectory: () => Promise<DirectoryReader>;
  metrics?: Metrics;
  /** IANA time zone of the schedules; default config.schedules.timezone, else the process zone. */
  timezone?: string;
  /** This replica's name in leases and run records; default `<hostname>:<pid>:<random>`. */
  holder?: string;
  /** Lease length; a dead replica's job is free again after this. Default 120 000 ms. */
  leaseMs?: number;
  /** Lease renewal period; default leaseMs / 3. */
  renewMs?: number;
  now?: () => Date;
}

export type TickResult =
  | { status: 'ran'; job: string; runId: number; outcome: 'ok' | 'failed'; summary?: unknown; error?: string; durationMs: number }
  | { status: 'skipped'; job: string; reason: 'overlap' | 'taken' | 'busy' | 'stopped' };

export interface JobStatus {
  job: string;
  schedule: string;
  running: boolean;
  nextRun?: string;
}

/** How a failed run is recorded: the error code and message, never a stack. */
export function describeError(e: unknown): string {
  if (isKrbopsError(e)) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

export class Scheduler {
  readonly holder: string;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly now: () => Date;
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<TickResult>>();
  private readonly shutdown = new AbortController();
  private stopped = false;

  constructor(private readonly o: SchedulerOptions) {
    this.holder = o.holder ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.leaseMs = o.leaseMs ?? 120_000;
    this.renewMs = o.renewMs ?? Math.max(50, Math.floor(this.leaseMs / 3));
    this.now = o.now ?? (() => new Date());
    const names = new Set<string>();
    for (const job of o.jobs) {
      if (names.has(job.name)) throw new JobError(`Two jobs are named ${job.name}`, { job: job.name });
      names.add(job.name);
      if (!cron.validate(job.schedule)) {
        const message = `"${job.schedule}" is not a valid cron expression (minute hour day month weekday, e.g. */15 * * * *)`;
        throw job.scheduleVariable ? new ConfigError(job.scheduleVariable, message) : new JobError(`${job.name}: ${message}`, { job: job.name });
      }
    }
    const tz = o.timezone ?? o.config.schedules.timezone;
    if (tz) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
      } catch {
        throw new ConfigError('KRBOPS_TIMEZONE', `"${tz}" is not an IANA time zone (e.g. Europe/Paris, UTC)`);
      }
    }
  }

  /** Starts the cron schedules. */
  start(): void {
    if (this.stopped) throw new JobError('The scheduler was stopped');
    if (this.tasks.length) return;
    const timezone = this.o.timezone ?? this.o.config.schedules.timezone;
    for (const job of this.o.jobs) {
      const task = cron.schedule(
        job.schedule,
        async (ctx) => {
          await this.runTick(job.name, ctx.date);
        },
        { name: `krbops:${job.name}`, timezone, noOverlap: false },
      );
      this.tasks.push(task);
    }
    this.o.log.info({ holder: this.holder, jobs: this.status() }, 'scheduler started');
  }

  status(): JobStatus[] {
    return this.o.jobs.map((job) => {
      const task = this.tasks.find((t) => t.name === `krbops:${job.name}`);
      const next = task?.getNextRun();
      return { job: job.name, schedule: job.schedule, running: this.running.has(job.name), ...(next ? { nextRun: next.toISOString() } : {}) };
    });
  }

  /** Runs a job now, as its own tick (CLI `--now`, tests). */
  runNow(name: string): Promise<TickResult> {
    return this.runTick(name, this.now());
  }

  /** Runs one tick of a job, if this replica gets it. Never throws for a job failure. */
  runTick(name: string, tick: Date): Promise<TickResult> {
    const job = this.o.jobs.find((j) => j.name === name);
    if (!job) return Promise.reject(new JobError(`No job named ${name}`, { job: name }));
    if (this.stopped) return Promise.resolve({ status: 'skipped', job: name, reason: 'stopped' });
    if (this.running.has(name)) {
      this.o.metrics?.observeJob(name, 'skipped_overlap');
      this.o.log.warn({ job: name, tick }, 'previous run still in progress; tick skipped');
      return Promise.resolve({ status: 'skipped', job: name, reason: 'overlap' });
    }
    const p = this.execute(job, tick).finally(() => this.running.delete(name));
    this.running.set(name, p);
    return p;
  }

  private async execute(job: Job, tick: Date): Promise<TickResult> {
    const { store, log, metrics } = this.o;
    const claim = await store.claimRun({ job: job.name, tick, holder: this.holder, leaseMs: this.leaseMs, now: this.now() });
    if (!claim.claimed) {
      metrics?.observeJob(job.name, `skipped_${claim.reason}`);
      log.debug({ job: job.name, tick, reason: claim.reason }, 'tick not for this replica');
      return { status: 'skipped', job: job.name, reason: claim.reason };
    }
    if (claim.abandoned) {
      metrics?.observeJob(job.name, 'abandoned');
      log.warn({ job: job.name, tick }, 'took over the lease of a replica that stopped during its run');
    }
    const runLog = log.child({ job: job.name, runId: claim.runId, tick: tick.toISOString() });
    const controller = new AbortController();
    const onShutdown = () => controller.abort(new JobError('krbops is shutting down'));
    this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    const heartbeat = setInterval(() => {
      store.renewLease(job.name, this.holder, this.leaseMs, this.now()).then(
        (ok) => {
          if (!ok && !controller.signal.aborted) {
            runLog.error('lost the job lease (another replica took over); the run stops before writing state');
            controller.abort(new JobError('lost the job lease'));
          }
        },
        (e) => runLog.warn({ err: e }, 'could not renew the job lease'),
      );
    }, this.renewMs);
    heartbeat.unref();

    let dir: Promise<DirectoryReader> | undefined;
    const ctx: JobContext = {
      config: this.o.config,
      store,
      log: runLog,
      tick,
      now: this.now,
      signal: controller.signal,
      metrics,
      // Errors of an open directory are counted by instrumentDirectory; failing to open, here.
      directory: () =>
        (dir ??= this.o.openDirectory().then(
          (d) => (metrics ? instrumentDirectory(d, metrics) : d),
          (e: unknown) => {
            metrics?.recordLdapError(e);
            throw e;
          },
        )),
      deliver: async (alert: Alert) => {
        const full: Alert = { ...alert, job: alert.job ?? job.name, source: alert.source ?? job.source ?? job.name, at: alert.at ?? this.now().toISOString() };
        const r = await deliverAlert(store, this.o.notifiers, full, runLog);
        for (const t of r.posted) metrics?.alertsPosted.inc({ target: t });
        for (const f of r.failed) metrics?.alertFailures.inc({ target: f.target });
        if (r.posted.length) runLog.info({ alertKey: alert.key, targets: r.posted }, `alert posted: ${alert.title}`);
        return r;
      },
    };

    // Alerts a poster left pending when it died (kill -9 mid-post) go out first, once each (src/notify.ts).
    await redeliverPending(store, this.o.notifiers, { log: runLog }).catch((e: unknown) => runLog.warn({ err: e }, 're-delivering pending alerts failed; the next run tries again'));

    const t0 = performance.now();
    let outcome: 'ok' | 'failed' = 'ok';
    let summary: unknown;
    let error: string | undefined;
    try {
      summary = await job.run(ctx);
    } catch (e) {
      outcome = 'failed';
      error = describeError(e);
      runLog.error({ err: e }, `job failed: ${error}`);
    } finally {
      clearInterval(heartbeat);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
      if (dir) await (await dir.catch(() => undefined))?.close().catch((e: unknown) => runLog.warn({ err: e }, 'closing the directory failed'));
    }
    const durationMs = Math.round(performance.now() - t0);
    try {
      await store.finishRun(claim.runId, { outcome, error, summary, holder: this.holder, now: this.now() });
    } catch (e) {
      // The lease then simply expires; the next tick runs anyway.
      runLog.error({ err: e }, 'could not record the end of the run');
    }
    metrics?.observeJob(job.name, outcome, durationMs / 1000);
    if (outcome === 'ok') runLog.info({ summary, durationMs }, 'job finished');
    return { status: 'ran', job: job.name, runId: claim.runId, outcome, summary, error, durationMs };
  }

  /**
   * Stops the schedules, lets in-flight runs finish for up to `graceMs` (default 10 000), then aborts
   * them (they stop before writing state) and waits for them to record their end and release their leases.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.stopped && !this.running.size) return;
    this.stopped = true;
    for (const t of this.tasks.splice(0)) await t.destroy();
    const inflight = [...this.running.values()];
    if (!inflight.length) return;
    if (!(await settledWithin(inflight, options.graceMs ?? 10_000))) {
      this.o.log.warn({ jobs: [...this.running.keys()] }, 'runs still in progress at shutdown: aborting them');
      this.shutdown.abort(new JobError('krbops is shutting down'));
      // A job stuck in I/O that ignores the signal is left behind: its lease expires on its own.
      await settledWithin(inflight, options.graceMs ?? 10_000);
    }
  }
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  return new Scheduler(options);
}
