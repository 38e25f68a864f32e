import type { AccountRef } from '../../src/model/index.js';
import { describe, expect, it } from 'vitest';
import { SpnIndex } from '../../src/spn/duplicates.js';
import { SpnScan, type CandidateAccount } from '../../src/spn/spn-scan.js';

const mappings = new Map([
  ['http', 'host'],
  ['cifs', 'host'],
]);

/** A small forest with every case the compact scan must get right, in scan order. */
function forest(n: number): CandidateAccount[] {
  let seed = 7;
  const rnd = (m: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % m);
  const out: CandidateAccount[] = [];
  for (let i = 0; i < n; i++) {
    const ref: AccountRef = { dn: `CN=svc${i},OU=Apps,DC=contoso,DC=test`, sAMAccountName: `svc${i}`, whenChanged: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, disabled: i % 9 === 0 };
    const spns = [`HTTP/app${i}.contoso.test`, `MSSQLSvc/db${i}:1433`];
    if (rnd(20) === 0) spns.push(`HTTP/app${rnd(n)}.contoso.test`); // duplicate of another account
    if (rnd(25) === 0) spns.push(`http/APP${rnd(n)}.Contoso.TEST`); // case-only duplicate
    if (rnd(30) === 0) spns.push(`HOST/app${rnd(n)}.contoso.test`); // alias collision with someone's HTTP/
    if (rnd(40) === 0) spns.push(`http/app${i}.CONTOSO.test`); // same SPN twice on one account, other case
    if (rnd(50) === 0) spns.push(`HOST/app${i}.contoso.test`, `CIFS/app${i}.contoso.test`); // HOST and alias on the same account
    if (rnd(60) === 0) spns.push(' ', ` HTTP/app${i}.contoso.test `); // blanks and spaces
    out.push({ ...ref, servicePrincipalName: spns });
  }
  out.push({ dn: 'CN=krbtgt,CN=Users,DC=contoso,DC=test', sAMAccountName: 'krbtgt', servicePrincipalName: ['kadmin/changepw'] });
  out.push({ dn: 'CN=krbtgt_2,CN=Users,DC=contoso,DC=test', sAMAccountName: 'krbtgt_2', servicePrincipalName: ['kadmin/changepw'] });
  return out;
}

describe('SpnScan (compact keys, full detail for candidates only)', () => {
  it('gives exactly what SpnIndex gives over the whole forest, re-reading only the candidates', () => {
    const accounts = forest(3000);
    const full = new SpnIndex(['kadmin/changepw']);
    for (const a of accounts) full.add(a, a.servicePrincipalName);

    const scan = new SpnScan(mappings);
    for (const a of accounts) scan.add(a.dn, a.servicePrincipalName);
    const byDn = new Map(accounts.map((a) => [a.dn, a]));
    const candidates = scan.candidates();
    const result = scan.result(candidates.map((dn) => byDn.get(dn)!), ['kadmin/changepw']);

    expect(full.duplicates().length).toBeGreaterThan(100);
    expect(full.aliasCollisions(mappings).length).toBeGreaterThan(50);
    expect(result.duplicates).toEqual(full.duplicates());
    expect(result.aliasCollisions).toEqual(full.aliasCollisions(mappings));
    expect(scan.accountCount).toBe(full.accountCount);
    expect(scan.spnCount).toBe(full.spnCount);
    expect(candidates.length).toBeLessThan(accounts.length / 2);
  });

  it('leaves out an account deleted between the scan and the re-read', () => {
    const scan = new SpnScan();
    const a = { dn: 'CN=a,DC=contoso,DC=test', sAMAccountName: 'a', servicePrincipalName: ['HTTP/x'] };
    const b = { dn: 'CN=b,DC=contoso,DC=test', sAMAccountName: 'b', servicePrincipalName: ['http/X'] };
    scan.add(a.dn, a.servicePrincipalName);
    scan.add(b.dn, b.servicePrincipalName);
    expect(scan.candidates()).toEqual([a.dn, b.dn]);
    expect(scan.result([a]).duplicates).toEqual([]);
    expect(scan.result([a, b]).duplicates).toEqual([{ spn: 'HTTP/x', accounts: [{ dn: a.dn, sAMAccountName: 'a' }, { dn: b.dn, sAMAccountName: 'b' }] }]);
  });

  it('has no candidates when every SPN is unique and no HOST/ alias is held elsewhere', () => {
    const scan = new SpnScan(mappings);
    for (let i = 0; i < 1000; i++) scan.add(`CN=s${i}`, [`HTTP/app${i}`, `HOST/srv${i}`]);
    scan.add('CN=both', ['HTTP/web.contoso.test', 'HOST/web.contoso.test']);
    expect(scan.candidates()).toEqual([]);
  });
});
