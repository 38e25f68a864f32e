/**
 * What a value must be before it goes into a command. Each check returns the value (trimmed) or
 * throws UnsafeCommandValueError naming what was expected. A placeholder (`<app-pool-account>`)
 * passes where a human is meant to fill the value in.
 */
import { isIP } from 'node:net';
import { UnsafeCommandValueError } from '../errors.js';
import { isPlaceholder } from './quote.js';

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

/** A host: a DNS name (letters, digits, `-`, `_`, dots; at most 253 characters) or an IPv4/IPv6 literal. */
export function host(value: string): string {
  const v = value.trim();
  if (isPlaceholder(v)) return v;
  if (isIP(v)) return v;
  if (v.length > 254 || !DNS_NAME.test(v)) throw new UnsafeCommandValueError('a host name', value, 'a host is a DNS name or an IP address');
  return v;
}

/** Characters an SPN may have in a command: service class, host, port, service name. Never starts with `-`. */
const SPN = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._$-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._:$@-]+)?$/;
const SPN_WITH_PLACEHOLDER = /^[A-Za-z0-9._-]+\/(?:[A-Za-z0-9._$-]+|<[a-z][a-z0-9 ._-]{0,40}>)(?::\d{1,5})?$/i;

/** An SPN: `serviceclass/host[:port][/servicename]` in plain characters, never starting with `-`. */
export function spn(value: string): string {
  const v = value.trim();
  if (v.startsWith('-')) throw new UnsafeCommandValueError('an SPN', value, 'an SPN never starts with "-" (setspn would read it as an option)');
  if (!SPN.test(v) && !SPN_WITH_PLACEHOLDER.test(v)) throw new UnsafeCommandValueError('an SPN', value, 'expected serviceclass/host[:port][/servicename] in letters, digits and . _ - $');
  return v;
}

/** NetBIOS domain: letters, digits, `-`, `.` (at most 63). */
const DOMAIN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/;
/** sAMAccountName as krbops prints it: letters, digits, space, `._-`, a trailing `$` for computers. */
const SAM = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,255}\$?$/u;

/** A sAMAccountName (`crmweb`, `NDCRMSRV1$`), or a placeholder. */
export function samAccountName(value: string): string {
  const v = value.trim();
  if (isPlaceholder(v)) return v;
  if (!SAM.test(v)) throw new UnsafeCommandValueError('an account name', value, 'expected a sAMAccountName of letters, digits, space and . _ - (and a trailing $ for computers)');
  return v;
}

/** `DOMAIN\name` or a bare sAMAccountName, either part possibly a placeholder: the account argument of setspn. */
export function account(value: string): string {
  const v = value.trim();
  const i = v.indexOf('\\');
  if (i < 0) return samAccountName(v);
  const domain = v.slice(0, i);
  if (!DOMAIN.test(domain) && !isPlaceholder(domain)) throw new UnsafeCommandValueError('an account name', value, 'expected DOMAIN\\name with a NetBIOS domain of letters, digits, - and .');
  return `${domain}\\${samAccountName(v.slice(i + 1))}`;
}

/** An http(s) URL, normalised (`new URL(…).href`). */
export function url(value: string): string {
  if (isPlaceholder(value.trim())) return value.trim();
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new UnsafeCommandValueError('a URL', value, 'it is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UnsafeCommandValueError('a URL', value, 'only http and https URLs are printed');
  host(u.hostname.replace(/^\[|\]$/g, ''));
  return u.href;
}

/** A name used as a PowerShell string (relying party trust, DNS zone…): anything without control characters. */
export function text(value: string, kind = 'a name'): string {
  if (!value.trim()) throw new UnsafeCommandValueError(kind, value, 'it is empty');
  return value;
}

/** A plain file name in the current directory (an export's output): letters, digits and . _ -, never starting with `-` or `.`. */
export function fileName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(value)) throw new UnsafeCommandValueError('a file name', value, 'expected a plain file name of letters, digits and . _ -');
  return value;
}
