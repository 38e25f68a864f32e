/**
 * LDAP filters and attribute lists of the directory reader. Every value goes into an ldapts filter
 * object (BER-encoded, never a parsed filter string), so user text cannot change a filter's shape.
 */
import { AndFilter, EqualityFilter, GreaterThanEqualsFilter, OrFilter, type Filter } from 'ldapts';

export const ACCOUNT_ATTRIBUTES = [
  'sAMAccountName',
  'userPrincipalName',
  'objectClass',
  'dNSHostName',
  'servicePrincipalName',
  'userAccountControl',
  'msDS-AllowedToDelegateTo',
  'msDS-AllowedToActOnBehalfOfOtherIdentity',
  'msDS-SupportedEncryptionTypes',
  'pwdLastSet',
  'whenChanged',
  'uSNChanged',
  'memberOf',
];
export const REF_ATTRIBUTES = ['sAMAccountName', 'whenChanged', 'userAccountControl'];
export const SCAN_ATTRIBUTES = ['sAMAccountName', 'servicePrincipalName', 'whenChanged', 'uSNChanged', 'userAccountControl'];
export const IN_CHAIN = '1.2.840.113556.1.4.1941';

export function eq(attribute: string, value: string | Buffer): Filter {
  return new EqualityFilter({ attribute, value });
}
export function or(...filters: Filter[]): Filter {
  const [only] = filters;
  return only && filters.length === 1 ? only : new OrFilter({ filters });
}
export function and(...filters: Filter[]): Filter {
  return new AndFilter({ filters });
}
export const isAccount = () => or(eq('objectCategory', 'person'), eq('objectCategory', 'computer'), eq('objectClass', 'msDS-GroupManagedServiceAccount'));


/** uSNChanged strictly above a watermark (a decimal string, checked by the caller). */
export function usnAbove(usn: string): Filter {
  return new GreaterThanEqualsFilter({ attribute: 'uSNChanged', value: (BigInt(usn) + 1n).toString() });
}

/**
 * The filters that find one account by name: UPN (name@realm), host FQDN (the computer account),
 * or sAMAccountName with and without the computer `$`.
 */
export function accountNameFilters(name: string): Filter[] {
  const filters: Filter[] = [];
  if (name.includes('@')) {
    filters.push(eq('userPrincipalName', name));
    filters.push(eq('sAMAccountName', name.slice(0, name.indexOf('@'))));
  } else if (name.includes('.')) {
    // A host FQDN: the computer account that carries it.
    filters.push(eq('dNSHostName', name));
    filters.push(eq('sAMAccountName', name));
    filters.push(eq('sAMAccountName', `${name.split('.')[0]}$`));
  } else {
    filters.push(eq('sAMAccountName', name));
    if (!name.endsWith('$')) filters.push(eq('sAMAccountName', `${name}$`));
  }
  return filters;
}
