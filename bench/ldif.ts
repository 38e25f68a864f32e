/**
 * Benchmark: an LDIF export of 200 000 objects read as the directory (LDAP_URL=file:…, --ldif).
 *
 *   node --expose-gc --import tsx bench/ldif.ts [objects=200000] [rounds=3]
 *   (run `npm run build` first to have the CLI rows too)
 *
 * Writes a synthetic ldifde-shaped export (CRLF, changetype: add; users with memberOf lists,
 * computers with HOST/ SPNs, service accounts with HTTP/ SPNs, 50 duplicate SPNs), then measures
 * what "analysed" means for the user of `krbops spn dupes --ldif <export>`: the index build (what
 * every command on an export waits for first) and a full `spn dupes` on it (what the command then
 * does: the compact scan, the candidates read back), each and together, against the baseline of
 * issue 15: the file read through a stream with its lines and `dn:` lines counted. Rounds
 * alternate baseline, the scanner alone (a sink that keeps nothing: the floor of the index pass),
 * index on one thread (the default), index on KRBOPS_LDIF_THREADS threads (2 if unset; the workers
 * run the compiled dist/src/directory/ldif-worker.js), dupes, in one process; medians, with the
 * CPU time of the process (all threads). Then heap and RSS, `spn list` / `spn query` latency, and
 * (with dist/bin built) the real CLI as a process, on one thread and on those threads, against a
 * node process doing the baseline, with peak RSS. The export is cached in CACHE_DIR.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { INDEX_ATTRS } from '../src/directory/ldif-build.js';
import { LdifDirectory } from '../src/directory/ldif-directory.js';
import { scanLdifFile } from '../src/directory/ldif-files.js';
import { SpnScan } from '../src/spn/spn-scan.js';
import { CACHE_DIR, load, machine, median, timed } from './lib.js';

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

/** The baseline as its own node process (start-up included), for the CLI rows. */
const BASELINE_PROCESS = `let l=0,d=0,s=1;(async()=>{for await(const c of require('fs').createReadStream(process.argv[1],{highWaterMark:1<<20})){if(s&&c[0]===100&&c[1]===110&&c[2]===58)d++;for(let i=c.indexOf(10);i!==-1;i=c.indexOf(10,i+1)){l++;if(c[i+1]===100&&c[i+2]===110&&c[i+3]===58)d++}s=c[c.length-1]===10}console.log(l,d)})()`;

/** What `spn dupes` does (commands/spn-dupes.ts): the compact scan over pages, then the candidates read back. */
async function dupes(d: LdifDirectory): Promise<{ scan: SpnScan; duplicates: number }> {
  const scan = new SpnScan(await d.spnMappings());
  if (!(await d.scanSpnsInto(scan))) for await (const page of d.scanSpnPages()) for (const a of page) scan.add(a.dn, a.servicePrincipalName);
  const { duplicates } = scan.result(await d.accountsByDn(scan.candidates()), []);
  return { scan, duplicates: duplicates.length };
}

/** A full GC, and time for V8 to free the array buffers it found dead (that happens on another thread). */
const settle = async () => {
  global.gc?.();
  await new Promise((r) => setTimeout(r, 100));
  global.gc?.();
};

/** JS heap plus ArrayBuffers (the index keeps its tables in typed arrays, outside the JS heap). */
const held = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const x = (a: number, b: number) => `${Math.round(a)} ms = ${(a / b).toFixed(2)}×`;

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

  // Alternating rounds: baseline (stream + count), index on one thread, index build, spn dupes on it; the last index is kept.
  const threads = Number(process.env.KRBOPS_LDIF_THREADS) || 2;
  const worker = new URL('../dist/src/directory/ldif-worker.js', import.meta.url);
  if (threads > 1 && !existsSync(worker)) throw new Error('run `npm run build` first: the index workers run dist/src/directory/ldif-worker.js');
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const base: number[] = [];
  const scanOnly: number[] = [];
  const oneThread: number[] = [];
  const cpuOne: number[] = [];
  const cpuBuilt: number[] = [];
  const built: number[] = [];
  const scanned: number[] = [];
  const both: number[] = [];
  const bothOne: number[] = [];
  let peakRss = 0;
  let peakOne = 0;
  let heapGrowth = 0;
  let d: LdifDirectory | undefined;
  let found = { scan: new SpnScan(), duplicates: 0 };
  const load0 = load();
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  for (let i = 0; i < rounds; i++) {
    t = performance.now();
    const counted = await readAndCount(file);
    base.push(performance.now() - t);
    if (counted.dns !== n) throw new Error(`counted ${counted.dns} dn: lines, expected ${n}`);
    // The scanner alone (the file read into its memory, every line looked at, keys hashed), with a sink that keeps nothing.
    t = performance.now();
    await scanLdifFile(file, 'bench.ldf', INDEX_ATTRS, { fast: () => true, slow: () => undefined });
    scanOnly.push(performance.now() - t);
    d = undefined;
    global.gc?.();
    let c = cpu();
    const sampleOne = setInterval(() => (peakOne = Math.max(peakOne, process.memoryUsage().rss)), 10);
    t = performance.now();
    await LdifDirectory.open(file, { threads: 1 });
    oneThread.push(performance.now() - t);
    cpuOne.push(cpu() - c);
    clearInterval(sampleOne);
    peakOne = Math.max(peakOne, process.memoryUsage().rss);
    await settle();
    const heap0 = held();
    peakRss = 0;
    const sampler = setInterval(sample, 10);
    c = cpu();
    t = performance.now();
    d = await LdifDirectory.open(file, { threads, worker });
    built.push(performance.now() - t);
    cpuBuilt.push(cpu() - c);
    sample();
    await settle();
    heapGrowth = held() - heap0;
    t = performance.now();
    found = await dupes(d);
    scanned.push(performance.now() - t);
    clearInterval(sampler);
    sample();
    both.push(built[i]! + scanned[i]!);
    bothOne.push(oneThread[i]! + scanned[i]!);
  }
  if (!d) throw new Error('no round ran');
  const baseMs = median(base);

  const q: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await d.findAccount(`user${1 + i * 970}`);
    await d.spnHolders(`HOST/ws${i * 1000}.fabrikam.com`, { includeAliases: true });
    q.push(performance.now() - t0);
  }
  const firstQuery = q[0]!;
  q.sort((a, b) => a - b);

  // The real CLI as a process, alternating with the baseline as a process (start-up in both).
  const cli = join(import.meta.dirname, '..', 'dist', 'bin', 'krbops.mjs');
  const cliRows: string[] = [];
  if (existsSync(cli)) {
    const pb: number[] = [];
    const runs = { one: { ms: [] as number[], cpu: [] as number[], rss: 0 }, all: { ms: [] as number[], cpu: [] as number[], rss: 0 } };
    for (let i = 0; i < rounds; i++) {
      pb.push(timed(process.execPath, ['-e', BASELINE_PROCESS, file]).ms);
      for (const [k, n] of [['one', 1], ['all', threads]] as const) {
        const r = timed(process.execPath, [cli, 'spn', 'dupes', '--ldif', file, '--json'], { env: { ...process.env, KRBOPS_LDIF_THREADS: String(n) } });
        runs[k].ms.push(r.ms);
        runs[k].cpu.push(r.cpuMs ?? 0);
        runs[k].rss = Math.max(runs[k].rss, r.rssMb ?? 0);
        if ((JSON.parse(r.stdout) as { duplicates: unknown[] }).duplicates.length !== found.duplicates) throw new Error('the CLI found other duplicates');
      }
    }
    cliRows.push(`| the baseline as a node process (start-up included) | ${Math.round(median(pb))} ms (rounds ${pb.map(Math.round).join(', ')}) |`);
    for (const [k, n] of [['one', 1], ['all', threads]] as const) {
      const r = runs[k];
      cliRows.push(`| \`KRBOPS_LDIF_THREADS=${n} krbops spn dupes --ldif <export> --json\` (dist/bin, a process) | ${x(median(r.ms), median(pb))} (rounds ${r.ms.map(Math.round).join(', ')}; CPU ${Math.round(median(r.cpu))} ms), peak RSS ${r.rss.toFixed(0)} MB |`);
    }
  } else cliRows.push('| the CLI as a process | not measured: run `npm run build` first |');

  console.log(`${rounds} alternating rounds, medians; load ${load0} → ${load()}; index threads: ${threads}`);
  console.log(`| measurement | value |\n| --- | ---: |`);
  console.log(`| export file (${d.counts.objects} objects, ${d.counts.accounts} accounts) | ${mib(size)} |`);
  console.log(`| baseline: the file through a stream, lines and dn: counted | ${Math.round(baseMs)} ms (rounds ${base.map(Math.round).join(', ')}; grep -c: ${Math.round(grepMs)} ms) |`);
  console.log(`| the scanner alone (reads, lines, key hashes; a sink that keeps nothing) | ${x(median(scanOnly), baseMs)} the baseline (rounds ${scanOnly.map(Math.round).join(', ')}) |`);
  console.log(`| index build on one thread | ${x(median(oneThread), baseMs)} the baseline (rounds ${oneThread.map(Math.round).join(', ')}; CPU ${Math.round(median(cpuOne))} ms) |`);
  console.log(`| index build on ${threads} threads | ${x(median(built), baseMs)} the baseline (rounds ${built.map(Math.round).join(', ')}; CPU ${Math.round(median(cpuBuilt))} ms) |`);
  console.log(`| spn dupes on the index (${found.scan.accountCount} accounts, ${found.scan.spnCount} SPNs, ${found.duplicates} duplicates) | ${x(median(scanned), baseMs)} (rounds ${scanned.map(Math.round).join(', ')}) |`);
  console.log(`| **analysed**: index build (one thread) + spn dupes | **${x(median(bothOne), baseMs)}** (rounds ${bothOne.map(Math.round).join(', ')}) |`);
  console.log(`| **analysed**: index build (${threads} threads) + spn dupes | **${x(median(both), baseMs)}** (rounds ${both.map(Math.round).join(', ')}) |`);
  console.log(`| memory held by the index after GC (JS heap + typed arrays) | ${mib(heapGrowth)} (${((heapGrowth / size) * 100).toFixed(1)} % of the file) |`);
  console.log(`| peak RSS during the index builds on one thread (the process's, the baseline's buffers included) | ${mib(peakOne)} |`);
  console.log(`| peak RSS during the last index build on ${threads} threads + spn dupes | ${mib(peakRss)} |`);
  console.log(`| spn list + spn query on the index (median of 20; the first builds the name tables) | ${q[10]!.toFixed(1)} ms (the first: ${firstQuery.toFixed(0)} ms) |`);
  for (const row of cliRows) console.log(row);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
