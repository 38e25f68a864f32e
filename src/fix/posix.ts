/**
 * Commands for a POSIX shell (Linux/macOS admin hosts): curl, and MIT Kerberos' kvno, klist, ktutil.
 */
import { UnsafeCommandValueError } from '../errors.js';
import { isPlaceholder, shArg, shQuoted } from './quote.js';
import * as check from './values.js';

export const curl = {
  /** `curl -sI <url>`: the response headers (WWW-Authenticate, Connection) without the body. */
  head: (url: string) => `curl -sI ${shArg(check.url(url), 'a URL')}`,
  /** `curl -sS -o /dev/null -w '%{http_code}\n' '<url>'`: only the status code. */
  status: (url: string) => `curl -sS -o /dev/null -w '%{http_code}\\n' ${shQuoted(check.url(url), 'a URL')}`,
  /** `curl -sI --negotiate -u : <url>`: the answer with a Kerberos ticket (needs kinit). */
  negotiate: (url: string) => `curl -sI --negotiate -u : ${shArg(check.url(url), 'a URL')}`,
};

/** OpenLDAP ldapsearch: a read-only, paged LDIF export (`-W` asks for the password; never on the command line). */
export const ldapsearch = {
  export: (o: { host: string; user: string; baseDn: string; filter: string; attributes: string[]; file: string; append?: boolean }) =>
    `ldapsearch -LLL -H ${shArg(`ldaps://${check.host(o.host)}`, 'an LDAP URL')} -D ${shQuoted(check.text(o.user, 'a user name'), 'a user name')} -W -E pr=500/noprompt -b ${shQuoted(check.text(o.baseDn, 'a DN'), 'a DN')} ${shQuoted(check.text(o.filter, 'an LDAP filter'), 'an LDAP filter')} ${o.attributes.map((a) => shArg(check.text(a, 'an attribute name'), 'an attribute name')).join(' ')} ${o.append ? '>>' : '>'} ${shArg(check.fileName(o.file), 'a file name')}`,
};


/** `kvno <spn>`: asks the KDC for a service ticket (MIT Kerberos). */
export const kvno = (spn: string) => `kvno ${shArg(check.spn(spn), 'an SPN')}`;

export const klist = {
  /** `klist -e`: cached tickets with their encryption types. */
  withEncryptionTypes: () => 'klist -e',
  /** `klist -k -t -e <keytab>`: keytab entries with kvno and encryption types. */
  keytab: (file: string) => `klist -k -t -e ${shArg(keytabFile(file), 'a keytab file')}`,
};

export const ktutil = {
  /** Lists a keytab (`ktutil` reads commands from stdin). */
  list: (file: string) => `printf 'rkt %s\\nlist -e\\n' ${shQuoted(keytabFile(file), 'a keytab file')} | ktutil`,
  /**
   * A keytab entry made from the account's password, as an MIT ktutil session: `ktutil`, then at its
   * prompt `addent -password -p <principal> -k <kvno> -e <enctype> [-s <salt>]` (ktutil asks for the
   * password), `wkt <file>`, `quit`. AD salts a user's keys with REALM + sAMAccountName, not with the
   * SPN: give `salt` or the key will not match. `kvno` may be the placeholder `<kvno>`.
   */
  addPasswordKey(o: { principal: string; kvno: number | string; enctype: KeytabEnctype; salt?: string; file: string }): string[] {
    const principal = krbPrincipal(o.principal);
    const kvno = typeof o.kvno === 'number' || isPlaceholder(o.kvno) ? String(o.kvno) : refuse('a key version number', o.kvno, 'expected a number');
    if (typeof o.kvno === 'number' && (!Number.isInteger(o.kvno) || o.kvno < 0)) refuse('a key version number', String(o.kvno), 'expected a whole number');
    const salt = o.salt === undefined ? '' : /^[A-Za-z0-9.$_-]+$/.test(o.salt) ? ` -s ${o.salt}` : refuse('a Kerberos salt', o.salt, 'expected letters, digits and . $ _ -');
    return ['ktutil', `addent -password -p ${principal} -k ${kvno} -e ${o.enctype}${salt}`, `wkt ${keytabFile(o.file)}`, 'quit'];
  },
};

/** Encryption types krbops writes keytab entries for (MIT names). */
export type KeytabEnctype = 'aes256-cts-hmac-sha1-96' | 'aes128-cts-hmac-sha1-96';

/** `service/host@REALM` (or `name@REALM`) in plain characters: ktutil's and ktpass's parsers split on spaces. */
export function krbPrincipal(value: string): string {
  if (!/^[A-Za-z0-9._/$-]+@[A-Za-z0-9.-]+$/.test(value) || value.startsWith('-')) refuse('a Kerberos principal', value, 'expected service/host@REALM');
  return value;
}

function refuse(kind: string, value: string, why: string): never {
  throw new UnsafeCommandValueError(kind, value, why);
}

function keytabFile(file: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(file) || file.startsWith('-')) throw new UnsafeCommandValueError('a keytab file', file, 'expected a path of letters, digits and . _ / -');
  return file;
}
