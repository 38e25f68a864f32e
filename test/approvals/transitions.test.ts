/**
 * The pure parts of the approvals flow, as tables: who may take which step in which state, what
 * each step writes, how changes are checked and turned into setspn commands, and when a change
 * counts as landed.
 */
import { describe, expect, it } from 'vitest';
import type { Actor, ApprovalRecord, ApprovalStatus } from '../../src/model/index.js';
import { handOffCommands, normaliseChanges, rollbackCommands } from '../../src/approvals/changes.js';
import { preflight, whatChanged } from '../../src/approvals/preflight.js';
import { setspn } from '../../src/fix/index.js';

const setspnCommand = setspn.change;
import { ApprovalStateError } from '../../src/approvals/errors.js';
import { approve, cancel, createRequest, expire, isAdmin, permission, recordVerification, reject, type ApprovalPolicy, type Step } from '../../src/approvals/transitions.js';
import { judgeChange } from '../../src/approvals/verification.js';
import { InvalidInputError, NotAuthorizedError } from '../../src/errors.js';

const engineer: Actor = { surface: 'slack', id: 'UENGINEER', name: 'oncall' };
const admin: Actor = { surface: 'slack', id: 'UADMIN1', name: 'dana' };
const otherAdmin: Actor = { surface: 'teams', id: '00000000-0000-4000-8000-0000000000a2', name: 'Adele Vance' };
const adminAsRequester: Actor = { surface: 'slack', id: 'UADMIN1', name: 'dana' };
const cliUserNamedLikeAdmin: Actor = { surface: 'cli', id: 'UADMIN1' };
const policy: ApprovalPolicy = { admins: ['UADMIN1', otherAdmin.id] };
const AT = '2026-03-02T09:15:00.000Z';

const change = { action: 'add' as const, spn: 'HTTP/crm', account: 'CONTOSO\\crmweb' };

function aRecord(status: ApprovalStatus, requester: Actor = engineer): ApprovalRecord {
  return { id: 'CR-0000ABCD', status, requester, changes: [change], createdAt: AT, updatedAt: AT, commands: [] };
}

describe('who may do what', () => {
  const table: { name: string; status: ApprovalStatus; actor: Actor; requester?: Actor; step: Step; allowed: true | 'not-admin' | 'own-request' | 'state' }[] = [
    { name: 'an admin approves a pending request', status: 'pending', actor: admin, step: 'approve', allowed: true },
    { name: 'an admin on Teams approves a pending request', status: 'pending', actor: otherAdmin, step: 'approve', allowed: true },
    { name: 'an admin rejects a pending request', status: 'pending', actor: admin, step: 'reject', allowed: true },
    { name: 'the engineer cannot approve', status: 'pending', actor: engineer, step: 'approve', allowed: 'not-admin' },
    { name: 'the engineer cannot reject', status: 'pending', actor: engineer, step: 'reject', allowed: 'not-admin' },
    { name: 'an admin cannot approve their own request', status: 'pending', actor: admin, requester: adminAsRequester, step: 'approve', allowed: 'own-request' },
    { name: 'an admin may reject their own request', status: 'pending', actor: admin, requester: adminAsRequester, step: 'reject', allowed: true },
    { name: 'a CLI user whose name is an admin ID is not an admin', status: 'pending', actor: cliUserNamedLikeAdmin, step: 'approve', allowed: 'not-admin' },
    { name: 'a non-admin hears "not allowed" even on a decided request', status: 'approved', actor: engineer, step: 'approve', allowed: 'not-admin' },
    { name: 'an approved request cannot be approved again', status: 'approved', actor: otherAdmin, step: 'approve', allowed: 'state' },
    { name: 'a rejected request cannot be approved', status: 'rejected', actor: admin, step: 'approve', allowed: 'state' },
    { name: 'a landed request cannot be rejected', status: 'landed', actor: admin, step: 'reject', allowed: 'state' },
    { name: 'the requester cancels their pending request', status: 'pending', actor: engineer, step: 'cancel', allowed: true },
    { name: 'an admin cancels a pending request', status: 'pending', actor: admin, step: 'cancel', allowed: true },
    { name: 'someone else cannot cancel', status: 'pending', actor: { surface: 'slack', id: 'UOTHER' }, step: 'cancel', allowed: 'not-admin' },
    { name: 'anyone verifies an approved request', status: 'approved', actor: engineer, step: 'verify', allowed: true },
    { name: 'a pending request cannot be verified', status: 'pending', actor: admin, step: 'verify', allowed: 'state' },
    { name: 'a rejected request cannot be verified', status: 'rejected', actor: engineer, step: 'verify', allowed: 'state' },
    { name: 'a cancelled request cannot be approved', status: 'cancelled', actor: admin, step: 'approve', allowed: 'state' },
  ];

  it.each(table)('$name', ({ status, actor, requester, step, allowed }) => {
    const p = permission(aRecord(status, requester), actor, step, policy);
    if (allowed === true) expect(p).toEqual({ allowed: true });
    else expect(p).toMatchObject({ allowed: false, refusal: allowed });
  });

  it('counts only chat users listed in KRBOPS_ADMINS as admins', () => {
    expect(isAdmin(admin, policy)).toBe(true);
    expect(isAdmin(engineer, policy)).toBe(false);
    expect(isAdmin({ surface: 'scheduler', id: 'UADMIN1' }, policy)).toBe(false);
    expect(isAdmin(admin, { admins: [] })).toBe(false);
  });
});

describe('transitions', () => {
  it('creates a pending request and audits "requested" with its origin', () => {
    const t = createRequest({ id: 'CR-0000ABCD', requester: engineer, changes: [change], finding: { ruleId: 'spn-missing-short-name', title: 'Short name SPN missing' }, origin: { channelId: 'CINCIDENT' }, at: AT });
    expect(t.record).toEqual({ id: 'CR-0000ABCD', status: 'pending', requester: engineer, changes: [change], finding: { ruleId: 'spn-missing-short-name', title: 'Short name SPN missing' }, createdAt: AT, updatedAt: AT, commands: [] });
    expect(t.events).toEqual([{ requestId: 'CR-0000ABCD', at: AT, actor: engineer, action: 'requested', detail: { changes: [change], origin: { channelId: 'CINCIDENT' } } }]);
  });

  it('approves with the hand-off commands and audits approved then handed-off', () => {
    const t = approve(aRecord('pending'), admin, { at: AT, commands: ['setspn -S HTTP/crm CONTOSO\\crmweb'], reason: 'change window', policy });
    expect(t.record).toMatchObject({ status: 'approved', decidedBy: admin, decidedAt: AT, decisionReason: 'change window', commands: ['setspn -S HTTP/crm CONTOSO\\crmweb'] });
    expect(t.events.map((e) => e.action)).toEqual(['approved', 'handed-off']);
    expect(t.events[1].detail).toEqual({ commands: ['setspn -S HTTP/crm CONTOSO\\crmweb'] });
  });

  it('rejects and cancels without commands', () => {
    expect(reject(aRecord('pending'), admin, { at: AT, policy }).record).toMatchObject({ status: 'rejected', decidedBy: admin, commands: [] });
    expect(cancel(aRecord('pending'), engineer, { at: AT, reason: 'wrong account', policy }).record).toMatchObject({ status: 'cancelled', decisionReason: 'wrong account' });
  });

  it('throws coded errors: NotAuthorizedError for people, ApprovalStateError for states', () => {
    expect(() => approve(aRecord('pending'), engineer, { at: AT, commands: [], policy })).toThrow(NotAuthorizedError);
    expect(() => approve(aRecord('pending', adminAsRequester), admin, { at: AT, commands: [], policy })).toThrow(/another admin must approve/);
    expect(() => reject(aRecord('approved'), admin, { at: AT, policy })).toThrow(ApprovalStateError);
    expect(() => reject(aRecord('approved'), admin, { at: AT, policy })).toThrow('CR-0000ABCD is already approved; only pending requests can be rejected.');
    try {
      approve(aRecord('pending'), engineer, { at: AT, commands: [], policy });
    } catch (e) {
      expect((e as NotAuthorizedError).code).toBe('NOT_AUTHORIZED');
    }
  });

  it('lands when every change landed, and stays approved with the detail otherwise', () => {
    const approved = { ...aRecord('approved'), changes: [change, { action: 'remove' as const, spn: 'HTTP/old', account: 'CONTOSO\\crmweb' }] };
    const partial = recordVerification(approved, engineer, { checkedAt: AT, landed: true, results: [{ change, landed: true, detail: 'ok' }, { change: approved.changes[1], landed: false, detail: 'HTTP/old is still on crmweb.' }] }, { policy });
    expect(partial.record.status).toBe('approved');
    expect(partial.record.verification?.landed).toBe(false);
    expect(partial.events.map((e) => e.action)).toEqual(['verified']);
    const all = recordVerification(approved, engineer, { checkedAt: AT, landed: false, results: [{ change, landed: true, detail: 'ok' }, { change: approved.changes[1], landed: true, detail: 'gone' }] }, { policy });
    expect(all.record.status).toBe('landed');
    expect(all.events.map((e) => e.action)).toEqual(['verified', 'landed']);
  });
});

describe('changes and the hand-off commands', () => {
  it('de-duplicates changes (SPN case-insensitively) and keeps the first spelling', () => {
    expect(normaliseChanges([change, { ...change, spn: 'http/CRM' }, { ...change, account: 'contoso\\CRMWEB' }])).toEqual([change]);
  });

  it.each([
    ['an empty list', [], /at least one/],
    ['an invalid SPN', [{ ...change, spn: 'not an spn' }], /not a valid SPN/],
    ['shell characters in the service name', [{ ...change, spn: 'HTTP/crm/x;calc' }], /characters krbops will not put/],
    ['shell characters in the account', [{ ...change, account: 'CONTOSO\\crmweb & calc' }], /not an account name/],
    ['a line break in the account', [{ ...change, account: 'crmweb\nsetspn -D' }], /not an account name/],
    ['an unknown action', [{ ...change, action: 'modify' }], /not an SPN change/],
    ['add and remove of the same SPN', [change, { ...change, action: 'remove' }], /both adds and removes/],
    ['51 changes', Array.from({ length: 51 }, (_, i) => ({ ...change, spn: `HTTP/web${i}` })), /at most 50/],
  ])('refuses %s', (_name, changes, message) => {
    expect(() => normaliseChanges(changes as never)).toThrow(InvalidInputError);
    expect(() => normaliseChanges(changes as never)).toThrow(message);
  });

  it('writes setspn -S for adds and -D for removes, with the domain and quoting', () => {
    expect(setspnCommand(change)).toBe('setspn -S HTTP/crm CONTOSO\\crmweb');
    expect(setspnCommand({ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'crmweb2' }, 'CONTOSO')).toBe('setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb2');
    expect(setspnCommand({ action: 'add', spn: 'HTTP/crm', account: 'svc crm' }, 'CONTOSO')).toBe('setspn -S HTTP/crm "CONTOSO\\svc crm"');
    expect(handOffCommands([{ action: 'add', spn: 'HTTP/ndcrmsrv1', account: 'NDCRMSRV1$' }])).toEqual(['setspn -S HTTP/ndcrmsrv1 NDCRMSRV1$']);
  });
});

describe('when a change has landed', () => {
  const crmweb = { dn: 'CN=crmweb,OU=Service Accounts,DC=contoso,DC=test', sAMAccountName: 'crmweb' };
  const crmweb2 = { dn: 'CN=crmweb2,OU=Service Accounts,DC=contoso,DC=test', sAMAccountName: 'crmweb2' };

  it.each([
    { name: 'add: on the account and nobody else → landed', change, spns: ['http/CRM'], holders: [crmweb], landed: true, detail: /on crmweb and on no other account/ },
    { name: 'add: not there yet → not landed', change, spns: [], holders: [], landed: false, detail: /not on crmweb yet/ },
    { name: 'add: also on another account (a duplicate) → not landed', change, spns: ['HTTP/crm'], holders: [crmweb, { ...crmweb2, dn: crmweb2.dn.toUpperCase() }], landed: false, detail: /also on crmweb2: a duplicate.*setspn -D HTTP\/crm crmweb2/ },
    { name: 'add: only on another account → not landed', change, spns: [], holders: [crmweb2], landed: false, detail: /not on crmweb; it is on crmweb2/ },
    { name: 'remove: gone from the account → landed', change: { ...change, action: 'remove' as const }, spns: ['HTTP/other'], holders: [], landed: true, detail: /no longer on crmweb/ },
    { name: 'remove: still there → not landed', change: { ...change, action: 'remove' as const }, spns: ['HTTP/CRM'], holders: [crmweb], landed: false, detail: /still on crmweb/ },
  ])('$name', (c) => {
    const v = judgeChange({ change: c.change, account: { ...crmweb, spns: c.spns }, holders: c.holders });
    expect(v.landed).toBe(c.landed);
    expect(v.detail).toMatch(c.detail);
  });

  it('never calls a change landed when the account is not found', () => {
    expect(judgeChange({ change: { ...change, action: 'remove' }, holders: [] })).toMatchObject({ landed: false, detail: expect.stringMatching(/not found/) });
  });
});

describe('expiry, approver group and rollback', () => {
  const pending = { ...aRecord('pending'), expiresAt: '2026-03-03T09:15:00.000Z' };
  const groupPolicy: ApprovalPolicy = { admins: ['UADMIN1'], approverGroupDn: 'CN=SPN Approvers,OU=Groups,DC=contoso,DC=test' };
  const carla: Actor = { surface: 'teams', id: 'aad-carla', name: 'Carla' };

  it.each([
    { name: 'before expiry an admin approves', now: '2026-03-03T09:14:59.999Z', step: 'approve' as Step, allowed: true },
    { name: 'at expiry nobody approves', now: '2026-03-03T09:15:00.000Z', step: 'approve' as Step, allowed: 'expired' },
    { name: 'after expiry nobody rejects', now: '2026-03-04T00:00:00.000Z', step: 'reject' as Step, allowed: 'expired' },
    { name: 'without a clock expiry is not judged', now: undefined, step: 'approve' as Step, allowed: true },
  ])('$name', ({ now, step, allowed }) => {
    const p = permission(pending, admin, step, policy, { now });
    if (allowed === true) expect(p).toEqual({ allowed: true });
    else expect(p).toMatchObject({ allowed: false, refusal: allowed, message: expect.stringContaining('expired at 2026-03-03 09:15 UTC (KRBOPS_APPROVAL_TTL)') });
  });

  it('lets approver-group members approve, only when the group is configured', () => {
    expect(permission(pending, carla, 'approve', groupPolicy, { inApproverGroup: true })).toEqual({ allowed: true });
    expect(permission(pending, carla, 'approve', groupPolicy, { inApproverGroup: false })).toMatchObject({ allowed: false, refusal: 'not-admin', message: expect.stringContaining('KRBOPS_ADMINS or the approver group') });
    expect(permission(pending, carla, 'approve', policy, { inApproverGroup: true })).toMatchObject({ allowed: false, refusal: 'not-admin' });
    expect(isAdmin({ surface: 'cli', id: 'aad-carla' }, groupPolicy, { inApproverGroup: true })).toBe(false);
  });

  it('writes rollback commands for every hand-off, last change first', () => {
    const changes = [
      { action: 'remove' as const, spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\crmweb2' },
      { action: 'add' as const, spn: 'HTTP/crm.contoso.test', account: 'crmweb' },
    ];
    expect(rollbackCommands(changes, 'CONTOSO')).toEqual(['setspn -D HTTP/crm.contoso.test CONTOSO\\crmweb', 'setspn -S HTTP/crm.contoso.test CONTOSO\\crmweb2']);
    const t = approve({ ...aRecord('pending'), changes }, admin, { at: AT, policy, commands: handOffCommands(changes, 'CONTOSO'), rollback: rollbackCommands(changes, 'CONTOSO') });
    expect(t.record.rollback).toHaveLength(2);
    expect(t.events[1]).toMatchObject({ action: 'handed-off', detail: { rollback: t.record.rollback } });
  });

  it('records an expiry once, as its own audit event', () => {
    const t = expire(pending, admin, '2026-03-04T00:00:00.000Z');
    expect(t.record.status).toBe('expired');
    expect(t.events).toEqual([{ requestId: pending.id, at: '2026-03-04T00:00:00.000Z', actor: admin, action: 'expired', detail: { expiresAt: pending.expiresAt } }]);
  });
});

describe('pre-flight, as setspn would see it', () => {
  const acct = (sam: string, spns: string[] = []) => ({ dn: `CN=${sam},CN=Users,DC=contoso,DC=test`, sAMAccountName: sam, spns });
  const add = { action: 'add' as const, spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\crmweb' };
  const rm = { action: 'remove' as const, spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\old' };
  const cases = [
    { name: 'an add nobody holds is ok', obs: [{ change: add, account: acct('crmweb'), holders: [] }], ok: true, problems: [] },
    { name: 'a missing account blocks', obs: [{ change: add, account: undefined, holders: [] }], ok: false, problems: ['account-missing'] },
    { name: 'another holder blocks an add', obs: [{ change: add, account: acct('crmweb'), holders: [acct('other')] }], ok: false, problems: ['collision'] },
    {
      name: 'a holder the same request removes does not block',
      obs: [
        { change: rm, account: acct('old', ['HTTP/crm.contoso.test']), holders: [acct('old')] },
        { change: add, account: acct('crmweb'), holders: [acct('old')] },
      ],
      ok: true,
      problems: [],
    },
    { name: 'an add already done is not needed', obs: [{ change: add, account: acct('crmweb', ['http/CRM.contoso.test']), holders: [acct('crmweb')] }], ok: false, problems: ['not-needed'] },
    { name: 'a remove already done is not needed', obs: [{ change: rm, account: acct('old'), holders: [] }], ok: false, problems: ['not-needed'] },
    {
      name: 'part already done is still ok',
      obs: [
        { change: rm, account: acct('old'), holders: [] },
        { change: add, account: acct('crmweb'), holders: [] },
      ],
      ok: true,
      problems: ['not-needed'],
    },
  ];
  it.each(cases)('$name', ({ obs, ok, problems }) => {
    const r = preflight(obs, AT);
    expect(r.ok).toBe(ok);
    expect(r.items.filter((i) => !i.ok).map((i) => i.problem)).toEqual(problems);
  });

  it('says what changed since the request', () => {
    const before = preflight([{ change: add, account: acct('crmweb'), holders: [] }], AT);
    const after = preflight([{ change: add, account: acct('crmweb'), holders: [acct('svc-b')] }], AT);
    expect(whatChanged(before, after)).toEqual(['Since the request: HTTP/crm.contoso.test is held by svc-b: setspn -S would refuse the duplicate.']);
    expect(whatChanged(before, before)).toEqual([]);
  });
});
