/**
 * Which of some AD groups a person is in, found by the e-mail address their chat platform vouches
 * for (Slack profile e-mail, Teams UPN). Read-only, two searches (on the server's LDAP pool):
 *
 *  1. the enabled user whose `mail`, `userPrincipalName` or `proxyAddresses` (smtp:) is the address
 *     — exactly one, or nobody: an ambiguous address never counts as anybody;
 *  2. which of the groups hold that user, directly or nested (LDAP_MATCHING_RULE_IN_CHAIN).
 *
 * The address and the DNs reach the server inside ldapts filter objects, never parsed filter text.
 * https://learn.microsoft.com/windows/win32/adsi/search-filter-syntax
 */
import { AndFilter, EqualityFilter, ExtensibleFilter, NotFilter, OrFilter, type Filter } from 'ldapts';
import type { Logger } from 'pino';
import type { LdapConfig } from '../config.js';
import { DirectoryProtocolError } from '../errors.js';
import { LdapConnection } from './ldap-client.js';
import type { LdapSearcher } from './ldap-pool.js';

const IN_CHAIN = '1.2.840.113556.1.4.1941';
const BIT_AND = '1.2.840.113556.1.4.803';
const ACCOUNTDISABLE = '2';
/** An e-mail address as chat platforms report it; anything else is not looked up. */
export const EMAIL = /^[^\s@()*\\\0]{1,200}@[A-Za-z0-9.-]{1,253}$/;

export interface GroupMembershipReader {
  /**
   * The DNs among `groupDns` whose (nested) members include the user with this e-mail address, as
   * given in `groupDns`. Empty when no enabled user, or more than one, has the address.
   */
  groupsOf(email: string, groupDns: readonly string[]): Promise<string[]>;
}

const eq = (attribute: string, value: string): Filter => new EqualityFilter({ attribute, value });

export function userByEmailFilter(email: string): Filter {
  return new AndFilter({
    filters: [
      eq('objectCategory', 'person'),
      eq('objectClass', 'user'),
      new NotFilter({ filter: new ExtensibleFilter({ matchType: 'userAccountControl', rule: BIT_AND, value: ACCOUNTDISABLE }) }),
      new OrFilter({ filters: [eq('mail', email), eq('userPrincipalName', email), eq('proxyAddresses', `smtp:${email}`), eq('proxyAddresses', `SMTP:${email}`)] }),
    ],
  });
}

export function groupsHoldingFilter(userDn: string, groupDns: readonly string[]): Filter {
  return new AndFilter({
    filters: [
      eq('objectClass', 'group'),
      new ExtensibleFilter({ matchType: 'member', rule: IN_CHAIN, value: userDn }),
      new OrFilter({ filters: groupDns.map((g) => eq('distinguishedName', g)) }),
    ],
  });
}

/**
 * The LDAP reader. `searcher` gives the connection the lookups run on: in the server, the shared
 * LDAP pool's (`DirectoryOpener.dcSearcher`, LDAP_POOL_SIZE), so these lookups count against the same
 * bound on DC connections as every other request; without one, a connection is opened and closed
 * per lookup (lookups are cached by the caller for minutes).
 */
export function ldapGroupMembership(config: LdapConfig, log: Logger, searcher?: () => Promise<LdapSearcher>): GroupMembershipReader {
  let base: Promise<string> | undefined;
  return {
    async groupsOf(email, groupDns) {
      if (!EMAIL.test(email) || !groupDns.length) return [];
      const conn = searcher ? await searcher() : await LdapConnection.open(config, config.urls, log);
      try {
        if (config.baseDn) base = Promise.resolve(config.baseDn);
        // The naming context is read once per reader (a failed read is tried again next time).
        base ??= defaultNamingContext(conn).catch((e: unknown) => {
          base = undefined;
          throw e;
        });
        const root = await base;
        const users = await conn.search({ base: root, filter: userByEmailFilter(email), attributes: ['distinguishedName'] });
        const [user] = users;
        if (!user || users.length !== 1) {
          log.info({ matches: users.length }, users.length ? 'e-mail address matches more than one AD user; not counted' : 'e-mail address matches no enabled AD user');
          return [];
        }
        const hits = await conn.search({ base: root, filter: groupsHoldingFilter(user.dn, groupDns), attributes: ['distinguishedName'] });
        const found = new Set(hits.map((h) => h.dn.toLowerCase()));
        return groupDns.filter((g) => found.has(g.toLowerCase()));
      } finally {
        // A pooled searcher's close() closes nothing: the pool owns its connections.
        await conn.close();
      }
    },
  };
}

async function defaultNamingContext(conn: LdapSearcher): Promise<string> {
  const [root] = await conn.search({ base: '', scope: 'base', attributes: ['defaultNamingContext'] });
  const v = root?.defaultNamingContext;
  const dn = String(Array.isArray(v) ? v[0] : (v ?? ''));
  if (!dn) throw new DirectoryProtocolError(`${conn.server}: the rootDSE has no defaultNamingContext; set LDAP_BASE_DN`, { server: conn.server });
  return dn;
}
