/**
 * The approval flow in Teams, through the real botbuilder CloudAdapter (JWT validation, MSAL
 * tokens) and a local Bot Connector (test/helpers/fake-bot-connector.ts), the real approvals service
 * on SQLite, and the shared Samba lab, read only: "Request this change" → the approval card in the
 * same conversation → krbops.approve → hand-off commands → krbops.verify. Refusals change nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APPROVAL_VERBS, REQUEST_CHANGE_VERB } from '../../cards/teams/index.js';
import { createApprovals, createChatApprovals, type Approvals } from '../../src/approvals/index.js';
import { loadConfig } from '../../src/config.js';
import type { SpnChange } from '../../src/model/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { checkCardSchema } from '../cards/teams/schema.js';
import { labEnv } from '../helpers/lab-env.js';
import { botChannelUpdate, cardActionInvoke, CHANNEL_ID, messageActivity } from '../surfaces/teams/activities.js';
import { APP_ID, cardsOf, cardTexts, startHarness, type Harness } from '../surfaces/teams/harness.js';

const ADELE = { id: '29:1adele-vance-teams-user', name: 'Adele Vance', aadObjectId: '00000000-0000-4000-8000-00000000ad31' };
const MEGAN = { id: '29:1megan-bowen-teams-user', name: 'Megan Bowen', aadObjectId: '00000000-0000-4000-8000-0000000000b1' };
const NESTOR = { id: '29:1nestor-wilke-teams-user', name: 'Nestor Wilke', aadObjectId: '00000000-0000-4000-8000-0000000000b2' };

let h: Harness;
let store: Store;
let approvals: Approvals;

type InvokeBody = { statusCode: number; type: string; value: any };

const executes = (card: unknown) => {
  const out: { title: string; verb: string; data: any }[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, any>;
      if (o.type === 'Action.Execute') out.push({ title: o.title, verb: o.verb, data: o.data });
      Object.values(o).forEach(visit);
    }
  };
  visit(card);
  return out;
};

async function invoke(verb: string, data: unknown, user: typeof ADELE, cardMessageId = '1732000000999') {
  const res = await h.fake.postActivity(h.url, cardActionInvoke(verb, data, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, user, cardMessageId }));
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as InvokeBody;
}

/** "Request this change" as `user`; returns the invoke answer and the two cards sent into the conversation. */
async function request(changes: SpnChange[], user = ADELE) {
  const data = { ruleId: 'spn-duplicate', subject: 'HTTP/crm.contoso.test', url: 'http://crm.contoso.test/', summary: 'Keep the SPN on one account', changes };
  const before = h.fake.messages().length;
  const answer = await invoke(REQUEST_CHANGE_VERB, data, user);
  const sent = (await h.fake.waitForActivities(before + 2, { filter: (a) => a.activity.type === 'message' })).slice(before);
  const [requested, approval] = sent.map((s) => cardsOf(s.activity)[0]);
  const id = executes(approval).find((e) => e.verb === APPROVAL_VERBS.approve)?.data.id as string;
  return { answer, requested, approval, id };
}

beforeAll(async () => {
  const lab = await labEnv();
  const dbFile = join(mkdtempSync(join(tmpdir(), 'krbops-approvals-teams-')), 'krbops.db');
  const env = { ...lab.env(), KRBOPS_ADMINS: `${MEGAN.aadObjectId},${NESTOR.aadObjectId}`, KRBOPS_DB: dbFile };
  store = await openStore(dbFile);
  approvals = createApprovals({ store, config: loadConfig(env) });
  const config = loadConfig({ ...env, MicrosoftAppId: APP_ID });
  h = await startHarness(env, { approvals: createChatApprovals({ approvals, config }), core: { approvals } });
});
afterAll(async () => {
  await h?.close();
  await store?.close();
});
beforeEach(() => h.fake.clear());

describe('a change request from Teams', () => {
  const changes: SpnChange[] = [
    { action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\crmweb2' },
    { action: 'add', spn: 'HTTP/reports.contoso.test', account: 'CONTOSO\\rptservice' },
  ];
  let id: string;

  it('records it, says it is pending, and posts the approval card with Approve / Reject in the same conversation', async () => {
    const r = await request(changes);
    id = r.id;
    expect(id).toMatch(/^CR-[0-9A-F]{8}$/);
    expect(r.answer.value).toBe(`Change request ${id} recorded (pending).`);
    const told = cardTexts(r.requested);
    expect(told).toEqual(expect.arrayContaining(['Change requested', `Request: ${id}`, 'Status: pending', 'Requested by: Adele Vance']));
    expect(told.join('\n')).toContain('Pending until a krbops approver approves it (2 admins of KRBOPS_ADMINS can).');

    expect(checkCardSchema(r.approval)).toEqual([]);
    const texts = cardTexts(r.approval);
    expect(texts).toEqual(expect.arrayContaining([`SPN change request ${id}`, 'Status: pending', `Requested by: Adele Vance (${ADELE.aadObjectId})`, 'setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2']));
    expect(texts).toContain('2 krbops admins (KRBOPS_ADMINS) can approve; not the requester.');
    expect(executes(r.approval)).toEqual([
      { title: 'Approve', verb: APPROVAL_VERBS.approve, data: { id } },
      { title: 'Reject', verb: APPROVAL_VERBS.reject, data: { id } },
      { title: 'Cancel request', verb: APPROVAL_VERBS.cancel, data: { id } },
    ]);
    expect(JSON.stringify(r.approval)).toContain('"type":"Input.Text","id":"reason"');
  });

  it('refuses krbops.approve from someone who is not an admin and leaves the card alone', async () => {
    const answer = await invoke(APPROVAL_VERBS.approve, { id }, ADELE);
    expect(answer).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: `Only krbops admins (KRBOPS_ADMINS) can approve SPN change requests; ${id} is unchanged.` });
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.activities.filter((a) => a.method === 'PUT')).toEqual([]);
    expect((await approvals.get(id)).status).toBe('pending');
  });

  it('on krbops.approve replaces the card, for the clicker and for everyone, with the commands and "Verify in AD"', async () => {
    const answer = await invoke(APPROVAL_VERBS.approve, { id }, MEGAN, '1732000000555');
    expect(answer.type).toBe('application/vnd.microsoft.card.adaptive');
    const card = answer.value;
    expect(checkCardSchema(card)).toEqual([]);
    const texts = cardTexts(card);
    expect(texts).toEqual(expect.arrayContaining(['Status: approved', 'setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2', 'setspn -S HTTP/reports.contoso.test CONTOSO\\rptservice']));
    expect(texts.find((t) => t.startsWith('Approved by: '))).toMatch(/^Approved by: Megan Bowen \(00000000-0000-4000-8000-0000000000b1\), \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(executes(card)).toEqual([{ title: 'Verify in AD', verb: APPROVAL_VERBS.verify, data: { id } }]);

    const [update] = await h.fake.waitForActivities(1, { filter: (a) => a.method === 'PUT' });
    expect(update.activity.id).toBe('1732000000555');
    expect(cardTexts(cardsOf(update.activity)[0])).toEqual(texts);
  });

  it('tells a second admin it was decided already and shows the card as it is now', async () => {
    const answer = await invoke(APPROVAL_VERBS.reject, { id, reason: 'too late' }, NESTOR);
    expect(answer.type).toBe('application/vnd.microsoft.card.adaptive');
    const texts = cardTexts(answer.value);
    expect(texts.find((t) => t.includes('is already approved'))).toContain('only pending requests can be rejected');
    expect(texts).toContain('Status: approved');
    expect((await approvals.get(id)).status).toBe('approved');
  });

  it('krbops.verify reads the lab and shows what landed and what is still missing', async () => {
    const answer = await invoke(APPROVAL_VERBS.verify, { id }, ADELE);
    const card = answer.value;
    expect(checkCardSchema(card)).toEqual([]);
    const texts = cardTexts(card);
    expect(texts.some((t) => t.startsWith('Not landed yet (checked in AD at '))).toBe(true);
    expect(texts).toContain('Missing: HTTP/crm.contoso.test is still on crmweb2.');
    expect(texts).toContain('Landed: HTTP/reports.contoso.test is on rptservice and on no other account.');
    expect(executes(card).map((e) => e.title)).toEqual(['Verify again']);
    expect((await approvals.audit(id)).map((e) => `${e.action} ${e.actor.id}`)).toEqual([
      `requested ${ADELE.aadObjectId}`,
      `denied ${ADELE.aadObjectId}`,
      `approved ${MEGAN.aadObjectId}`,
      `handed-off ${MEGAN.aadObjectId}`,
      `verified ${ADELE.aadObjectId}`,
    ]);
  });
});

describe('own requests, reasons, cancelling, bad input', () => {
  const fresh = (tag: string): SpnChange[] => [{ action: 'add', spn: `HTTP/${tag}.contoso.test`, account: 'CONTOSO\\crmweb2' }];

  it('refuses an admin approving their own request; another approves', async () => {
    const { id } = await request(fresh('teams-own'), MEGAN);
    const own = await invoke(APPROVAL_VERBS.approve, { id }, MEGAN);
    expect(own.value).toBe(`You asked for ${id}, so another admin must approve it; it is unchanged.`);
    const approved = await invoke(APPROVAL_VERBS.approve, { id }, NESTOR);
    expect(cardTexts(approved.value)).toContain('Status: approved');
  });

  it('rejects only with the reason from the card\'s field, and shows it', async () => {
    const { id } = await request(fresh('teams-reject'));
    const empty = await invoke(APPROVAL_VERBS.reject, { id, reason: '  ' }, NESTOR);
    expect(empty.value).toContain("Write the reason in the card's Reason field");
    expect((await approvals.get(id)).status).toBe('pending');
    const answer = await invoke(APPROVAL_VERBS.reject, { id, reason: 'use the gMSA instead' }, NESTOR);
    const texts = cardTexts(answer.value);
    expect(texts).toContain('Status: rejected');
    expect(texts).toContain('Reason: use the gMSA instead');
    expect(executes(answer.value)).toEqual([]);
  });

  it('lets the requester cancel with an optional reason; a stranger is refused', async () => {
    const { id } = await request(fresh('teams-cancel'));
    const stranger = { id: '29:1stranger', name: 'Stranger', aadObjectId: '00000000-0000-4000-8000-0000000000c9' };
    const refused = await invoke(APPROVAL_VERBS.cancel, { id }, stranger);
    expect(refused.value).toBe(`Only the requester or a krbops admin can cancel ${id}; it is unchanged.`);
    const answer = await invoke(APPROVAL_VERBS.cancel, { id, reason: 'fixed another way' }, ADELE);
    expect(cardTexts(answer.value)).toEqual(expect.arrayContaining(['Status: cancelled', 'Reason: fixed another way']));
  });

  it('refuses malformed action data and unknown requests without a stack trace', async () => {
    const bad = await h.fake.postActivity(h.url, cardActionInvoke(APPROVAL_VERBS.approve, { id: 'x'.repeat(500) }, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, user: MEGAN }));
    expect(bad.status).toBe(400);
    const unknown = await invoke(APPROVAL_VERBS.approve, { id: 'CR-00000000' }, MEGAN);
    expect(unknown.value).toBe('There is no change request "CR-00000000". "krb approvals" lists them.');
  });

  it('lets an admin decide from "krb approvals <id>" in their personal chat', async () => {
    const { id } = await request(fresh('teams-from-list'));
    const before = h.fake.messages().length;
    await h.fake.postActivity(h.url, messageActivity(`krb approvals ${id}`, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, user: NESTOR }));
    const [reply] = (await h.fake.waitForActivities(before + 1, { filter: (a) => a.activity.type === 'message' })).slice(before);
    expect(reply.conversationId).toBe('a:1personal-chat-with-krbops');
    const card = cardsOf(reply.activity)[0];
    expect(checkCardSchema(card)).toEqual([]);
    const texts = cardTexts(card);
    expect(texts).toEqual(expect.arrayContaining(['Audit trail', 'Status: pending', '2 krbops admins (KRBOPS_ADMINS) can approve; not the requester.']));
    expect(texts.some((t) => t.endsWith(`: requested · Adele Vance (${ADELE.aadObjectId})`))).toBe(true);
    const approve = executes(card).find((e) => e.verb === APPROVAL_VERBS.approve)!;
    const answer = await invoke(approve.verb, approve.data, NESTOR);
    expect(cardTexts(answer.value)).toContain('Status: approved');
    expect((await approvals.get(id)).decidedBy).toMatchObject({ surface: 'teams', id: NESTOR.aadObjectId });
  });

  it('answers "krb approvals" with the requests', async () => {
    const before = h.fake.messages().length;
    await h.fake.postActivity(h.url, messageActivity('krb approvals', { serviceUrl: h.fake.serviceUrl, appId: APP_ID, user: MEGAN }));
    const [reply] = (await h.fake.waitForActivities(before + 1, { filter: (a) => a.activity.type === 'message' })).slice(before);
    const card = cardsOf(reply.activity)[0];
    expect(checkCardSchema(card)).toEqual([]);
    const texts = cardTexts(card);
    expect(texts[0]).toBe('SPN change requests');
    expect(texts.filter((t) => /^CR-[0-9A-F]{8} · /.test(t))).toHaveLength(5);
  });
});

describe('approvers in their own Teams channel (KRBOPS_APPROVER_TEAMS_CHANNEL)', () => {
  let h2: Harness;
  let store2: Store;
  let approvals2: Approvals;

  beforeAll(async () => {
    const lab = await labEnv();
    const dbFile = join(mkdtempSync(join(tmpdir(), 'krbops-approvals-teams2-')), 'krbops.db');
    const env = { ...lab.env(), KRBOPS_ADMINS: MEGAN.aadObjectId, KRBOPS_DB: dbFile, KRBOPS_APPROVER_TEAMS_CHANNEL: CHANNEL_ID };
    store2 = await openStore(dbFile);
    approvals2 = createApprovals({ store: store2, config: loadConfig(env) });
    // The same Bot Connector as the other tests: the SDK caches the app's token per app ID.
    h2 = await startHarness(env, { store: store2, approvals: createChatApprovals({ approvals: approvals2, config: loadConfig({ ...env, MicrosoftAppId: APP_ID }) }), core: { approvals: approvals2 } }, h.fake);
    const added = await h2.fake.postActivity(h2.url, botChannelUpdate('added', { serviceUrl: h2.fake.serviceUrl, appId: APP_ID }));
    expect(added.status).toBeLessThan(300);
  });
  afterAll(async () => {
    await h2?.close();
    await store2?.close();
  });

  it('posts the approval card in the approvers\' channel and each decision in the requester\'s thread', async () => {
    h2.fake.clear();
    const data = { ruleId: 'spn-missing-fqdn', subject: 'http://crm', summary: 'Add the FQDN SPN', changes: [{ action: 'add', spn: 'HTTP/teams-routed.contoso.test', account: 'CONTOSO\\crmweb2' }] };
    const click = cardActionInvoke(REQUEST_CHANGE_VERB, data, { serviceUrl: h2.fake.serviceUrl, appId: APP_ID, user: ADELE, where: 'personal' });
    expect((await h2.fake.postActivity(h2.url, click)).status).toBe(200);
    const sent = await h2.fake.waitForActivities(2, { filter: (a) => a.activity.type === 'message' });
    const inChannel = sent.find((s) => s.conversationId.startsWith(CHANNEL_ID))!;
    const inPersonal = sent.find((s) => s.conversationId === 'a:1personal-chat-with-krbops')!;
    expect(cardTexts(cardsOf(inChannel.activity)[0])).toContain('Status: pending');
    expect(cardTexts(cardsOf(inPersonal.activity)[0])).toContain('Change requested');
    const id = executes(cardsOf(inChannel.activity)[0]).find((e) => e.verb === APPROVAL_VERBS.approve)!.data.id as string;

    h2.fake.clear();
    const res = await h2.fake.postActivity(h2.url, cardActionInvoke(APPROVAL_VERBS.reject, { id, reason: 'wrong account' }, { serviceUrl: h2.fake.serviceUrl, appId: APP_ID, user: MEGAN }));
    expect(res.status).toBe(200);
    const [notice] = await h2.fake.waitForActivities(1, { filter: (a) => a.activity.type === 'message' && a.conversationId === 'a:1personal-chat-with-krbops' });
    expect(notice.replyToId).toBe(click.id);
    expect(cardTexts(cardsOf(notice.activity)[0]).join('\n')).toContain(`Change request ${id} was rejected by Megan Bowen (${MEGAN.aadObjectId}): wrong account`);
  });
});
