/**
 * The approval loop completed, on SQLite AND PostgreSQL, against a Samba lab of its own (the test
 * writes to AD to play the admin and the world changing): pre-flight at request and at approval,
 * a stale request saying what changed, rollback commands with every hand-off, reasons on reject and
 * cancel, the requester cancelling, expiry after KRBOPS_APPROVAL_TTL, and approvers from an AD group
 * found through their e-mail address.
 */
import type { Actor } from '../../src/model/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalPreflightError, ApprovalStaleError, ApprovalStateError, createApprovals, createChatApprovals, type Approvals, type ChatApprovals } from '../../src/approvals/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ldapGroupMembership } from '../../src/directory/membership.js';
import { NotAuthorizedError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { createAccessControl } from '../../src/policy/access.js';
import { loadAccessPolicy } from '../../src/policy/config.js';
import { openStore, type Store } from '../../src/store/index.js';
import { addAdPeople, type AdPeople } from '../helpers/ad-people.js';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';
import { startLab, type Lab } from '../lab/lab.js';

const engineer: Actor = { surface: 'slack', id: 'UENGINEER', name: 'oncall' };
const admin: Actor = { surface: 'slack', id: 'UADMIN1', name: 'dana' };
const groupApprover: Actor = { surface: 'teams', id: 'aad-carla', name: 'Carla' };
const outsider: Actor = { surface: 'slack', id: 'U0DAN', name: 'dan' };

let lab: Lab;
let pgCluster: PgCluster;
let people: AdPeople;
const stores: Store[] = [];

beforeAll(async () => {
  [lab, pgCluster] = await Promise.all([startLab(), startPostgres()]);
  people = await addAdPeople(lab, 'loop');
  // Accounts of this file: a service account holding one SPN, and a second one.
  await lab.addUser('svc-loop-a', { spns: ['HTTP/loop-a.contoso.test'] });
  await lab.addUser('svc-loop-b');
  await lab.addUser('svc-loop-c');
}, 180_000);
afterAll(async () => {
  for (const s of stores) await s.close();
  await pgCluster?.stop();
  await lab?.stop();
});

const backends: { name: string; open(): Promise<Store> }[] = [
  { name: 'SQLite', open: () => openStore(join(mkdtempSync(join(tmpdir(), 'krbops-loop-')), 'krbops.db')) },
  { name: 'PostgreSQL', open: async () => openStore(await pgCluster.createDatabase('krbops_loop')) },
];

describe.each(backends)('the approval loop on $name', (backend) => {
  let clock = Date.UTC(2026, 11, 1, 9, 0, 0);
  let config: Config;
  let approvals: Approvals;
  let chat: ChatApprovals;
  const emails: Record<string, string> = {};
  const emailOf = async (a: { id: string }) => emails[a.id];
  const spn = (tag: string) => `HTTP/loop-${tag}-${backend.name.toLowerCase()}.contoso.test`;

  beforeAll(async () => {
    const store = await backend.open();
    stores.push(store);
    config = loadConfig({ ...lab.env(), KRBOPS_ADMINS: admin.id, KRBOPS_APPROVER_GROUP_DN: people.groupDn, KRBOPS_APPROVAL_TTL: '2h' });
    approvals = createApprovals({ store, config, now: () => new Date(clock) });
    const access = createAccessControl({ policy: loadAccessPolicy({}), membership: ldapGroupMembership(config.ldap!, silentLogger) });
    chat = createChatApprovals({ approvals, config, access });
    emails[groupApprover.id] = people.member.email;
    emails[outsider.id] = people.outsider.email;
  });

  it('refuses at request time what setspn could not do or what is already done, and records nothing', async () => {
    const before = (await approvals.list()).length;
    const missing = await chat.requestChange({ changes: [{ action: 'add', spn: spn('m'), account: 'CONTOSO\\no-such-account' }], requester: engineer }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApprovalPreflightError);
    expect((missing as Error).message).toContain('The account CONTOSO\\no-such-account does not exist in AD');
    const collision = await chat.requestChange({ changes: [{ action: 'add', spn: 'HTTP/loop-a.contoso.test', account: 'CONTOSO\\svc-loop-b' }], requester: engineer }).catch((e: unknown) => e);
    expect((collision as Error).message).toContain('HTTP/loop-a.contoso.test is held by svc-loop-a: setspn -S would refuse the duplicate.');
    const done = await chat.requestChange({ changes: [{ action: 'add', spn: 'HTTP/loop-a.contoso.test', account: 'CONTOSO\\svc-loop-a' }], requester: engineer }).catch((e: unknown) => e);
    expect((done as Error).message).toContain('already on svc-loop-a: nothing to add');
    expect(await approvals.list()).toHaveLength(before);
  });

  it('accepts moving an SPN within one request, expiring after KRBOPS_APPROVAL_TTL', async () => {
    const view = await chat.requestChange({
      changes: [
        { action: 'remove', spn: 'HTTP/loop-a.contoso.test', account: 'CONTOSO\\svc-loop-a' },
        { action: 'add', spn: 'HTTP/loop-a.contoso.test', account: 'CONTOSO\\svc-loop-b' },
      ],
      requester: engineer,
    });
    expect(view.approval.expiresAt).toBe(new Date(clock + 2 * 3_600_000).toISOString());
    expect(view.approval.preflight?.ok).toBe(true);
    await chat.cancel(view.id, engineer, 'moved by hand already');
  });

  it('hands off the commands with their rollback after a fresh pre-flight', async () => {
    const { id } = await chat.requestChange({ changes: [{ action: 'add', spn: spn('ok'), account: 'CONTOSO\\svc-loop-b' }], requester: engineer });
    const r = await chat.decide(id, admin, 'approve', 'CHG-2001');
    expect(r.status).toBe('approved');
    expect(r.commands).toEqual([`setspn -S ${spn('ok')} CONTOSO\\svc-loop-b`]);
    expect(r.rollback).toEqual([`setspn -D ${spn('ok')} CONTOSO\\svc-loop-b`]);
    expect((await approvals.audit(id)).map((e) => e.action)).toEqual(['requested', 'approved', 'handed-off']);
  });

  it('refuses to approve a request that went stale, says what changed, and hands off nothing', async () => {
    const { id } = await chat.requestChange({ changes: [{ action: 'add', spn: spn('stale'), account: 'CONTOSO\\svc-loop-b' }], requester: engineer });
    await lab.addSpn('svc-loop-c', spn('stale')); // someone else took the SPN meanwhile
    const e = await chat.decide(id, admin, 'approve').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApprovalStaleError);
    expect((e as Error).message).toContain(`${id} is stale, so nothing was handed off: Since the request: ${spn('stale')} is held by svc-loop-c`);
    const r = await approvals.get(id);
    expect(r).toMatchObject({ status: 'pending', commands: [] });
    expect((await approvals.audit(id)).map((x) => x.action)).toEqual(['requested', 'stale']);
    const rejected = await chat.decide(id, admin, 'reject', 'svc-loop-c owns it now');
    expect(rejected).toMatchObject({ status: 'rejected', decisionReason: 'svc-loop-c owns it now' });
  });

  it('lets the requester cancel with a reason, and nobody else but an approver', async () => {
    const { id } = await chat.requestChange({ changes: [{ action: 'remove', spn: 'HTTP/loop-a.contoso.test', account: 'CONTOSO\\svc-loop-a' }], requester: engineer });
    await expect(chat.cancel(id, outsider, 'not mine')).rejects.toBeInstanceOf(NotAuthorizedError);
    const r = await chat.cancel(id, engineer, 'wrong account, asking again');
    expect(r).toMatchObject({ status: 'cancelled', decidedBy: engineer, decisionReason: 'wrong account, asking again' });
    expect((await approvals.audit(id)).at(-1)).toMatchObject({ action: 'cancelled', detail: { reason: 'wrong account, asking again' } });
  });

  it('approvers come from the AD group too, matched by e-mail; others are refused', async () => {
    const { id } = await chat.requestChange({ changes: [{ action: 'add', spn: spn('grp'), account: 'CONTOSO\\svc-loop-c' }], requester: engineer });
    await expect(chat.decide(id, outsider, 'approve', undefined, emailOf)).rejects.toBeInstanceOf(NotAuthorizedError);
    const r = await chat.decide(id, groupApprover, 'approve', undefined, emailOf);
    expect(r).toMatchObject({ status: 'approved', decidedBy: groupApprover });
  });

  it('cannot approve an expired request; it is recorded as expired', async () => {
    const { id } = await chat.requestChange({ changes: [{ action: 'add', spn: spn('late'), account: 'CONTOSO\\svc-loop-c' }], requester: engineer });
    clock += 2 * 3_600_000 + 1000;
    const e = await chat.decide(id, admin, 'approve').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApprovalStateError);
    expect((e as Error).message).toMatch(new RegExp(`^${id} expired at .* UTC \\(KRBOPS_APPROVAL_TTL\\) and can no longer be approved`));
    expect((await approvals.get(id)).status).toBe('expired');
    expect((await approvals.audit(id)).map((x) => x.action)).toEqual(['requested', 'expired']);
    await expect(chat.decide(id, admin, 'approve')).rejects.toBeInstanceOf(ApprovalStateError);
  });
});
