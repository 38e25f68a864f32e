/** krb etypes results for card tests, built by the real classifier from plain account rows. */
import type { EncryptionScanAccount, EtypesResult } from '../../src/model/index.js';
import { countByRisk, EtypesAccumulator } from '../../src/etypes/report.js';

const OLD = '2005-03-01T00:00:00.000Z';
const NEW = '2025-10-01T00:00:00.000Z';

function row(o: Partial<EncryptionScanAccount> & { sAMAccountName: string }): EncryptionScanAccount {
  return { dn: `CN=${o.sAMAccountName},OU=Service Accounts,DC=contoso,DC=com`, kind: 'user', spns: [`HTTP/${o.sAMAccountName.replace(/\$$/, '').toLowerCase()}.contoso.com`], supportedEncryptionTypes: null, pwdLastSet: NEW, userAccountControl: 512, ...o };
}

export function etypesResult(rows: EncryptionScanAccount[], krbtgtOld = false): EtypesResult {
  const acc = new EtypesAccumulator({ domainDn: 'DC=contoso,DC=com', domainCreated: '2003-05-01T00:00:00.000Z', rodcGroupCreated: '2009-06-01T10:00:00.000Z' }, { netbios: 'CONTOSO' }, new Date('2026-12-01T12:00:00Z'));
  acc.add(row({ sAMAccountName: 'krbtgt', spns: ['kadmin/changepw'], userAccountControl: 514, pwdLastSet: krbtgtOld ? OLD : NEW }));
  for (const r of rows) acc.add(r);
  const report = acc.result();
  return { kind: 'krb-etypes', server: 'ldaps://dc1.contoso.com:636', domain: 'DC=contoso,DC=com', aesSinceBasis: acc.aesSince.basis, counts: countByRisk(report.accounts), durationMs: 412, ...report };
}

export const etypesFixtures: Record<string, EtypesResult> = {
  'etypes-mixed': etypesResult(
    [
      row({ sAMAccountName: 'crmweb', pwdLastSet: OLD }),
      row({ sAMAccountName: 'svc-rc4', supportedEncryptionTypes: 4 }),
      row({ sAMAccountName: 'svc-des', supportedEncryptionTypes: 3 }),
      row({ sAMAccountName: 'sqlservice', supportedEncryptionTypes: 0x1c, spns: ['MSSQLSvc/sql1.contoso.com:1433'] }),
      row({ sAMAccountName: 'WEB1$', kind: 'computer', spns: ['HOST/web1.contoso.com'] }),
      row({ sAMAccountName: 'svc-app$', kind: 'gmsa', pwdLastSet: undefined }),
    ],
    true,
  ),
  'etypes-clean': etypesResult([row({ sAMAccountName: 'WEB1$', kind: 'computer' }), row({ sAMAccountName: 'svc-new', supportedEncryptionTypes: 0x18 })]),
  'etypes-huge': etypesResult(Array.from({ length: 600 }, (_, i) => row({ sAMAccountName: `svc-old${i}`, pwdLastSet: OLD, spns: [`HTTP/app${i}.contoso.com`, `HTTP/app${i}`] }))),
};
