/**
 * DirectoryReader over LDAP(S) with ldapts: account lookup, SPN holders, sPNMappings, paged scans.
 * Every user-supplied value reaches the server inside ldapts filter objects (./ldap-filters.ts:
 * BER-encoded values, never parsed filter strings), so `*)(objectClass=*` is just a name that
 * matches nothing. Entries become plain data in ./ldap-entry.ts; SIDs are decoded in ./sid.ts.
 */
import { ExtensibleFilter, PresenceFilter, type Filter } from 'ldapts';
import type { Logger } from 'pino';
import type { LdapConfig } from '../config.js';
import { AccountNotFoundError, DirectoryError, DirectoryProtocolError } from '../errors.js';
import type { AccountFacts, AccountRef, DirectoryInfo, DomainKeyFacts, EncryptionScanAccount, SpnHolder } from '../model/index.js';
import { aliasHostSpn, normaliseSpn } from '../spn/parse.js';
import { LdapConnection, type Entry } from './ldap-client.js';
import type { LdapPool, LdapSearcher } from './ldap-pool.js';
import { ENCRYPTION_SCAN_ATTRIBUTES, ENCRYPTION_SCAN_FILTER, readDomainKeyFacts, toEncryptionScanAccount } from './encryption-scan.js';
import { accountFacts, accountKind, first, holderOrder, pickExact, rangedKey, toRef, values } from './ldap-entry.js';
import { ACCOUNT_ATTRIBUTES, accountNameFilters, and, eq, IN_CHAIN, isAccount, or, REF_ATTRIBUTES, SCAN_ATTRIBUTES, usnAbove } from './ldap-filters.js';
import { guidToString, sidToBuffer, sidToString } from './sid.js';
import type { DirectoryReader } from './types.js';
import { generalizedTimeToIso } from './uac.js';


/**
 * DNs per OR filter when accounts are read by DN. A DC matches every entry it finds against the
 * whole OR, so the cost per DN grows with the batch: on Samba 2 000 DNs took 2.1–2.4 s in
 * batches of 100 and 1.3–1.6 s in batches of 25 (BENCHMARKS.md, incremental watch).
 */
const DNS_PER_SEARCH = 25;

export class LdapDirectory implements DirectoryReader {
  private infoCache?: Promise<DirectoryInfo>;
  private mappingsCache?: Promise<Map<string, string>>;
  private protectedUsersDn?: Promise<string | undefined>;
  private gcConn?: Promise<LdapSearcher>;

  constructor(
    private readonly conn: LdapSearcher,
    private readonly config: LdapConfig,
    private readonly log: Logger,
    /** The Global Catalog for forest-wide searches (LDAP_GC_URL); default: a connection of this directory's own. */
    private readonly openGc: () => Promise<LdapSearcher> = () => LdapConnection.open(config, [config.gcUrl!], log),
  ) {}

  /** Naming contexts and names are read once; the clock and the USN watermark fresh on every call. */
  async info(): Promise<DirectoryInfo> {
    const fresh = !this.infoCache;
    const base = await this.names();
    if (fresh) return base;
    const [root] = await this.conn.search({ base: '', scope: 'base', attributes: ['currentTime', 'highestCommittedUSN'] });
    if (!root) return base;
    return { ...base, currentTime: generalizedTimeToIso(first(root, 'currentTime')) ?? base.currentTime, highestCommittedUSN: first(root, 'highestCommittedUSN') ?? base.highestCommittedUSN };
  }

  /** The DC's clock read fresh (not cached): clock-skew checks need "now". */
  async currentTime(): Promise<string | undefined> {
    const [root] = await this.conn.search({ base: '', scope: 'base', attributes: ['currentTime'] });
    return generalizedTimeToIso(root && first(root, 'currentTime'));
  }

  /**
   * The rootDSE as first read, for the lookups' own needs (naming contexts, NetBIOS name): they
   * do not need the fresh clock and USN that info() fetches, so they cost no extra round trip.
   */
  private names(): Promise<DirectoryInfo> {
    return (this.infoCache ??= this.readRootDse());
  }

  private async readRootDse(): Promise<DirectoryInfo> {
    const [root] = await this.conn.search({
      base: '',
      scope: 'base',
      attributes: ['defaultNamingContext', 'configurationNamingContext', 'rootDomainNamingContext', 'dnsHostName', 'currentTime', 'highestCommittedUSN', 'dsServiceName'],
    });
    if (!root) throw new DirectoryProtocolError(`${this.conn.server}: the rootDSE is empty (is this Active Directory?)`, { server: this.conn.server });
    const defaultNamingContext = this.config.baseDn ?? first(root, 'defaultNamingContext');
    const configurationNamingContext = first(root, 'configurationNamingContext');
    if (!defaultNamingContext || !configurationNamingContext) {
      throw new DirectoryProtocolError(`${this.conn.server}: the rootDSE has no defaultNamingContext; set LDAP_BASE_DN`, { server: this.conn.server });
    }
    // The NetBIOS name and the invocationId in parallel: one round trip less on every fresh connection.
    const dsServiceName = first(root, 'dsServiceName');
    const [netbiosDomain, invocationId] = await Promise.all([
      this.conn
        .search({
          base: `CN=Partitions,${configurationNamingContext}`,
          scope: 'one',
          filter: and(eq('objectClass', 'crossRef'), eq('nCName', first(root, 'defaultNamingContext') ?? defaultNamingContext)),
          attributes: ['nETBIOSName'],
        })
        .then(
          ([xref]) => xref && first(xref, 'nETBIOSName'),
          (e: unknown) => void this.log.debug({ err: (e as Error).message }, 'netbios name not readable'),
        ),
      dsServiceName
        ? this.conn.search({ base: dsServiceName, scope: 'base', attributes: ['invocationId'], binary: ['invocationId'] }).then(
            ([ntds]) => {
              const raw = ntds?.invocationId;
              return Buffer.isBuffer(raw) && raw.length === 16 ? guidToString(raw) : undefined;
            },
            (e: unknown) => void this.log.debug({ err: (e as Error).message }, 'invocationId not readable'),
          )
        : undefined,
    ]);
    return {
      server: this.conn.server,
      invocationId,
      defaultNamingContext,
      configurationNamingContext,
      rootDomainNamingContext: first(root, 'rootDomainNamingContext'),
      dnsHostName: first(root, 'dnsHostName'),
      currentTime: generalizedTimeToIso(first(root, 'currentTime')),
      netbiosDomain,
      highestCommittedUSN: first(root, 'highestCommittedUSN'),
      dsServiceName: first(root, 'dsServiceName'),
    };
  }

  async spnMappings(): Promise<Map<string, string>> {
    this.mappingsCache ??= (async () => {
      const { configurationNamingContext } = await this.names();
      const map = new Map<string, string>();
      const entries = await this.conn.search({
        base: `CN=Directory Service,CN=Windows NT,CN=Services,${configurationNamingContext}`,
        scope: 'base',
        attributes: ['sPNMappings'],
      }).catch((e: unknown) => {
        this.log.warn({ err: (e as Error).message }, 'sPNMappings not readable; assuming the Windows default http→host');
        return [] as Entry[];
      });
      for (const line of entries[0] ? values(entries[0], 'sPNMappings') : []) {
        const [target, aliases] = line.split('=', 2);
        if (!target || !aliases) continue;
        for (const a of aliases.split(',')) if (a.trim()) map.set(a.trim().toLowerCase(), target.trim().toLowerCase());
      }
      if (!map.size) map.set('http', 'host');
      return map;
    })();
    return this.mappingsCache;
  }

  /** The DC this directory is bound to (the one info() describes). */
  private async dc(): Promise<{ conn: LdapSearcher; base: string }> {
    return { conn: this.conn, base: (await this.names()).defaultNamingContext };
  }

  /** The searches that should cover the whole forest go to the GC when one is configured. */
  private async forest(): Promise<{ conn: LdapSearcher; base: string }> {
    if (this.config.gcUrl) {
      this.gcConn ??= this.openGc();
      return { conn: await this.gcConn, base: '' };
    }
    return { conn: this.conn, base: (await this.names()).defaultNamingContext };
  }

  async findAccount(query: string): Promise<AccountFacts> {
    const found = await this.tryFindAccount(query);
    if (found) return found;
    throw new AccountNotFoundError(query, await this.suggest(query));
  }

  async tryFindAccount(query: string): Promise<AccountFacts | undefined> {
    const q = query.trim();
    if (!q) return undefined;
    const { defaultNamingContext } = await this.names();
    // A DN: read that object (base scope); a malformed DN is simply "not found".
    if (/^(CN|OU|DC|O)=/i.test(q) && q.includes('=')) {
      try {
        const [entry] = await this.conn.search({ base: q, scope: 'base', filter: isAccount(), attributes: ACCOUNT_ATTRIBUTES, binary: ['msDS-AllowedToActOnBehalfOfOtherIdentity'] });
        return entry ? this.toFacts(entry) : undefined;
      } catch (e) {
        if (e instanceof DirectoryProtocolError) return undefined;
        throw e;
      }
    }
    let name = q;
    const slash = q.indexOf('\\');
    if (slash > 0) name = q.slice(slash + 1);
    const filters = accountNameFilters(name);
    const entries = await this.conn.search({
      base: defaultNamingContext,
      filter: and(isAccount(), or(...filters)),
      attributes: ACCOUNT_ATTRIBUTES,
      binary: ['msDS-AllowedToActOnBehalfOfOtherIdentity'],
      sizeLimit: 10,
    });
    if (!entries.length) return undefined;
    return this.toFacts(pickExact(entries, name, first)!);
  }

  /** Close matches by ambiguous name resolution, only for short queries (cheap, indexed). */
  private async suggest(query: string): Promise<string[]> {
    const q = query.trim().replace(/^[^\\]*\\/, '').replace(/\$$/, '');
    if (q.length < 2 || q.length > 64) return [];
    try {
      const { defaultNamingContext } = await this.names();
      const entries = await this.conn.search({ base: defaultNamingContext, filter: and(isAccount(), eq('anr', q)), attributes: ['sAMAccountName'], sizeLimit: 5 });
      return entries.map((e) => first(e, 'sAMAccountName')).filter((s): s is string => !!s).slice(0, 5);
    } catch {
      return []; // suggestions are a courtesy; a refused ANR search must not hide the real answer
    }
  }

  async findComputerByHost(host: string): Promise<AccountFacts | undefined> {
    const h = host.trim().replace(/\.$/, '');
    if (!h || h.length > 255) return undefined;
    const { defaultNamingContext } = await this.names();
    const entries = await this.conn.search({
      base: defaultNamingContext,
      filter: and(eq('objectCategory', 'computer'), or(eq('dNSHostName', h), eq('sAMAccountName', `${h.split('.')[0]}$`))),
      attributes: ACCOUNT_ATTRIBUTES,
      binary: ['msDS-AllowedToActOnBehalfOfOtherIdentity'],
      sizeLimit: 5,
    });
    const byFqdn = entries.find((e) => first(e, 'dNSHostName')?.toLowerCase() === h.toLowerCase());
    const chosen = byFqdn ?? (h.includes('.') ? undefined : entries[0]) ?? entries[0];
    return chosen ? this.toFacts(chosen) : undefined;
  }

  async spnHolders(spn: string, options: { includeAliases?: boolean } = {}): Promise<SpnHolder[]> {
    const wanted = spn.trim();
    const alias = options.includeAliases ? aliasHostSpn(wanted, await this.spnMappings()) : undefined;
    const { conn, base } = await this.forest();
    const filter = alias ? or(eq('servicePrincipalName', wanted), eq('servicePrincipalName', alias)) : eq('servicePrincipalName', wanted);
    const entries = await conn.search({ base, filter, attributes: [...REF_ATTRIBUTES, 'servicePrincipalName'] });
    const out: SpnHolder[] = [];
    for (const e of entries) {
      const spns = await this.allSpns(conn, e);
      const ref = toRef(e);
      const exact = spns.find((s) => normaliseSpn(s) === normaliseSpn(wanted));
      if (exact) out.push({ ...ref, matched: exact, via: 'exact' });
      const viaAlias = alias && spns.find((s) => normaliseSpn(s) === normaliseSpn(alias));
      if (viaAlias && !exact) out.push({ ...ref, matched: viaAlias, via: 'alias' });
    }
    return out.sort(holderOrder);
  }

  async *scanSpns(options: { changedAfterUsn?: string; scope?: 'forest' | 'dc' } = {}): AsyncIterable<AccountRef & { servicePrincipalName: string[]; uSNChanged?: string }> {
    // USNs are per DC: a watermark is only meaningful on the DC that info() describes.
    const { conn, base } = options.changedAfterUsn !== undefined || options.scope === 'dc' ? await this.dc() : await this.forest();
    const filters: Filter[] = [new PresenceFilter({ attribute: 'servicePrincipalName' })];
    if (options.changedAfterUsn !== undefined) {
      if (!/^\d+$/.test(options.changedAfterUsn)) throw new DirectoryProtocolError(`invalid uSNChanged watermark "${options.changedAfterUsn}"`, { server: conn.server });
      filters.push(usnAbove(options.changedAfterUsn));
    }
    for await (const page of conn.searchPages({ base, filter: filters.length > 1 ? and(...filters) : filters[0], attributes: SCAN_ATTRIBUTES })) {
      for (const e of page) {
        yield { ...toRef(e), servicePrincipalName: await this.allSpns(conn, e), uSNChanged: first(e, 'uSNChanged') };
      }
    }
  }

  /** The lean forest-wide scan of `spn dupes`: DN and SPNs only (less for the DC to check and send), a page at a time. */
  async *scanSpnPages(): AsyncIterable<{ dn: string; servicePrincipalName: string[] }[]> {
    const { conn, base } = await this.forest();
    for await (const page of conn.searchPages({ base, filter: new PresenceFilter({ attribute: 'servicePrincipalName' }), attributes: ['servicePrincipalName'] })) {
      const out: { dn: string; servicePrincipalName: string[] }[] = [];
      for (const e of page) out.push({ dn: e.dn, servicePrincipalName: rangedKey(e, 'servicePrincipalName') ? await this.allSpns(conn, e) : values(e, 'servicePrincipalName') });
      yield out;
    }
  }

  /**
   * Accounts by DN with every SPN (the re-read of a compact scan's candidates, the watch's re-check);
   * a DN that is gone is left out. DNS_PER_SEARCH DNs per OR filter.
   */
  async accountsByDn(dns: string[], options: { scope?: 'forest' | 'dc' } = {}): Promise<(AccountRef & { servicePrincipalName: string[] })[]> {
    const { conn, base } = options.scope === 'dc' ? await this.dc() : await this.forest();
    const found = new Map<string, AccountRef & { servicePrincipalName: string[] }>();
    for (let i = 0; i < dns.length; i += DNS_PER_SEARCH) {
      const filters = dns.slice(i, i + DNS_PER_SEARCH).map((dn) => eq('distinguishedName', dn));
      for (const e of await conn.search({ base, filter: filters.length === 1 ? filters[0] : or(...filters), attributes: SCAN_ATTRIBUTES })) {
        found.set(e.dn.toLowerCase(), { ...toRef(e), servicePrincipalName: await this.allSpns(conn, e) });
      }
    }
    return dns.flatMap((dn) => found.get(dn.toLowerCase()) ?? []);
  }

  /** Accounts that changed after a USN, including those that lost their last SPN (for incremental watches). */
  async *changedSince(usn: string): AsyncIterable<AccountRef & { servicePrincipalName: string[]; uSNChanged?: string }> {
    if (!/^\d+$/.test(usn)) throw new DirectoryProtocolError(`invalid uSNChanged watermark "${usn}"`, { server: this.conn.server });
    const { conn, base } = await this.dc();
    // uSNChanged alone, accounts picked here: uSNChanged is indexed on AD, and on Samba (no range index) a
    // scan comparing one integer is 3–30× faster than the same search ANDed with objectCategory or
    // objectClass (BENCHMARKS.md, incremental watch). Accounts: every user-derived class (users,
    // computers, managed service accounts), as isAccount() selects them.
    for await (const page of conn.searchPages({ base, filter: usnAbove(usn), attributes: [...SCAN_ATTRIBUTES, 'objectClass'] })) {
      for (const e of page) {
        if (!values(e, 'objectClass').some((c) => c.toLowerCase() === 'user')) continue;
        yield { ...toRef(e), servicePrincipalName: await this.allSpns(conn, e), uSNChanged: first(e, 'uSNChanged') };
      }
    }
  }

  /** Every SPN holder plus krbtgt of the DC's domain, with what the encryption-type report needs (one paged search). */
  async *scanEncryptionTypes(): AsyncIterable<EncryptionScanAccount> {
    const { conn, base } = await this.dc();
    for await (const page of conn.searchPages({ base, filter: ENCRYPTION_SCAN_FILTER, attributes: ENCRYPTION_SCAN_ATTRIBUTES })) {
      for (const e of page) yield toEncryptionScanAccount(e, accountKind(values(e, 'objectClass')), await this.allSpns(conn, e));
    }
  }

  async domainKeyFacts(): Promise<DomainKeyFacts> {
    const { conn, base } = await this.dc();
    return readDomainKeyFacts(conn, base);
  }

  /** All values of servicePrincipalName, following `;range=` retrieval when the DC splits them. */
  private async allSpns(conn: LdapSearcher, entry: Entry): Promise<string[]> {
    const ranged = rangedKey(entry, 'servicePrincipalName');
    if (!ranged) return values(entry, 'servicePrincipalName');
    const all = values(entry, ranged.key);
    let end = ranged.end;
    while (end !== '*') {
      const start = Number(end) + 1;
      const [next] = await conn.search({ base: entry.dn, scope: 'base', attributes: [`servicePrincipalName;range=${start}-*`] });
      const r = next && rangedKey(next, 'servicePrincipalName');
      if (!r) break;
      all.push(...values(next, r.key));
      end = r.end;
    }
    return all;
  }

  private async toFacts(e: Entry): Promise<AccountFacts> {
    const info = await this.names();
    const memberOf = values(e, 'memberOf');
    return accountFacts(e, { domain: info.netbiosDomain, servicePrincipalName: await this.allSpns(this.conn, e), protectedUser: await this.isProtectedUser(e.dn, memberOf) });
  }

  /** Protected Users is found by its well-known RID (-525), so a localised group name still works. */
  private async isProtectedUser(dn: string, memberOf: string[]): Promise<boolean> {
    this.protectedUsersDn ??= (async () => {
      try {
        const { defaultNamingContext } = await this.names();
        const [domain] = await this.conn.search({ base: defaultNamingContext, scope: 'base', attributes: ['objectSid'], binary: ['objectSid'] });
        const sidRaw = domain?.objectSid;
        if (!Buffer.isBuffer(sidRaw)) return undefined;
        const sid = `${sidToString(sidRaw)}-525`;
        const [group] = await this.conn.search({ base: defaultNamingContext, filter: eq('objectSid', sidToBuffer(sid)), attributes: ['distinguishedName'] });
        return group?.dn;
      } catch (e) {
        this.log.debug({ err: (e as Error).message }, 'Protected Users group not found');
        return undefined;
      }
    })();
    const groupDn = await this.protectedUsersDn;
    if (!groupDn) return false;
    if (memberOf.some((m) => m.toLowerCase() === groupDn.toLowerCase())) return true;
    try {
      const hits = await this.conn.search({
        base: groupDn,
        scope: 'base',
        filter: new ExtensibleFilter({ matchType: 'member', rule: IN_CHAIN, value: dn }),
        attributes: ['cn'],
      });
      return hits.length > 0;
    } catch (e) {
      if (e instanceof DirectoryError) return false;
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.conn.close();
    if (this.gcConn) await (await this.gcConn.catch(() => undefined))?.close();
  }
}

/** Connects to the first DC that answers and returns a read-only directory. */
export async function openDirectory(config: LdapConfig, log: Logger): Promise<LdapDirectory> {
  const conn = await LdapConnection.open(config, config.urls, log);
  return new LdapDirectory(conn, config, log);
}

/** A directory for one request over the server's pools (the DC's, and the GC's when configured); closing it closes no connection. */
export function pooledDirectory(pools: { dc: LdapPool; gc?: LdapPool }, config: LdapConfig, log: Logger): LdapDirectory {
  const gc = pools.gc;
  return new LdapDirectory(pools.dc.searcher(), config, log, gc ? async () => gc.searcher() : undefined);
}
