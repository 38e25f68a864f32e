/**
 * Forest-scale bench data: N SPN-holding accounts (three SPNs each, 0.5 % of them holding a copy of
 * another account's SPN, every fourth copy differing only in case) in a Samba AD DC it accepts.
 *
 * Why not ldbadd through sam.ldb: every add costs time proportional to the directory size (ldb
 * copies the big index lists — objectClass=user, the parent's one-level index, … — once per add
 * inside its per-operation sub-transaction), so 20 000 accounts took ~6 min and 200 000 would take
 * hours. The fast path, measured in BENCHMARKS.md:
 *   1. one real account through sam.ldb (Samba computes its objectGUID, SID, security descriptor,
 *      replication metadata), read back raw from the domain partition as the template;
 *   2. the partition's @INDEXLIST emptied (no index maintenance while writing);
 *   3. N-1 clones (fresh objectGUID, SID with a RID far above the RID pool, names, SPNs) written raw
 *      into the partition by ONE ldbadd in one transaction;
 *   4. @INDEXLIST restored exactly: ldb rebuilds every index in one linear pass.
 * Runs before the DC starts (startLab's `seed` hook); the result is kept as a snapshot tar.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Lab } from '../test/lab/lab.js';

const exec = promisify(execFile);
export const FOREST_OU = 'OU=Forest,DC=contoso,DC=test';
const RID_BASE = 1_000_000;

export const forestAccount = (i: number) => `svc-f${i}`;
/** 1 000 accounts per OU: one parent holding 200 000 children would be a hot one-level index. */
export const forestOu = (i: number) => `OU=F${Math.floor(i / 1000)},${FOREST_OU}`;
export const forestDn = (i: number) => `CN=${forestAccount(i)},${forestOu(i)}`;
export const forestSpns = (i: number) => [`HTTP/fapp${i}.contoso.test`, `HTTP/fapp${i}`, `MSSQLSvc/fdb${i}.contoso.test:1433`];

/** Account a (first half) also holds account b's first SPN (second half); every fourth copy in other case. */
export function forestDuplicatePairs(n: number): { a: number; b: number; spn: string }[] {
  const d = Math.round(n * 0.005);
  const half = Math.floor(n / 2);
  const step = Math.max(1, Math.floor((half - 1) / Math.max(d, 1)));
  const out: { a: number; b: number; spn: string }[] = [];
  for (let k = 0; k < d; k++) {
    const a = 1 + k * step;
    const b = a + half;
    const spn = k % 4 === 0 ? `http/FAPP${b}.Contoso.Test` : forestSpns(b)[0];
    out.push({ a, b, spn });
  }
  return out;
}

/** The account's SPNs as seeded (the third replaced by a duplicate for the chosen accounts). */
export function seededSpns(i: number, dupOf: Map<number, string>): string[] {
  const spns = forestSpns(i);
  const dup = dupOf.get(i);
  if (dup) spns[2] = dup;
  return spns;
}

/** CPU seconds and peak RSS of each seeding step (from time(1)), for BENCHMARKS.md. */
const cost = (stderr: string) => {
  const m = /@@cost ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  return m ? `${(Number(m[1]) + Number(m[2])).toFixed(1)} s CPU, ${Math.round(Number(m[3]) / 1024)} MB peak` : '';
};
let lastCost = '';
const ldb = async (cmd: string, args: string[], input?: string) => {
  const p = exec('/usr/bin/time', ['-f', '@@cost %U %S %M', cmd, ...args], { maxBuffer: 1 << 28 });
  if (input !== undefined) p.child.stdin?.end(input);
  const r = await p;
  lastCost = cost(r.stderr);
  return r.stdout;
};

/**
 * ldb's in-transaction index cache: a hash table of this many buckets (default 491). A reindex
 * makes ≈ 15 index records per forest account; chains stay short with about one bucket each.
 */
export const indexCacheSize = (n: number) => 20 * n + 100_003;

function unfold(ldif: string): string[] {
  return ldif.replace(/\n /g, '').split('\n').filter((l) => l && !l.startsWith('#'));
}

/** startLab({ seed }) hook: add n forest accounts to the stopped lab. */
export async function seedForest(lab: Lab, n: number, log: (l: string) => void = () => {}): Promise<void> {
  const conf = `--configfile=${lab.smbConf}`;
  const t0 = Date.now();
  const dupOf = new Map(forestDuplicatePairs(n).map((p) => [p.a, p.spn]));
  const first = seededSpns(0, dupOf);
  const ous = Array.from({ length: Math.ceil(n / 1000) }, (_, k) => `dn: ${forestOu(k * 1000)}\nobjectClass: organizationalUnit\n`);
  await ldb('ldbadd', ['-H', lab.samLdb, conf], [
    `dn: ${FOREST_OU}\nobjectClass: organizationalUnit\n`,
    ...ous,
    [`dn: ${forestDn(0)}`, 'objectClass: user', `sAMAccountName: ${forestAccount(0)}`, 'userAccountControl: 544', ...first.map((s) => `servicePrincipalName: ${s}`), ''].join('\n'),
  ].join('\n'));
  const raw = unfold(await ldb('ldbsearch', ['-H', lab.domainPartition, conf, '-b', forestDn(0), '-s', 'base', '*']));
  const domainSid = raw.find((l) => l.startsWith('objectSid:'))!.slice('objectSid: '.length).replace(/-\d+$/, '');
  const templateUsn = Number(raw.find((l) => l.startsWith('uSNChanged:'))!.slice('uSNChanged: '.length));
  // Per-clone values: names, GUID, SID, SPNs, and USNs spread below the template's (one shared
  // uSNChanged value would be one more hot index; above it, the clones would look changed later).
  const template = raw.filter((l) => !/^(dn|cn|name|sAMAccountName|objectGUID|objectSid|servicePrincipalName|distinguishedName|uSNCreated|uSNChanged):/i.test(l));
  const body = template.join('\n');

  const file = path.join(lab.dir, 'forest-clones.ldif');
  const out = createWriteStream(file);
  for (let i = 1; i < n; i++) {
    const name = forestAccount(i);
    const usn = 100 + (i % (templateUsn - 100));
    const rec = `dn: ${forestDn(i)}\ncn: ${name}\nname: ${name}\nsAMAccountName: ${name}\nobjectGUID: ${randomUUID()}\nobjectSid: ${domainSid}-${RID_BASE + i}\nuSNCreated: ${usn}\nuSNChanged: ${usn}\n${body}\n${seededSpns(i, dupOf).map((s) => `servicePrincipalName: ${s}`).join('\n')}\n\n`;
    if (!out.write(rec)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  log(`[forest] ${n} accounts: LDIF written (+${Date.now() - t0} ms)`);

  const cacheOpt = ['-o', `transaction_index_cache_size:${indexCacheSize(n)}`];
  const indexList = unfold(await ldb('ldbsearch', ['-H', lab.domainPartition, '-b', '@INDEXLIST', '-s', 'base']));
  const idxAttrs = indexList.filter((l) => l.startsWith('@IDXATTR:'));
  const idxOne = indexList.filter((l) => l.startsWith('@IDXONE:'));
  const keep = idxAttrs.filter((l) => /^@IDXATTR: objectGUID$/.test(l));
  await ldb('ldbmodify', ['-H', lab.domainPartition], ['dn: @INDEXLIST', 'changetype: modify', 'replace: @IDXATTR', ...keep, '-', ...(idxOne.length ? ['delete: @IDXONE', '-'] : []), ''].join('\n'));
  await ldb('ldbadd', ['-H', lab.domainPartition, conf, '--nosync', ...cacheOpt, file]);
  log(`[forest] clones added without indexes (+${Date.now() - t0} ms; ${lastCost})`);
  // Putting @INDEXLIST back makes ldb rebuild the partition's indexes (its own handlers), with a big cache.
  await ldb('ldbmodify', ['-H', lab.domainPartition, '--nosync', ...cacheOpt], ['dn: @INDEXLIST', 'changetype: modify', 'replace: @IDXATTR', ...idxAttrs, '-', ...(idxOne.length ? ['add: @IDXONE', ...idxOne, '-'] : []), ''].join('\n'));
  log(`[forest] @INDEXLIST restored, partition reindexed by ldb (+${Date.now() - t0} ms; ${lastCost})`);
  // ldb alone keys DN-valued attributes (objectCategory) differently from the DC: a search for
  // (objectCategory=person) then finds nobody. Samba's own reindex through SamDB (what
  // `samba-tool dbcheck --reindex` does, but with the index cache sized) fixes that.
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'forest-reindex.py');
  log(`[forest] ${(await ldb('/usr/bin/python3', [script, lab.samLdb, lab.smbConf, String(indexCacheSize(n))])).trim()} (+${Date.now() - t0} ms; ${lastCost})`);
  await fs.rm(file);
}
