/**
 * The scheduler's once-per-tick rules, on both store backends: two replicas (two Store handles and
 * two schedulers on one database) firing the same tick, overlapping runs, leases, failures and
 * shutdown. The jobs here are small idempotent jobs that commit a counter at their end; the
 * duplicate watch itself is tested against the Samba lab in dupes-watch.lab.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import type { Job, JobContext } from '../../src/jobs/types.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { RecordingNotifier } from '../helpers/recording-notifier.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';

const config = loadConfig({});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Adds one to a counter in the store at its end (in one transaction), after `ms` of "work". */
function counterJob(name = 'counter', o: { ms?: number; schedule?: string; fail?: () => boolean } = {}): Job {
  return {
    name,
    schedule: o.schedule ?? '0 0 1 1 *',
    async run(ctx: JobContext) {
      const n = (await ctx.store.getState<number>(`${name}:count`)) ?? 0;
      const until = Date.now() + (o.ms ?? 0);
      while (Date.now() < until) {
        await sleep(Math.min(20, until - Date.now()));
        if (ctx.signal.aborted) break;
      }
      if (o.fail?.()) throw new Error('the directory went away');
      ctx.signal.throwIfAborted();
      await ctx.store.transaction((tx) => tx.setState(`${name}:count`, n + 1));
      await ctx.deliver({ key: `${name}:alert:${n + 1}`, title: `run ${n + 1}`, severity: 'info', text: 'counted' });
      return { count: n + 1 };
    },
  };
}

interface Backend {
  name: string;
  location(): Promise<string>;
}

const root = mkdtempSync(join(tmpdir(), 'krbops-sched-'));
let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
const backends: Backend[] = [
  { name: 'SQLite', location: async () => join(root, `db${++n}`, 'krbops.db') },
  { name: 'PostgreSQL', location: () => cluster.createDatabase() },
];

describe.each(backends)('scheduler on $name', (backend) => {
  const stores: Store[] = [];
  const schedulers: Scheduler[] = [];
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop({ graceMs: 100 });
    for (const s of stores.splice(0)) await s.close();
  });

  async function replicas(count: number, jobs: () => Job[], o: { leaseMs?: number; renewMs?: number } = {}) {
    const url = await backend.location();
    const out = [];
    for (let i = 0; i < count; i++) {
      const store = await openStore(url);
      stores.push(store);
      const notifier = new RecordingNotifier('chat');
      const metrics = new Metrics();
      const scheduler = new Scheduler({
        config,
        store,
        jobs: jobs(),
        log: silentLogger,
        notifiers: [notifier],
        openDirectory: () => Promise.reject(new Error('no directory in these tests')),
        metrics,
        holder: `replica-${i}`,
        ...o,
      });
      schedulers.push(scheduler);
      out.push({ store, scheduler, notifier, metrics });
    }
    return out;
  }

  it('runs a tick fired by two replicas at once exactly once', async () => {
    const [a, b] = await replicas(2, () => [counterJob('counter', { ms: 50 })]);
    const tick = new Date('2025-03-01T10:15:00.000Z');
    const results = await Promise.all([a.scheduler.runTick('counter', tick), b.scheduler.runTick('counter', tick)]);
    expect(results.map((r) => r.status).sort()).toEqual(['ran', 'skipped']);
    expect(results.find((r) => r.status === 'skipped')).toMatchObject({ reason: 'taken' });
    const runs = await a.store.listRuns({ job: 'counter' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'ok', tick: tick.toISOString(), summary: { count: 1 } });
    expect(await b.store.getState('counter:count')).toBe(1);
    expect(a.notifier.alerts.length + b.notifier.alerts.length).toBe(1);
  });

  it('never overlaps a job with itself in one process', async () => {
    const [a] = await replicas(1, () => [counterJob('counter', { ms: 200 })]);
    const first = a.scheduler.runTick('counter', new Date('2025-03-01T10:00:00Z'));
    const second = await a.scheduler.runTick('counter', new Date('2025-03-01T10:00:01Z'));
    expect(second).toEqual({ status: 'skipped', job: 'counter', reason: 'overlap' });
    expect(await first).toMatchObject({ status: 'ran', outcome: 'ok' });
    expect(a.metrics.jobRuns.get({ job: 'counter', outcome: 'skipped_overlap' })).toBe(1);
  });

  it('skips a new tick on another replica while a run still holds the lease, renewing it past its length', async () => {
    const [a, b] = await replicas(2, () => [counterJob('counter', { ms: 900 })], { leaseMs: 300, renewMs: 80 });
    const long = a.scheduler.runTick('counter', new Date('2025-03-01T10:00:00Z'));
    await sleep(600); // twice the lease length: only renewal keeps it
    expect(await b.scheduler.runTick('counter', new Date('2025-03-01T10:15:00Z'))).toMatchObject({ status: 'skipped', reason: 'busy' });
    expect(await long).toMatchObject({ status: 'ran', outcome: 'ok' });
    expect(await b.scheduler.runTick('counter', new Date('2025-03-01T10:30:00Z'))).toMatchObject({ status: 'ran', outcome: 'ok', summary: { count: 2 } });
    expect(b.metrics.jobRuns.get({ job: 'counter', outcome: 'skipped_busy' })).toBe(1);
  });

  it('records a failed run with its error, and the next tick runs normally', async () => {
    let fail = true;
    const [a] = await replicas(1, () => [counterJob('counter', { fail: () => fail })]);
    expect(await a.scheduler.runTick('counter', new Date('2025-03-01T10:00:00Z'))).toMatchObject({ status: 'ran', outcome: 'failed', error: 'Error: the directory went away' });
    fail = false;
    expect(await a.scheduler.runTick('counter', new Date('2025-03-01T10:15:00Z'))).toMatchObject({ status: 'ran', outcome: 'ok', summary: { count: 1 } });
    const [last] = await a.store.lastRuns();
    expect(last).toMatchObject({ job: 'counter', outcome: 'ok' });
    const runs = await a.store.listRuns({ job: 'counter' });
    expect(runs.map((r) => r.outcome)).toEqual(['ok', 'failed']);
    expect(runs[1].error).toBe('Error: the directory went away');
    expect(a.metrics.jobRuns.get({ job: 'counter', outcome: 'failed' })).toBe(1);
  });

  it('lets an in-flight run finish on stop, and refuses ticks afterwards', async () => {
    const [a] = await replicas(1, () => [counterJob('counter', { ms: 300 })]);
    const run = a.scheduler.runTick('counter', new Date('2025-03-01T10:00:00Z'));
    await sleep(50);
    await a.scheduler.stop({ graceMs: 5000 });
    expect(await run).toMatchObject({ status: 'ran', outcome: 'ok' });
    expect(await a.scheduler.runTick('counter', new Date('2025-03-01T10:15:00Z'))).toMatchObject({ status: 'skipped', reason: 'stopped' });
  });

  it('aborts a run still going after the grace period: it writes nothing and releases its lease', async () => {
    const [a, b] = await replicas(2, () => [counterJob('counter', { ms: 10_000 })]);
    const run = a.scheduler.runTick('counter', new Date('2025-03-01T10:00:00Z'));
    await sleep(100);
    await a.scheduler.stop({ graceMs: 100 });
    expect(await run).toMatchObject({ status: 'ran', outcome: 'failed', error: 'JOB_REFUSED: krbops is shutting down' });
    expect(await a.store.getState('counter:count')).toBeUndefined();
    // The lease was released: the other replica does not have to wait for it to expire.
    const next = b.scheduler.runTick('counter', new Date('2025-03-01T10:15:00Z'));
    await sleep(100);
    await b.scheduler.stop({ graceMs: 100 });
    expect(await next).toMatchObject({ status: 'ran' });
  });

  it('fires on the cron schedule, and two replicas on the same schedule run each tick once', async () => {
    const [a, b] = await replicas(2, () => [counterJob('every-second', { schedule: '* * * * * *' })]);
    a.scheduler.start();
    b.scheduler.start();
    expect(a.scheduler.status()[0]).toMatchObject({ job: 'every-second', schedule: '* * * * * *', running: false, nextRun: expect.any(String) });
    await sleep(3300);
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    const runs = await a.store.listRuns({ job: 'every-second', limit: 100 });
    const ticks = runs.map((r) => r.tick);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const t of ticks) expect(new Date(t).getUTCMilliseconds()).toBe(0);
    const ran = a.metrics.jobRuns.get({ job: 'every-second', outcome: 'ok' }) + b.metrics.jobRuns.get({ job: 'every-second', outcome: 'ok' });
    const taken = a.metrics.jobRuns.get({ job: 'every-second', outcome: 'skipped_taken' }) + b.metrics.jobRuns.get({ job: 'every-second', outcome: 'skipped_taken' });
    expect(ran).toBe(ticks.length);
    // Each tick was fired by both replicas; the loser of each saw it taken (allow one tick at the edges).
    expect(taken).toBeGreaterThanOrEqual(ticks.length - 1);
    expect(await a.store.getState('every-second:count')).toBe(ticks.length);
  }, 15_000);

  it('schedules in the configured time zone', async () => {
    const store = await openStore(await backend.location());
    stores.push(store);
    const tz = new Scheduler({ config: loadConfig({ KRBOPS_TIMEZONE: 'Asia/Kolkata' }), store, jobs: [counterJob('daily', { schedule: '30 9 * * *' })], log: silentLogger, notifiers: [], openDirectory: () => Promise.reject(new Error('none')) });
    schedulers.push(tz);
    tz.start();
    // 09:30 in India (UTC+5:30, no DST) is 04:00 UTC.
    expect(tz.status()[0].nextRun).toMatch(/T04:00:00\.000Z$/);
  });

  it('refuses an invalid cron expression and duplicate job names at construction', async () => {
    const store = await openStore(await backend.location());
    stores.push(store);
    const base = { config, store, log: silentLogger, notifiers: [], openDirectory: () => Promise.reject(new Error('none')) };
    expect(() => new Scheduler({ ...base, jobs: [counterJob('x', { schedule: 'every 5 minutes' })] })).toThrow('x: "every 5 minutes" is not a valid cron expression');
    expect(() => new Scheduler({ ...base, jobs: [{ ...counterJob('dupes-watch', { schedule: '61 * * * *' }), scheduleVariable: 'KRBOPS_SCHEDULE_DUPES' }] })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^KRBOPS_SCHEDULE_DUPES: "61 \* \* \* \*" is not a valid cron expression/) }),
    );
    expect(() => new Scheduler({ ...base, jobs: [counterJob('x')], timezone: 'Mars/Olympus' })).toThrow('KRBOPS_TIMEZONE: "Mars/Olympus" is not an IANA time zone');
    expect(() => new Scheduler({ ...base, jobs: [counterJob('x'), counterJob('x')] })).toThrow('Two jobs are named x');
  });
});
