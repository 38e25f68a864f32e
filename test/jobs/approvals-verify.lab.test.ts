/**
 * approvals-verify: after an admin approves an SPN change, krbops keeps reading AD (never writing)
 * and announces once when the change has landed. Its own lab: the test applies the change itself,
 * as the admin would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovals } from '../../src/approvals/index.js';
import { loadConfig, requireLdap, type Config } from '../../src/config.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import { approvalsVerifyJob, type ApprovalsVerifySummary } from '../../src/jobs/approvals-verify.js';
import { Scheduler, type TickResult } from '../../src/jobs/scheduler.js';
import { silentLogger } from '../../src/log.js';
import { RecordingNotifier } from '../helpers/recording-notifier.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startLab, type Lab } from '../lab/lab.js';

let lab: Lab;
let config: Config;
let store: Store;
let scheduler: Scheduler;
const chat = new RecordingNotifier('chat');
const root = mkdtempSync(join(tmpdir(), 'krbops-approvals-verify-'));
let minute = 0;
const nextTick = () => new Date(Date.UTC(2025, 5, 1, 9, minute++));
const engineer = { surface: 'slack' as const, id: 'UENGINEER', name: 'engineer' };
const admin = { surface: 'slack' as const, id: 'UADMIN', name: 'admin' };

function ran(r: TickResult): ApprovalsVerifySummary {
  if (r.status !== 'ran' || r.outcome !== 'ok') throw new Error(`tick did not run cleanly: ${JSON.stringify(r)}`);
  return r.summary as ApprovalsVerifySummary;
}

beforeAll(async () => {
  lab = await startLab();
  config = loadConfig({ ...lab.env(), KRBOPS_DB: join(root, 'krbops.db'), KRBOPS_ADMINS: 'UADMIN' });
  store = await openStore(config.dbUrl);
  scheduler = new Scheduler({
    config,
    store,
    jobs: [approvalsVerifyJob(config)],
    log: silentLogger,
    notifiers: [chat],
    openDirectory: () => openDirectory(requireLdap(config), silentLogger),
  });
}, 180_000);
afterAll(async () => {
  await scheduler?.stop();
  await store?.close();
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('approvals-verify', () => {
  it('keeps checking an approved change until it lands in AD, then announces it once', async () => {
    const approvals = createApprovals({ store, config, log: silentLogger });
    const req = await approvals.requestChange({ changes: [{ action: 'add', spn: 'HTTP/crm', account: 'crmweb2' }, { action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'crmweb2' }] }, engineer);
    const pendingRun = ran(await scheduler.runTick('approvals-verify', nextTick()));
    expect(pendingRun).toMatchObject({ checked: 0, landed: [] }); // pending requests are not verified

    await approvals.decide(req.id, admin, 'approve', { netbiosDomain: 'CONTOSO' });
    const notYet = ran(await scheduler.runTick('approvals-verify', nextTick()));
    expect(notYet).toMatchObject({ checked: 1, landed: [], pending: [req.id] });
    expect(chat.alerts).toEqual([]);

    // The admin runs the handed-off commands (here: the test, on the lab).
    await lab.removeSpn('crmweb', 'HTTP/crm');
    await lab.addSpn('crmweb2', 'HTTP/crm');
    await lab.removeSpn('crmweb2', 'HTTP/crm.contoso.test', { raw: true });

    const landed = ran(await scheduler.runTick('approvals-verify', nextTick()));
    expect(landed).toMatchObject({ checked: 1, landed: [req.id] });
    expect(chat.alerts).toHaveLength(1);
    expect(chat.alerts[0]).toMatchObject({ key: `approvals:${req.id}:landed`, title: `SPN change ${req.id} has landed in Active Directory` });
    expect((await approvals.get(req.id)).status).toBe('landed');
    expect((await approvals.audit(req.id)).map((e) => e.action)).toEqual(expect.arrayContaining(['requested', 'approved', 'handed-off', 'verified', 'landed']));

    const after = ran(await scheduler.runTick('approvals-verify', nextTick()));
    expect(after.checked).toBe(0);
    expect(chat.alerts).toHaveLength(1);
  });
});
