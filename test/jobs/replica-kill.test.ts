/**
 * A replica killed (SIGKILL, in its own process) after posting its alert and before committing its
 * state: the next tick, on another replica, waits for the dead replica's lease to expire, then does
 * the work; the alert the dead replica already posted is not posted again.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import type { Job } from '../../src/jobs/types.js';
import { silentLogger } from '../../src/log.js';
import { RecordingNotifier } from '../helpers/recording-notifier.js';
import { openStore } from '../../src/store/index.js';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';

const fixture = fileURLToPath(new URL('./fixtures/replica.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'krbops-kill-'));
let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const LEASE_MS = 1500;

/** Starts the child replica and resolves when it is parked just before its commit. */
function startHangingReplica(url: string, alertLog: string, tick: Date) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, KRBOPS_DB: url, ALERT_LOG: alertLog, TICK: tick.toISOString(), HANG: '1', HOLDER: 'doomed', LEASE_MS: String(LEASE_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('READY-TO-COMMIT')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`replica exited early (${code}): ${out}${err}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
  return { child, ready, exited };
}

it('finishes the work of a replica killed before its commit, without posting its alert twice', async () => {
  const url = await cluster.createDatabase();
  const alertLog = join(dir, 'alerts.jsonl');
  const t1 = new Date('2025-03-01T10:00:00.000Z');
  const doomed = startHangingReplica(url, alertLog, t1);
  await doomed.ready;
  doomed.child.kill('SIGKILL');
  expect(await doomed.exited).toBe('SIGKILL');
  expect(readFileSync(alertLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l).key)).toEqual(['counter:alert:1']);

  const store = await openStore(url);
  const chat = new RecordingNotifier('chat');
  const job: Job = {
    name: 'counter',
    schedule: '0 0 1 1 *',
    async run(ctx) {
      const n = (await ctx.store.getState<number>('counter:count')) ?? 0;
      await ctx.deliver({ key: `counter:alert:${n + 1}`, title: `run ${n + 1}`, severity: 'info', text: 'counted' });
      await ctx.store.transaction((tx) => tx.setState('counter:count', n + 1));
      return { count: n + 1 };
    },
  };
  const survivor = new Scheduler({ config: loadConfig({}), store, jobs: [job], log: silentLogger, notifiers: [chat], openDirectory: () => Promise.reject(new Error('none')), holder: 'survivor', leaseMs: LEASE_MS });
  try {
    // Nothing was committed by the dead replica.
    expect(await store.getState('counter:count')).toBeUndefined();
    // Its lease is still there until it expires.
    expect(await survivor.runTick('counter', new Date('2025-03-01T10:15:00.000Z'))).toMatchObject({ status: 'skipped', reason: 'busy' });
    await new Promise((r) => setTimeout(r, LEASE_MS + 200));
    expect(await survivor.runTick('counter', new Date('2025-03-01T10:30:00.000Z'))).toMatchObject({ status: 'ran', outcome: 'ok', summary: { count: 1 } });
    expect(await store.getState('counter:count')).toBe(1);
    // The alert had been posted by the dead replica: not again.
    expect(chat.alerts).toEqual([]);
    expect(existsSync(alertLog) && readFileSync(alertLog, 'utf8').trim().split('\n')).toHaveLength(1);
    const runs = await store.listRuns({ job: 'counter' });
    expect(runs.map((r) => [r.holder, r.outcome])).toEqual([
      ['survivor', 'ok'],
      ['doomed', 'abandoned'],
    ]);
  } finally {
    await survivor.stop();
    await store.close();
  }
}, 60_000);
