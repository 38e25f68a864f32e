/**
 * Benchmark: an LDIF export of 200 000 objects read as the directory (LDAP_URL=file:…).
 *
 *   node --expose-gc --import tsx bench/ldif.ts [objects=200000] [rounds=3]
 *
 * Writes a synthetic ldifde-shaped export (CRLF, changetype: add; users with memberOf lists,
 * computers with HOST/ SPNs, service accounts with HTTP/ SPNs, 50 duplicate SPNs), then measures:
 * indexing time, heap and RSS after indexing compared with the file size, `spn list` / `spn query`
 * latency on the index, and a full `spn dupes` scan. Baselines: reading the file through a stream
 * and counting its lines and `dn:` lines (issue 15: the index within 1.2× of that), and `grep -c`.
 * Rounds alternate baseline and index; medians. The export is cached in CACHE_DIR.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LdifDirectory } from '../src/directory/ldif-directory.js';
import { SpnScan } from '../src/spn/spn-scan.js';
import { CACHE_DIR, load, machine, median } from './lib.js';

const [n = 200_000, rounds = 3] = process.argv.slice(2).map(Number);
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

/** The baseline: the file read through a stream, its lines and `dn:` lines counted. */
async function readAndCount(file: string): Promise<{ lines: number; dns: number }> {
  let lines = 0;
  let dns = 0;
  let atLineStart = true;
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (atLineStart && c[0] === 0x64 && c[1] === 0x6e && c[2] === 0x3a) dns++;
    for (let i = c.indexOf(0x0a); i !== -1; i = c.indexOf(0x0a, i + 1)) {
      lines++;
      if (c[i + 1] === 0x64 && c[i + 2] === 0x6e && c[i + 3] === 0x3a) dns++;
    }
    atLineStart = c[c.length - 1] === 0x0a;
  }
  return { lines, dns };
}

async function main(): Promise<void> {
  const file = join(CACHE_DIR, `ldif-export-${n}.ldf`);
  let t = performance.now();
  if (!existsSync(file)) {
    await writeExport(`${file}.tmp`);
    renameSync(`${file}.tmp`, file);
  }
  const size = statSync(file).size;
  console.log(`Machine: ${machine()}; load ${load()}`);
  console.log(`export: ${n} objects, ${mib(size)}, ready in ${Math.round(performance.now() - t)} ms (${file})`);

  t = performance.now();
  execFileSync('grep', ['-c', '^dn: ', file]);
  const grepMs = performance.now() - t;

  // Alternating rounds: baseline (stream + count), index build; the last index is kept.
  const base: number[] = [];
  const built: number[] = [];
  let peakRss = 0;
  let heapGrowth = 0;
  let d: LdifDirectory | undefined;
  const load0 = load();
  for (let i = 0; i < rounds; i++) {
    t = performance.now();
    const counted = await readAndCount(file);
    base.push(performance.now() - t);
    if (counted.dns !== n) throw new Error(`counted ${counted.dns} dn: lines, expected ${n}`);
    d = undefined;
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
    t = performance.now();
    d = await LdifDirectory.open(file);
    built.push(performance.now() - t);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    global.gc?.();
    heapGrowth = process.memoryUsage().heapUsed - heap0;
  }
  if (!d) throw new Error('no round ran');
  const indexMs = median(built);
  const baseMs = median(base);
  const indexPeakRss = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);

  const q: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await d.findAccount(`user${1 + i * 970}`);
    await d.spnHolders(`HOST/ws${i * 1000}.fabrikam.com`, { includeAliases: true });
    q.push(performance.now() - t0);
  }
  q.sort((a, b) => a - b);

  t = performance.now();
  // What `spn dupes` does (commands/spn-dupes.ts): the compact scan over pages, then the candidates read back.
  const index = new SpnScan(await d.spnMappings());
  for await (const page of d.scanSpnPages()) for (const a of page) index.add(a.dn, a.servicePrincipalName);
  const { duplicates } = index.result(await d.accountsByDn(index.candidates()), []);
  const dupesMs = performance.now() - t;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  console.log(`${rounds} alternating rounds, medians; load ${load0} → ${load()}`);
  console.log(`| measurement | value |\n| --- | ---: |`);
  console.log(`| export file (${d.counts.objects} objects, ${d.counts.accounts} accounts) | ${mib(size)} |`);
  console.log(`| baseline: the file through a stream, lines and dn: counted | ${Math.round(baseMs)} ms (grep -c: ${Math.round(grepMs)} ms) |`);
  console.log(`| index build (one streamed pass) | ${Math.round(indexMs)} ms = ${(indexMs / baseMs).toFixed(2)}× the baseline (rounds: ${built.map(Math.round).join(', ')} vs ${base.map(Math.round).join(', ')}) |`);
  console.log(`| heap held by the index after GC | ${mib(heapGrowth)} (${((heapGrowth / size) * 100).toFixed(0)} % of the file) |`);
  console.log(`| peak RSS during the last index build | ${mib(indexPeakRss)} |`);
  console.log(`| peak RSS during index + dupes scan | ${mib(peakRss)} |`);
  console.log(`| spn list + spn query on the index (median of 20) | ${q[10].toFixed(1)} ms |`);
  console.log(`| spn dupes (second streamed pass, ${index.accountCount} accounts, ${index.spnCount} SPNs, ${duplicates.length} duplicates) | ${Math.round(dupesMs)} ms |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
