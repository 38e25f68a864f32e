/**
 * krbops' own command line, for the next-check lines `krb explain` and the rules print (POSIX sh:
 * `krbops` runs on the admin host). URLs, SPNs and accounts are checked like every other value;
 * placeholders (`<url>`, `<app pool account>`, `HTTP/<host>`) are quoted for the engineer to fill in.
 */
import { UnsafeCommandValueError } from '../errors.js';
import { isPlaceholder, shArg } from './quote.js';
import * as check from './values.js';

// A placeholder is quoted like any value with < > in it: bare, sh would read them as redirections.
const url = (u: string) => shArg(check.url(u), 'a URL');
const account = (a: string) => shArg(check.account(a), 'an account name');
const spn = (s: string) => shArg(isPlaceholder(s) ? s : check.spn(s), 'an SPN');

const json = (o: { json?: boolean }) => (o.json ? ' --json' : '');

export const krbops = {
  /** `krbops krb why-401 <url> [--identity <account>] [--backend <spn>] [--user <account>] [--json]` */
  why401(target: string, o: { identity?: string; backend?: string; user?: string; json?: boolean } = {}): string {
    return [
      `krbops krb why-401 ${url(target)}`,
      ...(o.identity ? [`--identity ${account(o.identity)}`] : []),
      ...(o.backend ? [`--backend ${spn(o.backend)}`] : []),
      ...(o.user ? [`--user ${account(o.user)}`] : []),
    ].join(' ') + json(o);
  },
  /** `krbops spn query <spn>` */
  spnQuery: (s: string, o: { json?: boolean } = {}) => `krbops spn query ${spn(s)}${json(o)}`,
  /** `krbops spn list <account>` */
  spnList: (a: string, o: { json?: boolean } = {}) => `krbops spn list ${account(a)}${json(o)}`,
  spnDupes: (o: { json?: boolean } = {}) => `krbops spn dupes${json(o)}`,
  etypes: (o: { json?: boolean } = {}) => `krbops krb etypes${json(o)}`,
  adfsCheck: (o: { json?: boolean } = {}) => `krbops adfs check${json(o)}`,
};

/** "Run `<command>` for the complete list." with the command built here, or a plain hint when a value is refused. */
export function completeListHint(build: () => string, what: string): string {
  try {
    return `Run \`${build()}\` for the complete ${what}.`;
  } catch (e) {
    if (e instanceof UnsafeCommandValueError) return `Run the command with --json on the command line for the complete ${what}.`;
    throw e;
  }
}
