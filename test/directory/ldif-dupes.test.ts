/**
 * `spn dupes` on an export feeds the compact scan from the index's SPN store as bytes
 * (src/directory/ldif-dupes.ts): the same candidates, counts and result as SpnScan.add() over the
 * pages of text, for case-only duplicates, HOST/ aliases of mapped classes, blanks and spaces, one SPN
 * twice on an account, non-ASCII SPNs, accounts with many SPNs, and an index built in pieces.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LdifDirectory } from '../../src/directory/ldif-directory.js';
import { SpnScan } from '../../src/spn/spn-scan.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** An export of `n` service accounts with every case the compact scan must get right. */
function exportOf(n: number): string {
  let seed = 11;
  const rnd = (m: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % m);
  const out = ['dn: CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,DC=contoso,DC=test', 'sPNMappings: host=alerter,http,cifs,Spécial', ''];
  for (let i = 0; i < n; i++) {
    const spns = [`HTTP/app${i}.contoso.test`, `MSSQLSvc/db${i}:1433`];
    if (rnd(20) === 0) spns.push(`HTTP/app${rnd(n)}.contoso.test`);
    if (rnd(25) === 0) spns.push(`http/APP${rnd(n)}.Contoso.TEST`);
    if (rnd(30) === 0) spns.push(`HOST/app${rnd(n)}.contoso.test`);
    if (rnd(40) === 0) spns.push(`http/app${i}.CONTOSO.test`, `HTTP/app${i}.contoso.test`);
    if (rnd(50) === 0) spns.push(`HOST/app${i}.contoso.test`, `CIFS/app${i}.contoso.test`);
    if (rnd(60) === 0) spns.push(' ', `\tHTTP/app${i}.contoso.test `);
    if (rnd(70) === 0) spns.push(`HTTP/jürgen${rnd(5)}.contoso.test`, `spécial/app${rnd(n)}.contoso.test`);
    if (rnd(90) === 0) spns.push(...Array.from({ length: 20 }, (_, j) => `HOST/node${rnd(n)}-${j}`));
    if (rnd(45) === 0) spns.push('noslash', '/leading.slash');
    out.push(`dn: CN=svc${i},OU=Apps,DC=contoso,DC=test`, 'objectClass: user', `sAMAccountName: svc${i}`);
    for (const s of spns) out.push(/[^\x20-\x7e]/.test(s) && !/^\t/.test(s) ? `servicePrincipalName:: ${b64(s)}` : /^[ \t]|[ \t]$/.test(s) ? `servicePrincipalName:: ${b64(s)}` : `servicePrincipalName: ${s}`);
    out.push('');
  }
  return out.join('\r\n');
}

async function viaPages(d: LdifDirectory): Promise<SpnScan> {
  const scan = new SpnScan(await d.spnMappings());
  for await (const page of d.scanSpnPages()) for (const a of page) scan.add(a.dn, a.servicePrincipalName);
  return scan;
}

async function viaStore(d: LdifDirectory): Promise<SpnScan> {
  const scan = new SpnScan(await d.spnMappings());
  expect(await d.scanSpnsInto(scan)).toBe(true);
  return scan;
}

const outcome = async (d: LdifDirectory, scan: SpnScan) => {
  const candidates = scan.candidates();
  return { candidates, accounts: scan.accountCount, spns: scan.spnCount, result: scan.result(await d.accountsByDn(candidates), ['kadmin/changepw']) };
};

describe('spn dupes from the SPN store of an export', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'krbops-dupes-')), 'apps.ldf');
  writeFileSync(file, exportOf(4000));

  it('gives what add() over the pages of text gives, on one thread and from an index built in pieces', async () => {
    const d = await LdifDirectory.open(file, { threads: 1 });
    const want = await outcome(d, await viaPages(d));
    expect(want.result.duplicates.length).toBeGreaterThan(100);
    expect(want.result.aliasCollisions.length).toBeGreaterThan(50);
    expect(want.accounts).toBe(4000);
    expect(await outcome(d, await viaStore(d))).toEqual(want);
    const pieces = await LdifDirectory.open(file, { threads: 2, pieceBytes: 50_000, minBytes: 0 });
    expect(await outcome(pieces, await viaStore(pieces))).toEqual(want);
  });

  it('hashes the alias of a class mapped to a target other than host (not in AD, but sPNMappings allows it)', async () => {
    const lines = ['dn: CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,DC=contoso,DC=test', 'sPNMappings: host=http', 'sPNMappings: srv=web,Www', ''];
    const spns = [['WEB/a.contoso.test', 'HTTP/b.contoso.test'], ['srv/A.contoso.test'], ['www/b.contoso.test', 'HOST/b.contoso.test'], ['web/c', 'WWW/c'], ['SRV/c']];
    spns.forEach((list, i) => lines.push(`dn: CN=s${i},OU=Apps,DC=contoso,DC=test`, 'objectClass: user', `sAMAccountName: s${i}`, ...list.map((v) => `servicePrincipalName: ${v}`), ''));
    const other = path.join(path.dirname(file), 'targets.ldf');
    writeFileSync(other, lines.join('\n'));
    const d = await LdifDirectory.open(other, { threads: 1 });
    const want = await outcome(d, await viaPages(d));
    expect(want.result.aliasCollisions.map((c) => [c.spn, c.aliasOf])).toEqual([
      ['HTTP/b.contoso.test', 'HOST/b.contoso.test'],
      ['WEB/a.contoso.test', 'srv/A.contoso.test'],
      ['web/c', 'SRV/c'],
      ['WWW/c', 'SRV/c'],
    ]);
    expect(await outcome(d, await viaStore(d))).toEqual(want);
  });

  it('declines past the store budget and for a file changed since it was indexed (the pages are read then)', async () => {
    const small = await LdifDirectory.open(file, { threads: 1, spnStoreBytes: 1000 });
    expect(await small.scanSpnsInto(new SpnScan())).toBe(false);
    const other = path.join(path.dirname(file), 'changed.ldf');
    writeFileSync(other, exportOf(50));
    const d = await LdifDirectory.open(other, { threads: 1 });
    writeFileSync(other, exportOf(60));
    expect(await d.scanSpnsInto(new SpnScan())).toBe(false);
  });
});
