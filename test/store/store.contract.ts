/**
 * The store contract: the same behaviour on every backend. Run by sqlite.test.ts and
 * postgres.test.ts with a factory that gives a fresh, empty location each time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor, ApprovalRecord } from '../../src/model/index.js';
import type { Store } from '../../src/store/types.js';

export interface StoreFactory {
  /** A fresh location (file or database), opened; `reopen` opens a second handle on the same location. */
  fresh(): Promise<{ store: Store; reopen(): Promise<Store> }>;
}

const alice: Actor = { surface: 'slack', id: 'U0ALICE', name: 'alice' };
const bob: Actor = { surface: 'teams', id: 'aad-bob', name: 'bob' };

function anApproval(over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  const now = new Date().toISOString();
  return {
    id: 'chg-0001',
    status: 'pending',
    requester: alice,
    changes: [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\svc-old' }],
    finding: { ruleId: 'spn-duplicate', title: 'Duplicate SPN', subject: 'HTTP/crm.contoso.test' },
    note: 'duplicate after migration',
    createdAt: now,
    updatedAt: now,
    commands: [],
    ...over,
  };
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    const opened: Store[] = [];
    const fresh = async () => {
      const f = await factory.fresh();
      opened.push(f.store);
      return {
        store: f.store,
        reopen: async () => {
          const s = await f.reopen();
          opened.push(s);
          return s;
        },
      };
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('applies the versioned migrations once, and not again on reopen', async () => {
      const { store, reopen } = await fresh();
      expect(await store.migrations()).toEqual([1, 2, 3, 4]);
      const again = await reopen();
      expect(await again.migrations()).toEqual([1, 2, 3, 4]);
      await store.ping();
    });

    it('keeps job state as JSON by key, overwrites and deletes it', async () => {
      const { store } = await fresh();
      expect(await store.getState('dupes:state:DC=contoso,DC=test')).toBeUndefined();
      const state = { dc: { dsServiceName: 'CN=NTDS Settings,CN=DC1', usn: '12345' }, issues: { 'dup:http/crm': { since: '2024-01-01T00:00:00.000Z' } } };
      await store.setState('dupes:state:DC=contoso,DC=test', state);
      expect(await store.getState('dupes:state:DC=contoso,DC=test')).toEqual(state);
      await store.setState('dupes:state:DC=contoso,DC=test', { dc: null });
      expect(await store.getState('dupes:state:DC=contoso,DC=test')).toEqual({ dc: null });
      await store.deleteState('dupes:state:DC=contoso,DC=test');
      expect(await store.getState('dupes:state:DC=contoso,DC=test')).toBeUndefined();
    });

    it('marks an alert posted once: only the first caller wins, even when callers race', async () => {
      const { store, reopen } = await fresh();
      const other = await reopen();
      const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).markPosted('dupes:new:http/crm#0', { job: 'dupes-watch', title: 'Duplicate SPN' })));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await store.isPosted('dupes:new:http/crm#0')).toBe(true);
      expect(await store.isPosted('dupes:new:http/other#0')).toBe(false);
    });

    it('remembers posted alerts across a restart (a new handle on the same location)', async () => {
      const { store, reopen } = await fresh();
      expect(await store.markPosted('adfs:expiring:AB12:30', { job: 'adfs-watch', title: 'Token-signing certificate expires in 30 days' })).toBe(true);
      await store.close();
      opened.splice(opened.indexOf(store), 1);
      const again = await reopen();
      expect(await again.markPosted('adfs:expiring:AB12:30')).toBe(false);
      const [posted] = await again.listPosted({ job: 'adfs-watch' });
      expect(posted).toMatchObject({ key: 'adfs:expiring:AB12:30', target: 'default', job: 'adfs-watch', title: 'Token-signing certificate expires in 30 days' });
    });

    it('marks each destination separately and forgets a mark when a post failed', async () => {
      const { store } = await fresh();
      expect(await store.markPosted('k', { target: 'slack' })).toBe(true);
      expect(await store.markPosted('k', { target: 'teams' })).toBe(true);
      expect(await store.markPosted('k', { target: 'slack' })).toBe(false);
      await store.unmarkPosted('k', 'teams');
      expect(await store.isPosted('k', 'teams')).toBe(false);
      expect(await store.markPosted('k', { target: 'teams' })).toBe(true);
    });

    it('keeps an alert outbox: claimed pending with its content, posted once confirmed, re-delivered by one caller when stale', async () => {
      const { store, reopen } = await fresh();
      const t0 = new Date('2026-12-01T10:00:00.000Z');
      const o = (now: Date) => ({ job: 'dupes-watch', title: 'Duplicate SPN', payload: '{"key":"a1"}', now, staleMs: 60_000 });
      expect(await store.claimAlert('a1', 'slack', o(t0))).toBe('claimed');
      expect(await store.claimAlert('a1', 'slack', o(new Date(t0.getTime() + 1000)))).toBe('busy');
      expect(await store.pendingAlerts(new Date(t0.getTime() - 1))).toEqual([]);
      // The poster died: after restart (a new handle), the claim is stale; of two racing callers one re-delivers.
      await store.close();
      opened.splice(opened.indexOf(store), 1);
      const again = await reopen();
      const later = new Date(t0.getTime() + 120_000);
      expect(await again.pendingAlerts(new Date(later.getTime() - 60_000))).toEqual([{ key: 'a1', target: 'slack', payload: '{"key":"a1"}' }]);
      const racers = await Promise.all([again.claimAlert('a1', 'slack', o(later)), again.claimAlert('a1', 'slack', o(later))]);
      expect(racers.sort()).toEqual(['busy', 'redeliver']);
      await again.confirmPosted('a1', 'slack', '1700000001.000100');
      expect(await again.claimAlert('a1', 'slack', o(later))).toBe('posted');
      expect(await again.pendingAlerts(later)).toEqual([]);
      expect(await again.isPosted('a1', 'slack')).toBe(true);
    });

    it('gives a schedule tick to exactly one claimant and records the run', async () => {
      const { store, reopen } = await fresh();
      const other = await reopen();
      const tick = new Date('2025-03-01T10:15:00.000Z');
      const results = await Promise.all([
        store.claimRun({ job: 'dupes-watch', tick, holder: 'replica-a', leaseMs: 60_000 }),
        other.claimRun({ job: 'dupes-watch', tick, holder: 'replica-b', leaseMs: 60_000 }),
      ]);
      const won = results.filter((r) => r.claimed);
      expect(won).toHaveLength(1);
      expect(results.find((r) => !r.claimed)).toEqual({ claimed: false, reason: 'taken' });
      const runs = await store.listRuns({ job: 'dupes-watch' });
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ job: 'dupes-watch', tick: tick.toISOString(), outcome: 'running' });
    });

    it('refuses a new tick while an earlier run holds an unexpired lease, and leaves no run behind', async () => {
      const { store } = await fresh();
      const a = await store.claimRun({ job: 'adfs-watch', tick: new Date('2025-03-01T00:00:00Z'), holder: 'a', leaseMs: 60_000 });
      expect(a.claimed).toBe(true);
      const b = await store.claimRun({ job: 'adfs-watch', tick: new Date('2025-03-01T06:00:00Z'), holder: 'b', leaseMs: 60_000 });
      expect(b).toEqual({ claimed: false, reason: 'busy' });
      expect(await store.listRuns({ job: 'adfs-watch' })).toHaveLength(1);
      // Another job is independent.
      expect((await store.claimRun({ job: 'dupes-watch', tick: new Date('2025-03-01T06:00:00Z'), holder: 'b', leaseMs: 60_000 })).claimed).toBe(true);
    });

    it('releases the lease when a run finishes, and records outcome, error and summary', async () => {
      const { store } = await fresh();
      const a = await store.claimRun({ job: 'dupes-watch', tick: new Date('2025-03-01T10:00:00Z'), holder: 'a', leaseMs: 60_000 });
      if (!a.claimed) throw new Error('not claimed');
      await store.finishRun(a.runId, { outcome: 'failed', error: 'DIRECTORY_UNAVAILABLE: dc1 refused', holder: 'a' });
      const b = await store.claimRun({ job: 'dupes-watch', tick: new Date('2025-03-01T10:15:00Z'), holder: 'b', leaseMs: 60_000 });
      if (!b.claimed) throw new Error('not claimed');
      await store.finishRun(b.runId, { outcome: 'ok', summary: { mode: 'incremental', changed: 3 }, holder: 'b' });
      const last = await store.lastRuns();
      expect(last).toHaveLength(1);
      expect(last[0]).toMatchObject({ job: 'dupes-watch', outcome: 'ok', holder: 'b', summary: { mode: 'incremental', changed: 3 } });
      expect(last[0].finishedAt).toBeTruthy();
      const runs = await store.listRuns({ job: 'dupes-watch' });
      expect(runs.map((r) => [r.outcome, r.error])).toEqual([
        ['ok', undefined],
        ['failed', 'DIRECTORY_UNAVAILABLE: dc1 refused'],
      ]);
    });

    it('takes over an expired lease of a replica that died and marks its run abandoned', async () => {
      const { store } = await fresh();
      const t0 = new Date('2025-03-01T10:00:00Z');
      const dead = await store.claimRun({ job: 'dupes-watch', tick: t0, holder: 'dead', leaseMs: 30_000, now: t0 });
      expect(dead.claimed).toBe(true);
      // Before expiry: busy. After: claimed, the dead run abandoned.
      expect(await store.claimRun({ job: 'dupes-watch', tick: new Date('2025-03-01T10:00:10Z'), holder: 'live', leaseMs: 30_000, now: new Date('2025-03-01T10:00:10Z') })).toEqual({ claimed: false, reason: 'busy' });
      const later = new Date('2025-03-01T10:15:00Z');
      const live = await store.claimRun({ job: 'dupes-watch', tick: later, holder: 'live', leaseMs: 30_000, now: later });
      expect(live).toMatchObject({ claimed: true, abandoned: 1 });
      expect(await store.renewLease('dupes-watch', 'dead', 30_000, later)).toBe(false);
      expect(await store.renewLease('dupes-watch', 'live', 30_000, later)).toBe(true);
      const runs = await store.listRuns({ job: 'dupes-watch' });
      expect(runs.map((r) => [r.holder, r.outcome])).toEqual([
        ['live', 'running'],
        ['dead', 'abandoned'],
      ]);
      expect(runs[1].error).toMatch(/lease of dead expired/);
    });

    it('commits a transaction whole, or nothing when it throws', async () => {
      const { store } = await fresh();
      await store.transaction(async (tx) => {
        await tx.setState('a', 1);
        await tx.markPosted('alert-a');
      });
      await expect(
        store.transaction(async (tx) => {
          await tx.setState('b', 2);
          await tx.markPosted('alert-b');
          throw new Error('replica stopped before commit');
        }),
      ).rejects.toThrow('replica stopped before commit');
      expect(await store.getState('a')).toBe(1);
      expect(await store.getState('b')).toBeUndefined();
      expect(await store.isPosted('alert-b')).toBe(false);
      // The store is usable after a rollback.
      await store.setState('c', 3);
      expect(await store.getState('c')).toBe(3);
    });

    it('does not let other callers see a transaction half-way', async () => {
      const { store } = await fresh();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tx = store.transaction(async (t) => {
        await t.setState('x', 'inside');
        await gate;
        await t.setState('y', 'inside');
      });
      const read = store.getState('y');
      release();
      await tx;
      // The read either waited for the commit (SQLite) or saw the committed-before state (PostgreSQL),
      // never the half-written transaction with x but not y.
      const y = await read;
      const x = await store.getState('x');
      expect(x).toBe('inside');
      expect([undefined, 'inside']).toContain(y);
    });

    it('saves, replaces, lists and deletes Teams conversation references', async () => {
      const { store } = await fresh();
      const ref = { conversation: { id: '19:abc@thread.tacv2', isGroup: true }, serviceUrl: 'https://smba.trafficmanager.net/emea/', channelId: 'msteams' };
      await store.saveConversation({ id: '19:abc@thread.tacv2', reference: ref, name: 'Ops alerts' });
      await store.saveConversation({ id: '19:abc@thread.tacv2', reference: { ...ref, serviceUrl: 'https://smba.example/new/' }, name: 'Ops alerts' });
      await store.saveConversation({ id: '19:def@thread.tacv2', reference: ref });
      const list = await store.listConversations();
      expect(list.map((c) => c.id).sort()).toEqual(['19:abc@thread.tacv2', '19:def@thread.tacv2']);
      expect(list.find((c) => c.id === '19:abc@thread.tacv2')?.reference).toMatchObject({ serviceUrl: 'https://smba.example/new/' });
      await store.deleteConversation('19:def@thread.tacv2');
      expect((await store.listConversations()).map((c) => c.id)).toEqual(['19:abc@thread.tacv2']);
    });

    it('keeps the SPN owner map: an upsert replaces an account\'s SPN set', async () => {
      const { store } = await fresh();
      const scope = 'DC=contoso,DC=test';
      await store.replaceSpnOwners(scope, [
        { dn: 'CN=svc-crm,CN=Users,DC=contoso,DC=test', sAMAccountName: 'svc-crm', whenChanged: '2025-01-01T00:00:00.000Z', disabled: false, spns: ['HTTP/crm.contoso.test', 'HTTP/crm'] },
        { dn: 'CN=svc-old,CN=Users,DC=contoso,DC=test', sAMAccountName: 'svc-old', spns: ['http/CRM.contoso.test'] },
        { dn: 'CN=WEB01,CN=Computers,DC=contoso,DC=test', sAMAccountName: 'WEB01$', disabled: true, spns: ['HOST/web01.contoso.test', 'HOST/WEB01'] },
        { dn: 'CN=svc-web,CN=Users,DC=contoso,DC=test', sAMAccountName: 'svc-web', spns: ['HTTP/web01.contoso.test'] },
        { dn: 'CN=svc-sql,CN=Users,DC=contoso,DC=test', sAMAccountName: 'svc-sql', spns: ['MSSQLSvc/sql01.contoso.test:1433'] },
      ]);
      expect(await store.countSpnOwners(scope)).toBe(5);
      const candidates = await store.spnCollisionCandidates(scope);
      expect(candidates.map((c) => c.sAMAccountName).sort()).toEqual(['WEB01$', 'svc-crm', 'svc-old', 'svc-web']);
      expect(candidates.find((c) => c.sAMAccountName === 'WEB01$')).toMatchObject({ disabled: true, spns: ['HOST/web01.contoso.test', 'HOST/WEB01'] });
      expect(candidates.find((c) => c.sAMAccountName === 'svc-crm')).toMatchObject({ disabled: false, whenChanged: '2025-01-01T00:00:00.000Z' });

      // The duplicate is removed from svc-old (its SPN set is replaced), svc-web is deleted.
      await store.upsertSpnOwners(scope, [{ dn: 'CN=svc-old,CN=Users,DC=contoso,DC=test', sAMAccountName: 'svc-old', spns: ['HTTP/old.contoso.test'] }]);
      await store.deleteSpnOwners(scope, ['CN=svc-web,CN=Users,DC=contoso,DC=test']);
      expect(await store.spnCollisionCandidates(scope)).toEqual([]);
      expect((await store.loadSpnOwners(scope, { dns: ['CN=svc-old,CN=Users,DC=contoso,DC=test'] }))[0].spns).toEqual(['HTTP/old.contoso.test']);
      // An account whose SPN set became empty leaves the map.
      await store.upsertSpnOwners(scope, [{ dn: 'CN=svc-old,CN=Users,DC=contoso,DC=test', sAMAccountName: 'svc-old', spns: [] }]);
      expect(await store.countSpnOwners(scope)).toBe(3);
      // Scopes are separate.
      expect(await store.countSpnOwners('DC=fabrikam,DC=test')).toBe(0);
    });

    it('finds the partners of changed SPNs, stages a scope and swaps it in', async () => {
      const { store } = await fresh();
      await store.replaceSpnOwners('live', [
        { dn: 'CN=a', sAMAccountName: 'a', spns: ['HTTP/crm.contoso.test'] },
        { dn: 'CN=b', sAMAccountName: 'b', spns: ['HOST/crm.contoso.test', 'HOST/crm'] },
        { dn: 'CN=c', sAMAccountName: 'c', spns: ['HTTP/other.contoso.test'] },
      ]);
      expect((await store.spnOwnersSharing('live', ['http/CRM.contoso.test'])).map((o) => o.dn)).toEqual(['CN=a', 'CN=b']);
      expect((await store.spnOwnersSharing('live', ['MSSQLSvc/crm'])).map((o) => o.dn)).toEqual(['CN=b']);
      expect(await store.spnOwnersSharing('live', ['HTTP/none'])).toEqual([]);

      await store.upsertSpnOwners('live#staging-1', [{ dn: 'CN=z', sAMAccountName: 'z', spns: ['HTTP/z'] }]);
      await store.upsertSpnOwners('live#staging-0', [{ dn: 'CN=y', sAMAccountName: 'y', spns: ['HTTP/y'] }]);
      await store.moveSpnOwners('live#staging-1', 'live');
      expect((await store.loadSpnOwners('live')).map((o) => o.dn)).toEqual(['CN=z']);
      expect(await store.countSpnOwners('live#staging-1')).toBe(0);
      expect(await store.spnCollisionCandidates('live')).toEqual([]);
      await store.clearSpnOwners('live#staging-', { prefix: true });
      expect(await store.countSpnOwners('live#staging-0')).toBe(0);
      expect(await store.countSpnOwners('live')).toBe(1);
    });

    it('writes and reads a large owner map in batches', async () => {
      const { store } = await fresh();
      const owners = Array.from({ length: 1500 }, (_, i) => ({ dn: `CN=svc${i},OU=Svc,DC=contoso,DC=test`, sAMAccountName: `svc${i}`, spns: [`HTTP/app${i}.contoso.test`, `HTTP/app${i}`] }));
      owners.push({ dn: 'CN=dup,OU=Svc,DC=contoso,DC=test', sAMAccountName: 'dup', spns: ['HTTP/app7.contoso.test'] });
      await store.replaceSpnOwners('s', owners);
      expect(await store.countSpnOwners('s')).toBe(1501);
      expect((await store.spnCollisionCandidates('s')).map((o) => o.sAMAccountName).sort()).toEqual(['dup', 'svc7']);
      expect(await store.loadSpnOwners('s', { dns: owners.slice(0, 450).map((o) => o.dn) })).toHaveLength(450);
    });

    it('stores SPN change requests and changes their status only from the expected one', async () => {
      const { store } = await fresh();
      await store.insertApproval(anApproval());
      expect(await store.getApproval('chg-0001')).toMatchObject({ status: 'pending', requester: alice, changes: [{ action: 'remove' }] });
      expect(await store.getApproval('chg-nope')).toBeUndefined();
      const decidedAt = new Date().toISOString();
      expect(await store.updateApproval('chg-0001', 'pending', { status: 'approved', decidedBy: bob, decidedAt, decisionReason: 'ok', commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\svc-old'] })).toBe(true);
      // A second decision loses: the status is no longer pending.
      expect(await store.updateApproval('chg-0001', 'pending', { status: 'rejected', decidedBy: alice })).toBe(false);
      const a = await store.getApproval('chg-0001');
      expect(a).toMatchObject({ status: 'approved', decidedBy: bob, decidedAt, decisionReason: 'ok', commands: ['setspn -D HTTP/crm.contoso.test CONTOSO\\svc-old'] });
      await store.insertApproval(anApproval({ id: 'chg-0002', createdAt: new Date(Date.now() + 1000).toISOString() }));
      expect((await store.listApprovals({ status: 'pending' })).map((x) => x.id)).toEqual(['chg-0002']);
      expect((await store.listApprovals()).map((x) => x.id)).toEqual(['chg-0002', 'chg-0001']);
    });

    it('appends audit events in order', async () => {
      const { store } = await fresh();
      const at = new Date().toISOString();
      await store.appendAudit({ requestId: 'chg-1', at, actor: alice, action: 'requested', detail: { changes: 1 } });
      await store.appendAudit({ requestId: 'chg-2', at, actor: alice, action: 'requested' });
      await store.appendAudit({ requestId: 'chg-1', at, actor: bob, action: 'approved', detail: { reason: 'ok' } });
      const events = await store.listAudit({ requestId: 'chg-1' });
      expect(events.map((e) => [e.action, e.actor.id])).toEqual([
        ['requested', 'U0ALICE'],
        ['approved', 'aad-bob'],
      ]);
      expect(events[0].detail).toEqual({ changes: 1 });
      expect(await store.listAudit()).toHaveLength(3);
    });

    it('keeps the command audit in order and lists it from a time on', async () => {
      const { store, reopen } = await fresh();
      await store.appendCommandAudit({ at: '2026-12-01T10:00:00.000Z', surface: 'slack', actor: { id: 'U0ALICE', name: 'alice' }, channelId: 'C0INCIDENT', command: 'spn list', text: '/spn list crmweb', outcome: 'ok', durationMs: 41.6 });
      await store.appendCommandAudit({ at: '2026-12-01T11:00:00.000Z', surface: 'teams', actor: { id: 'aad-bob' }, command: 'krb why-401', outcome: 'refused', code: 'place', durationMs: 0 });
      await store.appendCommandAudit({ at: '2026-12-01T12:00:00.000Z', surface: 'cli', actor: { id: 'root' }, command: 'spn dupes', outcome: 'error', code: 'DIRECTORY_UNAVAILABLE', durationMs: 5003 });
      const again = await reopen();
      const all = await again.listCommandAudit();
      expect(all.map((e) => [e.command, e.outcome])).toEqual([
        ['spn list', 'ok'],
        ['krb why-401', 'refused'],
        ['spn dupes', 'error'],
      ]);
      expect(all[0]).toEqual({ id: all[0].id, at: '2026-12-01T10:00:00.000Z', surface: 'slack', actor: { id: 'U0ALICE', name: 'alice' }, channelId: 'C0INCIDENT', command: 'spn list', text: '/spn list crmweb', outcome: 'ok', durationMs: 42 });
      expect(all[1]).toEqual({ id: all[1].id, at: '2026-12-01T11:00:00.000Z', surface: 'teams', actor: { id: 'aad-bob' }, command: 'krb why-401', outcome: 'refused', code: 'place', durationMs: 0 });
      expect((await again.listCommandAudit({ since: '2026-12-01T11:00:00.000Z' })).map((e) => e.command)).toEqual(['krb why-401', 'spn dupes']);
      expect(await again.listCommandAudit({ since: '2026-12-01T12:00:00.001Z' })).toEqual([]);
    });
  });
}
