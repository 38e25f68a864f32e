/**
 * The approval cards as data, for every state of a request: Slack messages within Block Kit's
 * limits with no mention leaking from user text; Teams cards passing the 1.5 schema check and
 * parsed and rendered by the official adaptivecards library in headless Chromium with no events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalRecord, ApprovalResult, ApprovalsListResult, ApprovalStatus } from '../../src/model/index.js';
import * as slack from '../../cards/slack/index.js';
import * as teams from '../../cards/teams/index.js';
import { checkCardSchema } from '../cards/teams/schema.js';
import { CardRenderer } from '../helpers/adaptive-render.js';

const AT = '2026-03-02T09:15:00.000Z';
const changes = [
  { action: 'remove' as const, spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\crmweb2' },
  { action: 'add' as const, spn: 'HTTP/crm', account: 'CONTOSO\\crmweb' },
];
const commands = ['setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2', 'setspn -S HTTP/crm CONTOSO\\crmweb'];
const requester = { surface: 'slack' as const, id: 'UONCALL', name: 'oncall' };
const admin = { surface: 'slack' as const, id: 'UADMIN1', name: 'dana' };

function aRequest(status: ApprovalStatus, over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  const decided = status !== 'pending' ? { decidedBy: admin, decidedAt: AT } : {};
  const handed = status === 'approved' || status === 'landed' ? { commands } : { commands: [] };
  return {
    id: 'CR-7F3A09C2',
    status,
    requester,
    changes,
    finding: { ruleId: 'spn-duplicate', title: 'The same SPN is registered on more than one account', subject: 'HTTP/crm.contoso.test' },
    createdAt: AT,
    updatedAt: AT,
    ...decided,
    ...handed,
    ...over,
  };
}

const notLanded = { checkedAt: AT, landed: false, results: [{ change: changes[0], landed: false, detail: 'HTTP/crm.contoso.test is still on crmweb2.' }, { change: changes[1], landed: true, detail: 'HTTP/crm is on crmweb and on no other account.' }] };
const landed = { checkedAt: AT, landed: true, results: notLanded.results.map((r) => ({ ...r, landed: true })) };

const states: [string, ApprovalRecord][] = [
  ['pending', aRequest('pending', { note: 'CRM users get 401 since the NLB change' })],
  ['approved', aRequest('approved', { decisionReason: 'change CHG-1042' })],
  ['approved-not-landed', aRequest('approved', { verification: notLanded })],
  ['landed', aRequest('landed', { verification: landed })],
  ['rejected', aRequest('rejected', { decisionReason: 'use the gMSA instead' })],
  ['cancelled', aRequest('cancelled', { decidedBy: requester })],
  ['expired', aRequest('expired', { decidedBy: undefined, decidedAt: undefined, expiresAt: '2026-03-03T09:15:00.000Z' })],
];
const NOW = '2026-03-02T10:00:00.000Z';
const rollback = ['setspn -D HTTP/crm CONTOSO\\crmweb', 'setspn -S HTTP/crm.contoso.test CONTOSO\\crmweb2'];
const list: ApprovalsListResult = { kind: 'approvals-list', approvals: states.map(([, r]) => r), admins: 2, limit: 50 };
const emptyList: ApprovalsListResult = { ...list, approvals: [], status: 'pending' };
const result: ApprovalResult = {
  kind: 'approval',
  approval: states[2][1],
  checked: true,
  approvers: ['UADMIN1', 'UADMIN2'],
  audit: [
    { requestId: 'CR-7F3A09C2', at: AT, actor: requester, action: 'requested' },
    { requestId: 'CR-7F3A09C2', at: AT, actor: admin, action: 'approved' },
    { requestId: 'CR-7F3A09C2', at: AT, actor: admin, action: 'handed-off' },
    { requestId: 'CR-7F3A09C2', at: AT, actor: requester, action: 'verified' },
  ],
};

describe('Slack approval cards', () => {
  it.each(states)('%s is within Block Kit limits', (_name, r) => {
    expect(slack.checkReply(slack.approvalCard(r, { approvers: ['UADMIN1', 'UADMIN2'] }))).toEqual([]);
  });

  it('offers the buttons each state allows', () => {
    const ids = (r: ApprovalRecord) => slack.approvalCard(r).blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
    expect(states.map(([name, r]) => [name, ids(r)])).toEqual([
      ['pending', [slack.APPROVAL_ACTION.approve, slack.APPROVAL_ACTION.reject, slack.APPROVAL_ACTION.cancel]],
      ['approved', [slack.APPROVAL_ACTION.verify]],
      ['approved-not-landed', [slack.APPROVAL_ACTION.verify]],
      ['landed', []],
      ['rejected', []],
      ['cancelled', []],
      ['expired', []],
    ]);
  });

  it('says when a pending request expires, and once past it shows it expired without buttons', () => {
    const r = aRequest('pending', { expiresAt: '2026-03-03T09:15:00.000Z' });
    const before = slack.approvalCard(r, { now: NOW });
    expect(JSON.stringify(before.blocks)).toContain('*Expires* 2026-03-03 09:15 UTC if nobody decides.');
    const after = slack.approvalCard(r, { now: '2026-03-03T09:15:00.000Z' });
    expect(slack.checkReply(after)).toEqual([]);
    expect(JSON.stringify(after.blocks)).toContain('*Expired* at 2026-03-03 09:15 UTC: it can no longer be approved');
    expect(after.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('shows the rollback with the hand-off, and a stale notice on top', () => {
    const card = slack.approvalCard(aRequest('approved', { rollback }), { notice: 'CR-7F3A09C2 is stale, so nothing was handed off: HTTP/crm is held by svc-b.' });
    expect(slack.checkReply(card)).toEqual([]);
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('*To undo them* (if the service breaks afterwards):');
    expect(text).toContain('setspn -S HTTP/crm.contoso.test CONTOSO');
    expect(text.indexOf('is stale')).toBeLessThan(text.indexOf('Run these as a domain admin'));
  });

  it('renders the list, the result and the requester reply within limits', () => {
    expect(slack.checkReply(slack.renderResult(list))).toEqual([]);
    expect(slack.checkReply(slack.renderResult(result))).toEqual([]);
    expect(slack.checkReply(slack.approvalRequestedCard(states[0][1], { approvers: [], postedTo: '#krbops-admins' }))).toEqual([]);
    expect(slack.checkReply(slack.approvalDecisionNotice(states[1][1]))).toEqual([]);
  });

  it('never lets user text ping anyone', () => {
    const hostile = aRequest('pending', { requester: { surface: 'slack', id: 'U1', name: '<!channel> <@U999>' }, note: '<!here> approve now', finding: { title: '<@UADMIN1> ```' } });
    const card = slack.approvalCard(hostile, { approvers: ['UADMIN1'] });
    expect(slack.checkReply(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('&lt;!channel&gt;');
  });
});

describe('Teams approval cards', () => {
  const cards: [string, teams.AdaptiveCard][] = [
    ...states.map(([name, r]) => [name, teams.approvalCard(r, { approvers: ['a', 'b'] })] as [string, teams.AdaptiveCard]),
    ['notice', teams.approvalCard(states[1][1], { notice: 'CR-7F3A09C2 is already approved (by dana (UADMIN1)); only pending requests can be rejected.' })],
    ['pending-past-expiry', teams.approvalCard(aRequest('pending', { expiresAt: '2026-03-02T09:30:00.000Z' }), { now: NOW })],
    ['approved-with-rollback', teams.approvalCard(aRequest('approved', { rollback }))],
    ...teams.cardsForResult(list).map((c, i) => [`list-${i + 1}`, c] as [string, teams.AdaptiveCard]),
    ...teams.cardsForResult(result).map((c, i) => [`result-${i + 1}`, c] as [string, teams.AdaptiveCard]),
    ...teams.cardsForResult(emptyList).map((c, i) => [`list-empty-${i + 1}`, c] as [string, teams.AdaptiveCard]),
  ];

  it.each(cards)('%s passes the 1.5 schema check', (_name, card) => {
    expect(checkCardSchema(card)).toEqual([]);
  });

  it('offers the verbs each state allows', () => {
    const verbs = (r: ApprovalRecord) => (teams.approvalCard(r).actions ?? []).map((a) => (a.type === 'Action.Execute' ? a.verb : a.type));
    expect(states.map(([name, r]) => [name, verbs(r)])).toEqual([
      ['pending', ['krbops.approve', 'krbops.reject', 'krbops.cancel']],
      ['approved', ['krbops.verify']],
      ['approved-not-landed', ['krbops.verify']],
      ['landed', []],
      ['rejected', []],
      ['cancelled', []],
      ['expired', []],
    ]);
  });

  it('asks for a reason in the card, sent with Reject or Cancel', () => {
    const card = teams.approvalCard(states[0][1]);
    expect(card.body).toContainEqual(expect.objectContaining({ type: 'Input.Text', id: teams.REASON_INPUT_ID, isMultiline: true }));
    expect(JSON.stringify(teams.approvalCard(aRequest('pending', { expiresAt: '2026-03-02T09:30:00.000Z' }), { now: NOW }))).toContain('This request expired: it can no longer be approved.');
  });

  describe('rendered by the adaptivecards library in Chromium', () => {
    let renderer: CardRenderer;
    beforeAll(async () => {
      renderer = await CardRenderer.start();
    }, 60_000);
    afterAll(async () => {
      await renderer?.close();
    });

    it.each(cards)('%s parses without events and renders', async (name, card) => {
      const report = await renderer.render(`approval-${name}`, card, { screenshotDir: 'test-output/cards/teams' });
      expect(report.events).toEqual([]);
      expect(report.validation).toEqual([]);
      expect(report.rendered).toBe(true);
      for (const font of report.monospaceFonts) expect(font).toMatch(/mono/i);
      if (name === 'pending') expect(report.actions).toEqual(['Approve', 'Reject', 'Cancel request']);
      if (name === 'approved') {
        expect(report.actions).toEqual(['Verify in AD']);
        expect(report.text).toContain('setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2');
      }
      if (name === 'pending-past-expiry') expect(report.actions).toEqual([]);
      if (name === 'approved-with-rollback') expect(report.text).toContain('To undo them');
    });
  });
});
