/**
 * Benchmark: `krb etypes` against `spn dupes` on the same Samba AD lab, in one run. Both scan every
 * account holding an SPN once (paged); etypes reads more attributes and classifies each account.
 *
 *   npm run build && npx tsx bench/etypes.ts [accounts=20000] [rounds=5]
 *
 * Rounds alternate the two commands (dupes, etypes, dupes, etypes…) so machine load hits both alike.
 * "in-process" rows reuse one connection, as the bot does; "CLI" rows spawn the built krbops.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { openDirectory } from '../src/directory/ldap-directory.js';
import { EtypesAccumulator } from '../src/etypes/report.js';
import { silentLogger } from '../src/log.js';
import { SpnScan } from '../src/spn/spn-scan.js';
import { forestLab } from './forest.js';
import { load, machine, timed } from './lib.js';

const [n = 20000, rounds = 5] = process.argv.slice(2).map(Number);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The built CLI to time (KRBOPS_BENCH_CLI: another checkout's bundle, for a before/after run). */
const CLI = process.env.KRBOPS_BENCH_CLI ?? 'dist/bin/krbops.mjs';

async function pair(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number[], number[]]> {
  await a();
  await b(); // warm-up
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    await a();
    ta.push(performance.now() - t);
    t = performance.now();
    await b();
    tb.push(performance.now() - t);
  }
  return [ta, tb];
}

if (!existsSync(CLI)) throw new Error('run `npm run build` first: the CLI rows time the built krbops');
// The forest lab of bench/forest.ts (cached tar): n accounts with three SPNs each, msDS-SupportedEncryptionTypes
// not set and no password set, so every one is "fails now" with reasons and a fix (the biggest JSON document).
const lab = await forestLab(n);
const load0 = load();
const rss: Record<string, number> = {};
try {
  const env = { ...process.env, ...lab.env(), LDAP_GC_URL: '' };
  const config = loadConfig(env);
  const cli = async (...args: string[]) => {
    const r = timed(process.execPath, [CLI, ...args, '--json'], { env });
    rss[args.join(' ')] = Math.max(rss[args.join(' ')] ?? 0, r.rssMb ?? 0);
    return r.stdout;
  };
  const etypesDoc = JSON.parse(await cli('krb', 'etypes')) as { accounts: { risk: string }[] };
  const counts: Record<string, number> = {};
  for (const a of etypesDoc.accounts) counts[a.risk] = (counts[a.risk] ?? 0) + 1;
  console.error(`krb etypes classified ${etypesDoc.accounts.length} accounts: ${JSON.stringify(counts)}`);

  const rows: [string, number[], number[]][] = [];
  const [cd, ce] = await pair(() => cli('spn', 'dupes'), () => cli('krb', 'etypes'));
  rows.push([`CLI (${etypesDoc.accounts.length} accounts, --json)`, cd, ce]);

  const dir = await openDirectory(config.ldap!, silentLogger);
  try {
    const [id, ie] = await pair(
      async () => {
        // What `spn dupes` runs (commands/spn-dupes.ts).
        const scan = new SpnScan(await dir.spnMappings());
        for await (const page of dir.scanSpnPages()) for (const a of page) scan.add(a.dn, a.servicePrincipalName);
        return scan.result(await dir.accountsByDn(scan.candidates()), config.dupesAllowList);
      },
      async () => {
        const acc = new EtypesAccumulator(await dir.domainKeyFacts(), { netbios: 'CONTOSO' }, new Date());
        for await (const a of dir.scanEncryptionTypes()) acc.add(a);
        return acc.result();
      },
    );
    rows.push(['in-process (one connection, as the bot runs it)', id, ie]);
  } finally {
    await dir.close();
  }

  console.log(`\nMachine: ${machine()}; load 1/5/15 min ${load0} → ${load()}`);
  console.log(`Peak RSS of the CLI runs: spn dupes ${rss['spn dupes']?.toFixed(0)} MB, krb etypes ${rss['krb etypes']?.toFixed(0)} MB`);
  console.log(`Command: npx tsx bench/etypes.ts ${n} ${rounds}   (median of ${rounds} alternating rounds after one warm-up)\n`);
  console.log('| measurement | spn dupes (ms) | krb etypes (ms) | etypes / dupes |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, d, e] of rows) console.log(`| ${name} | ${median(d).toFixed(0)} | ${median(e).toFixed(0)} | ${(median(e) / median(d)).toFixed(2)}× |`);
} finally {
  await lab.stop();
}
