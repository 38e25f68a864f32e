/**
 * Every fix of the encryption-type checks, built by src/fix (PowerShell for AD, ktpass and MIT
 * ktutil for keytabs, repadmin for the krbtgt reset). Values come from the directory and may be
 * hostile: a name the builder refuses (UnsafeCommandValueError) gets no command, and the summary
 * says which value and why, never a command with its text in it.
 */
import type { AccountKind } from '../model/index.js';
import { ad, buildCommands, ktpass, ktutil, repadmin } from '../fix/index.js';
import { psNoun } from '../rules/support/evidence-view.js';

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

const isManaged = (a: FixTarget) => a.kind === 'gmsa' || a.kind === 'msa';

/** `Set-ADUser|Set-ADComputer|Set-ADServiceAccount -Identity x -KerberosEncryptionType AES128,AES256`. */
export function allowAesCommand(a: FixTarget): string {
  return ad.setAesEncryptionTypes(psNoun(a), a.sAMAccountName);
}

function clearDesOnly(a: FixTarget): string[] {
  return a.useDesKeyOnly ? [ad.setAccountControl(a.sAMAccountName, 'UseDESKeyOnly', false)] : [];
}

/** Commands that give the account new keys (AES ones, now that the domain makes them). */
function newKeys(a: FixTarget): string[] {
  if (isManaged(a)) return [ad.getKdsRootKey(), ad.testServiceAccount(a.sAMAccountName)];
  if (a.kind === 'computer') return [ad.resetComputerMachinePassword()];
  return [ad.resetPassword(a.sAMAccountName)];
}

/** The FQDN HTTP SPN first: it is what browsers ask for. */
function keytabSpn(a: FixTarget): string | undefined {
  return a.spns.find((s) => /^http\/[^/:]+\./i.test(s)) ?? a.spns.find((s) => /^http\//i.test(s)) ?? a.spns[0];
}

/**
 * A keytab with the AES256 key again after the reset: ktpass on a DC (Windows), then the same with
 * MIT ktutil on the service's host (the key version is the account's msDS-KeyVersionNumber after
 * the reset). Throws UnsafeCommandValueError for a value the builder will not print.
 */
export function keytabCommands(a: FixTarget, names: FixNames): string[] {
  const spn = keytabSpn(a);
  if (!spn || !names.realm || !names.netbios) return [];
  const principal = `${spn}@${names.realm}`;
  const file = `${a.sAMAccountName.replace(/\$$/, '')}.keytab`;
  return [
    ktpass.keytab({ principal, account: `${names.netbios}\\${a.sAMAccountName}`, out: file, crypto: 'AES256-SHA1', ptype: 'KRB5_NT_PRINCIPAL' }),
    // AD salts a user's keys with REALM + sAMAccountName, not with the SPN.
    ...ktutil.addPasswordKey({ principal, kvno: '<kvno>', enctype: 'aes256-cts-hmac-sha1-96', salt: `${names.realm}${a.sAMAccountName}`, file }),
  ];
}

const KEYTAB_NOTE =
  'If a non-Windows service (Java, Apache, a keytab) uses this account, export its keytab again with AES after the reset: ktpass on a DC with the new password, or MIT ktutil on the service\'s host (replace <kvno> with the account\'s msDS-KeyVersionNumber after the reset; ktutil asks for the new password).';

/** Says why a builder printed nothing for a value (src/fix refused it). */
const refusedNote = (what: string, refused: string | undefined) => (refused ? ` (No ${what}: ${refused}; build ${what === 'commands' ? 'them' : 'it'} by hand.)` : '');

/** The fix for an account whose keys or allowed types keep the KDC from issuing an AES ticket. */
export function accountFix(a: FixTarget, need: { resetKeys: boolean; allowAes: boolean }, names: FixNames): Fix {
  const built = buildCommands(() => {
    const commands = [...clearDesOnly(a)];
    // A managed account without keys: check the KDS root key first, nothing else helps without it.
    if (need.resetKeys && isManaged(a)) commands.push(...newKeys(a));
    if (need.allowAes || a.useDesKeyOnly) commands.push(allowAesCommand(a));
    if (need.resetKeys && !isManaged(a)) commands.push(...newKeys(a));
    return commands;
  });
  const parts: string[] = [];
  if (need.allowAes || a.useDesKeyOnly) parts.push(`Allow AES (AES128, AES256) on ${a.sAMAccountName}${a.useDesKeyOnly ? ' and clear USE_DES_KEY_ONLY' : ''}`);
  if (need.resetKeys) {
    if (isManaged(a)) parts.push('check that a KDS root key exists and the managed password was generated (its next rotation creates AES keys)');
    else if (a.kind === 'computer') parts.push('reset the machine password on that computer (Reset-ComputerMachinePassword, run there) so AES keys are created');
    else parts.push('reset its password so AES keys are created, then set the new password wherever the service runs (IIS app pool identity, Windows service logon)');
  }
  let summary = `${parts.join('; ')}.`;
  summary = summary.charAt(0).toUpperCase() + summary.slice(1) + refusedNote('commands', built.refused);
  const commands = built.commands;
  if (need.resetKeys && a.kind === 'user' && a.spns.length) {
    const kt = buildCommands(() => keytabCommands(a, names));
    summary += ` ${KEYTAB_NOTE}`;
    commands.push(...kt.commands);
    if (kt.refused) summary += refusedNote('ktpass line', kt.refused);
    else if (!kt.commands.length) summary += ' (No ktpass line: the realm or NetBIOS domain is not known; build it by hand.)';
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
  const reset = ad.resetPassword('krbtgt');
  return {
    summary:
      'Reset the krbtgt password twice so it gets AES keys: reset once, wait until every DC has replicated the change (repadmin /showrepl, no errors) and at least the maximum ticket lifetime (10 h by default), then reset again. (The DC generates krbtgt\'s password itself; the value typed is ignored.)',
    commands: [reset, repadmin.syncAll(), repadmin.showRepl(), reset],
  };
}
