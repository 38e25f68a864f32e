/**
 * Commands for a POSIX shell (Linux/macOS admin hosts): curl, and MIT Kerberos' kvno, klist, ktutil.
 */
import { UnsafeCommandValueError } from '../errors.js';
import { shArg, shQuoted } from './quote.js';
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

/** krbops' own CLI, for a follow-up question: `krbops krb why-401 <url>`. */
export const krbops = {
  why401: (url: string) => `krbops krb why-401 ${shArg(check.url(url), 'a URL')}`,
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
};

function keytabFile(file: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(file) || file.startsWith('-')) throw new UnsafeCommandValueError('a keytab file', file, 'expected a path of letters, digits and . _ / -');
  return file;
}
