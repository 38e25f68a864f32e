/**
 * Benchmark: an LDIF export of 200 000 objects read as the directory (LDAP_URL=file:…).
 *
 *   npx tsx bench/ldif.ts [objects=200000]
 *
 * Writes a synthetic ldifde-shaped export (CRLF, changetype: add; users with memberOf lists,
 * computers with HOST/ SPNs, service accounts with HTTP/ SPNs, 50 duplicate SPNs), then measures:
 * indexing time, heap and RSS after indexing compared with the file size, `spn list` / `spn query`
 * latency on the index, and a full `spn dupes` scan. Baseline: `grep -c` over the same file.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LdifDirectory } from '../src/directory/ldif-directory.js';
import { SpnIndex } from '../src/spn/duplicates.js';

const [n = 200_000] = process.argv.slice(2).map(Number);
const base = 'DC=fabrikam,DC=com';
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

async function writeExport(file: string): Promise<void> {
  const out = createWriteStream(file);
  const groups = Array.from({ length: 12 }, (_, i) => `CN=Group ${i} with a long descriptive name,OU=Groups,OU=Corp,${base}`);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  for (let i = 0; i < n; i++) {
    const kind = i % 10 === 0 ? 'computer' : i % 97 === 0 ? 'svc' : 'user';
    const sam = kind === 'computer' ? `WS${i}$` : kind === 'svc' ? `svc${i}` : `user${i}`;
    const lines = [`dn: CN=${sam.replace('$', '')},OU=${kind === 'computer' ? 'Workstations' : 'People'},OU=Corp,${base}`, 'changetype: add', 'objectClass: top', 'objectClass: person', 'objectClass: organizationalPerson', 'objectClass: user'];
    if (kind === 'computer') lines.push('objectClass: computer', `dNSHostName: ws${i}.fabrikam.com`, `servicePrincipalName: HOST/ws${i}.fabrikam.com`, `servicePrincipalName: HOST/WS${i}`, 'userAccountControl: 4096');
    else lines.push(`userPrincipalName: ${sam}@fabrikam.com`, 'userAccountControl: 512');
    if (kind === 'svc') lines.push(`servicePrincipalName: HTTP/app${i}.fabrikam.com`, `servicePrincipalName: HTTP/app${i % 7 === 0 ? `shared${i % 5}` : i}`);
    lines.push(`sAMAccountName: ${sam}`, `whenChanged: 2026112${i % 10}120000.0Z`, `uSNChanged: ${10_000 + i}`, `pwdLastSet: 134400000000000000`);
    if (kind === 'user') for (const g of groups.slice(0, 4 + (i % 8))) lines.push(`memberOf: ${g}`);
    await write(`${lines.join('\r\n')}\r\n\r\n`);
  }
  await new Promise<void>((r) => out.end(r));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'krbops-ldif-bench-'));
  const file = join(dir, 'fabrikam.ldf');
  let t = performance.now();
  await writeExport(file);
  const size = statSync(file).size;
  console.log(`export: ${n} objects, ${mib(size)}, written in ${Math.round(performance.now() - t)} ms`);

  t = performance.now();
  execFileSync('grep', ['-c', '^dn: ', file]);
  const grepMs = performance.now() - t;

  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  t = performance.now();
  const d = await LdifDirectory.open(file);
  const indexMs = performance.now() - t;
  global.gc?.();
  const heap1 = process.memoryUsage().heapUsed;

  const q: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await d.findAccount(`user${1 + i * 970}`);
    await d.spnHolders(`HOST/ws${i * 1000}.fabrikam.com`, { includeAliases: true });
    q.push(performance.now() - t0);
  }
  q.sort((a, b) => a - b);

  t = performance.now();
  const index = new SpnIndex();
  for await (const a of d.scanSpns()) index.add(a, a.servicePrincipalName);
  const dupesMs = performance.now() - t;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  console.log(`| measurement | value |\n| --- | ---: |`);
  console.log(`| export file (${d.counts.objects} objects, ${d.counts.accounts} accounts) | ${mib(size)} |`);
  console.log(`| index build (one streamed pass) | ${Math.round(indexMs)} ms (grep -c over the file: ${Math.round(grepMs)} ms) |`);
  console.log(`| heap held by the index after GC | ${mib(heap1 - heap0)} (${((heap1 - heap0) / size * 100).toFixed(0)} % of the file) |`);
  console.log(`| peak RSS during index + dupes scan | ${mib(peakRss)} |`);
  console.log(`| spn list + spn query on the index (median of 20) | ${q[10].toFixed(1)} ms |`);
  console.log(`| spn dupes (second streamed pass, ${index.accountCount} accounts, ${index.spnCount} SPNs, ${index.duplicates().length} duplicates) | ${Math.round(dupesMs)} ms |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
