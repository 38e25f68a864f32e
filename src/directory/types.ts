/**
 * Plain data read from Active Directory. Everything here is produced by src/directory (the only
 * importer of ldapts) and consumed by commands, collectors and rules as plain objects.
 */

import type { DomainKeyFacts, EncryptionScanAccount } from './encryption-scan.js';

export type AccountKind = 'user' | 'computer' | 'gmsa' | 'msa' | 'other';

/** userAccountControl flags, decoded. https://learn.microsoft.com/troubleshoot/windows-server/active-directory/useraccountcontrol-manipulate-account-properties */
export interface UacFlags {
  raw: number;
  disabled: boolean;
  lockout: boolean;
  passwordNotRequired: boolean;
  normalAccount: boolean;
  workstationTrust: boolean;
  serverTrust: boolean;
  dontExpirePassword: boolean;
  smartcardRequired: boolean;
  /** TRUSTED_FOR_DELEGATION: unconstrained delegation. */
  trustedForDelegation: boolean;
  /** NOT_DELEGATED: "Account is sensitive and cannot be delegated". */
  notDelegated: boolean;
  useDesKeyOnly: boolean;
  dontRequirePreauth: boolean;
  /** TRUSTED_TO_AUTH_FOR_DELEGATION: constrained delegation with protocol transition. */
  trustedToAuthForDelegation: boolean;
  partialSecretsAccount: boolean;
  /** The flag names that are set, e.g. ['NORMAL_ACCOUNT','TRUSTED_FOR_DELEGATION']. */
  names: string[];
}

export interface AccountFacts {
  dn: string;
  sAMAccountName: string;
  /** NetBIOS domain name when known (CONTOSO), for `CONTOSO\name` forms in fix commands. */
  domain?: string;
  userPrincipalName?: string;
  kind: AccountKind;
  objectClass: string[];
  dNSHostName?: string;
  servicePrincipalName: string[];
  userAccountControl: UacFlags;
  /** msDS-AllowedToDelegateTo: constrained delegation targets (SPNs). */
  allowedToDelegateTo: string[];
  /** Whether msDS-AllowedToActOnBehalfOfOtherIdentity (resource-based constrained delegation) is set. */
  hasResourceBasedDelegation: boolean;
  /** msDS-SupportedEncryptionTypes; undefined when not set (the KDC then assumes RC4 for users). */
  supportedEncryptionTypes?: number;
  /** Decoded names of supportedEncryptionTypes bits, e.g. ['AES128','AES256']. */
  encryptionTypeNames: string[];
  pwdLastSet?: string; // ISO-8601
  whenChanged?: string; // ISO-8601
  uSNChanged?: string; // decimal string (64-bit)
  memberOf: string[];
  /** Member of the Protected Users group (direct or nested, as far as the DC tells). */
  protectedUser: boolean;
}

/** The short form used in lists and in JSON output of spn query / dupes. */
export interface AccountRef {
  dn: string;
  sAMAccountName: string;
  whenChanged?: string;
  disabled?: boolean;
}

export interface SpnHolder extends AccountRef {
  /** The SPN value exactly as stored on this account. */
  matched: string;
  /** 'exact' when the SPN itself is registered; 'alias' when a HOST/ SPN covers it through sPNMappings. */
  via: 'exact' | 'alias';
}

export interface DuplicateSpn {
  spn: string;
  accounts: AccountRef[];
}

export interface AliasCollision {
  /** The service SPN, e.g. HTTP/crm.contoso.test */
  spn: string;
  /** The HOST/ SPN that answers for it through sPNMappings */
  aliasOf: string;
  /** Accounts holding the service SPN itself */
  serviceAccounts: AccountRef[];
  /** Accounts holding the HOST/ SPN */
  hostAccounts: AccountRef[];
}

export interface DirectoryInfo {
  /** The DC that answered (URL). */
  server: string;
  defaultNamingContext: string;
  rootDomainNamingContext?: string;
  configurationNamingContext: string;
  dnsHostName?: string;
  /** The DC's clock, from the rootDSE currentTime (ISO-8601). */
  currentTime?: string;
  /** NetBIOS name of the domain (CONTOSO). */
  netbiosDomain?: string;
  /** The DC's highest USN when info() was called (read fresh each call: watermarks need "now"). */
  highestCommittedUSN?: string;
  /** DN of the DC's NTDS Settings object: identifies the DC whose USNs these are. */
  dsServiceName?: string;
  /** The DC database's invocationId (GUID); changes when the DC is restored from backup, resetting USN meaning. */
  invocationId?: string;
}

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
