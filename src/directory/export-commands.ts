/**
 * The export an engineer runs for someone who has krbops but no access to their AD: `ldifde` (on a
 * Windows host in the domain) or `ldapsearch` (OpenLDAP), capturing exactly the attributes krbops
 * reads. Every command string of the export lives here (one place, until the fix-command builder
 * takes them); values are checked to be DNS names or host names, so nothing needs quoting beyond
 * the fixed literals.
 */
import { InvalidInputError, truncate } from '../errors.js';
import { ACCOUNT_ATTRIBUTES } from './ldap-directory.js';

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
  const file = `krbops-${d.split('.')[0].toLowerCase()}.ldif`;
  const accounts = EXPORT_ACCOUNT_ATTRIBUTES.join(',');
  const config = EXPORT_CONFIG_ATTRIBUTES.join(',');
  return {
    domain: d,
    baseDn,
    configDn,
    file,
    ldifde: [
      `ldifde -f krbops-accounts.ldf -d "${baseDn}" -p subtree -r "${EXPORT_ACCOUNT_FILTER}" -l "${accounts}"`,
      `ldifde -f krbops-config.ldf -d "${configDn}" -p subtree -r "${EXPORT_CONFIG_FILTER}" -l "${config}"`,
      `copy /b krbops-accounts.ldf + krbops-config.ldf ${file}`,
    ],
    ldapsearch: [
      `ldapsearch -LLL -H ldaps://${host} -D 'reader@${d}' -W -E pr=500/noprompt -b '${baseDn}' '${EXPORT_ACCOUNT_FILTER}' ${EXPORT_ACCOUNT_ATTRIBUTES.join(' ')} > ${file}`,
      `ldapsearch -LLL -H ldaps://${host} -D 'reader@${d}' -W -E pr=500/noprompt -b '${configDn}' '${EXPORT_CONFIG_FILTER}' ${EXPORT_CONFIG_ATTRIBUTES.join(' ')} >> ${file}`,
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
