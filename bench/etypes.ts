/**
 * Benchmark: `krb etypes` against `spn dupes` on the same Samba AD lab, in one run. Both scan every
 * account holding an SPN once (paged); etypes reads more attributes and classifies each account.
 *
 *   npm run build && npx tsx bench/etypes.ts [accounts=20000] [rounds=5]
 *
 * Rounds alternate the two commands (dupes, etypes, dupes, etypes…) so machine load hits both alike.
 * "in-process" rows reuse one connection, as the bot does; "CLI" rows spawn the built krbops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { openDirectory } from '../src/directory/ldap-directory.js';
import { EtypesAccumulator } from '../src/etypes/report.js';
import { silentLogger } from '../src/log.js';
import { SpnIndex } from '../src/spn/duplicates.js';
import { startLab } from '../test/lab/lab.js';
import { benchAccountsLdif } from './spn-data.js';

const [n = 20000, rounds = 5] = process.argv.slice(2).map(Number);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The spn bench's accounts, a third RC4-only, a third AES+RC4, a third not set. */
function accountsWithEtypes(count: number): string {
  let i = 0;
  return benchAccountsLdif(count).replace(/^userAccountControl: 544$/gm, (line) => {
    const k = i++ % 3;
    return k === 2 ? line : `${line}\nmsDS-SupportedEncryptionTypes: ${k === 0 ? 4 : 28}`;
  });
}

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

if (!existsSync('dist/src/cli.js')) throw new Error('run `npm run build` first: the CLI rows time the built krbops');
const tmp = mkdtempSync(join(os.tmpdir(), 'krbops-bench-etypes-'));
// Files of 2 000 records: the lab gives each ldbmodify 60 s, which 20 000 adds exceed on a busy machine.
const records = accountsWithEtypes(n).split(/\n\n+/).filter((r) => r.trim());
const files: string[] = [];
for (let i = 0; i < records.length; i += 2000) {
  files.push(join(tmp, `accounts-${files.length}.ldif`));
  writeFileSync(files.at(-1)!, `${records.slice(i, i + 2000).join('\n\n')}\n\n`);
}
const t0 = performance.now();
const lab = await startLab({ ldif: files });
console.error(`lab with ${n} extra accounts up in ${Math.round(performance.now() - t0)} ms`);
try {
  const env = { ...process.env, ...lab.env(), LDAP_GC_URL: '' };
  const config = loadConfig(env);
  const cli = async (...args: string[]) => {
    const r = spawnSync(process.execPath, ['dist/src/cli.js', ...args, '--json'], { env, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`krbops ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
    return r.stdout;
  };
  const etypesDoc = JSON.parse((await cli('krb', 'etypes')).toString()) as { accounts: { risk: string }[] };
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
        const idx = new SpnIndex(config.dupesAllowList);
        for await (const a of dir.scanSpns()) idx.add(a, a.servicePrincipalName);
        return [idx.duplicates(), idx.aliasCollisions(await dir.spnMappings())];
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

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nMachine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}, load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`Command: npx tsx bench/etypes.ts ${n} ${rounds}   (median of ${rounds} alternating rounds after one warm-up)\n`);
  console.log('| measurement | spn dupes (ms) | krb etypes (ms) | etypes / dupes |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, d, e] of rows) console.log(`| ${name} | ${median(d).toFixed(0)} | ${median(e).toFixed(0)} | ${(median(e) / median(d)).toFixed(2)}× |`);
} finally {
  await lab.stop();
}
