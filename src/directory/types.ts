/**
 * The directory port: what the rest of krbops may ask Active Directory. The plain data it returns
 * lives in src/model/directory.ts.
 */
import type { SpnScan } from '../spn/spn-scan.js';
import type { AccountFacts, AccountRef, DirectoryInfo, DomainKeyFacts, EncryptionScanAccount, SpnHolder } from '../model/directory.js';


/**
 * What the rest of krbops may ask Active Directory. Read-only by construction: there is no
 * method that writes. Every string parameter may be hostile user text; implementations escape it.
 */
export interface DirectoryReader {
  info(): Promise<DirectoryInfo>;
  /** Find one account by sAMAccountName, DOMAIN\name, UPN, computer name with or without `$`, DN or FQDN. Throws AccountNotFoundError with suggestions. */
  findAccount(query: string): Promise<AccountFacts>;
  /** Like findAccount but returns undefined instead of throwing when not found. */
  tryFindAccount(query: string): Promise<AccountFacts | undefined>;
  /** Computer account whose dNSHostName or sAMAccountName matches a host name. */
  findComputerByHost(host: string): Promise<AccountFacts | undefined>;
  /** Every account holding the SPN (case-insensitive), and with includeAliases the holders of HOST/ SPNs that answer for it. */
  spnHolders(spn: string, options?: { includeAliases?: boolean }): Promise<SpnHolder[]>;
  /** sPNMappings of the forest, as a map alias class (lower case) → 'host'. e.g. http → host. */
  spnMappings(): Promise<Map<string, string>>;
  /**
   * Stream all accounts that have any SPN, page by page (bounded memory). Default scope 'forest'
   * (the Global Catalog when LDAP_GC_URL is set); scope 'dc' reads the DC that info() describes,
   * which is what a USN watermark needs. `changedAfterUsn` (implies 'dc') makes it incremental.
   */
  scanSpns(options?: { changedAfterUsn?: string; scope?: 'forest' | 'dc' }): AsyncIterable<AccountRef & { servicePrincipalName: string[]; uSNChanged?: string }>;
  /** Every account with an SPN, forest-wide, as DN and SPNs only, a page at a time (`spn dupes`). */
  scanSpnPages(): AsyncIterable<{ dn: string; servicePrincipalName: string[] }[]>;
  /** Optional: feeds every account with an SPN to `scan` directly (an export's index: no page of strings); false if the caller must read scanSpnPages(). */
  scanSpnsInto?(scan: SpnScan): Promise<boolean>;
  /**
   * Accounts by DN with every SPN, a batch of DNs per search; DNs that no longer exist are left out.
   * Forest-wide (the GC when configured), or `scope: 'dc'` on the DC info() describes.
   */
  accountsByDn(dns: string[], options?: { scope?: 'forest' | 'dc' }): Promise<(AccountRef & { servicePrincipalName: string[] })[]>;
  /**
   * Incremental watches: every account whose uSNChanged is above `usn` on the DC info() describes, with its current
   * SPNs — including accounts that lost their last SPN (scanSpns cannot see those).
   */
  changedSince(usn: string): AsyncIterable<AccountRef & { servicePrincipalName: string[]; uSNChanged?: string }>;
  /**
   * Every account holding an SPN, plus krbtgt, in the DC's domain, with msDS-SupportedEncryptionTypes,
   * pwdLastSet and whenCreated (one paged search on the DC: those attributes are not in the GC).
   */
  scanEncryptionTypes(): AsyncIterable<EncryptionScanAccount>;
  /** The domain head's and the Read-only Domain Controllers group's (RID 521) whenCreated. */
  domainKeyFacts(): Promise<DomainKeyFacts>;
  /** The DC's clock read now (rootDSE currentTime, ISO-8601); info().currentTime is cached. */
  currentTime(): Promise<string | undefined>;
  close(): Promise<void>;
}
