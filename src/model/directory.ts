/**
 * Plain data read from Active Directory. Produced by src/directory (the only importer of ldapts)
 * and consumed by commands, collectors, rules and cards as plain objects.
 */

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

/** One account of the encryption-type scan (`krb etypes`): what decides its ticket encryption. */
export interface EncryptionScanAccount {
  dn: string;
  sAMAccountName: string;
  kind: AccountKind;
  spns: string[];
  /** msDS-SupportedEncryptionTypes as stored (unsigned), or null when not set. */
  supportedEncryptionTypes: number | null;
  /** ISO-8601; undefined when never set (0) or not readable. */
  pwdLastSet?: string;
  whenCreated?: string;
  userAccountControl: number;
}

/** When the domain gained AES keys, as far as the directory tells. */
export interface DomainKeyFacts {
  domainDn: string;
  /** whenCreated of the domain head (ISO-8601). */
  domainCreated?: string;
  /** whenCreated of the Read-only Domain Controllers group (RID 521): adprep /domainprep for Windows Server 2008. */
  rodcGroupCreated?: string;
  rodcGroupDn?: string;
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
