/**
 * Incremental duplicate watch at forest scale: one baseline run (a full scan into a SQLite store),
 * then 10 accounts change — 5 gain an SPN another account holds (new duplicates, written raw as
 * Samba refuses them over LDAP, then touched through sam.ldb so their uSNChanged moves), 5 gain a
 * unique SPN — and ONE incremental run must cost ≤ 2 % of the full run and report exactly the 5.
 * Called by bench/forest.ts on each forest lab.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, requireLdap } from '../src/config.js';
import { openDirectory } from '../src/directory/ldap-directory.js';
import { SCAN_ATTRIBUTES } from '../src/directory/ldap-filters.js';
import { dupesStateKey, dupesWatchJob, type DupesState, type DupesWatchSummary } from '../src/jobs/dupes-watch.js';
import { Scheduler, type TickResult } from '../src/jobs/scheduler.js';
import { silentLogger } from '../src/log.js';
import { RecordingNotifier } from '../test/helpers/recording-notifier.js';
import { openStore } from '../src/store/index.js';
import type { Lab } from '../test/lab/lab.js';
import { forestDn, forestDuplicatePairs } from './forest-data.js';
import { fmt, load, median, timed } from './lib.js';

function ran(r: TickResult): DupesWatchSummary {
  if (r.status !== 'ran') throw new Error(`tick skipped: ${r.reason}`);
  if (r.outcome !== 'ok') throw new Error(`run failed: ${r.error}`);
  return r.summary as DupesWatchSummary;
}

export async function benchWatch(lab: Lab, n: number, rounds: number, timeoutMs: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'krbops-bench-watch-'));
  const config = loadConfig({ ...lab.env(), LDAP_GC_URL: '', LDAP_TIMEOUT_MS: timeoutMs, KRBOPS_DB: join(root, 'krbops.db') });
  const store = await openStore(config.dbUrl);
  const chat = new RecordingNotifier('chat');
  const scheduler = new Scheduler({ config, store, jobs: [dupesWatchJob(config)], log: silentLogger, notifiers: [chat], openDirectory: () => openDirectory(requireLdap(config), silentLogger) });
  let minute = 0;
  const tick = async () => {
    const t = performance.now();
    const s = ran(await scheduler.runTick('dupes-watch', new Date(Date.UTC(2026, 0, 1, 0, minute++))));
    return { s, ms: performance.now() - t };
  };
  const planted = new Set(forestDuplicatePairs(n).map((p) => p.a).concat(forestDuplicatePairs(n).map((p) => p.b)));
  const pick = (from: number) => {
    let i = from;
    while (planted.has(i)) i++;
    planted.add(i);
    return i;
  };
  const load0 = load();
  try {
    const full = await tick();
    const fullMs = [full.ms];
    const inc: number[] = [];
    const floor: number[] = [];
    const floorHits: number[] = [];
    const perRound: string[] = [];
    const ldapEnv = { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' };
    let last: DupesWatchSummary | undefined;
    let exact = true;
    for (let round = 0; round < rounds; round++) {
      // 10 changes: 5 new duplicates (holder → copier), 5 unique SPNs.
      const expected: string[] = [];
      for (let k = 0; k < 5; k++) {
        const holder = pick(Math.floor((n * (round * 10 + k + 1)) / 61));
        const copier = pick(Math.floor((n * (round * 10 + k + 6)) / 67));
        const spn = `HTTP/fapp${holder}`;
        await lab.addDuplicateSpn(forestDn(copier), spn);
        expected.push(spn.toLowerCase());
        await lab.addSpn(forestDn(pick(Math.floor((n * (round * 10 + k + 3)) / 71))), `HTTP/watch-r${round}-${k}.contoso.test`);
      }
      // The floor: the same search changedSince sends, by OpenLDAP's ldapsearch, just before the cycle.
      const state = await store.getState<DupesState>(dupesStateKey(lab.baseDn));
      if (!state?.usn) throw new Error('no watermark after the baseline');
      const f = timed('ldapsearch', ['-LLL', '-o', 'ldif-wrap=no', '-x', '-H', lab.ldapsUrl, '-D', lab.bindUpn, '-w', lab.bindPassword, '-b', lab.baseDn, '-E', 'pr=500/noprompt', `(uSNChanged>=${BigInt(state.usn) + 1n})`, ...SCAN_ATTRIBUTES, 'objectClass'], { env: ldapEnv });
      floor.push(f.ms);
      floorHits.push((f.stdout.match(/^dn: /gm) ?? []).length);
      chat.clear();
      const r = await tick();
      inc.push(r.ms);
      perRound.push(`| ${round + 1} | ${fmt(f.ms)} (${floorHits.at(-1)} objects) | ${fmt(r.ms)} | ${r.s.accountsRead} | ${r.s.rechecked} (${r.s.recheckedAccounts} accounts read) | ${r.s.appeared} |`);
      last = r.s;
      const got = chat.alerts.map((a) => /^New duplicate SPN: (.*)$/.exec(a.title)?.[1]?.toLowerCase()).filter(Boolean) as string[];
      const ok = r.s.mode === 'incremental' && r.s.appeared === 5 && got.length === 5 && expected.every((e) => got.includes(e));
      if (!ok) {
        exact = false;
        console.error(`watch round ${round}: expected ${expected.join(', ')}; got mode ${r.s.mode}, appeared ${r.s.appeared}, alerts ${got.join(', ')}`);
      }
    }
    const load1 = load();
    const pct = (100 * median(inc)) / median(fullMs);
    return [
      `Incremental watch at ${n} accounts (load ${load0} → ${load1}):`,
      '',
      '| run | ms | accounts read | result |',
      '| --- | ---: | ---: | --- |',
      `| baseline (full scan into SQLite) | ${fmt(full.ms)} | ${full.s.accountsRead} | ${full.s.duplicates} duplicates |`,
      `| incremental after 10 changed accounts (median of ${rounds}) | ${fmt(median(inc))} | ${last?.accountsRead} | ${exact ? 'exactly the 5 new duplicates, every round' : 'MISMATCH (see stderr)'} |`,
      `| incremental / full | ${pct.toFixed(2)} % | | target ≤ 2 % |`,
      `| the floor: \`ldapsearch (uSNChanged>=watermark+1)\` alone (median of ${rounds}) / full | ${((100 * median(floor)) / median(fullMs)).toFixed(2)} % | | the DC's own walk |`,
      '',
      '| round | floor: ldapsearch ms | watch cycle ms | accounts read | standing issues re-checked | new duplicates |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...perRound,
    ].join('\n');
  } finally {
    await scheduler.stop();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
}
