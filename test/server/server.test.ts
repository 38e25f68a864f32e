/**
 * `krbops serve`'s HTTP core over real HTTP on loopback: /healthz against the Samba lab (and a
 * directory that is down, a store that is closed), /metrics in Prometheus text, surfaces mounted on
 * the shared app, graceful close with a request in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { RecordingNotifier } from '../helpers/recording-notifier.js';
import { startServer, type HealthReport, type HttpSurface, type RunningServer } from '../../src/server.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';

const root = mkdtempSync(join(tmpdir(), 'krbops-server-'));
let lab: Lab;
let n = 0;
beforeAll(async () => {
  lab = await labEnv();
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function configFor(env: Record<string, string> = {}): Config {
  return loadConfig({ ...lab.env(), PORT: '0', HOST: '127.0.0.1', KRBOPS_DB: join(root, `s${++n}`, 'krbops.db'), ...env });
}

/** A surface of the kind Slack and Teams provide: a POST route on the shared app. */
class SlowSurface implements HttpSurface {
  readonly name = 'slow';
  stopped = false;
  mount(app: Application) {
    app.post('/slow', async (req, res) => {
      await new Promise((r) => setTimeout(r, Number(req.query.ms ?? 300)));
      res.json({ done: true });
    });
  }
  async stop() {
    this.stopped = true;
  }
}

/** Every sample line of the exposition format: name{labels} value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

describe('GET /healthz and GET /metrics', () => {
  let running: RunningServer;
  const surface = new SlowSurface();
  beforeAll(async () => {
    running = await startServer(configFor(), { log: silentLogger, surfaces: [surface], notifiers: [new RecordingNotifier('chat')], startScheduler: false });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('listens on loopback on the configured port (0 = any free one)', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.port).toBeGreaterThan(0);
  });

  it('answers 200 with the directory reachable, the store writable and the jobs without runs yet', async () => {
    const res = await fetch(`${running.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as HealthReport;
    expect(body.status).toBe('ok');
    expect(body.checks.directory).toMatchObject({ ok: true, server: lab.env().LDAP_URL.split(',')[0], dsServiceName: expect.stringMatching(/^CN=NTDS Settings,/i) });
    expect(body.checks.store).toMatchObject({ ok: true, kind: 'sqlite' });
    expect(body.jobs).toEqual([
      { job: 'dupes-watch', schedule: '*/15 * * * *', running: false },
      { job: 'etypes-watch', schedule: '7 * * * *', running: false },
      { job: 'approvals-verify', schedule: '*/15 * * * *', running: false },
    ]);
  });

  it('shows the last run of each job and its outcome', async () => {
    const r = await running.scheduler.runTick('dupes-watch', new Date('2025-03-01T10:00:00.000Z'));
    expect(r).toMatchObject({ status: 'ran', outcome: 'ok' });
    const body = (await (await fetch(`${running.url}/healthz`)).json()) as HealthReport;
    expect(body.jobs[0].lastRun).toMatchObject({ tick: '2025-03-01T10:00:00.000Z', outcome: 'ok', finishedAt: expect.any(String) });
  });

  it('serves Prometheus text: command counts and latency, job runs by outcome, LDAP errors by code', async () => {
    await running.metrics.timeCommand('spn list', 'slack', async () => 'ok');
    await running.metrics.timeCommand('spn list', 'slack', async () => {
      const { DirectoryUnavailableError } = await import('../../src/errors.js');
      throw new DirectoryUnavailableError('no DC answered', { servers: ['ldaps://dc1'] });
    }).catch(() => undefined);
    const res = await fetch(`${running.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE krbops_commands_total counter');
    expect(text).toContain('# TYPE krbops_command_duration_seconds histogram');
    const m = parseMetrics(text);
    expect(m.get('krbops_commands_total{command="spn list",outcome="ok",surface="slack"}')).toBe(1);
    expect(m.get('krbops_commands_total{command="spn list",outcome="directory_unavailable",surface="slack"}')).toBe(1);
    expect(m.get('krbops_command_duration_seconds_count{command="spn list"}')).toBe(2);
    expect(m.get('krbops_command_duration_seconds_bucket{command="spn list",le="+Inf"}')).toBe(2);
    expect(m.get('krbops_job_runs_total{job="dupes-watch",outcome="ok"}')).toBe(1);
    expect(m.get('krbops_job_duration_seconds_count{job="dupes-watch"}')).toBe(1);
    expect(m.get('krbops_ldap_errors_total{code="DIRECTORY_UNAVAILABLE"}')).toBe(1);
    expect(m.get('krbops_alerts_posted_total{target="chat"}')).toBe(1);
  });

  it('mounts the surfaces on the same server, and answers unknown paths with JSON 404', async () => {
    const ok = await fetch(`${running.url}/slow?ms=1`, { method: 'POST' });
    expect(await ok.json()).toEqual({ done: true });
    const missing = await fetch(`${running.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('unhealthy', () => {
  it('answers 503 when the directory is down, naming the error, and counts it as an LDAP error', async () => {
    const running = await startServer(configFor({ LDAP_URL: 'ldaps://127.0.0.1:1', LDAP_TIMEOUT_MS: '1000' }), { log: silentLogger, startScheduler: false });
    try {
      const res = await fetch(`${running.url}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as HealthReport;
      expect(body.status).toBe('unavailable');
      expect(body.checks.directory).toMatchObject({ ok: false, error: { code: 'DIRECTORY_UNAVAILABLE' } });
      expect(body.checks.store.ok).toBe(true);
      const m = parseMetrics(await (await fetch(`${running.url}/metrics`)).text());
      expect(m.get('krbops_ldap_errors_total{code="DIRECTORY_UNAVAILABLE"}')).toBeGreaterThanOrEqual(1);
    } finally {
      await running.close();
    }
  });

  it('answers 503 when the store cannot be written', async () => {
    const running = await startServer(configFor(), { log: silentLogger, startScheduler: false });
    try {
      await running.store.close();
      const res = await fetch(`${running.url}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as HealthReport;
      expect(body.checks.directory.ok).toBe(true);
      expect(body.checks.store).toMatchObject({ ok: false, kind: 'sqlite', error: { code: 'STORE_FAILED' } });
    } finally {
      await running.close();
    }
  });

  it('reports a job whose last run failed as degraded, still 200', async () => {
    const running = await startServer(configFor(), {
      log: silentLogger,
      startScheduler: false,
      jobs: [{ name: 'adfs-watch', schedule: '0 */6 * * *', run: async () => Promise.reject(new Error('metadata unreachable')) }],
    });
    try {
      await running.scheduler.runTick('adfs-watch', new Date('2025-03-01T12:00:00.000Z'));
      const res = await fetch(`${running.url}/healthz`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as HealthReport;
      expect(body.status).toBe('degraded');
      expect(body.jobs[0].lastRun).toMatchObject({ outcome: 'failed', error: 'Error: metadata unreachable' });
    } finally {
      await running.close();
    }
  });
});

describe('start-up errors', () => {
  it('names PORT when the port is taken, and leaves nothing open', async () => {
    const first = await startServer(configFor(), { log: silentLogger, startScheduler: false });
    try {
      const config = configFor({ PORT: String(first.port) });
      await expect(startServer(config, { log: silentLogger, startScheduler: false })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: `PORT: 127.0.0.1:${first.port} is already in use` });
    } finally {
      await first.close();
    }
  });
});

describe('graceful close', () => {
  it('finishes a request in flight, refuses new connections, stops the surfaces and the store', async () => {
    const surface = new SlowSurface();
    const running = await startServer(configFor(), { log: silentLogger, surfaces: [surface], startScheduler: true });
    const inflight = fetch(`${running.url}/slow?ms=400`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 100));
    const closing = running.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closing;
    expect(surface.stopped).toBe(true);
    await expect(running.store.ping()).rejects.toMatchObject({ code: 'STORE_FAILED' });
    expect(running.scheduler.status()[0].running).toBe(false);
    await running.close(); // idempotent
  });
});
