/**
 * What the encryption-type report reads from a domain: every account holding an SPN plus krbtgt
 * (ONE paged search), and when the domain could first make AES keys (the domain head and its
 * Read-only Domain Controllers group, RID 521). Read-only; values reach the server as filter objects.
 *
 * Read from a DC of the domain, not from the Global Catalog: neither msDS-SupportedEncryptionTypes
 * nor pwdLastSet is in the GC's partial attribute set
 * (https://learn.microsoft.com/windows/win32/adschema/a-msds-supportedencryptiontypes: "In Global Catalog: False").
 */
import { EqualityFilter, OrFilter, PresenceFilter, type Filter } from 'ldapts';
import type { Entry } from './ldap-client.js';
import type { LdapSearcher } from './ldap-pool.js';
// Functions only (no load-time use), so the import cycle with ldap-directory.ts is harmless.
import { first } from './ldap-entry.js';
import { sidToBuffer, sidToString } from './sid.js';
import type { AccountKind, DomainKeyFacts, EncryptionScanAccount } from '../model/directory.js';
import { fileTimeToIso, generalizedTimeToIso } from './uac.js';

/** One account as the encryption-type report needs it. */

export const ENCRYPTION_SCAN_ATTRIBUTES = ['sAMAccountName', 'objectClass', 'servicePrincipalName', 'msDS-SupportedEncryptionTypes', 'pwdLastSet', 'whenCreated', 'userAccountControl'];

export const ENCRYPTION_SCAN_FILTER: Filter = new OrFilter({
  filters: [new PresenceFilter({ attribute: 'servicePrincipalName' }), new EqualityFilter({ attribute: 'sAMAccountName', value: 'krbtgt' })],
});

export function toEncryptionScanAccount(e: Entry, kind: AccountKind, spns: string[]): EncryptionScanAccount {
  const set = first(e, 'msDS-SupportedEncryptionTypes');
  const n = set === undefined ? NaN : Number(set);
  return {
    dn: e.dn,
    sAMAccountName: first(e, 'sAMAccountName') ?? e.dn,
    kind,
    spns,
    supportedEncryptionTypes: Number.isInteger(n) ? n >>> 0 : null,
    pwdLastSet: fileTimeToIso(first(e, 'pwdLastSet')),
    whenCreated: generalizedTimeToIso(first(e, 'whenCreated')),
    userAccountControl: Number(first(e, 'userAccountControl') ?? 0),
  };
}

/** Two indexed reads: the domain head (objectSid, whenCreated) and the group whose SID ends in -521. */
export async function readDomainKeyFacts(conn: LdapSearcher, domainDn: string): Promise<DomainKeyFacts> {
  const [head] = await conn.search({ base: domainDn, scope: 'base', attributes: ['objectSid', 'whenCreated'], binary: ['objectSid'] });
  const facts: DomainKeyFacts = { domainDn, domainCreated: head ? generalizedTimeToIso(first(head, 'whenCreated')) : undefined };
  const sid = head?.objectSid;
  if (!Buffer.isBuffer(sid)) return facts;
  const [group] = await conn.search({
    base: domainDn,
    filter: new EqualityFilter({ attribute: 'objectSid', value: sidToBuffer(`${sidToString(sid)}-521`) }),
    attributes: ['whenCreated'],
    sizeLimit: 1,
  });
  if (group) {
    facts.rodcGroupDn = group.dn;
    facts.rodcGroupCreated = generalizedTimeToIso(first(group, 'whenCreated'));
  }
  return facts;
}
