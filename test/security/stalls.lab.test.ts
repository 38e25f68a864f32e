/**
 * Issue 11, break 8: bad input must not stall the event loop. While the bad input is processed,
 * an unrelated Slack command (real Bolt, fake Slack cloud) is acknowledged in under 1 s:
 *  - the watched ADFS metadata is a 4.7 MB document whose one element carries 400 000 attributes;
 *  - the SQLite store is write-locked by another process (`BEGIN EXCLUSIVE`) while a user clicks
 *    "Request this change": the user hears that the store is busy, and a read-only
 *    `krbops krb approvals` still answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingBlocks, REQUEST_CHANGE_ACTION } from '../../cards/slack/index.js';
import { createApprovals, createChatApprovals } from '../../src/approvals/index.js';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startSlackApp, type StartedSlackApp } from '../../src/surfaces/slack/index.js';
import { scratchDir, startHttpsServer, xmlRoute, type TestServer } from '../adfs/support.js';
import { aFinding, allText } from '../cards/slack/builders.js';
import { buttonClickForm, postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.js';
import { labEnv } from '../helpers/lab-env.js';
import { makeServerCert, type TestCert } from '../helpers/tls.js';

const SECRET = 'sec-stalls-secret-0123456789abcdef';
const BOT = 'xoxb-krbops-stalls';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let fake: FakeSlackApi;

/** Sends `/krb help` every 100 ms until `done` settles; returns the slowest acknowledgement (ms). */
async function slowestAckWhile(app: StartedSlackApp, done: Promise<unknown>): Promise<{ slowest: number; count: number }> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  let slowest = 0;
  let count = 0;
  while (!finished) {
    const r = fake.newResponseUrl();
    const res = await postSigned(app.url!, SECRET, slashCommandForm('/krb', 'help', r.url));
    expect(res.status).toBe(200);
    slowest = Math.max(slowest, res.ms);
    count++;
    await sleep(100);
  }
  return { slowest, count };
}

beforeAll(async () => {
  fake = await startFakeSlackApi({ botTokens: [BOT] });
});
afterAll(async () => {
  await fake?.close();
});

describe('ADFS metadata with 400 000 attributes on one element', () => {
  const s = scratchDir();
  let tls: TestCert;
  let server: TestServer;
  let app: StartedSlackApp;
  const hostile = `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://adfs.contoso.test/adfs/services/trust"><X ${Array.from({ length: 400_000 }, (_, i) => `a${i}="x"`).join(' ')}/></EntityDescriptor>`;

  beforeAll(async () => {
    tls = makeServerCert(['127.0.0.1']);
    server = await startHttpsServer(tls, { '/FederationMetadata/2007-06/FederationMetadata.xml': xmlRoute(() => hostile) });
    const config = loadConfig({ SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl, KRBOPS_ADFS_METADATA_URLS: server.url('/FederationMetadata/2007-06/FederationMetadata.xml'), KRBOPS_ADFS_CA_FILE: tls.caFile });
    app = await startSlackApp(config, { mode: 'http', listen: { port: 0, host: '127.0.0.1' } });
  });
  afterAll(async () => {
    await app?.stop();
    await server?.close();
    rmSync(tls.dir, { recursive: true, force: true });
    s.cleanup();
  });

  it('is refused before parsing while an unrelated Slack command is acknowledged in under 1 s', async () => {
    expect(hostile.length).toBeGreaterThan(4_500_000);
    const r = fake.newResponseUrl();
    const sent = await postSigned(app.url!, SECRET, slashCommandForm('/krb', 'adfs', r.url));
    expect(sent.status).toBe(200);
    const answered = fake.waitForResponses(r.id, 1, 25_000).then(async () => {
      await fake.waitFor(() => fake.responsesFor(r.id).find((p) => !/Working on it/.test(String(p.body.text))), 25_000, 'the adfs answer');
    });
    const { slowest, count } = await slowestAckWhile(app, answered);
    await answered;
    expect(count).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(1000);
    const answer = fake.responsesFor(r.id).find((p) => !/Working on it/.test(String(p.body.text)))!;
    expect(allText(answer.body as never)).toContain('an element has more than 64 attributes; refused before parsing');
  }, 60_000);
});

describe('a SQLite store write-locked by another process', () => {
  let dir: string;
  let dbFile: string;
  let store: Store;
  let app: StartedSlackApp;
  let locker: ChildProcess | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    const lab = await labEnv();
    dir = mkdtempSync(join(tmpdir(), 'krbops-locked-'));
    dbFile = join(dir, 'krbops.db');
    const env = { ...lab.env(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl, KRBOPS_ALERT_SLACK_CHANNEL: 'CLOCKED', KRBOPS_ADMINS: 'UADMIN1', KRBOPS_DB: dbFile };
    const config = loadConfig(env);
    store = await openStore(dbFile);
    const approvals = createApprovals({ store, config });
    app = await startSlackApp(config, { mode: 'http', listen: { port: 0, host: '127.0.0.1' }, approvals: createChatApprovals({ approvals, config }), core: { approvals } });
    Object.assign(process.env, env);
    // Another process takes the write lock and keeps it (a sqlite3 shell left in BEGIN EXCLUSIVE).
    locker = spawn(process.execPath, ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(dbFile)}); db.exec('BEGIN EXCLUSIVE'); console.log('locked'); setInterval(() => {}, 1000);`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      locker!.stdout!.on('data', (d: Buffer) => String(d).includes('locked') && resolve());
      locker!.once('exit', (c) => reject(new Error(`locker exited ${c}`)));
    });
  });
  afterAll(async () => {
    process.env = saved;
    locker?.kill('SIGKILL');
    await app?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the user the store is busy, while an unrelated Slack command is acknowledged in under 1 s', async () => {
    const finding = aFinding({ title: 'Duplicate SPN HTTP/crm.contoso.test', subject: 'HTTP/crm.contoso.test', fix: { summary: 'Keep the SPN on one account', commands: [], spnChanges: [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\crmweb2' }] } });
    const button = findingBlocks(finding, { index: 0 }).flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).find((b: any) => b.action_id.startsWith(REQUEST_CHANGE_ACTION));
    const r = fake.newResponseUrl();
    const clicked = await postSigned(app.url!, SECRET, buttonClickForm(button.action_id, button.value, r.url));
    expect(clicked.status).toBe(200);
    expect(clicked.ms).toBeLessThan(1000);
    const answered = fake.waitForResponses(r.id, 1, 20_000);
    const { slowest, count } = await slowestAckWhile(app, answered);
    const [reply] = await answered;
    expect(count).toBeGreaterThan(3);
    expect(slowest).toBeLessThan(1000);
    expect(reply.body.text).toMatch(/^The store is busy/);
    expect(allText(reply.body as never)).toContain('try again in a moment');
    expect(allText(reply.body as never)).not.toContain('Something went wrong');
  }, 60_000);

  it('still answers the read-only `krbops krb approvals`', async () => {
    let out = '';
    let err = '';
    const code = await main(['krb', 'approvals'], { out: (s) => (out += s), err: (s) => (err += s) });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/no change requests|CR-/i);
  });
});
