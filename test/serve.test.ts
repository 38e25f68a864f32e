/**
 * `krbops serve` end to end, as the README starts it: a child process running the real CLI with the
 * lab's directory, Slack over HTTP (Web API replaced by the local fake), Teams, the SQLite store,
 * /healthz and /metrics on one port; SIGTERM stops it cleanly.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from './helpers/fake-slack-api.js';
import { labEnv, type Lab } from './helpers/lab-env.js';

const SECRET = 'serve-test-signing-secret';
let lab: Lab;
let slack: FakeSlackApi;
let child: ChildProcess;
let base: string;
let stdout = '';
let stderr = '';
let helperPid = 0;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  lab = await labEnv();
  slack = await startFakeSlackApi();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: {
      PATH: process.env.PATH,
      ...lab.env(),
      PORT: String(port),
      KRBOPS_DB: join(mkdtempSync(join(tmpdir(), 'krbops-serve-')), 'krbops.db'),
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-serve-test',
      SLACK_API_URL: slack.apiUrl,
      MicrosoftAppId: '00000000-0000-4000-8000-000000000001',
      MicrosoftAppPassword: 'not-used-in-this-test',
      KRBOPS_SCHEDULE_DUPES: '0 0 1 1 *',
      KRBOPS_SCHEDULE_ADFS: '0 0 1 1 *',
      KRBOPS_ALLOW_CHANNELS: 'CINCIDENT',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 60_000;
  while (!stdout.includes('krbops serving')) {
    if (child.exitCode !== null) throw new Error(`krbops serve exited ${child.exitCode}: ${stderr}${stdout.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`krbops serve did not start: ${stdout.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await slack?.close();
});

describe('krbops serve', () => {
  it('reports healthy with the directory and store checked', async () => {
    const res = await fetch(`${base}/healthz`);
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.checks.directory.ok).toBe(true);
    expect(body.checks.store.ok).toBe(true);
    expect(body.jobs.map((j: { job: string }) => j.job)).toContain('dupes-watch');
  });

  it('says at start which commands are open where (the access policy)', () => {
    expect(stdout).toContain('"access":"help, explain: in *, dm; for everyone"');
    expect(stdout).toContain('"access":"spn, why-401, adfs, approvals: in CINCIDENT; for everyone"');
  });

  it('answers a signed /spn list on /slack/events and counts it in /metrics', async () => {
    const r = slack.newResponseUrl();
    const ack = await postSigned(`${base}/slack/events`, SECRET, slashCommandForm('/spn', 'list crmweb', r.url));
    expect(ack.status).toBe(200);
    const [reply] = await slack.waitForResponses(r.id, 1, 20_000);
    expect(JSON.stringify(reply.body)).toContain('HTTP/crm.contoso.test');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/krbops_commands_total\{[^}]*command="spn list"[^}]*surface="slack"[^}]*\} 1/);
  });

  it('refuses an unsigned Slack request and an unauthenticated Teams activity', async () => {
    const unsigned = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'command=%2Fspn&text=dupes' });
    expect(unsigned.status).toBe(401);
    const teams = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'spn dupes', serviceUrl: 'http://127.0.0.1:1/' }) });
    expect(teams.status).toBe(401);
  });

  it('asks the KDC for every why-401 through one Kerberos helper process', async () => {
    for (let i = 0; i < 2; i++) {
      const r = slack.newResponseUrl();
      expect((await postSigned(`${base}/slack/events`, SECRET, slashCommandForm('/krb', 'why-401 http://crm.contoso.test/', r.url))).status).toBe(200);
      const [reply] = await slack.waitForResponses(r.id, 1, 20_000);
      expect(JSON.stringify(reply!.body), stderr + stdout.slice(-3000)).toContain('HTTP/crm.contoso.test');
    }
    // Its children: the helper (`node -e <constant script>`), and tsx's esbuild service under `--import tsx`.
    const children = execFileSync('ps', ['--ppid', String(child.pid), '-o', 'pid=,args='], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    const helpers = children.filter((c) => /^\s*\d+ \S*node -e\s/.test(c));
    expect(helpers, children.join('\n')).toHaveLength(1);
    expect(children.filter((c) => !helpers.includes(c) && !/esbuild/.test(c)), children.join('\n')).toEqual([]);
    helperPid = Number(helpers[0]!.trim().split(/\s+/)[0]);
  });

  it('logs JSON without secrets and stops on SIGTERM with exit 0, the Kerberos helper with it', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(helperPid).toBeGreaterThan(1);
    expect(() => process.kill(helperPid, 0)).toThrow();
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.msg === 'krbops serving')).toBe(true);
    for (const secret of [lab.bindPassword, SECRET, 'xoxb-serve-test', 'not-used-in-this-test']) expect(stdout + stderr).not.toContain(secret);
  });
});
