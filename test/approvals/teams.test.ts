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
import { cardActionInvoke, messageActivity } from '../surfaces/teams/activities.js';
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
    expect(told.join('\n')).toContain('Pending until a krbops admin approves it (2 admins can, KRBOPS_ADMINS).');

    expect(checkCardSchema(r.approval)).toEqual([]);
    const texts = cardTexts(r.approval);
    expect(texts).toEqual(expect.arrayContaining([`SPN change request ${id}`, 'Status: pending', `Requested by: Adele Vance (${ADELE.aadObjectId})`, 'setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2']));
    expect(texts).toContain('2 krbops admins (KRBOPS_ADMINS) can approve; not the requester.');
    expect(executes(r.approval)).toEqual([
      { title: 'Approve', verb: APPROVAL_VERBS.approve, data: { id } },
      { title: 'Reject', verb: APPROVAL_VERBS.reject, data: { id } },
    ]);
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
    const answer = await invoke(APPROVAL_VERBS.reject, { id }, NESTOR);
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

describe('own requests, landing, bad input', () => {
  it('refuses an admin approving their own request; another approves; verify says landed and offers no more buttons', async () => {
    const { id } = await request([{ action: 'add', spn: 'HTTP/reports.contoso.test', account: 'CONTOSO\\rptservice' }], MEGAN);
    const own = await invoke(APPROVAL_VERBS.approve, { id }, MEGAN);
    expect(own.value).toBe(`You asked for ${id}, so another admin must approve it; it is unchanged.`);
    await invoke(APPROVAL_VERBS.approve, { id }, NESTOR);
    const verified = await invoke(APPROVAL_VERBS.verify, { id }, MEGAN);
    const texts = cardTexts(verified.value);
    expect(texts).toContain('Status: landed');
    expect(texts.some((t) => t.startsWith('Landed: verified in AD at '))).toBe(true);
    expect(executes(verified.value)).toEqual([]);
  });

  it('refuses malformed action data and unknown requests without a stack trace', async () => {
    const bad = await h.fake.postActivity(h.url, cardActionInvoke(APPROVAL_VERBS.approve, { id: 'x'.repeat(500) }, { serviceUrl: h.fake.serviceUrl, appId: APP_ID, user: MEGAN }));
    expect(bad.status).toBe(400);
    const unknown = await invoke(APPROVAL_VERBS.approve, { id: 'CR-00000000' }, MEGAN);
    expect(unknown.value).toBe('There is no change request "CR-00000000". "krb approvals" lists them.');
  });

  it('lets an admin decide from "krb approvals <id>" in their personal chat', async () => {
    const { id } = await request([{ action: 'add', spn: 'HTTP/crm', account: 'CONTOSO\\crmweb' }]);
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
    expect(texts.filter((t) => /^CR-[0-9A-F]{8} · /.test(t))).toHaveLength(3);
  });
});
