/**
 * The watch catalogs' tables: SPN issues of the duplicate-SPN watch and accounts of the
 * encryption-type scan, each with the exact set of rules that fire. Run by watch-rules.test.ts;
 * the catalog meta-test reads them for a firing and a non-firing case per rule.
 */
import type { AccountRef, EtypeAccountReport, SpnIssue, SpnIssueEvidence } from '../../src/model/index.js';
import { etypesResult } from '../etypes/fixtures.js';

const acct = (sam: string, over: Partial<AccountRef> = {}): AccountRef => ({ dn: `CN=${sam.replace(/\$$/, '')},OU=Svc,DC=contoso,DC=test`, sAMAccountName: sam, whenChanged: '2025-02-01T10:00:00.000Z', ...over });

const duplicate: SpnIssue = { id: 'duplicate|http/crm.contoso.test', kind: 'duplicate', spn: 'HTTP/crm.contoso.test', accounts: [acct('svc-crm'), acct('svc-old', { disabled: true })], fingerprint: '0123456789ab' };
const alias: SpnIssue = {
  id: 'alias|http/web01.contoso.test',
  kind: 'alias',
  spn: 'HTTP/web01.contoso.test',
  aliasOf: 'HOST/web01.contoso.test',
  accounts: [acct('svc-web'), acct('WEB01$')],
  serviceAccounts: [acct('svc-web')],
  hostAccounts: [acct('WEB01$')],
  fingerprint: 'ba9876543210',
};

export interface WatchCase<E> {
  name: string;
  evidence: E;
  fails: string[];
}

export const spnIssueCases: WatchCase<SpnIssueEvidence>[] = [
  { name: 'reports an SPN on two accounts with a setspn -D block per holder', evidence: { issue: duplicate, domain: 'CONTOSO' }, fails: ['spn-duplicate'] },
  { name: 'reports HTTP/ on a service account while HOST/ is on the computer', evidence: { issue: alias, domain: 'CONTOSO' }, fails: ['spn-alias-collision'] },
];

const report = etypesResult([
  { dn: 'CN=crmweb,DC=contoso,DC=com', sAMAccountName: 'crmweb', kind: 'user', spns: ['HTTP/crm.contoso.com'], supportedEncryptionTypes: null, pwdLastSet: '2005-03-01T00:00:00.000Z', userAccountControl: 512 },
  { dn: 'CN=svc-rc4,DC=contoso,DC=com', sAMAccountName: 'svc-rc4', kind: 'user', spns: ['HTTP/rc4.contoso.com'], supportedEncryptionTypes: 4, pwdLastSet: '2025-10-01T00:00:00.000Z', userAccountControl: 512 },
  { dn: 'CN=svc-new,DC=contoso,DC=com', sAMAccountName: 'svc-new', kind: 'user', spns: ['HTTP/new.contoso.com'], supportedEncryptionTypes: 0x18, pwdLastSet: '2025-10-01T00:00:00.000Z', userAccountControl: 512 },
]);
const account = (sam: string): EtypeAccountReport => {
  const a = report.accounts.find((x) => x.sAMAccountName === sam);
  if (!a) throw new Error(`no ${sam} in the etypes fixture`);
  return a;
};

export const etypeCases: WatchCase<EtypeAccountReport>[] = [
  { name: 'reports an account whose password predates AES keys (fails now)', evidence: account('crmweb'), fails: ['encryption-types-mismatch'] },
  { name: 'reports an RC4-only account (at risk)', evidence: account('svc-rc4'), fails: ['encryption-types-mismatch'] },
  { name: 'is silent for an AES-only account with AES keys', evidence: account('svc-new'), fails: [] },
];
