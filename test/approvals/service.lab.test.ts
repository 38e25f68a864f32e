/**
 * The approvals service on a real SQLite store (a temporary file) and a Samba AD lab of its own:
 * request → approve → hand-off → verify. krbops only reads AD; the TEST plays the admin and applies
 * the handed-off change with lab.addSpn / lab.removeSpn, and the service must notice.
 */
import { renderText } from '../../cards/text/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { krbApprovals, krbVerify } from '../../commands/krb-approvals.js';
import { type Actor, type ApprovalResult, type ApprovalsListResult } from '../../src/model/index.js';
import { ApprovalNotFoundError, ApprovalStateError, createApprovals, type Approvals } from '../../src/approvals/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext } from '../../src/core.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import type { DirectoryReader } from '../../src/directory/types.js';
import { InvalidInputError, NotAuthorizedError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startLab, type Lab } from '../lab/lab.js';

const engineer: Actor = { surface: 'slack', id: 'UENGINEER', name: 'oncall' };
const admin: Actor = { surface: 'slack', id: 'UADMIN1', name: 'dana' };
const admin2: Actor = { surface: 'teams', id: '00000000-0000-4000-8000-0000000000a2', name: 'Adele Vance' };

let lab: Lab;
let store: Store;
let dbFile: string;
let config: Config;
let approvals: Approvals;
let dir: DirectoryReader;
let tick = 0;
const now = () => new Date(Date.UTC(2026, 2, 2, 9, 0, 0) + tick++ * 1000);

beforeAll(async () => {
  lab = await startLab();
  dbFile = join(mkdtempSync(join(tmpdir(), 'krbops-approvals-')), 'krbops.db');
  store = await openStore(dbFile);
  config = loadConfig({ ...lab.env(), KRBOPS_DB: dbFile, KRBOPS_ADMINS: `${admin.id},${admin2.id}` });
  approvals = createApprovals({ store, config, log: silentLogger, now });
  dir = await openDirectory(config.ldap!, silentLogger);
});
afterAll(async () => {
  await dir?.close();
  await store?.close();
  await lab?.stop();
});

describe('request → approve → hand-off → verify against the lab', () => {
  const add = { action: 'add' as const, spn: 'HTTP/reports-new.contoso.test', account: 'CONTOSO\\rptservice' };
  const remove = { action: 'remove' as const, spn: 'HTTP/legacy', account: 'CONTOSO\\svc-legacy' };
  let id: string;

  it('records a pending request with de-duplicated changes', async () => {
    const r = await approvals.requestChange(
      { changes: [add, { ...add, spn: 'http/REPORTS-NEW.contoso.test' }, remove], finding: { ruleId: 'spn-missing-fqdn', title: 'The FQDN SPN is missing', subject: 'http://reports-new' }, url: 'http://reports-new', channelId: 'CINCIDENT' },
      engineer,
    );
    id = r.id;
    expect(id).toMatch(/^CR-[0-9A-F]{8}$/);
    expect(r).toMatchObject({ status: 'pending', requester: engineer, changes: [add, remove], commands: [] });
    expect(await approvals.get(id.toLowerCase())).toEqual(r);
    expect(await approvals.origin(id)).toEqual({ channelId: 'CINCIDENT', url: 'http://reports-new' });
  });

  it('does not verify a pending request, and reads no AD for it', async () => {
    await expect(approvals.verify(id, engineer, () => Promise.reject(new Error('AD must not be read')))).rejects.toThrow(ApprovalStateError);
  });

  it('refuses a non-admin approval, audits it as denied, and changes nothing', async () => {
    const e = await approvals.decide(id, engineer, 'approve').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotAuthorizedError);
    expect((e as NotAuthorizedError).code).toBe('NOT_AUTHORIZED');
    expect((await approvals.get(id)).status).toBe('pending');
    expect((await approvals.audit(id)).map((x) => x.action)).toEqual(['requested', 'denied']);
  });

  it('hands the admin the exact setspn commands on approval', async () => {
    const r = await approvals.decide(id, admin, 'approve', { reason: 'change CHG-1042' });
    expect(r).toMatchObject({ status: 'approved', decidedBy: admin, decisionReason: 'change CHG-1042' });
    expect(r.commands).toEqual(['setspn -S HTTP/reports-new.contoso.test CONTOSO\\rptservice', 'setspn -D HTTP/legacy CONTOSO\\svc-legacy']);
    await expect(approvals.decide(id, admin2, 'reject')).rejects.toThrow(/already approved/);
  });

  it('says nothing landed before the admin ran the commands', async () => {
    const r = await approvals.verify(id, engineer, dir);
    expect(r.status).toBe('approved');
    expect(r.verification).toMatchObject({ landed: false });
    expect(r.verification!.results.map((x) => [x.landed, x.detail])).toEqual([
      [false, 'HTTP/reports-new.contoso.test is not on rptservice yet.'],
      [false, 'HTTP/legacy is still on svc-legacy.'],
    ]);
  });

  it('sees each change as the admin makes it, and lands when all are in AD', async () => {
    await lab.addSpn('rptservice', add.spn);
    const half = await approvals.verify(id, engineer, dir);
    expect(half.status).toBe('approved');
    expect(half.verification!.results.map((x) => x.landed)).toEqual([true, false]);

    await lab.removeSpn('svc-legacy', remove.spn);
    const done = await approvals.verify(id, admin2, dir);
    expect(done.status).toBe('landed');
    expect(done.verification!.results).toEqual([
      { change: add, landed: true, detail: 'HTTP/reports-new.contoso.test is on rptservice and on no other account.' },
      { change: remove, landed: true, detail: 'HTTP/legacy is no longer on svc-legacy.' },
    ]);
    // Landed is final: asking again reads no AD.
    expect(await approvals.verify(id, engineer, () => Promise.reject(new Error('AD must not be read')))).toEqual(done);
  });

  it('keeps a complete, ordered audit trail', async () => {
    const trail = await approvals.audit(id);
    expect(trail.map((e) => [e.action, e.actor.id])).toEqual([
      ['requested', engineer.id],
      ['denied', engineer.id],
      ['approved', admin.id],
      ['handed-off', admin.id],
      ['verified', engineer.id],
      ['verified', engineer.id],
      ['verified', admin2.id],
      ['landed', admin2.id],
    ]);
    const times = trail.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    expect(trail[3].detail).toEqual({ commands: ['setspn -S HTTP/reports-new.contoso.test CONTOSO\\rptservice', 'setspn -D HTTP/legacy CONTOSO\\svc-legacy'], rollback: ['setspn -S HTTP/legacy CONTOSO\\svc-legacy', 'setspn -D HTTP/reports-new.contoso.test CONTOSO\\rptservice'] });
    expect(trail[6].detail).toMatchObject({ landed: true });
  });
});

describe('a duplicate is not landed', () => {
  it('reports the second holder and the command that removes it', async () => {
    const spn = 'HTTP/dupcheck.contoso.test';
    const r = await approvals.requestChange({ changes: [{ action: 'add', spn, account: 'CONTOSO\\sqlservice' }] }, engineer);
    await approvals.decide(r.id, admin2, 'approve');
    await lab.addSpn('sqlservice', spn);
    await lab.addDuplicateSpn('crmport', spn);
    const v = await approvals.verify(r.id, engineer, dir);
    expect(v.status).toBe('approved');
    expect(v.verification!.results[0]).toMatchObject({ landed: false });
    expect(v.verification!.results[0].detail).toBe(`${spn} is on sqlservice but also on crmport: a duplicate, so the KDC cannot pick one key. Remove it there (setspn -D ${spn} crmport).`);
  });
});

describe('decisions', () => {
  it('does not let an admin approve their own request, but another admin can', async () => {
    const r = await approvals.requestChange({ changes: [{ action: 'add', spn: 'HTTP/self.contoso.test', account: 'CONTOSO\\alice' }] }, admin);
    await expect(approvals.decide(r.id, admin, 'approve')).rejects.toThrow(/another admin must approve/);
    expect((await approvals.get(r.id)).status).toBe('pending');
    expect((await approvals.decide(r.id, admin2, 'approve')).status).toBe('approved');
  });

  it('lets exactly one of two admins deciding at once win', async () => {
    const r = await approvals.requestChange({ changes: [{ action: 'add', spn: 'HTTP/race.contoso.test', account: 'CONTOSO\\alice' }] }, engineer);
    const [a, b] = await Promise.allSettled([approvals.decide(r.id, admin, 'approve'), approvals.decide(r.id, admin2, 'reject')]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    const loser = (a.status === 'rejected' ? a : b) as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(ApprovalStateError);
    const trail = await approvals.audit(r.id);
    expect(trail.filter((e) => ['approved', 'rejected'].includes(e.action))).toHaveLength(1);
  });

  it('puts the NetBIOS domain in front of a bare account name', async () => {
    const r = await approvals.requestChange({ changes: [{ action: 'add', spn: 'HTTP/bare.contoso.test', account: 'alice' }] }, engineer);
    const netbiosDomain = (await dir.info()).netbiosDomain;
    expect(netbiosDomain).toBe('CONTOSO');
    expect((await approvals.decide(r.id, admin, 'approve', { netbiosDomain })).commands).toEqual(['setspn -S HTTP/bare.contoso.test CONTOSO\\alice']);
  });

  it('refuses empty and unsafe requests, and unknown IDs', async () => {
    await expect(approvals.requestChange({ changes: [] }, engineer)).rejects.toThrow(InvalidInputError);
    await expect(approvals.requestChange({ changes: [{ action: 'add', spn: 'HTTP/x', account: 'alice" & del *' }] }, engineer)).rejects.toThrow(InvalidInputError);
    await expect(approvals.get('CR-FFFFFFFF')).rejects.toThrow(ApprovalNotFoundError);
    await expect(approvals.get("'; DROP TABLE approvals; --")).rejects.toThrow(ApprovalNotFoundError);
    await expect(approvals.cancel('CR-FFFFFFFF', engineer)).rejects.toThrow(/There is no change request "CR-FFFFFFFF"/);
  });

  it('lets the requester cancel a pending request', async () => {
    const r = await approvals.requestChange({ changes: [{ action: 'remove', spn: 'HTTP/crm', account: 'CONTOSO\\crmweb' }] }, engineer);
    expect((await approvals.cancel(r.id, engineer, 'wrong account')).status).toBe('cancelled');
    await expect(approvals.decide(r.id, admin, 'approve')).rejects.toThrow(/already cancelled/);
  });
});

describe('krb approvals and krb verify', () => {
  const ctx = (actor: Actor, withService = true) => createContext(config, silentLogger, actor, withService ? { approvals } : {});

  it('lists requests by status, newest first', async () => {
    const c = ctx(engineer);
    const all = (await krbApprovals.run(c, { positionals: {}, options: {} })) as ApprovalsListResult;
    expect(all.kind).toBe('approvals-list');
    expect(all.approvals).toHaveLength(6);
    expect([...all.approvals.map((a) => a.createdAt)].sort().reverse()).toEqual(all.approvals.map((a) => a.createdAt));
    const landed = (await krbApprovals.run(c, { positionals: {}, options: { status: 'landed' } })) as ApprovalsListResult;
    expect(landed.approvals.map((a) => a.status)).toEqual(['landed']);
    expect(renderText(landed)).toMatch(/^1 landed change requests, newest first:\n\nCR-[0-9A-F]{8} {2}landed/);
    await expect(krbApprovals.run(c, { positionals: {}, options: { status: 'done' } })).rejects.toThrow(/--status must be one of/);
    await c.close();
  });

  it('verifies now through the context directory and shows the audit trail', async () => {
    const spn = 'HTTP/cmd.contoso.test';
    const r = await approvals.requestChange({ changes: [{ action: 'add', spn, account: 'CONTOSO\\alice' }] }, engineer);
    await approvals.decide(r.id, admin, 'approve');
    await lab.addSpn('alice', spn);
    const c = ctx(engineer);
    try {
      const res = await krbVerify.run(c, { positionals: { id: r.id.toLowerCase() }, options: {} });
      expect(res).toMatchObject({ kind: 'approval', checked: true, approval: { id: r.id, status: 'landed' } });
      expect(res.audit.map((e) => e.action)).toEqual(['requested', 'approved', 'handed-off', 'verified', 'landed']);
      const text = renderText(res);
      expect(text).toContain(`setspn -S ${spn} CONTOSO\\alice`);
      expect(text).toContain(`ok       ${spn} is on alice and on no other account.`);
    } finally {
      await c.close();
    }
  });

  it('opens the store of KRBOPS_DB itself when the surface gives none (the CLI)', async () => {
    const [newest] = await approvals.list({ limit: 1 });
    const c = ctx({ surface: 'cli', id: 'ops' }, false);
    try {
      const res = (await krbApprovals.run(c, { positionals: { id: newest.id }, options: {} })) as ApprovalResult;
      expect(res).toMatchObject({ kind: 'approval', checked: false, approval: { id: newest.id } });
    } finally {
      await c.close();
    }
  });
});
