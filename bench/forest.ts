/**
 * Forest-scale benchmark: `krbops spn dupes` against a raw `ldapsearch -E pr=1000 | awk` pipeline
 * finding the same duplicate set, on Samba AD labs with N SPN-holding accounts (bench/forest-data.ts),
 * plus one incremental duplicate-watch cycle after 10 accounts change (bench/forest-watch.ts).
 *
 *   npm run build && npx tsx bench/forest.ts [sizes=20000,50000,200000] [rounds=3]
 *
 * Each size is seeded once and kept as a tar of the stopped DC folder under /var/tmp/krbops-bench
 * (KRBOPS_BENCH_CACHE); later runs restore it in seconds. Rounds alternate baseline and krbops.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { attr, startLab, type Lab } from '../test/lab/lab.js';
import { forestDuplicatePairs, seedForest } from './forest-data.js';
import { benchWatch } from './forest-watch.js';
import { verifyForestLab } from './forest-verify.js';
import { CACHE_DIR, alternate, cpuProfileSummary, fmt, load, machine, median, ratio, timed } from './lib.js';

const sizes = (process.argv[2] ?? '20000,50000,200000').split(',').map(Number);
const rounds = Number(process.argv[3] ?? 3);
const only = process.env.KRBOPS_BENCH_ONLY; // "dupes" | "watch" | "verify" | "seed" (build the cached labs only)
/** LDAP_TIMEOUT_MS for the krbops runs (see benchDupes); printed with the tables. */
export const BENCH_LDAP_TIMEOUT_MS = process.env.LDAP_TIMEOUT_MS ?? '30000';
/** The installed CLI (package.json bin): the bundle. */
const CLI = 'dist/bin/krbops.mjs';
const log = (l: string) => console.error(l);
const profiles: string[] = [];

/** Version of the generator in the cache key: change it when forest-data.ts changes what it writes. */
const DATA_VERSION = 4;

export async function forestLab(n: number, options: { detached?: boolean } = {}): Promise<Lab> {
  const snapshot = path.join(CACHE_DIR, `forest-v${DATA_VERSION}-${n}.tar`);
  const cached = existsSync(snapshot);
  const t = performance.now();
  const lab = await startLab({ snapshot, seed: (l) => seedForest(l, n, log), log, maxRuntimeSeconds: 3 * 3600, detached: options.detached });
  log(`${n} accounts: lab ${cached ? 'restored from' : 'seeded into'} ${snapshot} and serving in ${Math.round(performance.now() - t)} ms (load ${load()})`);
  await raiseQueryDuration(lab, 1800);
  return lab;
}

/**
 * Samba, like AD, ends any search after the Default Query Policy's MaxQueryDuration (120 s). Unlike
 * AD, Samba builds a paged search's whole result before page one, so on this 2-core machine a
 * 200 000-account scan exceeds it ("Operations error" from ldb_wait) for krbops and ldapsearch
 * alike. The forest labs raise it, as an AD admin can (ntdsutil / the same attribute).
 */
async function raiseQueryDuration(lab: Lab, seconds: number): Promise<void> {
  const dn = `CN=Default Query Policy,CN=Query-Policies,CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,${lab.baseDn}`;
  const [policy] = await lab.ldbsearch('(objectClass=queryPolicy)', ['lDAPAdminLimits'], dn);
  const old = attr(policy, 'lDAPAdminLimits').find((v) => /^MaxQueryDuration=/i.test(v));
  await lab.modify(dn, [...(old ? [{ op: 'delete' as const, attr: 'lDAPAdminLimits', values: [old] }] : []), { op: 'add', attr: 'lDAPAdminLimits', values: [`MaxQueryDuration=${seconds}`] }]);
  log(`${lab.baseDn}: MaxQueryDuration ${old ?? 'unset'} → ${seconds} s`);
}

const AWK = `/^dn: /{dn=substr($0,5);next} /^servicePrincipalName: /{k=tolower(substr($0,23)); if(!((k SUBSEP dn) in s)){s[k SUBSEP dn]=1;c[k]++}} END{for(k in c) if(c[k]>1) print k}`;

async function benchDupes(lab: Lab, n: number): Promise<string> {
  // The first page has LDAP_SCAN_TIMEOUT_MS (default 5 min: the DC builds the whole result first). Every other
  // request gets BENCH_LDAP_TIMEOUT_MS: at load 10–15 on 2 cores a DC page or lookup can take longer than 5 s.
  const env = { ...process.env, ...lab.env(), LDAP_GC_URL: '', LDAP_TIMEOUT_MS: BENCH_LDAP_TIMEOUT_MS };
  const ldapEnv = { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' };
  const pipeline = `ldapsearch -LLL -o ldif-wrap=no -x -H "$URL" -D "$BINDUPN" -w "$BINDPW" -b "$BASE" -E pr=1000/noprompt '(servicePrincipalName=*)' servicePrincipalName sAMAccountName | awk '${AWK}'`;
  const baseline = () => timed('sh', ['-c', pipeline], { env: { ...ldapEnv, URL: lab.ldapsUrl, BINDUPN: lab.bindUpn, BINDPW: lab.bindPassword, BASE: lab.baseDn } });
  const krbops = () => timed(process.execPath, [CLI, 'spn', 'dupes', '--json'], { env });
  // KRBOPS_BENCH_PAGE_SIZE=1000: a third arm in the same rounds (A, B, C, A, B, C…), krbops with that LDAP_PAGE_SIZE.
  const page = process.env.KRBOPS_BENCH_PAGE_SIZE;
  const third: number[] = [];
  const krbopsPaged = () => {
    const t = performance.now();
    timed(process.execPath, [CLI, 'spn', 'dupes', '--json'], { env: { ...env, LDAP_PAGE_SIZE: page } });
    return performance.now() - t;
  };
  let warm = !page;
  const load0 = load();
  const r = await alternate(rounds, baseline, () => {
    const out = krbops();
    if (page) {
      const ms = krbopsPaged();
      if (warm) third.push(ms); // the first call is its warm-up
      warm = true;
    }
    return out;
  });
  const load1 = load();
  log(`${n} rounds (ms): ldapsearch + awk ${r.a.map(fmt).join(', ')}; krbops ${r.b.map(fmt).join(', ')}${page ? `; krbops LDAP_PAGE_SIZE=${page} (each right after krbops) ${third.map(fmt).join(', ')}` : ''}`);

  // Same duplicate set on both sides, and it contains every duplicate the generator planted.
  const awkSet = new Set(r.lastA.stdout.split('\n').filter(Boolean));
  const doc = JSON.parse(r.lastB.stdout) as { duplicates: { spn: string }[]; scanned: { accounts: number; spns: number } };
  const ours = new Set(doc.duplicates.map((d) => d.spn.toLowerCase()));
  const same = awkSet.size === ours.size && [...awkSet].every((k) => ours.has(k));
  if (!same) throw new Error(`duplicate sets differ: awk ${awkSet.size}, krbops ${ours.size}`);
  const planted = forestDuplicatePairs(n).map((p) => p.spn.toLowerCase());
  if (!planted.every((k) => ours.has(k))) throw new Error('krbops missed a planted duplicate');

  const rss = r.lastB.rssMb ?? NaN;
  // One more krbops run under --cpu-prof: where its wall time goes.
  const profDir = mkdtempSync(join(tmpdir(), 'krbops-prof-'));
  const profiled = timed(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, CLI, 'spn', 'dupes', '--json'], { env });
  const prof = cpuProfileSummary(profDir);
  rmSync(profDir, { recursive: true, force: true });
  profiles.push(
    `- ${n} accounts, one profiled run of ${fmt(prof.totalMs)} ms: ${prof.parts.slice(0, 6).map(([k, v]) => `${k} ${((100 * v) / prof.totalMs).toFixed(0)} %`).join(', ')}; ` +
      `CPU (user + sys) of the last krbops run ${fmt(r.lastB.cpuMs ?? NaN)} ms, of the profiled one ${fmt(profiled.cpuMs ?? NaN)} ms; ldapsearch + awk ${fmt(r.lastA.cpuMs ?? NaN)} ms (the shell's children)`,
  );
  return [
    `| ${n} accounts (${doc.scanned.spns} SPNs, ${ours.size} duplicate SPNs, same set) | ${fmt(median(r.b))} | ${fmt(median(r.a))} | ${ratio(median(r.b), median(r.a))} | ${rss.toFixed(0)} | ${load0} → ${load1} |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('forest.ts')) {
  if (!existsSync(CLI)) throw new Error('run `npm run build` first: the CLI rows time the built krbops');
  const dupesRows: string[] = [];
  const watchRows: string[] = [];
  const verifyRows: string[] = [];
  let current: Lab | undefined;
  // Stopped from outside (timeout, Ctrl-C): take the lab down (its Samba, address and folder) first.
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130)));
  for (const n of sizes) {
    const lab = await forestLab(n);
    current = lab;
    try {
      if (only === 'seed') continue;
      if (!only || only === 'verify') {
        const t = performance.now();
        const lines = await verifyForestLab(lab, n).catch((e: Error) => [`FAILED: ${e.message}`]);
        verifyRows.push(`- ${n} accounts (${fmt(performance.now() - t)} ms):\n${lines.map((l) => `  - ${l}`).join('\n')}`);
        log(verifyRows.at(-1)!);
      }
      if (!only || only === 'dupes') {
        dupesRows.push(await benchDupes(lab, n));
        log(`ROW ${dupesRows.at(-1)}`);
      }
      if (!only || only === 'watch') {
        watchRows.push(await benchWatch(lab, n, rounds, BENCH_LDAP_TIMEOUT_MS));
        log(`ROW ${watchRows.at(-1)}`);
      }
    } finally {
      await lab.stop();
    }
  }
  console.log(`Machine: ${machine()}; ${rounds} alternating rounds after one warm-up each; krbops with LDAP_TIMEOUT_MS=${BENCH_LDAP_TIMEOUT_MS}.\n`);
  if (verifyRows.length) console.log(`The seeded labs answer like a DC (bench/forest-verify.ts):\n${verifyRows.join('\n')}\n`);
  if (dupesRows.length) {
    console.log('| size | krbops `spn dupes --json` median ms | ldapsearch pr=1000 + awk median ms | ratio | krbops peak RSS MB | load 1/5/15 min (start → end) |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    console.log(dupesRows.join('\n'));
    console.log(`\nWhere krbops's time goes (--cpu-prof):\n${profiles.join('\n')}`);
  }
  if (watchRows.length) console.log(`\n${watchRows.join('\n')}`);
}
