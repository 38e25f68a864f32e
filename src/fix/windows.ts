/**
 * Commands for cmd.exe on a domain controller, admin workstation or IIS server: setspn, appcmd,
 * w32tm, ktpass, klist, nslookup. Every value is checked (src/fix/values.ts) and quoted for
 * cmd.exe (src/fix/quote.ts).
 */
import { UnsafeCommandValueError } from '../errors.js';
import { cmdArg, cmdQuoted } from './quote.js';
import * as check from './values.js';

/**
 * setspn (https://learn.microsoft.com/windows-server/administration/windows-commands/setspn).
 * `account` is `DOMAIN\name` or a sAMAccountName (computers end in `$`).
 */
export const setspn = {
  /** `setspn -S <spn> <account>`: adds after checking the forest for duplicates. */
  add: (spn: string, account: string) => `setspn -S ${cmdArg(check.spn(spn), 'an SPN')} ${cmdArg(check.account(account), 'an account name')}`,
  /** `setspn -D <spn> <account>`: removes the SPN from that account. */
  remove: (spn: string, account: string) => `setspn -D ${cmdArg(check.spn(spn), 'an SPN')} ${cmdArg(check.account(account), 'an account name')}`,
  /** `setspn -Q <spn>`: who holds it, forest-wide. */
  query: (spn: string) => `setspn -Q ${cmdArg(check.spn(spn), 'an SPN')}`,
  /** `setspn -L <account>`: the SPNs of an account. */
  list: (account: string) => `setspn -L ${cmdArg(check.account(account), 'an account name')}`,
  /**
   * The line for one requested SPN change: `setspn -S` (add) or `setspn -D` (remove). A bare
   * account gets `netbiosDomain\` in front when given.
   */
  change: (c: { action: 'add' | 'remove'; spn: string; account: string }, netbiosDomain?: string) => {
    const acct = c.account.includes('\\') || !netbiosDomain ? c.account : `${netbiosDomain}\\${c.account}`;
    return c.action === 'add' ? setspn.add(c.spn, acct) : setspn.remove(c.spn, acct);
  },
  /** `setspn -X` (domain) or `setspn -X -F` (forest): duplicate SPNs. */
  duplicates: (o: { forest?: boolean } = {}) => (o.forest ? 'setspn -X -F' : 'setspn -X'),
};

/** appcmd.exe by full path (it is not on PATH). */
export const APPCMD = '%windir%\\system32\\inetsrv\\appcmd.exe';

/** IIS configuration sections fix commands touch. */
export const IIS_SECTION = {
  windowsAuthentication: 'system.webServer/security/authentication/windowsAuthentication',
  httpProtocol: 'system.webServer/httpProtocol',
} as const;
export type IisSection = (typeof IIS_SECTION)[keyof typeof IIS_SECTION];

/** One setting of an `appcmd set config`: built by `appcmd.attribute` or `appcmd.addProviderFirst`. */
export interface AppcmdSetting {
  readonly text: string;
}

export const appcmd = {
  /** `-name:value`, e.g. `-useAppPoolCredentials:true`. */
  attribute(name: string, value: boolean | string): AppcmdSetting {
    if (!/^[A-Za-z][A-Za-z0-9.]*$/.test(name)) throw new UnsafeCommandValueError('an IIS attribute name', name, 'expected letters, digits and dots');
    const v = String(value);
    if (!/^[A-Za-z0-9]+$/.test(v)) throw new UnsafeCommandValueError('an IIS attribute value', v, 'expected letters and digits');
    return { text: `-${name}:${v}` };
  },
  /** `/+"providers.[@start,value='Negotiate']"`: adds a Windows authentication provider first. */
  addProviderFirst(provider: 'Negotiate' | 'NTLM' | 'Negotiate:Kerberos'): AppcmdSetting {
    return { text: `/+"providers.[@start,value='${provider}']"` };
  },
  /** `appcmd.exe set config ["Site/app"] -section:<section> <settings> /commit:apphost` */
  setConfig(path: string | undefined, section: IisSection, ...settings: AppcmdSetting[]): string {
    return `${APPCMD} set config${path ? ` ${cmdQuoted(path, 'an IIS site path')}` : ''} -section:${section} ${settings.map((s) => s.text).join(' ')} /commit:apphost`;
  },
  /** `appcmd.exe list config ["Site/app"] -section:<section>` */
  listConfig(path: string | undefined, section: IisSection): string {
    return `${APPCMD} list config${path ? ` ${cmdQuoted(path, 'an IIS site path')}` : ''} -section:${section}`;
  },
  /** The identity every application pool runs as. */
  listAppPoolIdentities: () => `${APPCMD} list apppool /text:processModel.userName`,
};

export const iisreset = 'iisreset';

export const w32tm = {
  /** `w32tm /stripchart /computer:<host> /samples:3 /dataonly`: the offset to a time source. */
  stripchart: (host: string) => `w32tm /stripchart /computer:${cmdArg(check.host(host), 'a host name')} /samples:3 /dataonly`,
  status: () => 'w32tm /query /status',
  resync: () => 'w32tm /resync /rediscover',
  syncFromDomain: () => ['w32tm /config /syncfromflags:domhier /update', 'net stop w32time && net start w32time', 'w32tm /resync /rediscover'],
};

/** `nslookup <host or address>` */
/** ldifde (https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2012-r2-and-2012/cc731033(v=ws.11)): a read-only export. */
export const ldifde = {
  /** `ldifde -f <file> -d "<base DN>" -p subtree -r "<filter>" -l "<attr,attr>"`. */
  export: (o: { file: string; baseDn: string; filter: string; attributes: string[] }) =>
    `ldifde -f ${cmdArg(check.fileName(o.file), 'a file name')} -d ${cmdQuoted(check.text(o.baseDn, 'a DN'), 'a DN')} -p subtree -r ${cmdQuoted(check.text(o.filter, 'an LDAP filter'), 'an LDAP filter')} -l ${cmdQuoted(o.attributes.map((a) => check.text(a, 'an attribute name')).join(','), 'attribute names')}`,
  /** `copy /b a + b out`: joins export files. */
  join: (files: string[], out: string) => `copy /b ${files.map((f) => cmdArg(check.fileName(f), 'a file name')).join(' + ')} ${cmdArg(check.fileName(out), 'a file name')}`,
};

export const nslookup = (hostOrAddress: string) => `nslookup ${cmdArg(check.host(hostOrAddress), 'a host name')}`;

/** Windows klist: tickets of the logged-on user. */
export const klistWindows = {
  /** `klist get <spn>`: asks the KDC for a ticket to the SPN now. */
  get: (spn: string) => `klist get ${cmdArg(check.spn(spn), 'an SPN')}`,
  purge: () => 'klist purge',
  /** `klist`: the tickets of the logged-on user (when no SPN can be named). */
  tickets: () => 'klist',
};

/** repadmin (run on a DC): replication between domain controllers. */
export const repadmin = {
  /** `repadmin /syncall /AdeP`: push this DC's changes to every DC, across sites. */
  syncAll: () => 'repadmin /syncall /AdeP',
  /** `repadmin /showrepl`: each partner's last replication and its error, if any. */
  showRepl: () => 'repadmin /showrepl',
};

/**
 * ktpass: a keytab for a service account (run on a DC). The password is never printed: `/pass *`
 * makes ktpass prompt for it.
 */
export const ktpass = {
  keytab(o: { principal: string; account: string; out: string; crypto?: 'AES256-SHA1' | 'AES128-SHA1' | 'All'; ptype?: 'KRB5_NT_PRINCIPAL' | 'KRB5_NT_SRV_HST' }): string {
    if (!/^[A-Za-z0-9._/$-]+@[A-Za-z0-9.-]+$/.test(o.principal)) throw new UnsafeCommandValueError('a Kerberos principal', o.principal, 'expected service/host@REALM');
    if (!/^[A-Za-z0-9._-]+\.keytab$/.test(o.out)) throw new UnsafeCommandValueError('a keytab file name', o.out, 'expected a plain file name ending in .keytab');
    return `ktpass /princ ${o.principal} /mapuser ${cmdArg(check.account(o.account), 'an account name')} /crypto ${o.crypto ?? 'AES256-SHA1'} /ptype ${o.ptype ?? 'KRB5_NT_PRINCIPAL'} /pass * /out ${o.out}`;
  },
};
