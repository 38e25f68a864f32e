/**
 * The duplicate-SPN watch against a real domain controller (its own Samba lab: these tests write
 * duplicates). The scenario already has one duplicate (HTTP/crm.contoso.test on crmweb and crmweb2)
 * and two alias collisions (crmweb's HTTP/ndcrmsrv1[.contoso.test] while NDCRMSRV1$ holds HOST/…).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, requireLdap, type Config } from '../../src/config.js';
import { openDirectory } from '../../src/directory/ldap-directory.js';
import { dupesStateKey, dupesWatchJob, type DupesState, type DupesWatchSummary } from '../../src/jobs/dupes-watch.js';
import { Scheduler, type TickResult } from '../../src/jobs/scheduler.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { RecordingNotifier } from '../helpers/recording-notifier.js';
import { openStore } from '../../src/store/index.js';
import type { SpnIssue } from '../../src/model/index.js';
import type { Store } from '../../src/store/types.js';
import { startLab, type Lab } from '../lab/lab.js';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';

const OU = 'OU=Service Accounts,DC=contoso,DC=test';
const SCOPE = 'DC=contoso,DC=test';
let lab: Lab;
let config: Config;
const root = mkdtempSync(join(tmpdir(), 'krbops-dupes-'));

beforeAll(async () => {
  lab = await startLab();
  config = loadConfig({ ...lab.env(), KRBOPS_DB: join(root, 'krbops.db') });
}, 180_000);
afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

let minute = 0;
/** A distinct tick per run, as cron would give. */
const nextTick = () => new Date(Date.UTC(2025, 2, 1, 10, minute++));

interface Replica {
  store: Store;
  scheduler: Scheduler;
  chat: RecordingNotifier;
  metrics: Metrics;
  close(): Promise<void>;
}

/** Counts the directory calls a run makes (the real directory underneath). */
const calls: string[] = [];
const counted = <T extends object>(dir: T): T =>
  new Proxy(dir, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (...args: unknown[]) => (calls.push(String(prop)), v.apply(target, args)) : v;
    },
  });

async function replica(dbUrl: string, o: { holder?: string; beforeCommit?: () => Promise<void>; recheckPerRun?: number } = {}): Promise<Replica> {
  const store = await openStore(dbUrl);
  const chat = new RecordingNotifier('chat');
  const metrics = new Metrics();
  const scheduler = new Scheduler({
    config,
    store,
    jobs: [dupesWatchJob(config, { beforeCommit: o.beforeCommit, recheckPerRun: o.recheckPerRun })],
    log: silentLogger,
    notifiers: [chat],
    openDirectory: async () => counted(await openDirectory(requireLdap(config), silentLogger)),
    metrics,
    holder: o.holder,
  });
  return {
    store,
    scheduler,
    chat,
    metrics,
    async close() {
      await scheduler.stop();
      await store.close();
    },
  };
}

function ran(r: TickResult): DupesWatchSummary {
  if (r.status !== 'ran') throw new Error(`tick skipped: ${r.reason}`);
  if (r.outcome !== 'ok') throw new Error(`run failed: ${r.error}`);
  return r.summary as DupesWatchSummary;
}

describe('dupes-watch on SQLite against the lab', () => {
  const db = () => join(root, 'krbops.db');
  let r: Replica;

  it('first run: scans everything, records the baseline and posts ONE summary', async () => {
    r = await replica(db());
    const s = ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(s).toMatchObject({ mode: 'full', reason: 'baseline', scope: SCOPE, duplicates: 1, aliasCollisions: 2, alertsPosted: 1 });
    expect(s.accountsRead).toBeGreaterThanOrEqual(10);
    expect(r.chat.alerts).toHaveLength(1);
    const [summary] = r.chat.alerts;
    expect(summary).toMatchObject({ key: `dupes:${SCOPE}:baseline`, title: 'Duplicate SPN watch started: 1 duplicate, 2 alias collisions', job: 'dupes-watch' });
    expect(summary.text).toContain('HTTP/crm.contoso.test — on crmweb, crmweb2');
    const state = await r.store.getState<DupesState>(dupesStateKey(SCOPE));
    expect(state?.usn).toMatch(/^\d+$/);
    expect(state?.dc.dsServiceName).toMatch(/^CN=NTDS Settings,CN=DC1,/i);
  });

  it('a run without changes is incremental and posts nothing', async () => {
    r.chat.clear();
    const s = ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(s).toMatchObject({ mode: 'incremental', appeared: 0, resolved: 0, duplicates: 1, aliasCollisions: 2 });
    expect(r.chat.alerts).toEqual([]);
  });

  it('re-reads the accounts of the standing issues in one search by DN, not one search per issue', async () => {
    calls.length = 0;
    const s = ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(s).toMatchObject({ mode: 'incremental', rechecked: 3, duplicates: 1, aliasCollisions: 2 });
    expect(calls.filter((c) => c === 'spnHolders')).toEqual([]);
    expect(calls.filter((c) => c === 'accountsByDn')).toEqual(['accountsByDn']);
  });

  it('a duplicate added between two runs gives exactly one alert, with the accounts, whenChanged and the fix', async () => {
    await lab.addUser('watch-a', { ou: OU, spns: ['HTTP/intranet.contoso.test', 'HTTP/intranet'] });
    await lab.addUser('watch-b', { ou: OU });
    await lab.addDuplicateSpn('watch-b', 'HTTP/intranet.contoso.test');
    r.chat.clear();
    const s = ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(s).toMatchObject({ mode: 'incremental', appeared: 1, duplicates: 2, alertsPosted: 1 });
    expect(s.accountsRead).toBeLessThan(10);
    expect(r.chat.alerts).toHaveLength(1);
    const [alert] = r.chat.alerts;
    expect(alert.title).toBe('New duplicate SPN: HTTP/intranet.contoso.test');
    expect(alert.text).toMatch(/CONTOSO\\watch-a \(CN=watch-a,OU=Service Accounts,DC=contoso,DC=test\), changed \d{4}-\d\d-\d\dT/);
    expect(alert.text).toMatch(/CONTOSO\\watch-b \(CN=watch-b,OU=Service Accounts,DC=contoso,DC=test\), changed /);
    // One removal per holder, each under its own condition; none that removes it from both.
    expect(alert.findings?.[0].fix.commands).toEqual([]);
    expect(alert.findings?.[0].fix.alternatives).toEqual(['watch-a', 'watch-b'].map((a) => ({ when: `If CONTOSO\\${a} does not run the service:`, commands: [`setspn -D HTTP/intranet.contoso.test CONTOSO\\${a}`] })));
    expect(alert.text).toContain('If CONTOSO\\watch-a does not run the service:\n  setspn -D HTTP/intranet.contoso.test CONTOSO\\watch-a\nIf CONTOSO\\watch-b');
    // The next run does not repeat it.
    r.chat.clear();
    ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(r.chat.alerts).toEqual([]);
  });

  it('after a restart (a new store handle on the same file) nothing is posted again', async () => {
    await r.close();
    r = await replica(db());
    const s = ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(s).toMatchObject({ mode: 'incremental', duplicates: 2, appeared: 0 });
    expect(r.chat.alerts).toEqual([]);
  });

  it('removing the duplicate gives one short "resolved" note', async () => {
    await lab.removeSpn('watch-b', 'HTTP/intranet.contoso.test', { raw: true });
    const s = ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(s).toMatchObject({ mode: 'incremental', resolved: 1, duplicates: 1 });
    expect(r.chat.alerts.map((a) => a.title)).toEqual(['Resolved: HTTP/intranet.contoso.test is no longer a duplicate']);
  });

  it('a duplicate that comes back is announced again, and resolves when its account is deleted', async () => {
    await lab.addUser('watch-c', { ou: OU });
    await lab.addDuplicateSpn('watch-c', 'HTTP/intranet.contoso.test');
    r.chat.clear();
    ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(r.chat.alerts.map((a) => a.title)).toEqual(['New duplicate SPN: HTTP/intranet.contoso.test']);
    // A deleted account is not in the incremental delta: the standing duplicate is re-checked in AD.
    await lab.deleteObject('watch-c');
    r.chat.clear();
    const s = ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(s).toMatchObject({ mode: 'incremental', resolved: 1 });
    expect(s.rechecked).toBeGreaterThanOrEqual(1);
    expect(r.chat.alerts.map((a) => a.title)).toEqual(['Resolved: HTTP/intranet.contoso.test is no longer a duplicate']);
  });

  it('reads the standing issues\' accounts again in turn, KRBOPS_DUPES_RECHECK_PER_RUN at a time, and still sees a deletion', async () => {
    const x = await replica(join(root, 'turns.db'), { recheckPerRun: 1 });
    try {
      expect(ran(await x.scheduler.runTick('dupes-watch', nextTick()))).toMatchObject({ mode: 'full' });
      await lab.addUser('watch-f', { ou: OU, spns: ['HTTP/turns.contoso.test'] });
      await lab.addUser('watch-g', { ou: OU });
      await lab.addDuplicateSpn('watch-g', 'HTTP/turns.contoso.test');
      expect(ran(await x.scheduler.runTick('dupes-watch', nextTick()))).toMatchObject({ mode: 'incremental', appeared: 1 });
      await lab.deleteObject('watch-g');
      const state = async () => (await x.store.getState<DupesState>(dupesStateKey(SCOPE)))!;
      // Every DN of a standing issue, as the runs will take them: in order after the cursor.
      const accountsOf = (i: SpnIssue) => (i.kind === 'duplicate' ? i.accounts : [...(i.serviceAccounts ?? []), ...(i.hostAccounts ?? [])]);
      const standing = [...new Set(Object.values((await state()).issues).flatMap((i) => accountsOf(i).map((a) => a.dn.toLowerCase())))].sort();
      expect(standing).toContain('cn=watch-g,ou=service accounts,dc=contoso,dc=test');
      const cursors: string[] = [];
      let resolvedAfter = 0;
      while (!resolvedAfter && cursors.length <= standing.length) {
        x.chat.clear();
        const s = ran(await x.scheduler.runTick('dupes-watch', nextTick()));
        expect(s).toMatchObject({ mode: 'incremental', recheckedAccounts: 1 });
        cursors.push((await state()).recheckCursor!);
        if (s.resolved) resolvedAfter = cursors.length;
      }
      // One account per run, a different one each run, and the deleted holder's turn came within one lap.
      expect(resolvedAfter).toBeGreaterThan(0);
      expect(resolvedAfter).toBeLessThanOrEqual(standing.length);
      expect(new Set(cursors).size).toBe(cursors.length);
      expect(cursors.at(-1)).toBe('cn=watch-g,ou=service accounts,dc=contoso,dc=test');
      expect(x.chat.alerts.map((a) => a.title)).toEqual(['Resolved: HTTP/turns.contoso.test is no longer a duplicate']);
    } finally {
      await lab.deleteObject('watch-f').catch(() => undefined);
      await x.close();
    }
  });

  it('falls back to a full scan when the DC changes, without re-posting what is known', async () => {
    const key = dupesStateKey(SCOPE);
    const state = (await r.store.getState<DupesState>(key))!;
    await r.store.setState(key, { ...state, dc: { ...state.dc, dsServiceName: 'CN=NTDS Settings,CN=DC2,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=contoso,DC=test' } });
    r.chat.clear();
    const s = ran(await r.scheduler.runTick('dupes-watch', nextTick()));
    expect(s).toMatchObject({ mode: 'full', reason: 'dc-changed', appeared: 0, resolved: 0, duplicates: 1, aliasCollisions: 2 });
    expect(r.chat.alerts).toEqual([]);
    expect(ran(await r.scheduler.runTick('dupes-watch', nextTick()))).toMatchObject({ mode: 'incremental' });
  });

  it('counts the run in the metrics and records it in the store', async () => {
    expect(r.metrics.jobRuns.get({ job: 'dupes-watch', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    const [last] = await r.store.lastRuns();
    expect(last).toMatchObject({ job: 'dupes-watch', outcome: 'ok' });
    await r.close();
  });
});

describe('dupes-watch with two replicas on PostgreSQL against the lab', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs a tick fired by both replicas once, and posts one summary', async () => {
    const url = await cluster.createDatabase();
    const a = await replica(url, { holder: 'replica-a' });
    const b = await replica(url, { holder: 'replica-b' });
    try {
      const tick = nextTick();
      const results = await Promise.all([a.scheduler.runTick('dupes-watch', tick), b.scheduler.runTick('dupes-watch', tick)]);
      expect(results.map((x) => x.status).sort()).toEqual(['ran', 'skipped']);
      expect(await a.store.listRuns({ job: 'dupes-watch' })).toHaveLength(1);
      expect([...a.chat.alerts, ...b.chat.alerts].map((x) => x.title)).toEqual(['Duplicate SPN watch started: 1 duplicate, 2 alias collisions']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a run aborted before its commit loses nothing: the next tick (on the other replica) does the work, without a repeat alert', async () => {
    const url = await cluster.createDatabase();
    const a = await replica(url, {
      holder: 'replica-a',
      beforeCommit: async () => {
        if (crash) throw new Error('replica-a stopped before its commit');
      },
    });
    let crash = false;
    const b = await replica(url, { holder: 'replica-b' });
    try {
      ran(await a.scheduler.runTick('dupes-watch', nextTick())); // baseline
      await lab.addUser('watch-d', { ou: OU, spns: ['HTTP/wiki.contoso.test'] });
      await lab.addUser('watch-e', { ou: OU });
      await lab.addDuplicateSpn('watch-e', 'HTTP/wiki.contoso.test');
      a.chat.clear();
      crash = true;
      const aborted = await a.scheduler.runTick('dupes-watch', nextTick());
      expect(aborted).toMatchObject({ status: 'ran', outcome: 'failed', error: 'Error: replica-a stopped before its commit' });
      // It had posted the new duplicate before it stopped.
      expect(a.chat.alerts.map((x) => x.title)).toEqual(['New duplicate SPN: HTTP/wiki.contoso.test']);
      const state = await b.store.getState<DupesState>(dupesStateKey(SCOPE));
      expect(Object.keys(state!.issues)).not.toContain('duplicate|http/wiki.contoso.test');

      const s = ran(await b.scheduler.runTick('dupes-watch', nextTick()));
      expect(s).toMatchObject({ mode: 'incremental', appeared: 1, alertsPosted: 0 });
      expect(b.chat.alerts).toEqual([]);
      const after = await b.store.getState<DupesState>(dupesStateKey(SCOPE));
      expect(Object.keys(after!.issues)).toContain('duplicate|http/wiki.contoso.test');
      expect(ran(await b.scheduler.runTick('dupes-watch', nextTick()))).toMatchObject({ appeared: 0 });
    } finally {
      await lab.deleteObject('watch-e').catch(() => undefined);
      await a.close();
      await b.close();
    }
  });
});
