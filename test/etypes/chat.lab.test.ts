/**
 * `krb etypes` from chat: the real Bolt app (Slack's cloud replaced by the fake Web API) and the real
 * Teams surface (CloudAdapter against the fake Bot Connector), answering from the shared Samba lab
 * (read-only: its svc-rc4 is RC4-only, its gMSA has no keys).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessage } from '../../cards/slack/index.js';
import { loadConfig } from '../../src/config.js';
import { startSlackApp, type StartedSlackApp } from '../../src/surfaces/slack/index.js';
import { allText } from '../cards/slack/builders.js';
import { postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';
import { messageActivity } from '../surfaces/teams/activities.js';
import { APP_ID, cardsOf, cardTexts, startHarness, type Harness } from '../surfaces/teams/harness.js';

const SECRET = 'etypes-signing-secret-0123456789abcdef';
const BOT = 'xoxb-krbops-etypes';

let lab: Lab;
let fake: FakeSlackApi;
let slack: StartedSlackApp;
let teams: Harness;

beforeAll(async () => {
  lab = await labEnv();
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  slack = await startSlackApp(loadConfig({ ...lab.env(), SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl }), { mode: 'http', listen: { port: 0, host: '127.0.0.1' } });
  teams = await startHarness(lab.env());
});
afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await teams?.close();
});

describe('krb etypes in chat', () => {
  it('Slack: /krb etypes answers privately with the classes, reasons and fixes, within Block Kit limits', async () => {
    const r = fake.newResponseUrl();
    const res = await postSigned(slack.url!, SECRET, slashCommandForm('/krb', 'etypes', r.url));
    expect(res.status).toBe(200);
    const posts = await fake.waitForResponses(r.id, 1, 30_000);
    const answer = posts[posts.length - 1].body as { response_type?: string; text: string; blocks: unknown[] };
    expect(answer.response_type).toBe('ephemeral');
    expect(checkMessage(answer)).toEqual([]);
    const t = allText(answer);
    expect(t).toContain(':red_circle: 1 account(s) fail now, 1 at risk');
    expect(t).toContain('*svc-crmgmsa$* (gmsa) — Fails now');
    expect(t).toContain('*svc-rc4* (user) — At risk');
    expect(t).toContain('Set-ADUser -Identity svc-rc4 -KerberosEncryptionType AES128,AES256');
  });

  it('Teams: "krb etypes" answers with Adaptive Cards naming the same accounts', async () => {
    const before = teams.fake.messages().length;
    const res = await teams.fake.postActivity(teams.url, messageActivity('krb etypes', { serviceUrl: teams.fake.serviceUrl, appId: APP_ID, where: 'personal' }));
    expect(res.status).toBe(200);
    const all = await teams.fake.waitForActivities(before + 1, { filter: (a) => a.activity.type === 'message' });
    const texts = cardsOf(all[all.length - 1].activity).flatMap(cardTexts);
    expect(texts[0]).toBe('krb etypes');
    expect(texts).toContain('svc-crmgmsa$ (gmsa) — Fails now');
    expect(texts).toContain('svc-rc4 (user) — At risk');
    expect(texts).toContain('Set-ADUser -Identity svc-rc4 -KerberosEncryptionType AES128,AES256');
  });
});
