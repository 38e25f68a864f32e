/**
 * PowerShell commands: the ActiveDirectory module (Set-ADUser, Set-ADComputer, Set-ADAccountControl…),
 * AD FS and DNS Server cmdlets. Identities are checked sAMAccountNames, quoted for PowerShell.
 */
import { UnsafeCommandValueError } from '../errors.js';
import { psArg, psString } from './quote.js';
import * as check from './values.js';

/** The AD object an account is: decides Set-ADUser / Set-ADComputer / Set-ADServiceAccount. */
export type AdNoun = 'ADUser' | 'ADComputer' | 'ADServiceAccount';

/** An account as the AD cmdlets name it: `crmweb`, `'NDCRMSRV1$'` (quoted for the `$`). */
export function psIdentity(samAccountName: string): string {
  return psArg(check.samAccountName(samAccountName), 'an account name');
}

const id = psIdentity;

/** userAccountControl switches of Set-ADAccountControl that fixes use. */
export type AccountControlFlag = 'TrustedForDelegation' | 'UseDESKeyOnly' | 'AccountNotDelegated' | 'TrustedToAuthForDelegation';

export const ad = {
  /** `Set-ADAccountControl -Identity <sam> -<flag> $true|$false` */
  setAccountControl: (sam: string, flag: AccountControlFlag, value: boolean) => `Set-ADAccountControl -Identity ${id(sam)} -${flag} ${value ? '$true' : '$false'}`,
  /** `Set-ADUser <sam> -AccountNotDelegated $false` (clears "Account is sensitive and cannot be delegated"). */
  clearAccountNotDelegated: (sam: string) => `Set-ADUser ${id(sam)} -AccountNotDelegated $false`,
  /** `Set-<noun> -Identity <sam> -Add @{'msDS-AllowedToDelegateTo'='<spn>'}` */
  addDelegationTarget: (noun: AdNoun, sam: string, spn: string) => `Set-${noun} -Identity ${id(sam)} -Add @{'msDS-AllowedToDelegateTo'='${check.spn(spn)}'}`,
  /** `Set-<noun> -Identity <sam> -Add @{'msDS-AllowedToDelegateTo'=@('<spn>','<spn>')}` */
  addDelegationTargets: (noun: AdNoun, sam: string, spns: string[]) =>
    `Set-${noun} -Identity ${id(sam)} -Add @{'msDS-AllowedToDelegateTo'=@(${spns.map((s) => `'${check.spn(s)}'`).join(',')})}`,
  /** `Set-<noun> -Identity <sam> -KerberosEncryptionType AES128,AES256` */
  setAesEncryptionTypes: (noun: AdNoun, sam: string) => `Set-${noun} -Identity ${id(sam)} -KerberosEncryptionType AES128,AES256`,
  /** `Set-ADAccountPassword -Identity <sam> -Reset` (prompts; new keys for the new encryption types). */
  resetPassword: (sam: string) => `Set-ADAccountPassword -Identity ${id(sam)} -Reset`,
  enable: (sam: string) => `Enable-ADAccount -Identity ${id(sam)}`,
  unlock: (sam: string) => `Unlock-ADAccount -Identity ${id(sam)}`,
  testServiceAccount: (sam: string) => `Test-ADServiceAccount -Identity ${id(sam)}`,
  removeFromProtectedUsers: (sam: string) => `Remove-ADGroupMember -Identity "Protected Users" -Members ${id(sam)} -Confirm:$false`,
  /** `Get-ADUser <identity> -Properties a,b`; the identity as typed (any text), quoted when not plain. */
  getUser: (identity: string, properties: string[]) => `Get-ADUser ${psArg(check.text(identity, 'an account name'), 'an account name')} -Properties ${props(properties)}`,
  /** `Get-ADUser -Filter "SamAccountName -eq '<name>'"`: looks up a name that did not resolve, as typed. */
  findUser(name: string): string {
    const n = check.text(name, 'an account name');
    // Plain names keep the familiar double-quoted form; anything else goes in a literal '…' filter.
    if (/^[\p{L}\p{N} ._-]+$/u.test(n)) return `Get-ADUser -Filter "SamAccountName -eq '${n}'"`;
    return `Get-ADUser -Filter ${psArg(`SamAccountName -eq '${n.replace(/['\u2018\u2019\u201a\u201b]/g, "''")}'`, 'an account name')}`;
  },
  getKdsRootKey: () => 'Get-KdsRootKey',
  /** `Reset-ComputerMachinePassword`: run ON the computer whose password (and keys) it renews. */
  resetComputerMachinePassword: () => 'Reset-ComputerMachinePassword',
};

/** The KDC's side of the 2026 AES-only default (CVE-2026-20833 hardening), read on a DC. */
export const kdc = {
  /** The registry switch of the hardening (absent: the update's default). */
  rc4DefaultDisablementPhase: () => 'Get-ItemProperty HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Kdc -Name RC4DefaultDisablementPhase',
  /** KDCSVC events 201–209: accounts and clients that still depend on RC4. */
  rc4AuditEvents: () =>
    'Get-WinEvent -LogName System -FilterXPath "*[System[Provider[@Name=\'Microsoft-Windows-Kerberos-Key-Distribution-Center\'] and (EventID>=201 and EventID<=209)]]"',
};

function props(list: string[]): string {
  for (const p of list) if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(p)) throw new UnsafeCommandValueError('an AD attribute name', p, 'expected letters, digits and -');
  return list.join(',');
}

export type AdfsCertificateType = 'Token-Signing' | 'Token-Decrypting' | 'Service-Communications';

export const adfs = {
  getCertificate: (type: AdfsCertificateType) => `Get-AdfsCertificate -CertificateType ${type}`,
  updateCertificate: (type: AdfsCertificateType, o: { urgent?: boolean } = {}) => `Update-AdfsCertificate -CertificateType ${type}${o.urgent ? ' -Urgent' : ''}`,
  /** `Update-AdfsRelyingPartyTrust -TargetName "<name>"` */
  updateRelyingPartyTrust: (name: string) => `Update-AdfsRelyingPartyTrust -TargetName ${psString(check.text(name, 'a relying party trust name'), 'a relying party trust name')}`,
  /** `Invoke-WebRequest <url> -UseBasicParsing`: does the metadata endpoint answer? */
  fetch: (url: string) => `Invoke-WebRequest ${psArg(check.url(url), 'a URL')} -UseBasicParsing`,
  /** The same for the standard metadata path of an AD FS host (`<adfs>` as a placeholder). */
  fetchMetadata: (host: string) => `Invoke-WebRequest https://${check.host(host)}/FederationMetadata/2007-06/FederationMetadata.xml -UseBasicParsing`,
  /** The rollover settings: AutoCertificateRollover and its generation/promotion thresholds. */
  rolloverSettings: () => 'Get-AdfsProperties | Select-Object AutoCertificateRollover,CertificateGenerationThreshold,CertificatePromotionThreshold',
  /** Is the federation metadata endpoint enabled? */
  metadataEndpoint: () => 'Get-AdfsEndpoint -AddressPath /FederationMetadata/2007-06/FederationMetadata.xml',
  /** The relying party trusts and when AD FS last read their metadata. */
  relyingPartyTrusts: () => 'Get-AdfsRelyingPartyTrust | Select Name,MetadataUrl,LastMonitoredTime',
  /** Exports the primary token-signing certificate (to pin it: `krbops adfs check <url> --pin`). */
  exportPrimarySigningCertificate: () =>
    'Get-AdfsCertificate -CertificateType Token-Signing | Where-Object IsPrimary | ForEach-Object { Export-Certificate -Cert $_.Certificate -FilePath .\\adfs-token-signing.cer }',
  serviceStatus: () => 'Get-Service adfssrv',
  restartService: () => 'Restart-Service adfssrv',
};

export const dnsServer = {
  /** Removes one PTR record (`<name>.<zone>` → `<target>.`). */
  removePtr: (zone: string, name: string, target: string) =>
    `Remove-DnsServerResourceRecord -ZoneName ${psArg(check.host(zone), 'a DNS zone')} -RRType Ptr -Name ${psArg(ptrName(name), 'a record name')} -RecordData ${psArg(`${check.host(target).replace(/\.$/, '')}.`, 'a host name')} -Force`,
  /** Adds a PTR record pointing at `target`. */
  addPtr: (zone: string, name: string, target: string) =>
    `Add-DnsServerResourceRecordPtr -ZoneName ${psArg(check.host(zone), 'a DNS zone')} -Name ${psArg(ptrName(name), 'a record name')} -PtrDomainName ${psArg(`${check.host(target).replace(/\.$/, '')}.`, 'a host name')}`,
};

function ptrName(name: string): string {
  if (!/^[0-9a-f.]+$/i.test(name)) throw new UnsafeCommandValueError('a reverse-zone record name', name, 'expected digits and dots');
  return name;
}
