/**
 * The core of `krbops serve`: one HTTP server (express) on config.server (PORT, default 3978;
 * HOST, default loopback) carrying
 *   - the surfaces: Slack (POST /slack/events) and Teams (POST /api/messages), each an HttpSurface
 *     mounted before any body parser (Bolt verifies Slack's signature over the raw body);
 *   - GET /healthz: directory reachable (rootDSE), store writable, last run of each job;
 *     200 when the directory and the store answer, 503 otherwise;
 *   - GET /metrics: Prometheus text (src/metrics.ts);
 * plus the scheduler of the watchers. `close()` (and SIGTERM/SIGINT with `handleSignals`) shuts down
 * gracefully: stop accepting, finish in-flight requests, stop cron (in-flight runs finish or are
 * aborted before their commit), release leases, drain the surfaces, close the directory and store.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Application, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { hasDirectory, openConfiguredDirectory } from './directory/open.js';
import type { DirectoryReader } from './directory/types.js';
import { ConfigError, isKrbopsError, userMessage } from './errors.js';
import { defaultJobs } from './jobs/index.js';
import { Scheduler } from './jobs/scheduler.js';
import type { Job } from './jobs/types.js';
import { instrumentDirectory, Metrics, METRICS_CONTENT_TYPE } from './metrics.js';
import { LogNotifier, type Notifier } from './notify.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';
import type { LdapPoolStats } from './directory/ldap-pool.js';
import { settledWithin, withTimeout } from './timeout.js';

/** A chat surface on the shared server (Slack's and Teams' helpers provide these). */
export interface HttpSurface {
  /** 'slack', 'teams': used in logs. */
  name: string;
  /** Registers the surface's routes. Called in order, before krbops' own routes and any body parser. */
  mount(app: Application): void | Promise<void>;
  /** Waits for the surface's running commands (graceful shutdown). */
  stop?(): Promise<void>;
}

export interface ServerDeps {
  log: Logger;
  /** The store; default: openStore(config.dbUrl). The server closes it on shutdown either way. */
  store?: Store;
  /** Opens the directory (health check and scheduled jobs). Default: the LDAP directory of config.ldap. */
  openDirectory?: (config: Config, log: Logger) => Promise<DirectoryReader>;
  /** Chat surfaces to mount (Slack, Teams). */
  surfaces?: HttpSurface[];
  /**
   * Alert destinations (the surfaces' notifiers). Either the list, or a function of the store
   * (the Teams notifier needs the store's saved conversations). Alerts always go to the log too.
   */
  notifiers?: Notifier[] | ((store: Store) => Notifier[] | Promise<Notifier[]>);
  /** Scheduled jobs; default defaultJobs(config): dupes-watch with LDAP, adfs-watch with metadata URLs. */
  jobs?: Job[];
  /** Default true. False: no cron schedules (the jobs can still be run through `scheduler`). */
  startScheduler?: boolean;
  metrics?: Metrics;
  /** Scheduler lease length (see jobs/scheduler.ts); default 120 000 ms. */
  leaseMs?: number;
  /** Installs SIGTERM/SIGINT handlers that close the server and exit. Default false (`krbops serve` sets it). */
  handleSignals?: boolean;
  /** How long shutdown waits for in-flight requests and job runs before cutting them off; default 10 000 ms. */
  shutdownGraceMs?: number;
  /** Timeout of each /healthz check; default 5000 ms. */
  healthTimeoutMs?: number;
  /** The directory connection pool behind openDirectory (serve's): its numbers go to /metrics, and shutdown closes it. */
  directoryPool?: { stats(): LdapPoolStats | undefined; close(): Promise<void> };
  /** The Kerberos helper process of the chat surfaces (serve's): shutdown ends it. */
  kerberosHelper?: { close(): Promise<void> };
}

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  server: Server;
  app: Application;
  store: Store;
  scheduler: Scheduler;
  metrics: Metrics;
  /** Graceful shutdown; safe to call more than once. */
  close(): Promise<void>;
}

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: { code: string; message: string };
  [k: string]: unknown;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'unavailable';
  checks: { directory: CheckResult; store: CheckResult };
  jobs: { job: string; schedule: string; running: boolean; nextRun?: string; lastRun?: { tick: string; startedAt: string; finishedAt?: string; outcome: string; error?: string } }[];
  uptimeSeconds: number;
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(p, ms, () => new Error(`${what} did not answer within ${ms} ms`));
}

const errorOf = (e: unknown) => ({ code: isKrbopsError(e) ? e.code : 'INTERNAL', message: isKrbopsError(e) ? e.message : e instanceof Error ? e.message : String(e) });

export async function startServer(config: Config, deps: ServerDeps): Promise<RunningServer> {
  const log = deps.log;
  const metrics = deps.metrics ?? new Metrics();
  const started = Date.now();
  const grace = deps.shutdownGraceMs ?? 10_000;
  const healthMs = deps.healthTimeoutMs ?? 5000;
  const open = deps.openDirectory ?? openConfiguredDirectory;
  const store = deps.store ?? (await openStore(config.dbUrl, { postgres: { onError: (e) => log.warn({ err: e }, 'a pooled PostgreSQL connection failed; it will be replaced') } }));

  // One directory for health checks, opened on first use and reopened after a failure.
  let healthDir: Promise<DirectoryReader> | undefined;
  const dropHealthDir = async () => {
    const d = healthDir;
    healthDir = undefined;
    await (await d?.catch(() => undefined))?.close().catch(() => undefined);
  };

  const extra = typeof deps.notifiers === 'function' ? await deps.notifiers(store) : deps.notifiers ?? [];
  const notifiers: Notifier[] = [new LogNotifier(log.child({ component: 'alerts' })), ...extra];
  const scheduler = new Scheduler({
    config,
    store,
    jobs: deps.jobs ?? defaultJobs(config),
    log: log.child({ component: 'scheduler' }),
    notifiers,
    openDirectory: () => open(config, log),
    metrics,
    leaseMs: deps.leaseMs,
  });

  async function checkDirectory(): Promise<CheckResult> {
    const t0 = performance.now();
    if (!hasDirectory(config) && !deps.openDirectory) return { ok: false, configured: false, latencyMs: 0, error: { code: 'CONFIG_INVALID', message: 'LDAP_URL is not set' } };
    try {
      healthDir ??= open(config, log).then(
        (d) => instrumentDirectory(d, metrics),
        (e: unknown) => {
          metrics.recordLdapError(e);
          throw e;
        },
      );
      const info = await timeout(healthDir.then((d) => d.info()), healthMs, 'the directory');
      return { ok: true, server: info.server, dsServiceName: info.dsServiceName, latencyMs: Math.round(performance.now() - t0) };
    } catch (e) {
      await dropHealthDir();
      return { ok: false, latencyMs: Math.round(performance.now() - t0), error: errorOf(e) };
    }
  }

  async function checkStore(): Promise<CheckResult> {
    const t0 = performance.now();
    try {
      await timeout(store.ping(), healthMs, 'the store');
      return { ok: true, kind: store.kind, location: store.location, latencyMs: Math.round(performance.now() - t0) };
    } catch (e) {
      return { ok: false, kind: store.kind, location: store.location, latencyMs: Math.round(performance.now() - t0), error: errorOf(e) };
    }
  }

  let inflightHealth: Promise<HealthReport> | undefined;
  async function health(): Promise<HealthReport> {
    const [directory, storeCheck] = await Promise.all([checkDirectory(), checkStore()]);
    const runs = storeCheck.ok ? await store.lastRuns().catch(() => []) : [];
    const jobs = scheduler.status().map((s) => {
      const r = runs.find((x) => x.job === s.job);
      return { ...s, ...(r ? { lastRun: { tick: r.tick, startedAt: r.startedAt, finishedAt: r.finishedAt, outcome: r.outcome, ...(r.error ? { error: r.error } : {}) } } : {}) };
    });
    const down = (!directory.ok && directory.configured !== false) || !storeCheck.ok;
    const degraded = directory.configured === false || jobs.some((j) => j.lastRun && (j.lastRun.outcome === 'failed' || j.lastRun.outcome === 'abandoned'));
    return { status: down ? 'unavailable' : degraded ? 'degraded' : 'ok', checks: { directory, store: storeCheck }, jobs, uptimeSeconds: Math.round((Date.now() - started) / 1000) };
  }

  const app = express();
  app.disable('x-powered-by');
  // Requests in progress, so shutdown can wait for them.
  let active = 0;
  let idle: (() => void) | undefined;
  app.use((req: Request, res: Response, next: NextFunction) => {
    active++;
    res.on('close', () => {
      if (--active === 0) idle?.();
    });
    next();
  });
  for (const s of deps.surfaces ?? []) {
    await s.mount(app);
    log.info({ surface: s.name }, 'surface mounted');
  }
  app.get('/healthz', async (_req, res) => {
    inflightHealth ??= health().finally(() => (inflightHealth = undefined));
    const report = await inflightHealth;
    res.status(report.status === 'unavailable' ? 503 : 200).set('Cache-Control', 'no-store').json(report);
  });
  app.get('/metrics', (_req, res) => {
    const pool = deps.directoryPool?.stats();
    if (pool) metrics.setLdapPool(pool);
    res.status(200).set('Content-Type', METRICS_CONTENT_TYPE).set('Cache-Control', 'no-store').send(metrics.render());
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such endpoint. krbops serves POST /slack/events, POST /api/messages, GET /healthz and GET /metrics.' } });
  });
  // The last guard: a failing handler answers JSON with a one-line reason, never a stack trace.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    log.error({ err }, 'request failed');
    const status = (err as { status?: number })?.status;
    if (!res.headersSent) res.status(status && status >= 400 && status < 500 ? status : 500).json({ error: { code: isKrbopsError(err) ? err.code : 'INTERNAL', message: userMessage(err) } });
  });

  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      const s = app.listen(config.server.port, config.server.host);
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
  } catch (e) {
    await dropHealthDir();
    await store.close().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigError('PORT', `${config.server.host}:${config.server.port} is already in use`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConfigError('HOST', `cannot listen on ${config.server.host} (not an address of this machine)`);
    if (code === 'EACCES') throw new ConfigError('PORT', `not allowed to listen on port ${config.server.port} (ports below 1024 need privileges)`);
    throw e;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `http://${host}:${port}`;
  if (deps.startScheduler !== false) scheduler.start();
  log.info({ url, store: store.location, jobs: scheduler.status().map((j) => j.job), surfaces: (deps.surfaces ?? []).map((s) => s.name) }, 'krbops is serving');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: no new requests; finishing requests and job runs in progress');
      // 1. Stop accepting; idle keep-alive connections go now, busy ones when their request ends.
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const drained = active === 0 ? Promise.resolve() : new Promise<void>((r) => (idle = r));
      const late = !(await settledWithin([drained], grace));
      if (late) log.warn({ active }, 'requests still running after the grace period: closing their connections');
      server.closeAllConnections();
      await closed;
      // 2. Cron off; runs in progress finish (or are aborted before their commit); leases released.
      await scheduler.stop({ graceMs: grace });
      // 3. Surfaces finish the commands they already acknowledged.
      for (const s of deps.surfaces ?? []) await s.stop?.().catch((e: unknown) => log.warn({ err: e, surface: s.name }, 'surface did not stop cleanly'));
      // 4. Directory and store.
      await dropHealthDir();
      await deps.directoryPool?.close().catch((e: unknown) => log.warn({ err: e }, 'closing the directory pool failed'));
      await deps.kerberosHelper?.close().catch((e: unknown) => log.warn({ err: e }, 'ending the Kerberos helper failed'));
      await store.close().catch((e: unknown) => log.warn({ err: e }, 'closing the store failed'));
      if (signalHandler) for (const sig of ['SIGTERM', 'SIGINT'] as const) process.removeListener(sig, signalHandler);
      log.info('stopped');
    })());

  let signalHandler: ((sig: NodeJS.Signals) => void) | undefined;
  if (deps.handleSignals) {
    signalHandler = (sig) => {
      log.info({ signal: sig }, 'signal received');
      // A second signal, or a shutdown that hangs, ends the process anyway.
      const hard = setTimeout(() => process.exit(1), 3 * grace + 5000);
      hard.unref();
      close().then(
        () => process.exit(0),
        (e: unknown) => {
          log.error({ err: e }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, signalHandler);
  }

  return { url, port, server, app, store, scheduler, metrics, close };
}
