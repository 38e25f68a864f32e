/**
 * SIGTERM to a running `krbops serve` (a child process): the request in flight and the job run in
 * progress finish, the job's lease is released, the process exits 0 and the port is closed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { HealthReport } from '../../src/server.js';
import { openStore } from '../../src/store/index.js';

const fixture = fileURLToPath(new URL('./fixtures/serve.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'krbops-sigterm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('finishes the request and the job run in flight on SIGTERM, releases the lease and exits 0', async () => {
  const db = join(dir, 'krbops.db');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { env: { ...process.env, KRBOPS_DB: db, JOB_MS: '1500' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let logs = '';
  child.stderr.on('data', (d) => (logs += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /URL (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(`serve exited early: ${logs}`)));
  });

  // Wait until a job run is in progress.
  for (let i = 0; i < 100; i++) {
    const h = (await (await fetch(`${url}/healthz`)).json()) as HealthReport;
    if (h.jobs[0]?.running) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const inflight = fetch(`${url}/slow?ms=800`, { method: 'POST' });
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');

  const res = await inflight;
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ done: true });
  expect(await exited).toEqual({ code: 0, signal: null });
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();

  const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; signal?: string });
  expect(lines.find((l) => l.msg === 'signal received')?.signal).toBe('SIGTERM');
  expect(lines.map((l) => l.msg)).toContain('stopped');

  const store = await openStore(db);
  try {
    const [last] = await store.lastRuns();
    expect(last).toMatchObject({ job: 'slow', outcome: 'ok' });
    expect(await store.getState('slow:count')).toBeGreaterThanOrEqual(1);
    // The lease was released: another replica can start the job at once.
    expect(await store.claimRun({ job: 'slow', tick: new Date('2030-01-01T00:00:00Z'), holder: 'next', leaseMs: 60_000 })).toMatchObject({ claimed: true, abandoned: 0 });
  } finally {
    await store.close();
  }
}, 60_000);
