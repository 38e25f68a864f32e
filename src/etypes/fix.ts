/**
 * Every command the encryption-type checks print, in one place (PowerShell for AD, ktpass for
 * keytabs, repadmin for the krbtgt reset). Values come from the directory and may be hostile: account
 * names go through the shared PowerShell identity formatter; SPNs and realms that are not plain
 * names get no ktpass command at all (the summary says why), never a command with their text in it.
 */
import type { AccountKind } from '../model/index.js';
import { psArg } from '../fix/index.js';
import { psNoun } from '../rules/support/evidence-view.js';

/** An account for the AD cmdlets, quoted for PowerShell by src/fix (any name: the scan reports odd ones too). */
const psIdentity = (a: { sAMAccountName: string }): string => psArg(a.sAMAccountName, 'an account name');

export interface FixTarget {
  sAMAccountName: string;
  kind: AccountKind;
  spns: string[];
  /** USE_DES_KEY_ONLY is set in userAccountControl. */
  useDesKeyOnly?: boolean;
}

export interface Fix {
  summary: string;
  commands: string[];
}

export interface FixNames {
  /** NetBIOS domain (CONTOSO) for DOMAIN\account forms. */
  netbios?: string;
  /** Kerberos realm (CONTOSO.COM). */
  realm?: string;
}

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._\-/:@$]*$/;
const isManaged = (a: FixTarget) => a.kind === 'gmsa' || a.kind === 'msa';

/** `Set-ADUser|Set-ADComputer|Set-ADServiceAccount -Identity x -KerberosEncryptionType AES128,AES256`. */
export function allowAesCommand(a: FixTarget): string {
  return `Set-${psNoun(a)} -Identity ${psIdentity(a)} -KerberosEncryptionType AES128,AES256`;
}

function clearDesOnly(a: FixTarget): string[] {
  return a.useDesKeyOnly ? [`Set-ADAccountControl -Identity ${psIdentity(a)} -UseDESKeyOnly $false`] : [];
}

/** Commands that give the account new keys (AES ones, now that the domain makes them). */
function newKeys(a: FixTarget): string[] {
  if (isManaged(a)) return ['Get-KdsRootKey', `Test-ADServiceAccount -Identity ${psIdentity(a)}`];
  if (a.kind === 'computer') return ['Reset-ComputerMachinePassword'];
  return [`Set-ADAccountPassword -Identity ${psIdentity(a)} -Reset`];
}

/** ktpass for a keytab with the AES256 key, or undefined when a value is not a plain name. */
export function ktpassCommand(a: FixTarget, names: FixNames): string | undefined {
  // The FQDN HTTP SPN first: it is what browsers ask for.
  const spn = a.spns.find((s) => /^http\/[^/:]+\./i.test(s)) ?? a.spns.find((s) => /^http\//i.test(s)) ?? a.spns[0];
  if (!spn || !names.realm || !names.netbios) return undefined;
  const file = `${a.sAMAccountName.replace(/\$$/, '')}.keytab`;
  if (![spn, names.realm, names.netbios, a.sAMAccountName, file].every((v) => PLAIN.test(v))) return undefined;
  return `ktpass -princ ${spn}@${names.realm} -mapuser ${names.netbios}\\${a.sAMAccountName} -crypto AES256-SHA1 -ptype KRB5_NT_PRINCIPAL -pass * -out ${file}`;
}

const KEYTAB_NOTE =
  'If a non-Windows service (Java, Apache, a keytab) uses this account, export its keytab again with AES after the reset (ktpass below, with the new password; or MIT ktutil: addent -password -p <spn>@<REALM> -k <kvno> -e aes256-cts-hmac-sha1-96, then wkt).';

/** The fix for an account whose keys or allowed types keep the KDC from issuing an AES ticket. */
export function accountFix(a: FixTarget, need: { resetKeys: boolean; allowAes: boolean }, names: FixNames): Fix {
  const commands = [...clearDesOnly(a)];
  // A managed account without keys: check the KDS root key first, nothing else helps without it.
  if (need.resetKeys && isManaged(a)) commands.push(...newKeys(a));
  if (need.allowAes || a.useDesKeyOnly) commands.push(allowAesCommand(a));
  const parts: string[] = [];
  if (need.allowAes || a.useDesKeyOnly) parts.push(`Allow AES (AES128, AES256) on ${a.sAMAccountName}${a.useDesKeyOnly ? ' and clear USE_DES_KEY_ONLY' : ''}`);
  if (need.resetKeys) {
    if (!isManaged(a)) commands.push(...newKeys(a));
    if (isManaged(a)) parts.push('check that a KDS root key exists and the managed password was generated (its next rotation creates AES keys)');
    else if (a.kind === 'computer') parts.push('reset the machine password on that computer (Reset-ComputerMachinePassword, run there) so AES keys are created');
    else parts.push('reset its password so AES keys are created, then set the new password wherever the service runs (IIS app pool identity, Windows service logon)');
  }
  let summary = `${parts.join('; ')}.`;
  summary = summary.charAt(0).toUpperCase() + summary.slice(1);
  if (need.resetKeys && a.kind === 'user' && a.spns.length) {
    const kt = ktpassCommand(a, names);
    summary += ` ${KEYTAB_NOTE}`;
    if (kt) commands.push(kt);
    else summary += ' (No ktpass line: the SPN or account name is not a plain name; build it by hand.)';
  }
  return { summary, commands };
}

/** The RC4 exposure of a user account that already has AES keys: stop offering RC4. */
export function kerberoastFix(a: FixTarget, aesKeys: boolean | null, names: FixNames): Fix {
  const base = accountFix(a, { allowAes: true, resetKeys: aesKeys !== true }, names);
  return {
    summary: `${base.summary} Allowing AES only stops the KDC from issuing RC4 tickets that crack offline hundreds of times faster; use a long random password (or move the service to a gMSA).`,
    commands: base.commands,
  };
}

/**
 * krbtgt: two resets, with full replication (and at least the maximum ticket lifetime, 10 h by
 * default) between them, so tickets issued under the old key keep working. The DC ignores the
 * password typed for krbtgt and generates a random one.
 */
export function krbtgtFix(): Fix {
  const reset = 'Set-ADAccountPassword -Identity krbtgt -Reset';
  return {
    summary:
      'Reset the krbtgt password twice so it gets AES keys: reset once, wait until every DC has replicated the change (repadmin /showrepl, no errors) and at least the maximum ticket lifetime (10 h by default), then reset again. (The DC generates krbtgt\'s password itself; the value typed is ignored.)',
    commands: [reset, 'repadmin /syncall /AdeP', 'repadmin /showrepl', reset],
  };
}
