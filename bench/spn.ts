/**
 * Benchmark: krbops spn list / query / dupes against a Samba AD lab with many accounts, each
 * compared as a ratio with raw `ldapsearch` doing the same LDAP work in the same script.
 *
 *   npm run build && npx tsx bench/spn.ts [accounts=5000] [duplicates=50] [rounds=5]
 *
 * Both sides bind as the same ordinary user over LDAPS with CA verification. "CLI" rows spawn the
 * built `krbops` (node dist/src/cli.js, start-up included) against a spawned `ldapsearch` process;
 * "in-process" rows reuse one connection, as the bot does, against the same ldapsearch.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { openDirectory } from '../src/directory/ldap-directory.js';
import { silentLogger } from '../src/log.js';
import { SpnIndex } from '../src/spn/duplicates.js';
import { startLab } from '../test/lab/lab.js';
import { benchAccountsLdif, benchDuplicatesLdif } from './spn-data.js';

const [n = 5000, dupes = 50, rounds = 5] = process.argv.slice(2).map(Number);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
async function time(fn: () => unknown): Promise<number[]> {
  const out: number[] = [];
  await fn(); // warm-up
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const tmp = mkdtempSync(join(os.tmpdir(), 'krbops-bench-'));
writeFileSync(join(tmp, 'accounts.ldif'), benchAccountsLdif(n));
writeFileSync(join(tmp, 'dupes.ldif'), benchDuplicatesLdif(n, dupes));
const t0 = performance.now();
const lab = await startLab({ ldif: [join(tmp, 'accounts.ldif')], rawLdif: [join(tmp, 'dupes.ldif')] });
console.error(`lab with ${n} extra accounts up in ${Math.round(performance.now() - t0)} ms`);
try {
  const env = { ...process.env, ...lab.env(), LDAP_GC_URL: '' };
  const config = loadConfig(env);
  const ldapEnv = { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' };
  const ldapsearch = (filter: string, attrs: string[]) =>
    execFileSync('ldapsearch', ['-LLL', '-o', 'ldif-wrap=no', '-x', '-H', lab.ldapsUrl, '-D', lab.bindUpn, '-w', lab.bindPassword, '-b', lab.baseDn, '-E', 'pr=500/noprompt', filter, ...attrs], { env: ldapEnv, maxBuffer: 1 << 28 });
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['dist/src/cli.js', ...args, '--json'], { env, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`krbops ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    return r.stdout;
  };
  if (!existsSync('dist/src/cli.js')) throw new Error('run `npm run build` first: the CLI rows time the built krbops');

  const rows: { name: string; krbops: number[]; baseline: number[] }[] = [];
  const target = `HTTP/app${Math.floor(n / 2)}.contoso.test`;

  // Sanity: both sides see the same duplicates.
  const dupesDoc = JSON.parse(cli('spn', 'dupes').toString()) as { duplicates: unknown[]; scanned: { accounts: number } };
  console.error(`spn dupes found ${dupesDoc.duplicates.length} duplicate groups over ${dupesDoc.scanned.accounts} accounts`);

  rows.push({ name: `CLI spn dupes (${dupesDoc.scanned.accounts} accounts)`, krbops: await time(() => cli('spn', 'dupes')), baseline: await time(() => ldapsearch('(servicePrincipalName=*)', ['servicePrincipalName'])) });
  rows.push({ name: 'CLI spn query', krbops: await time(() => cli('spn', 'query', target)), baseline: await time(() => ldapsearch(`(servicePrincipalName=${target})`, ['sAMAccountName'])) });
  rows.push({ name: 'CLI spn list', krbops: await time(() => cli('spn', 'list', 'svc-bench7')), baseline: await time(() => ldapsearch('(sAMAccountName=svc-bench7)', ['servicePrincipalName', 'userAccountControl'])) });
  rows.push({ name: 'node start-up alone (no LDAP)', krbops: await time(() => spawnSync(process.execPath, ['-e', '0'])), baseline: [NaN] });

  const dir = await openDirectory(config.ldap!, silentLogger);
  try {
    rows.push({
      name: 'in-process spn dupes (one connection)',
      krbops: await time(async () => {
        const idx = new SpnIndex(config.dupesAllowList);
        for await (const a of dir.scanSpns()) idx.add(a, a.servicePrincipalName);
        idx.duplicates();
      }),
      baseline: await time(() => ldapsearch('(servicePrincipalName=*)', ['servicePrincipalName'])),
    });
    rows.push({ name: 'in-process spn query (one connection)', krbops: await time(() => dir.spnHolders(target, { includeAliases: true })), baseline: await time(() => ldapsearch(`(servicePrincipalName=${target})`, ['sAMAccountName'])) });
    const before = process.memoryUsage().heapUsed;
    const idx = new SpnIndex();
    let peak = before;
    for await (const a of dir.scanSpns()) {
      idx.add(a, a.servicePrincipalName);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    console.error(`heap growth during a full scan of ${idx.accountCount} accounts / ${idx.spnCount} SPNs: ${((peak - before) / 1048576).toFixed(1)} MiB`);
  } finally {
    await dir.close();
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nMachine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log(`Command: npx tsx bench/spn.ts ${n} ${dupes} ${rounds}   (median of ${rounds} rounds after one warm-up)\n`);
  console.log('| measurement | krbops (ms) | raw ldapsearch (ms) | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) {
    const k = median(r.krbops);
    const b = median(r.baseline);
    console.log(`| ${r.name} | ${k.toFixed(0)} | ${Number.isNaN(b) ? '—' : b.toFixed(0)} | ${Number.isNaN(b) ? '—' : `${(k / b).toFixed(2)}×`} |`);
  }
} finally {
  await lab.stop();
}
