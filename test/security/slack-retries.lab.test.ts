/**
 * Issue 11, break 6: Slack re-sends a request it thinks went unanswered, re-signed, with
 * `X-Slack-Retry-Num` and the same payload. Through the real Bolt app (fake Slack cloud, Samba lab,
 * SQLite store): a retried `/spn list` answers once, a retried "Request this change" click records
 * one change request and posts one approval card; both retries are acknowledged with 200.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingBlocks, REQUEST_CHANGE_ACTION } from '../../cards/slack/index.js';
import { createApprovals, createChatApprovals, type Approvals } from '../../src/approvals/index.js';
import { loadConfig } from '../../src/config.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startSlackApp, type StartedSlackApp } from '../../src/surfaces/slack/index.js';
import { aFinding } from '../cards/slack/builders.js';
import { buttonClickForm, postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.js';
import { labEnv } from '../helpers/lab-env.js';

const SECRET = 'sec-retries-secret-0123456789abcdef';
const BOT = 'xoxb-krbops-retries';
const ADMIN_CHANNEL = 'CRETRYADMINS';
const RETRY = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let fake: FakeSlackApi;
let app: StartedSlackApp;
let store: Store;
let approvals: Approvals;

beforeAll(async () => {
  const lab = await labEnv();
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  const dbFile = join(mkdtempSync(join(tmpdir(), 'krbops-retries-')), 'krbops.db');
  const config = loadConfig({ ...lab.env(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl, KRBOPS_ALERT_SLACK_CHANNEL: ADMIN_CHANNEL, KRBOPS_ADMINS: 'UADMIN1', KRBOPS_DB: dbFile });
  store = await openStore(dbFile);
  approvals = createApprovals({ store, config });
  app = await startSlackApp(config, { mode: 'http', listen: { port: 0, host: '127.0.0.1' }, approvals: createChatApprovals({ approvals, config }), core: { approvals } });
});
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await store?.close();
});

describe('a Slack retry of work already accepted', () => {
  it('answers a retried /spn list once, and acknowledges the retry', async () => {
    const r = fake.newResponseUrl();
    const form = slashCommandForm('/spn', 'list crmweb', r.url);
    // Slack re-signs the retry (a new timestamp, so a new signature): the replay guard lets it in.
    // The timestamps are fixed relative to one clock reading: two readings a second apart would
    // sign the first request and the retry with the same timestamp, which the replay guard refuses.
    const t0 = Math.floor(Date.now() / 1000);
    const first = await postSigned(app.url!, SECRET, form, { timestamp: t0 });
    const retry = await postSigned(app.url!, SECRET, form, { timestamp: t0 - 1, headers: RETRY });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await fake.waitForResponses(r.id, 1, 20_000);
    await sleep(1500);
    expect(fake.responsesFor(r.id).filter((p) => !/Working on it/.test(String(p.body.text)))).toHaveLength(1);
  });

  it('still answers a new invocation of the same command (its own trigger_id)', async () => {
    const r1 = fake.newResponseUrl();
    const r2 = fake.newResponseUrl();
    await postSigned(app.url!, SECRET, slashCommandForm('/krb', 'help', r1.url));
    await postSigned(app.url!, SECRET, slashCommandForm('/krb', 'help', r2.url));
    await fake.waitForResponses(r1.id, 1, 10_000);
    await fake.waitForResponses(r2.id, 1, 10_000);
  });

  it('records one change request and posts one approval card for a retried click', async () => {
    const finding = aFinding({ title: 'Duplicate SPN HTTP/crm.contoso.test', subject: 'HTTP/crm.contoso.test', fix: { summary: 'Keep the SPN on one account', commands: [], spnChanges: [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\crmweb2' }] } });
    const button = findingBlocks(finding, { index: 0, url: 'http://crm.contoso.test/' })
      .flatMap((b: any) => (b.type === 'actions' ? b.elements : []))
      .find((b: any) => b.action_id.startsWith(REQUEST_CHANGE_ACTION));
    const before = (await approvals.list()).length;
    const cards = () => fake.callsOf('chat.postMessage').filter((c) => c.body.channel === ADMIN_CHANNEL).length;
    const cardsBefore = cards();
    const r = fake.newResponseUrl();
    const form = buttonClickForm(button.action_id, button.value, r.url);
    const t0 = Math.floor(Date.now() / 1000);
    const first = await postSigned(app.url!, SECRET, form, { timestamp: t0 });
    const retry = await postSigned(app.url!, SECRET, form, { timestamp: t0 - 1, headers: RETRY });
    const retry2 = await postSigned(app.url!, SECRET, form, { timestamp: t0 - 2, headers: { ...RETRY, 'x-slack-retry-num': '2' } });
    expect([first.status, retry.status, retry2.status]).toEqual([200, 200, 200]);
    await fake.waitForResponses(r.id, 1, 10_000);
    await fake.waitFor(() => cards() > cardsBefore || undefined, 10_000, 'the approval card');
    await sleep(1500);
    expect((await approvals.list()).length).toBe(before + 1);
    expect(cards()).toBe(cardsBefore + 1);
    expect(fake.responsesFor(r.id)).toHaveLength(1);
  });
});
