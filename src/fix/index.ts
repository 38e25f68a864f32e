/**
 * The one fix-command builder: every command krbops prints (setspn, appcmd, w32tm, ktpass, klist,
 * PowerShell AD / AD FS / DNS cmdlets, curl, kvno, ktutil) is built here, each value checked for
 * what it claims to be and quoted for the shell the command runs in:
 *
 * | shell      | builders                                                      |
 * |------------|---------------------------------------------------------------|
 * | cmd.exe    | setspn, appcmd, w32tm, nslookup, klistWindows, ktpass, repadmin |
 * | PowerShell | ad.*, adfs.*, kdc.*, dnsServer.*, psIdentity                    |
 * | POSIX sh   | curl.*, kvno, klist.*, ktutil.*, ldapsearch, krbops.* (krbops' CLI) |
 *
 * A value that is not what it claims (a host that is not a DNS name or IP literal, an SPN that
 * starts with `-`, an account name with shell characters, a URL that is not http(s)) throws
 * UnsafeCommandValueError (code UNSAFE_COMMAND_VALUE). Placeholders such as `<app-pool-account>`
 * pass through as written, for the engineer to fill in.
 *
 * ```ts
 * import { setspn, ad, curl } from '../fix/index.js';
 * setspn.add('HTTP/crm.contoso.com', 'CONTOSO\\crmweb');   // setspn -S HTTP/crm.contoso.com CONTOSO\crmweb
 * ad.enable('NDCRMSRV1$');                                // Enable-ADAccount -Identity 'NDCRMSRV1$'
 * curl.head('http://crm.contoso.com/');                   // curl -sI http://crm.contoso.com/
 * ```
 *
 * Rules, approvals, watchers and commands put the strings into `Fix.commands` (run together) or
 * `Fix.alternatives` (run ONE block); cards only display them.
 */
export { cmdArg, cmdQuoted, psArg, psString, shArg, shQuoted, isPlaceholder, PLACEHOLDER } from './quote.js';
export * as check from './values.js';
export { setspn, appcmd, APPCMD, IIS_SECTION, iisreset, w32tm, nslookup, klistWindows, ktpass, ldifde, repadmin, type AppcmdSetting, type IisSection } from './windows.js';
export { ad, adfs, dnsServer, kdc, psIdentity, type AdNoun, type AccountControlFlag, type AdfsCertificateType } from './powershell.js';
export { curl, kvno, klist, ktutil, ldapsearch, krbPrincipal, type KeytabEnctype } from './posix.js';
export { krbops, completeListHint } from './krbops.js';
export { UnsafeCommandValueError } from '../errors.js';
export { duplicateSpnFix, ifNotRunning, keepOn, type DuplicateHolder } from './duplicate.js';

import { UnsafeCommandValueError } from '../errors.js';

/**
 * Runs builders for code that must not stop on one odd value (watchers, cards): the commands, or
 * none and the reason when a value was refused. Other errors propagate.
 */
export function buildCommands(build: () => string[]): { commands: string[]; refused?: string } {
  try {
    return { commands: build() };
  } catch (e) {
    if (e instanceof UnsafeCommandValueError) return { commands: [], refused: e.message };
    throw e;
  }
}
