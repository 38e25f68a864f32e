/**
 * The export an engineer runs for someone who has krbops but no access to their AD: `ldifde` (on a
 * Windows host in the domain) or `ldapsearch` (OpenLDAP), capturing exactly the attributes krbops
 * reads. The command lines come from the one fix-command builder (src/fix: ldifde, ldapsearch),
 * which checks and quotes every value for its shell.
 */
import { InvalidInputError, truncate } from '../errors.js';
import { ldapsearch, ldifde } from '../fix/index.js';
import { ACCOUNT_ATTRIBUTES } from './ldap-filters.js';

/** What krbops reads of an account (plus objectSid, to recognise Protected Users by its RID). */
export const EXPORT_ACCOUNT_ATTRIBUTES = [...ACCOUNT_ATTRIBUTES, 'objectSid', 'whenCreated'];
/** What krbops reads of the configuration partition: sPNMappings and the NetBIOS domain name. */
export const EXPORT_CONFIG_ATTRIBUTES = ['sPNMappings', 'nETBIOSName', 'nCName'];
/**
 * Accounts (users, computers, gMSAs), anything else holding an SPN, the domain head, and the
 * Protected Users and Read-only Domain Controllers groups (found by their RIDs 525 and 521 in the file).
 */
export const EXPORT_ACCOUNT_FILTER = '(|(servicePrincipalName=*)(objectClass=user)(objectClass=domainDNS)(&(objectClass=group)(|(cn=Protected Users)(cn=Read-only Domain Controllers))))';
export const EXPORT_CONFIG_FILTER = '(|(sPNMappings=*)(nETBIOSName=*))';

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export interface ExportPlan {
  domain: string;
  baseDn: string;
  configDn: string;
  ldifde: string[];
  ldapsearch: string[];
  file: string;
}

/** The export commands for a domain (`contoso.com`) and, for ldapsearch, a DC host name. */
export function exportPlan(domain: string, dc?: string): ExportPlan {
  const d = domain.trim().replace(/\.$/, '');
  if (!DNS_NAME.test(d)) throw new InvalidInputError(`"${truncate(d, 60)}" is not a DNS domain name (e.g. contoso.com)`);
  const host = (dc ?? `dc1.${d}`).trim();
  if (!DNS_NAME.test(host)) throw new InvalidInputError(`"${truncate(host, 60)}" is not a DC host name (e.g. dc1.contoso.com)`);
  const baseDn = d.split('.').map((l) => `DC=${l}`).join(',');
  const configDn = `CN=Configuration,${baseDn}`;
  const file = `krbops-${d.split('.', 1)[0]!.toLowerCase()}.ldif`;
  return {
    domain: d,
    baseDn,
    configDn,
    file,
    ldifde: [
      ldifde.export({ file: 'krbops-accounts.ldf', baseDn, filter: EXPORT_ACCOUNT_FILTER, attributes: EXPORT_ACCOUNT_ATTRIBUTES }),
      ldifde.export({ file: 'krbops-config.ldf', baseDn: configDn, filter: EXPORT_CONFIG_FILTER, attributes: EXPORT_CONFIG_ATTRIBUTES }),
      ldifde.join(['krbops-accounts.ldf', 'krbops-config.ldf'], file),
    ],
    ldapsearch: [
      ldapsearch.export({ host, user: `reader@${d}`, baseDn, filter: EXPORT_ACCOUNT_FILTER, attributes: EXPORT_ACCOUNT_ATTRIBUTES, file }),
      ldapsearch.export({ host, user: `reader@${d}`, baseDn: configDn, filter: EXPORT_CONFIG_FILTER, attributes: EXPORT_CONFIG_ATTRIBUTES, file, append: true }),
    ],
  };
}

/** The text `krbops export-ldif` prints. */
export function exportText(plan: ExportPlan): string {
  return [
    `Export what krbops reads of ${plan.domain} (read-only; any domain user may run these), then give krbops the file:`,
    `  LDAP_URL=file:./${plan.file} krbops spn dupes     or     krbops spn dupes --ldif ./${plan.file}`,
    '',
    'On a Windows host in the domain (cmd.exe):',
    ...plan.ldifde.map((c) => `  ${c}`),
    '',
    'With OpenLDAP ldapsearch (replace reader@ with any domain user; -W asks for its password):',
    ...plan.ldapsearch.map((c) => `  ${c}`),
    '',
    'The second command of each adds sPNMappings and the NetBIOS domain name; without it krbops assumes the Windows default (http → host).',
    'An export has no clock and no KDC: the checks that need them answer "unknown: this is an export".',
  ].join('\n');
}
