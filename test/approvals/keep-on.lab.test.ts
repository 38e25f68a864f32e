/**
 * "Keep on <account>" for the lab's duplicate SPN (HTTP/crm.contoso.test on crmweb and crmweb2),
 * through the real Bolt app and the real Teams CloudAdapter (only the vendor clouds are local
 * stand-ins), the real approvals service on SQLite and the shared Samba lab, read only: the answer
 * shows one setspn -D per holder under its own heading and a button per holder; pressing "Keep on
 * crmweb" records a change request that removes the SPN from crmweb2 only, which an admin approves
 * (or rejects) like any other request.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_ACTION, checkMessage, decodeChangeRef, REQUEST_CHANGE_ACTION } from '../../cards/slack/index.js';
import { APPROVAL_VERBS } from '../../cards/teams/index.js';
import { createApprovals, createChatApprovals, type Approvals } from '../../src/approvals/index.js';
import { loadConfig } from '../../src/config.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startSlackApp, type StartedSlackApp } from '../../src/surfaces/slack/index.js';
import { allText } from '../cards/slack/builders.js';
import { checkCardSchema } from '../cards/teams/schema.js';
import { buttonClickForm, postSigned, slashCommandForm, startFakeSlackApi, type FakeSlackApi } from '../helpers/fake-slack-api.js';
import { labEnv } from '../helpers/lab-env.js';
import { cardActionInvoke, messageActivity } from '../surfaces/teams/activities.js';
import { APP_ID, cardsOf, cardTexts, startHarness, type Harness } from '../surfaces/teams/harness.js';

const SECRET = 'keep-on-signing-secret-0123456789ab';
const BOT = 'xoxb-krbops-keep-on';
const ADMIN_CHANNEL = 'CKEEPADMINS';
const ONCALL = { id: 'UONCALL', username: 'oncall' };
const ADMIN = { id: 'UADMINK', username: 'dana' };
const ADELE = { id: '29:1adele-vance-teams-user', name: 'Adele Vance', aadObjectId: '00000000-0000-4000-8000-00000000ad31' };
const MEGAN = { id: '29:1megan-bowen-teams-user', name: 'Megan Bowen', aadObjectId: '00000000-0000-4000-8000-0000000000b1' };
const SPN = 'HTTP/crm.contoso.test';

let fake: FakeSlackApi;
let app: StartedSlackApp;
let h: Harness;
let store: Store;
let approvals: Approvals;

const buttonsOf = (blocks: any[]) => blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));

function clickForm(actionId: string, value: string, responseUrl: string, user: { id: string; username: string }, channel: string) {
  const payload = JSON.parse(buttonClickForm(actionId, value, responseUrl).payload);
  payload.user = { ...payload.user, id: user.id, username: user.username, name: user.username };
  payload.channel = { id: channel, name: channel.toLowerCase() };
  payload.container = { ...payload.container, channel_id: channel };
  return { payload: JSON.stringify(payload) };
}

async function click(actionId: string, value: string, user: { id: string; username: string }, channel = 'CINCIDENT') {
  const r = fake.newResponseUrl();
  const res = await postSigned(app.url!, SECRET, clickForm(actionId, value, r.url, user, channel));
  expect(res.status).toBe(200);
  const [reply] = await fake.waitForResponses(r.id);
  return reply.body as { text: string; blocks: any[]; replace_original?: boolean };
}

async function slash(text: string) {
  const r = fake.newResponseUrl();
  await postSigned(app.url!, SECRET, slashCommandForm('/spn', text, r.url));
  const posts = await fake.waitForResponses(r.id, 1, 20_000);
  return posts[posts.length - 1].body as { text: string; blocks: any[] };
}

/** Code blocks of a Slack answer with the line right above each. */
function fenced(message: { blocks: any[] }): { heading: string; code: string }[] {
  return message.blocks.flatMap((b) => {
    const text: string = b.type === 'section' ? (b.text?.text ?? '') : '';
    return [...text.matchAll(/```([\s\S]*?)```/g)].map((m) => ({ heading: text.slice(0, m.index).split('\n').filter(Boolean).pop() ?? '', code: m[1] }));
  });
}

beforeAll(async () => {
  const lab = await labEnv();
  const dbFile = join(mkdtempSync(join(tmpdir(), 'krbops-keep-on-')), 'krbops.db');
  store = await openStore(dbFile);
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  const env = { ...lab.env(), KRBOPS_ADMINS: `${ADMIN.id},${MEGAN.aadObjectId}`, KRBOPS_DB: dbFile };
  const config = loadConfig({ ...env, SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT, SLACK_API_URL: fake.apiUrl, KRBOPS_ALERT_SLACK_CHANNEL: ADMIN_CHANNEL });
  approvals = createApprovals({ store, config });
  app = await startSlackApp(config, { mode: 'http', listen: { port: 0, host: '127.0.0.1' }, approvals: createChatApprovals({ approvals, config }), core: { approvals } });
  const teamsConfig = loadConfig({ ...env, MicrosoftAppId: APP_ID });
  h = await startHarness(env, { approvals: createChatApprovals({ approvals, config: teamsConfig }), core: { approvals } });
});
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await h?.close();
  await store?.close();
});

describe('Slack: /spn dupes → "Keep on crmweb" → change request → approval', () => {
  let id: string;

  it('shows one setspn -D per holder under its own heading and a "Keep on" button per holder', async () => {
    const answer = await slash('dupes');
    expect(checkMessage(answer)).toEqual([]);
    const crm = fenced(answer).filter((f) => f.code.includes(` ${SPN} `)).sort((a, b) => a.code.localeCompare(b.code));
    expect(crm).toEqual([
      { heading: '*If crmweb does not run the service:*', code: `setspn -D ${SPN} crmweb` },
      { heading: '*If crmweb2 does not run the service:*', code: `setspn -D ${SPN} crmweb2` },
    ]);
    // No code block anywhere in the answer holds two removals.
    for (const f of fenced(answer)) expect(f.code.split('\n').filter((l) => l.startsWith('setspn -D')).length).toBeLessThanOrEqual(1);
    const keep = buttonsOf(answer.blocks).filter((b: any) => decodeChangeRef(b.value)?.subject === SPN).sort((a: any, b: any) => a.text.text.localeCompare(b.text.text));
    expect(keep.map((b: any) => b.text.text)).toEqual(['Keep on crmweb', 'Keep on crmweb2']);

    const posted = fake.callsOf('chat.postMessage').length;
    const reply = await click(keep[0].action_id, keep[0].value, ONCALL);
    expect(allText(reply as never)).toContain('pending approval');
    const card = await fake.waitFor(() => fake.callsOf('chat.postMessage').slice(posted).find((c) => c.body.channel === ADMIN_CHANNEL), 10_000, 'the approval card');
    id = buttonsOf(card.body.blocks).find((b: any) => b.action_id === APPROVAL_ACTION.approve)?.value;
    expect(id).toMatch(/^CR-[0-9A-F]{8}$/);
    const record = await approvals.get(id);
    // Keep on crmweb = remove it from every OTHER holder, and from nothing else.
    expect(record.changes.map((c) => [c.action, c.spn, c.account])).toEqual([['remove', SPN, 'crmweb2']]);
    expect(record.finding).toMatchObject({ ruleId: 'spn-duplicate', subject: SPN });
    expect(keep[0].action_id.startsWith(REQUEST_CHANGE_ACTION)).toBe(true);
  });

  it('goes through admin approval like any change request: the hand-off removes it from crmweb2 alone', async () => {
    const reply = await click(APPROVAL_ACTION.approve, id, ADMIN, ADMIN_CHANNEL);
    expect(reply.replace_original).toBe(true);
    const record = await approvals.get(id);
    expect(record.status).toBe('approved');
    expect(record.commands).toEqual([`setspn -D ${SPN} CONTOSO\\crmweb2`]);
    expect(allText(reply as never)).toContain(`setspn -D ${SPN} CONTOSO\\crmweb2`);
  });
});

describe('Teams: spn query → "Keep on crmweb2" → change request → approval', () => {
  it('shows the per-holder blocks and buttons, records the request for crmweb only, and an admin approves it', async () => {
    const before = h.fake.messages().length;
    await h.fake.postActivity(h.url, messageActivity(`spn query ${SPN}`, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, where: 'personal', user: ADELE }));
    const [reply] = (await h.fake.waitForActivities(before + 1, { filter: (a) => a.activity.type === 'message' })).slice(before);
    const [card] = cardsOf(reply.activity);
    expect(checkCardSchema(card)).toEqual([]);
    const texts = cardTexts(card);
    const at = (t: string) => texts.indexOf(t);
    expect(texts[at('If crmweb does not run the service:') + 1]).toBe(`setspn -D ${SPN} crmweb`);
    expect(texts[at('If crmweb2 does not run the service:') + 1]).toBe(`setspn -D ${SPN} crmweb2`);
    const actions = JSON.stringify(card).match(/"title":"Keep on [^"]+"/g);
    expect(actions?.sort()).toEqual(['"title":"Keep on crmweb"', '"title":"Keep on crmweb2"']);
    const keep = (JSON.parse(JSON.stringify(card)) as any).body.flatMap(function find(e: any): any[] {
      if (e?.type === 'Action.Execute' && e.title === 'Keep on crmweb2') return [e];
      return Object.values(e ?? {}).flatMap((v) => (Array.isArray(v) ? v.flatMap(find) : v && typeof v === 'object' ? find(v) : []));
    })[0];

    const sent = h.fake.messages().length;
    const res = await h.fake.postActivity(h.url, cardActionInvoke(keep.verb, keep.data, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, user: ADELE, cardMessageId: '1732000000777' }));
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body);
    const id = /Change request (CR-[0-9A-F]{8}) recorded \(pending\)/.exec(answer.value)?.[1];
    expect(id).toBeDefined();
    await h.fake.waitForActivities(sent + 2, { filter: (a) => a.activity.type === 'message' });
    const record = await approvals.get(id!);
    expect(record.changes.map((c) => [c.action, c.spn, c.account])).toEqual([['remove', SPN, 'crmweb']]);

    const approved = await h.fake.postActivity(h.url, cardActionInvoke(APPROVAL_VERBS.approve, { id }, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, user: MEGAN, cardMessageId: '1732000000778' }));
    expect(approved.status).toBe(200);
    expect((await approvals.get(id!)).status).toBe('approved');
    expect((await approvals.get(id!)).commands).toEqual([`setspn -D ${SPN} CONTOSO\\crmweb`]);
  });
});
