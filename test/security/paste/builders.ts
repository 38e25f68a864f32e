/**
 * Every builder of src/fix with each of its value parameters in turn taking `v` (the marker or a
 * hostile name), the others plain. `v` sits where outside text lands: a whole account name, the
 * host label of an SPN or URL, a relying party name, a DN, a file name.
 */
import { ad, adfs, appcmd, curl, krbops, dnsServer, IIS_SECTION, klist, klistWindows, ktpass, ktutil, kvno, ldapsearch, ldifde, nslookup, psIdentity, setspn, w32tm } from '../../../src/fix/index.js';

export interface BuilderCase {
  name: string;
  build: (v: string) => string;
  /** What a value becomes inside the command before shell quoting (a filter language's own escaping). */
  inner?: (v: string) => string;
}

const spnOf = (v: string) => `HTTP/${v}.contoso.test`;
const url = (v: string) => `http://${v}.contoso.test/`;
const urlPath = (v: string) => `http://crm.contoso.test/${v}/`;

export const BUILDERS: BuilderCase[] = [
  { name: 'setspn.add (SPN)', build: (v) => setspn.add(spnOf(v), 'CONTOSO\\crmweb') },
  { name: 'setspn.add (account)', build: (v) => setspn.add('HTTP/crm.contoso.test', `CONTOSO\\${v}`) },
  { name: 'setspn.add (bare account)', build: (v) => setspn.add('HTTP/crm.contoso.test', v) },
  { name: 'setspn.remove (SPN)', build: (v) => setspn.remove(spnOf(v), 'crmweb') },
  { name: 'setspn.remove (account)', build: (v) => setspn.remove('HTTP/crm.contoso.test', v) },
  { name: 'setspn.remove (service name)', build: (v) => setspn.remove(`MSSQLSvc/sql.contoso.test:1433/${v}`, 'sqlservice') },
  { name: 'setspn.query', build: (v) => setspn.query(spnOf(v)) },
  { name: 'setspn.list', build: (v) => setspn.list(`CONTOSO\\${v}`) },
  { name: 'setspn.change (netbios domain)', build: (v) => setspn.change({ action: 'add', spn: 'HTTP/crm', account: 'crmweb' }, v) },
  { name: 'appcmd.setConfig (site path)', build: (v) => appcmd.setConfig(`Default Web Site/${v}`, IIS_SECTION.windowsAuthentication, appcmd.attribute('useAppPoolCredentials', true)) },
  { name: 'appcmd.listConfig (site path)', build: (v) => appcmd.listConfig(`CRM ${v}`, IIS_SECTION.httpProtocol) },
  { name: 'appcmd.attribute (value)', build: (v) => appcmd.setConfig(undefined, IIS_SECTION.windowsAuthentication, appcmd.attribute('useKernelMode', v)) },
  { name: 'w32tm.stripchart', build: (v) => w32tm.stripchart(`${v}.contoso.test`) },
  { name: 'nslookup', build: (v) => nslookup(`${v}.contoso.test`) },
  { name: 'klistWindows.get', build: (v) => klistWindows.get(spnOf(v)) },
  { name: 'ktpass (account)', build: (v) => ktpass.keytab({ principal: 'HTTP/crm.contoso.test@CONTOSO.TEST', account: `CONTOSO\\${v}`, out: 'crm.keytab' }) },
  { name: 'ktpass (principal)', build: (v) => ktpass.keytab({ principal: `HTTP/${v}@CONTOSO.TEST`, account: 'CONTOSO\\crmweb', out: 'crm.keytab' }) },
  { name: 'ktpass (file)', build: (v) => ktpass.keytab({ principal: 'HTTP/crm.contoso.test@CONTOSO.TEST', account: 'CONTOSO\\crmweb', out: `${v}.keytab` }) },
  { name: 'ldifde.export (DN)', build: (v) => ldifde.export({ file: 'spns.ldf', baseDn: `OU=${v},DC=contoso,DC=test`, filter: '(servicePrincipalName=*)', attributes: ['servicePrincipalName'] }) },
  { name: 'ldifde.export (file)', build: (v) => ldifde.export({ file: `${v}.ldf`, baseDn: 'DC=contoso,DC=test', filter: '(servicePrincipalName=*)', attributes: ['servicePrincipalName'] }) },
  { name: 'ldifde.join', build: (v) => ldifde.join([`${v}-1.ldf`, 'b.ldf'], 'all.ldf') },
  { name: 'ad.enable', build: (v) => ad.enable(v) },
  { name: 'ad.setAccountControl', build: (v) => ad.setAccountControl(v, 'TrustedForDelegation', false) },
  { name: 'ad.clearAccountNotDelegated', build: (v) => ad.clearAccountNotDelegated(v) },
  { name: 'ad.addDelegationTarget (account)', build: (v) => ad.addDelegationTarget('ADUser', v, 'MSSQLSvc/sql.contoso.test:1433') },
  { name: 'ad.addDelegationTarget (SPN)', build: (v) => ad.addDelegationTarget('ADComputer', 'NDCRMSRV1$', spnOf(v)) },
  { name: 'ad.addDelegationTargets (SPN)', build: (v) => ad.addDelegationTargets('ADUser', 'crmweb', ['HTTP/a.contoso.test', spnOf(v)]) },
  { name: 'ad.setAesEncryptionTypes', build: (v) => ad.setAesEncryptionTypes('ADServiceAccount', v) },
  { name: 'ad.resetPassword', build: (v) => ad.resetPassword(v) },
  { name: 'ad.unlock', build: (v) => ad.unlock(v) },
  { name: 'ad.testServiceAccount', build: (v) => ad.testServiceAccount(`${v}$`) },
  { name: 'ad.removeFromProtectedUsers', build: (v) => ad.removeFromProtectedUsers(v) },
  { name: 'ad.getUser (any name)', build: (v) => ad.getUser(v, ['msDS-KeyVersionNumber', 'pwdLastSet']) },
  // The name sits in an AD filter string ('…', quotes doubled), which is then quoted for PowerShell.
  { name: 'ad.findUser (any name)', build: (v) => ad.findUser(v), inner: (v) => v.replace(/['\u2018\u2019\u201a\u201b]/g, "''") },
  { name: 'psIdentity', build: (v) => `Get-ADComputer ${psIdentity(v)}` },
  { name: 'adfs.updateRelyingPartyTrust', build: (v) => adfs.updateRelyingPartyTrust(`CRM ${v}`) },
  { name: 'adfs.fetch (host)', build: (v) => adfs.fetch(`https://${v}.contoso.test/FederationMetadata/2007-06/FederationMetadata.xml`) },
  { name: 'adfs.fetch (path)', build: (v) => adfs.fetch(`https://adfs.contoso.test/${v}/FederationMetadata.xml`) },
  { name: 'dnsServer.removePtr (target)', build: (v) => dnsServer.removePtr('10.in-addr.arpa', '5.0.0', `${v}.contoso.test`) },
  { name: 'dnsServer.addPtr (zone)', build: (v) => dnsServer.addPtr(`${v}.in-addr.arpa`, '5.0.0', 'crm.contoso.test') },
  { name: 'curl.head (host)', build: (v) => curl.head(url(v)) },
  { name: 'curl.head (path)', build: (v) => curl.head(urlPath(v)) },
  { name: 'curl.status (path)', build: (v) => curl.status(urlPath(v)) },
  { name: 'curl.negotiate (path)', build: (v) => curl.negotiate(`${urlPath(v)}?q=${v}`) },
  { name: 'krbops.why401 (host)', build: (v) => krbops.why401(url(v)) },
  { name: 'krbops.why401 (path)', build: (v) => krbops.why401(`http://10.0.0.5/${v}/`) },
  { name: 'kvno', build: (v) => kvno(spnOf(v)) },
  { name: 'klist.keytab', build: (v) => klist.keytab(`/etc/${v}.keytab`) },
  { name: 'ktutil.list', build: (v) => ktutil.list(`/etc/${v}.keytab`) },
  { name: 'ldapsearch.export (user)', build: (v) => ldapsearch.export({ host: 'dc1.contoso.test', user: `CONTOSO\\${v}`, baseDn: 'DC=contoso,DC=test', filter: '(servicePrincipalName=*)', attributes: ['servicePrincipalName'], file: 'spns.ldif' }) },
  { name: 'ldapsearch.export (DN)', build: (v) => ldapsearch.export({ host: 'dc1.contoso.test', user: 'reader', baseDn: `OU=${v},DC=contoso,DC=test`, filter: '(servicePrincipalName=*)', attributes: ['servicePrincipalName'], file: 'spns.ldif' }) },
  { name: 'ldapsearch.export (file)', build: (v) => ldapsearch.export({ host: 'dc1.contoso.test', user: 'reader', baseDn: 'DC=contoso,DC=test', filter: '(servicePrincipalName=*)', attributes: ['servicePrincipalName'], file: `${v}.ldif`, append: true }) },
];
