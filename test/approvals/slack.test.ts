/**
 * The approval flow in Slack, through the real Bolt app (only Slack's cloud is replaced by
 * test/helpers/fake-slack-api.ts), the real approvals service on SQLite, and the shared Samba lab,
 * read only: "Request this change" → the approval card in the admins' channel → Approve →
 * hand-off commands (with their rollback) → "Verify in AD"; Reject and Cancel ask for a reason in a
 * dialog (views.open). Refusals (not an admin, own request) change nothing. A change that is already
 * true in AD is refused at request time (pre-flight), so landing is shown in loop.lab.test.ts,
 * which has a lab of its own to write to.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_ACTION, checkMessage, findingBlocks, REQUEST_CHANGE_ACTION } from '../../cards/slack/index.js';
import { createApprovals, createChatApprovals, type Approvals } from '../../src/approvals/index.js';
import { loadConfig } from '../../src/config.js';
import type { SpnChange } from '../../src/model/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startSlackApp, type StartedSlackApp } from '../../src/surfaces/slack/index.js';
import { aFinding, allText } from '../cards/slack/builders.js';
import { buttonClickForm, postSigned, slashCommandForm, startFakeSlackApi, viewSubmissionForm, type ApiCall, type FakeSlackApi } from '../helpers/fake-slack-api.js';
import { labEnv } from '../helpers/lab-env.js';

const SECRET = 'approvals-signing-secret-0123456789';
const BOT = 'xoxb-krbops-approvals';
const ADMIN_CHANNEL = 'CKRBOPSADMINS';
const ONCALL = { id: 'UONCALL', username: 'oncall' };
const ADMIN1 = { id: 'UADMIN1', username: 'dana' };
const ADMIN2 = { id: 'UADMIN2', username: 'lee' };

let fake: FakeSlackApi;
let app: StartedSlackApp;
let store: Store;
let approvals: Approvals;

/** A button click as `user`, in `channel` (the approval card lives in the admins' channel). */
function clickForm(actionId: string, value: string, responseUrl: string, user: { id: string; username: string }, channel = 'CINCIDENT') {
  const form = buttonClickForm(actionId, value, responseUrl);
  const payload = JSON.parse(form.payload);
  payload.user = { ...payload.user, id: user.id, username: user.username, name: user.username };
  payload.channel = { id: channel, name: channel.toLowerCase() };
  payload.container = { ...payload.container, channel_id: channel, is_ephemeral: channel === 'CINCIDENT' };
  return { payload: JSON.stringify(payload) };
}

/** Clicks and returns what arrived at the click's response_url. */
async function click(actionId: string, value: string, user: { id: string; username: string }, channel?: string) {
  const r = fake.newResponseUrl();
  const res = await postSigned(app.url!, SECRET, clickForm(actionId, value, r.url, user, channel));
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  const [reply] = await fake.waitForResponses(r.id);
  return reply.body as { response_type?: string; replace_original?: boolean; text: string; blocks: any[] };
}

const buttonsOf = (blocks: any[]) => blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));

/** "Request this change" on a finding card with these changes, clicked by `user`; returns the reply and the approval card posted. */
async function request(changes: SpnChange[], user = ONCALL) {
  const finding = aFinding({ title: 'Duplicate SPN HTTP/crm.contoso.test', subject: 'HTTP/crm.contoso.test', fix: { summary: 'Keep the SPN on one account', commands: [], spnChanges: changes } });
  const button = buttonsOf(findingBlocks(finding, { index: 0, url: 'http://crm.contoso.test/' })).find((b: any) => b.action_id.startsWith(REQUEST_CHANGE_ACTION));
  const posted = fake.callsOf('chat.postMessage').length;
  const reply = await click(button.action_id, button.value, user);
  const card = await fake.waitFor(() => fake.callsOf('chat.postMessage').slice(posted).find((c) => c.body.channel === ADMIN_CHANNEL), 10_000, 'the approval card');
  const id = buttonsOf(card.body.blocks).find((b: any) => b.action_id === APPROVAL_ACTION.approve)?.value as string;
  return { reply, card, id };
}

/**
 * Reject… / Cancel request… as `user`: the click opens the reason dialog (views.open); submitting it
 * with `reason` decides, and the approval card is replaced with chat.update.
 */
async function withReason(actionId: string, id: string, user: { id: string; username: string }, reason: string, channel = ADMIN_CHANNEL) {
  const opened = fake.callsOf('views.open').length;
  const updates = fake.callsOf('chat.update').length;
  await postSigned(app.url!, SECRET, clickForm(actionId, id, fake.newResponseUrl().url, user, channel));
  const open = await fake.waitFor(() => fake.callsOf('views.open')[opened], 5000, 'views.open');
  const view = typeof open.body.view === 'string' ? JSON.parse(open.body.view) : open.body.view;
  const res = await postSigned(app.url!, SECRET, viewSubmissionForm(view, { reason: { reason: { type: 'plain_text_input', value: reason } } }, user));
  expect(res.status).toBe(200);
  return { view, update: () => fake.waitFor(() => fake.callsOf('chat.update')[updates], 5000, 'chat.update of the approval card') };
}

beforeAll(async () => {
  const lab = await labEnv();
  fake = await startFakeSlackApi({ botTokens: [BOT] });
  const dbFile = join(mkdtempSync(join(tmpdir(), 'krbops-approvals-slack-')), 'krbops.db');
  const config = loadConfig({
    ...lab.env(),
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: BOT,
    SLACK_API_URL: fake.apiUrl,
    KRBOPS_ALERT_SLACK_CHANNEL: ADMIN_CHANNEL,
    KRBOPS_ADMINS: `${ADMIN1.id},${ADMIN2.id}`,
    KRBOPS_DB: dbFile,
  });
  store = await openStore(dbFile);
  approvals = createApprovals({ store, config });
  app = await startSlackApp(config, {
    mode: 'http',
    listen: { port: 0, host: '127.0.0.1' },
    approvals: createChatApprovals({ approvals, config }),
    core: { approvals },
    retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 50 },
  });
});
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await store?.close();
});

describe('a change request from Slack', () => {
  // The lab's duplicate: HTTP/crm.contoso.test is on crmweb and crmweb2. The fix removes it from
  // crmweb2; the second change is already true in the lab (rptservice holds its reports SPN alone).
  const changes: SpnChange[] = [
    { action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\crmweb2' },
    { action: 'add', spn: 'HTTP/reports.contoso.test', account: 'CONTOSO\\rptservice' },
  ];
  let id: string;
  let card: ApiCall;

  it('posts the approval card to the admins\' channel and tells the requester it is pending and who decides', async () => {
    const r = await request(changes);
    id = r.id;
    card = r.card;
    expect(id).toMatch(/^CR-[0-9A-F]{8}$/);
    expect(r.reply.response_type).toBe('ephemeral');
    const said = allText(r.reply as never);
    expect(said).toContain(`Change request \`${id}\` recorded: pending approval.`);
    expect(said).toContain('Can approve (`KRBOPS_ADMINS`): `UADMIN1`, `UADMIN2`.');
    expect(said).toContain(`posted for approval in <#${ADMIN_CHANNEL}>`);
    expect(said).toContain('setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2');

    expect(card.body.channel).toBe(ADMIN_CHANNEL);
    expect(checkMessage(card.body as never)).toEqual([]);
    const text = allText(card.body as never);
    expect(text).toContain('SPN change request ' + id);
    expect(text).toContain('*PENDING*');
    expect(text).toContain('*Requested by* *oncall* (`UONCALL`)');
    expect(text).toContain('Duplicate SPN HTTP/crm.contoso.test');
    expect(buttonsOf(card.body.blocks).map((b: any) => [b.text.text, b.action_id, b.value])).toEqual([
      ['Approve', APPROVAL_ACTION.approve, id],
      ['Reject…', APPROVAL_ACTION.reject, id],
      ['Cancel request…', APPROVAL_ACTION.cancel, id],
    ]);
    expect(text).toMatch(/\*Expires\* \d{4}-\d\d-\d\d \d\d:\d\d UTC if nobody decides\./);
    expect((await approvals.get(id)).status).toBe('pending');
  });

  it('refuses Approve from someone who is not an admin, to them alone, and changes nothing', async () => {
    const reply = await click(APPROVAL_ACTION.approve, id, ONCALL, ADMIN_CHANNEL);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.replace_original).toBe(false);
    expect(allText(reply as never)).toContain(`:lock: Only krbops admins (KRBOPS_ADMINS) can approve SPN change requests; ${id} is unchanged.`);
    expect((await approvals.get(id)).status).toBe('pending');
    expect((await approvals.audit(id)).map((e) => e.action)).toEqual(['requested', 'denied']);
  });

  it('on Approve replaces the card with the exact commands and a "Verify in AD" button, and tells the requester\'s channel', async () => {
    const posted = fake.callsOf('chat.postMessage').length;
    const reply = await click(APPROVAL_ACTION.approve, id, ADMIN1, ADMIN_CHANNEL);
    expect(reply.replace_original).toBe(true);
    expect(checkMessage(reply as never)).toEqual([]);
    const text = allText(reply as never);
    expect(text).toContain('*APPROVED*');
    expect(text).toContain('*Approved* by *dana* (`UADMIN1`)');
    expect(text).toContain('```setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2\nsetspn -S HTTP/reports.contoso.test CONTOSO\\rptservice```');
    expect(text).toContain('*To undo them* (if the service breaks afterwards):');
    expect(text).toContain('```setspn -D HTTP/reports.contoso.test CONTOSO\\rptservice\nsetspn -S HTTP/crm.contoso.test CONTOSO\\crmweb2```');
    expect(buttonsOf(reply.blocks).map((b: any) => [b.text.text, b.action_id, b.value])).toEqual([['Verify in AD', APPROVAL_ACTION.verify, id]]);

    const notice = await fake.waitFor(() => fake.callsOf('chat.postMessage')[posted], 5000, 'the decision notice');
    expect(notice.body.channel).toBe('CINCIDENT');
    expect(allText(notice.body as never)).toContain(`Change request \`${id}\` of *oncall* (\`UONCALL\`) was *approved* by *dana* (\`UADMIN1\`)`);
    expect((await approvals.get(id)).commands).toEqual(['setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2', 'setspn -S HTTP/reports.contoso.test CONTOSO\\rptservice']);
  });

  it('does not let a second admin decide again: says so and shows the card as it is', async () => {
    const r = fake.newResponseUrl();
    await postSigned(app.url!, SECRET, clickForm(APPROVAL_ACTION.approve, id, r.url, ADMIN2, ADMIN_CHANNEL));
    const [refusal, refreshed] = await fake.waitForResponses(r.id, 2);
    expect(allText(refusal.body as never)).toContain('is already approved (by dana (UADMIN1))');
    expect(refusal.body.response_type).toBe('ephemeral');
    expect(refreshed.body.replace_original).toBe(true);
    expect(allText(refreshed.body as never)).toContain('*APPROVED*');
    expect((await approvals.get(id)).status).toBe('approved');
  });

  it('"Verify in AD" reads the lab: shows what landed and what is still missing, and offers to verify again', async () => {
    const reply = await click(APPROVAL_ACTION.verify, id, ONCALL, ADMIN_CHANNEL);
    expect(reply.replace_original).toBe(true);
    expect(checkMessage(reply as never)).toEqual([]);
    const text = allText(reply as never);
    expect(text).toContain(':warning: *Not landed yet*');
    expect(text).toContain(':x: HTTP/crm.contoso.test is still on crmweb2.');
    expect(text).toContain(':white_check_mark: HTTP/reports.contoso.test is on rptservice and on no other account.');
    expect(buttonsOf(reply.blocks).map((b: any) => b.text.text)).toEqual(['Verify again']);
    expect((await approvals.get(id)).status).toBe('approved');
  });

  it('keeps the whole story in the audit trail, in order', async () => {
    expect((await approvals.audit(id)).map((e) => `${e.action} ${e.actor.id}`)).toEqual(['requested UONCALL', 'denied UONCALL', 'approved UADMIN1', 'handed-off UADMIN1', 'verified UONCALL']);
  });
});

describe('own requests, rejection and cancelling', () => {
  const fresh = (tag: string): SpnChange[] => [{ action: 'add', spn: `HTTP/${tag}.contoso.test`, account: 'CONTOSO\\crmweb2' }];

  it('refuses at request time a change that is already true in AD, and records nothing', async () => {
    const before = (await approvals.list()).length;
    const finding = aFinding({ fix: { summary: 'x', commands: [], spnChanges: [{ action: 'add', spn: 'HTTP/reports.contoso.test', account: 'CONTOSO\\rptservice' }] } });
    const button = buttonsOf(findingBlocks(finding, { index: 0 })).find((b: any) => b.action_id.startsWith(REQUEST_CHANGE_ACTION));
    const reply = await click(button.action_id, button.value, ONCALL);
    expect(allText(reply as never)).toContain('krbops did not record the request: HTTP/reports.contoso.test is already on rptservice: nothing to add.');
    expect(await approvals.list()).toHaveLength(before);
  });

  it('refuses an admin approving their own request; another admin approves', async () => {
    const { id } = await request(fresh('own-approve'), ADMIN1);
    const own = await click(APPROVAL_ACTION.approve, id, ADMIN1, ADMIN_CHANNEL);
    expect(allText(own as never)).toContain(`:lock: You asked for ${id}, so another admin must approve it; it is unchanged.`);
    expect((await approvals.get(id)).status).toBe('pending');
    const approved = await click(APPROVAL_ACTION.approve, id, ADMIN2, ADMIN_CHANNEL);
    expect(allText(approved as never)).toContain('*APPROVED*');
  });

  it('on Reject asks for the reason in a dialog, then shows the decision with it and tells the requester', async () => {
    const { id } = await request(fresh('reject-me'));
    const posted = fake.callsOf('chat.postMessage').length;
    const { view, update } = await withReason(APPROVAL_ACTION.reject, id, ADMIN2, 'use the gMSA instead');
    expect(view).toMatchObject({ type: 'modal', title: { text: 'Reject request' } });
    expect(view.blocks[1]).toMatchObject({ type: 'input', optional: false });
    const updated = await update();
    expect(updated.body.channel).toBe(ADMIN_CHANNEL);
    const text = allText(updated.body as never);
    expect(text).toContain('*REJECTED*');
    expect(text).toContain('*Rejected* by *lee* (`UADMIN2`)');
    expect(text).toContain('*Reason:* use the gMSA instead');
    expect(buttonsOf(updated.body.blocks)).toEqual([]);
    const notice = await fake.waitFor(() => fake.callsOf('chat.postMessage')[posted], 5000, 'the decision notice');
    expect(notice.body.channel).toBe('CINCIDENT');
    expect(allText(notice.body as never)).toContain(`Change request \`${id}\` of *oncall* (\`UONCALL\`) was *rejected* by *lee* (\`UADMIN2\`): use the gMSA instead`);
    expect((await approvals.audit(id)).at(-1)).toMatchObject({ action: 'rejected', detail: { reason: 'use the gMSA instead' } });
  });

  it('lets the requester cancel with a reason; someone else is refused and nothing changes', async () => {
    const { id } = await request(fresh('cancel-me'));
    const stranger = { id: 'USTRANGER', username: 'stranger' };
    const ephemerals = fake.callsOf('chat.postEphemeral').length;
    await withReason(APPROVAL_ACTION.cancel, id, stranger, 'not mine');
    const refusal = await fake.waitFor(() => fake.callsOf('chat.postEphemeral')[ephemerals], 5000, 'the refusal');
    expect(refusal.body.user).toBe('USTRANGER');
    expect(JSON.stringify(refusal.body)).toContain(`Only the requester or a krbops admin can cancel ${id}`);
    expect((await approvals.get(id)).status).toBe('pending');
    const posted = fake.callsOf('chat.postMessage').length;
    const { update } = await withReason(APPROVAL_ACTION.cancel, id, ONCALL, 'fixed by re-running the app pool');
    const text = allText((await update()).body as never);
    await fake.waitFor(() => fake.callsOf('chat.postMessage')[posted], 5000, 'the decision notice');
    expect(text).toContain('*CANCELLED*');
    expect(text).toContain('*Reason:* fixed by re-running the app pool');
  });

  it('still records the request when the approval card cannot be posted, and says where to find it', async () => {
    fake.failNext('chat.postMessage', 'not_in_channel');
    const finding = aFinding({ fix: { summary: 'x', commands: [], spnChanges: [{ action: 'add', spn: 'HTTP/unposted.contoso.test', account: 'CONTOSO\\crmweb' }] } });
    const button = buttonsOf(findingBlocks(finding, { index: 0 })).find((b: any) => b.action_id.startsWith(REQUEST_CHANGE_ACTION));
    const reply = await click(button.action_id, button.value, ONCALL);
    const said = allText(reply as never);
    expect(said).toMatch(/Change request `CR-[0-9A-F]{8}` recorded: pending approval/);
    expect(said).toContain(`krbops could not post the request in <#${ADMIN_CHANNEL}>; an admin finds it with \`/krb approvals --status pending\`.`);
    expect((await approvals.list({ status: 'pending' })).filter((r) => r.changes[0].spn === 'HTTP/unposted.contoso.test')).toHaveLength(1);
  });

  it('answers a forged request ID without a stack trace', async () => {
    const reply = await click(APPROVAL_ACTION.approve, 'CR-00000000', ADMIN1, ADMIN_CHANNEL);
    expect(allText(reply as never)).toContain('There is no change request');
    expect(reply.response_type).toBe('ephemeral');
  });
});

describe('/krb approvals and /krb verify', () => {
  async function slash(text: string) {
    const r = fake.newResponseUrl();
    await postSigned(app.url!, SECRET, slashCommandForm('/krb', text, r.url));
    const [answer] = await fake.waitForResponses(r.id);
    return answer.body as { blocks: any[]; text: string };
  }

  it('lists the requests with their states', async () => {
    const answer = await slash('approvals');
    expect(checkMessage(answer as never)).toEqual([]);
    const text = allText(answer as never);
    expect(text).toContain('SPN change requests');
    expect(text.match(/`CR-[0-9A-F]{8}`/g)).toHaveLength(5);
    expect(text).toContain('*approved*');
    expect(text).toContain('*rejected*');
    expect(text).toContain('*cancelled*');
    const pending = allText((await slash('approvals --status pending')) as never);
    expect(pending.match(/`CR-[0-9A-F]{8}`/g)).toHaveLength(1);
    expect(allText((await slash('approvals --status landed')) as never)).toContain('No landed change requests.');
  });

  it('verifies one request now and shows its audit trail', async () => {
    const first = (await approvals.list({ status: 'approved' })).find((r) => r.changes.some((c) => c.spn === 'HTTP/crm.contoso.test'))!;
    const answer = await slash(`verify ${first.id.toLowerCase()}`);
    expect(checkMessage(answer as never)).toEqual([]);
    const text = allText(answer as never);
    expect(text).toContain(':x: HTTP/crm.contoso.test is still on crmweb2.');
    expect(text).toContain('*Audit trail*');
    expect(text).toContain('*verified* · *oncall* (`UONCALL`)');
    // The buttons of its state, so an admin can act from wherever they asked.
    expect(buttonsOf(answer.blocks).map((b: any) => [b.text.text, b.value])).toEqual([['Verify again', first.id]]);
  });
});
