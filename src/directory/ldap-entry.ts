/** Account mapping: LDAP entries (ldapts) → the plain AccountRef / AccountFacts of src/model. */
import type { AccountFacts, AccountKind, AccountRef } from '../model/index.js';
import type { Entry } from './ldap-client.js';
import { decodeEncryptionTypes, decodeUac, fileTimeToIso, generalizedTimeToIso } from './uac.js';

/** Values of an attribute as an array of strings (ldapts gives a string for a single value). */
export function values(entry: Entry, attr: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key ? entry[key] : undefined;
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));
}

export function first(entry: Entry, attr: string): string | undefined {
  return values(entry, attr)[0];
}

/** A ranged attribute returned as `attr;range=0-1499` (AD does this past MaxValRange). */
export function rangedKey(entry: Entry, attr: string): { key: string; end: string } | undefined {
  const prefix = `${attr.toLowerCase()};range=`;
  const key = Object.keys(entry).find((k) => k.toLowerCase().startsWith(prefix));
  if (!key) return undefined;
  const end = /;range=(\d+)-(\d+|\*)$/i.exec(key)?.[2];
  return end !== undefined ? { key, end } : undefined;
}

/**
 * The entry a name lookup meant among several hits: the exact UPN, then the exact sAMAccountName
 * (crm over crm$), then the exact host name, else the first.
 */
export function pickExact<E>(entries: E[], name: string, attr: (e: E, a: string) => string | undefined): E | undefined {
  const lower = name.toLowerCase();
  return (
    entries.find((e) => attr(e, 'userPrincipalName')?.toLowerCase() === lower) ??
    entries.find((e) => attr(e, 'sAMAccountName')?.toLowerCase() === lower) ??
    entries.find((e) => attr(e, 'dNSHostName')?.toLowerCase() === lower) ??
    entries[0]
  );
}

export function accountKind(objectClass: string[]): AccountKind {
  const oc = objectClass.map((c) => c.toLowerCase());
  if (oc.includes('msds-groupmanagedserviceaccount')) return 'gmsa';
  if (oc.includes('msds-managedserviceaccount')) return 'msa';
  if (oc.includes('computer')) return 'computer';
  if (oc.includes('user')) return 'user';
  return 'other';
}

/** The short form of an account entry used in lists (spn query / dupes). */
export function toRef(e: Entry): AccountRef {
  const uac = Number(first(e, 'userAccountControl') ?? 0);
  return {
    dn: e.dn,
    sAMAccountName: first(e, 'sAMAccountName') ?? e.dn,
    whenChanged: generalizedTimeToIso(first(e, 'whenChanged')),
    disabled: (uac & 0x2) !== 0,
  };
}

/**
 * An account entry as AccountFacts. The caller supplies what needs more reads: the NetBIOS domain,
 * every SPN (ranged retrieval) and Protected Users membership.
 */
export function accountFacts(e: Entry, more: { domain?: string; servicePrincipalName: string[]; protectedUser: boolean }): AccountFacts {
  const objectClass = values(e, 'objectClass');
  const etypes = first(e, 'msDS-SupportedEncryptionTypes');
  const memberOf = values(e, 'memberOf');
  const rbcd = e['msDS-AllowedToActOnBehalfOfOtherIdentity'] ?? Object.entries(e).find(([k]) => k.toLowerCase() === 'msds-allowedtoactonbehalfofotheridentity')?.[1];
  return {
    dn: e.dn,
    sAMAccountName: first(e, 'sAMAccountName') ?? '',
    domain: more.domain,
    userPrincipalName: first(e, 'userPrincipalName'),
    kind: accountKind(objectClass),
    objectClass,
    dNSHostName: first(e, 'dNSHostName'),
    servicePrincipalName: more.servicePrincipalName,
    userAccountControl: decodeUac(Number(first(e, 'userAccountControl') ?? 0)),
    allowedToDelegateTo: values(e, 'msDS-AllowedToDelegateTo'),
    hasResourceBasedDelegation: rbcd !== undefined && !(Array.isArray(rbcd) && rbcd.length === 0),
    supportedEncryptionTypes: etypes === undefined ? undefined : Number(etypes),
    encryptionTypeNames: decodeEncryptionTypes(etypes === undefined ? undefined : Number(etypes)),
    pwdLastSet: fileTimeToIso(first(e, 'pwdLastSet')),
    whenChanged: generalizedTimeToIso(first(e, 'whenChanged')),
    uSNChanged: first(e, 'uSNChanged'),
    memberOf,
    protectedUser: more.protectedUser,
  };
}

/**
 * Holders of an SPN in answer order: exact holders first, then by account name (case-insensitive,
 * code-point order). Not localeCompare: its first call loads ICU's collator, ≈ 30 ms of a CLI
 * `spn query` (issue 15: start-up), for names that are ASCII in practice.
 */
export function holderOrder(a: { via: string; sAMAccountName: string }, b: { via: string; sAMAccountName: string }): number {
  if (a.via !== b.via) return a.via === 'exact' ? -1 : 1;
  const x = a.sAMAccountName.toLowerCase();
  const y = b.sAMAccountName.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.sAMAccountName < b.sAMAccountName ? -1 : a.sAMAccountName > b.sAMAccountName ? 1 : 0;
}
