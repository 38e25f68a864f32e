/**
 * Prometheus metrics in the text exposition format (version 0.0.4), without a client library:
 * counters and histograms with labels, rendered by `GET /metrics`.
 *
 * - krbops_commands_total{command,surface,outcome}      commands answered (ok | error code in lower case)
 * - krbops_command_duration_seconds{command}            histogram of command latency
 * - krbops_job_runs_total{job,outcome}                  ok | failed | abandoned | skipped_taken | skipped_busy | skipped_overlap
 * - krbops_job_duration_seconds{job}                    histogram of job run time
 * - krbops_job_last_success_timestamp_seconds{job}      gauge
 * - krbops_ldap_errors_total{code}                      directory errors by code (DIRECTORY_UNAVAILABLE…)
 * - krbops_ldap_pool_connections{state}                 the directory pool: open, in_use, idle, waiting, max_open, size
 * - krbops_ldap_pool_event_count{event}                connections opened, dropped, waits that timed out
 * - krbops_alerts_posted_total{target}, krbops_alert_failures_total{target}
 */
import type { DirectoryReader } from './directory/types.js';
import { isKrbopsError } from './errors.js';

type Labels = Record<string, string>;

const COMMAND_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900];

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`)
    .join(',');
}

/** Label values: backslash, double quote and newline escaped, as the format requires. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter implements Family {
  readonly type = 'counter' as const;
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${fmt(v)}`);
  }
}

export class Gauge implements Family {
  readonly type = 'gauge' as const;
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  set(labels: Labels, v: number): void {
    this.values.set(labelKey(labels), v);
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${fmt(v)}`);
  }
}

export class Histogram implements Family {
  readonly type = 'histogram' as const;
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}
  observe(labels: Labels, seconds: number): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const { counts } = s;
    this.buckets.forEach((b, i) => {
      if (seconds <= b) counts[i] = (counts[i] ?? 0) + 1;
    });
    s.sum += seconds;
    s.count++;
  }
  render(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${pre}le="${fmt(b)}"} ${s.counts[i]}`));
      out.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${fmt(s.sum)}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

/** Outcome label of an error: its code in lower case (`directory_unavailable`), else `internal`. */
export function outcomeOf(e: unknown): string {
  return isKrbopsError(e) ? e.code.toLowerCase() : 'internal';
}

export class Metrics {
  readonly commands = new Counter('krbops_commands_total', 'Commands answered, by command, surface and outcome (ok or the error code).');
  readonly commandDuration = new Histogram('krbops_command_duration_seconds', 'Time to answer a command.', COMMAND_BUCKETS);
  readonly jobRuns = new Counter('krbops_job_runs_total', 'Scheduled job ticks, by job and outcome (skipped_* = another replica or run had it).');
  readonly jobDuration = new Histogram('krbops_job_duration_seconds', 'Run time of scheduled jobs.', JOB_BUCKETS);
  readonly jobLastSuccess = new Gauge('krbops_job_last_success_timestamp_seconds', 'When each job last finished without error (Unix time).');
  readonly ldapErrors = new Counter('krbops_ldap_errors_total', 'Directory (LDAP) errors, by error code.');
  readonly alertsPosted = new Counter('krbops_alerts_posted_total', 'Alerts posted, by destination.');
  readonly alertFailures = new Counter('krbops_alert_failures_total', 'Alerts a destination refused (retried on the next run), by destination.');
  readonly ldapPool = new Gauge('krbops_ldap_pool_connections', 'Directory connection pool: open, in_use, idle, waiting (requests), max_open (ever), size (LDAP_POOL_SIZE).');
  readonly ldapPoolEvents = new Gauge('krbops_ldap_pool_event_count', 'Directory connection pool: connections opened and dropped, waits that timed out, since start.');
  private readonly startTime = new Gauge('krbops_start_time_seconds', 'When this krbops process started (Unix time).');
  private readonly families: Family[] = [this.commands, this.commandDuration, this.jobRuns, this.jobDuration, this.jobLastSuccess, this.ldapErrors, this.ldapPool, this.ldapPoolEvents, this.alertsPosted, this.alertFailures, this.startTime];

  constructor() {
    this.startTime.set({}, Math.floor(Date.now() / 1000));
  }

  /** Records one answered command. `error` undefined = ok. Directory errors also count as LDAP errors. */
  observeCommand(command: string, surface: string, seconds: number, error?: unknown): void {
    this.commands.inc({ command, surface, outcome: error === undefined ? 'ok' : outcomeOf(error) });
    this.commandDuration.observe({ command }, seconds);
    if (error !== undefined) this.recordLdapError(error);
  }

  /**
   * The same from a surface's observation hook (Slack's `observe`): `code` undefined or outcome 'ok'
   * means answered; an error code such as DIRECTORY_UNAVAILABLE is also counted as an LDAP error.
   */
  recordCommand(o: { command: string; surface: string; durationMs: number; outcome?: string; code?: string }): void {
    const failed = o.outcome === 'error' || (o.outcome === undefined && o.code !== undefined);
    const code = failed ? (o.code ?? 'INTERNAL') : undefined;
    this.commands.inc({ command: o.command, surface: o.surface, outcome: code ? code.toLowerCase() : 'ok' });
    this.commandDuration.observe({ command: o.command }, o.durationMs / 1000);
    if (code?.startsWith('DIRECTORY_')) this.ldapErrors.inc({ code });
  }

  /** Times `fn` as command `command` on `surface`; rethrows its error. */
  async timeCommand<T>(command: string, surface: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const r = await fn();
      this.observeCommand(command, surface, (performance.now() - t0) / 1000);
      return r;
    } catch (e) {
      this.observeCommand(command, surface, (performance.now() - t0) / 1000, e);
      throw e;
    }
  }

  /** Counts `e` when it is a directory error (code DIRECTORY_*); returns whether it counted. */
  recordLdapError(e: unknown): boolean {
    if (isKrbopsError(e) && e.code.startsWith('DIRECTORY_')) {
      this.ldapErrors.inc({ code: e.code });
      return true;
    }
    return false;
  }

  /** The directory pool's numbers as of now (set before each render). */
  setLdapPool(s: { open: number; inUse: number; idle: number; waiting: number; maxOpen: number; size: number; opened: number; dropped: number; waitTimeouts: number }): void {
    for (const [state, v] of Object.entries({ open: s.open, in_use: s.inUse, idle: s.idle, waiting: s.waiting, max_open: s.maxOpen, size: s.size })) this.ldapPool.set({ state }, v);
    for (const [event, v] of Object.entries({ opened: s.opened, dropped: s.dropped, wait_timeouts: s.waitTimeouts })) this.ldapPoolEvents.set({ event }, v);
  }

  observeJob(job: string, outcome: string, seconds?: number): void {
    this.jobRuns.inc({ job, outcome });
    if (seconds !== undefined) this.jobDuration.observe({ job }, seconds);
    if (outcome === 'ok') this.jobLastSuccess.set({ job }, Math.floor(Date.now() / 1000));
  }

  /** The exposition text for `GET /metrics` (Content-Type: text/plain; version=0.0.4). */
  render(): string {
    const lines: string[] = [];
    for (const f of this.families) {
      lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return `${lines.join('\n')}\n`;
  }
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The same DirectoryReader, counting every error it throws in krbops_ldap_errors_total
 * (a directory shared by commands and jobs reports failures wherever they happen).
 */
export function instrumentDirectory(dir: DirectoryReader, metrics: Metrics): DirectoryReader {
  async function* iterate<T>(it: AsyncIterable<T>): AsyncIterable<T> {
    try {
      yield* it;
    } catch (e) {
      metrics.recordLdapError(e);
      throw e;
    }
  }
  // Generic over methods, so methods the interface gains later are counted too.
  return new Proxy(dir, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'close') return v;
      return (...args: unknown[]) => {
        let r: unknown;
        try {
          r = (v as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          metrics.recordLdapError(e);
          throw e;
        }
        if (r instanceof Promise) {
          return r.catch((e: unknown) => {
            metrics.recordLdapError(e);
            throw e;
          });
        }
        if (r && typeof (r as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') return iterate(r as AsyncIterable<unknown>);
        return r;
      };
    },
  });
}
