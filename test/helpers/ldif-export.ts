/**
 * An export holding every shape the LDIF index reads (test/directory/ldif-scan.test.ts,
 * ldif-pieces.test.ts), and what an index built from it holds, comparable between two builds.
 */
import type { IndexBuilder } from '../../src/directory/ldif-build.js';
import { keyHash } from '../../src/directory/ldif-index.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const sid = (rid: number) => Buffer.concat([Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]), Buffer.from(Uint32Array.of(rid).buffer)]).toString('base64');

/** Every shape the index reads, in one export (`eol` between lines). */
export function exportText(eol: string): string {
  return [
    'version: 1',
    '',
    '# an export with a comment',
    '#  and its continuation',
    'dn: DC=contoso,DC=test',
    'objectClass: domainDNS',
    'whenCreated: 20200101000000.0Z',
    '',
    'dn: CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,DC=contoso,DC=test',
    'sPNMappings: host=alerter,http,cifs',
    '',
    'dn: CN=CONTOSO,CN=Partitions,CN=Configuration,DC=contoso,DC=test',
    'nETBIOSName: CONTOSO',
    'nCName: DC=contoso,DC=test',
    '',
    'DN: CN=crmweb,OU=Service Accounts,DC=contoso,DC=test',
    'CHANGETYPE: Add',
    'OBJECTCLASS: top',
    'ObjectClass: USER',
    'SAMACCOUNTNAME: CrmWeb',
    'UserPrincipalName: CrmWeb@Contoso.Test',
    'servicePrincipalName: HTTP/crm.contoso.test',
    'ServicePrincipalName:   HTTP/CRM  ',
    'memberOf: CN=Group A,DC=contoso,DC=test',
    'whenChanged: 20261120120000.0Z',
    'uSNChanged: 120',
    '',
    'dn: CN=folded,OU=Service Accounts,DC=contoso,DC=test',
    'objectClass: user',
    'sAMAccountName: folded',
    'servicePrincipalName: HTTP/folded.cont',
    ' oso.test',
    'uSNChanged: 99',
    '',
    'dn: CN=skipped,OU=People,DC=contoso,DC=test',
    'objectClass: user',
    'sAMAccountName: skipped',
    'description: a folded line the index skips, con',
    ' tinued',
    '',
    `dn:: ${b64('CN=Jürgen,OU=People,DC=contoso,DC=test')}`,
    'objectClass: user',
    'sAMAccountName: juergen',
    'userPrincipalName: JÜRGEN@contoso.test',
    `servicePrincipalName:: ${b64('HTTP/jürgen.contoso.test')}`,
    'whenChanged: 20261121120000.0Z',
    '',
    'dn: CN=NDSQLSRV1,CN=Computers,DC=contoso,DC=test',
    'changetype: add',
    'objectClass: top',
    'objectClass: computer',
    'sAMAccountName: NDSQLSRV1$',
    'dNSHostName: ndsqlsrv1.CONTOSO.test',
    'servicePrincipalName: MSSQLSvc/ndsqlsrv1.contoso.test:1433',
    'servicePrincipalName: HOST/ndsqlsrv1',
    '# a comment inside a record',
    'uSNChanged: 1000',
    '',
    'dn: CN=Protected Users,CN=Users,DC=contoso,DC=test',
    'objectClass: group',
    `objectSid:: ${sid(525)}`,
    '',
    'dn: CN=Read-only Domain Controllers,CN=Users,DC=contoso,DC=test',
    'objectClass: group',
    `objectSid:: ${sid(521)}`,
    'whenCreated: 20200102000000.0Z',
    '',
    'dn: CN=nosam,OU=Service Accounts,DC=contoso,DC=test',
    'objectClass: serviceConnectionPoint',
    'servicePrincipalName;x-option: HTTP/scp.contoso.test',
    '',
    'dn: CN=noclass,DC=contoso,DC=test',
    'sAMAccountName: noclass',
    'servicePrincipalName: HTTP/crm.contoso.test',
    '',
    'dn: CN=other,DC=contoso,DC=test',
    'objectClass: contact',
    'whenChanged: 20261122120000.0Z',
    '',
    '',
    'dn: CN=last,OU=People,DC=fabrikam,DC=test',
    'objectClass: user',
    'sAMAccountName: last',
  ].join(eol);
}

/** What the index holds, comparable between two builds. */
export function snapshot(x: IndexBuilder) {
  const keys = ['crmweb', 'crmweb@contoso.test', 'http/crm.contoso.test', 'http/crm', 'http/folded.contoso.test', 'juergen', 'jürgen@contoso.test', 'http/jürgen.contoso.test', 'ndsqlsrv1$', 'ndsqlsrv1.contoso.test', 'host/ndsqlsrv1', 'http/scp.contoso.test', 'noclass', 'last', 'other'];
  const dns = ['CN=crmweb,OU=Service Accounts,DC=contoso,DC=test', 'cn=folded,ou=service accounts,dc=contoso,dc=test', 'CN=Jürgen,OU=People,DC=contoso,DC=test', 'CN=nosam,OU=Service Accounts,DC=contoso,DC=test'];
  return {
    slots: Array.from({ length: x.slots.length }, (_, i) => ({ ...x.slots.get(i), flags: x.slots.flags(i) })),
    keys: keys.map((k) => [k, x.bySam.get(keyHash(k)), x.byUpn.get(keyHash(k)), x.byHost.get(keyHash(k)), x.bySpn.get(keyHash(k))]),
    dns: dns.map((d) => x.byDn.get(keyHash(d))),
    names: [x.names.startingWith('c', 9), x.names.startingWith('nd', 9), x.names.startingWith('ju', 9)],
    domains: [...x.domains].map(([d, c]) => [d, c.n]),
    rest: [x.counts, x.newest.text(), x.highestUsn.text(), [...x.mappings], [...x.netbios], x.configNc, x.protectedUsersDn, x.rodcGroup, [...x.created]],
  };
}

