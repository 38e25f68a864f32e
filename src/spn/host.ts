/**
 * What a host name may be wherever krbops takes one from a person (a URL, an SPN, an inventory):
 * a DNS name — letters, digits and hyphens in dot-separated labels, an internationalised name only
 * as punycode (`xn--…`; the URL parser converts Unicode itself) — or an IP literal. Anything else
 * (`crm&calc&.contoso.com`, `$(id)`, a back-tick) is refused before it can reach a DNS query, a
 * fix command or a reply.
 * https://www.rfc-editor.org/rfc/rfc1123#section-2.1, https://www.rfc-editor.org/rfc/rfc3492
 */
import { isIP } from 'node:net';

/** One label: 1–63 letters, digits or hyphens, not starting or ending with a hyphen. */
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** True for an IPv4 or IPv6 literal (IPv6 with or without the URL's square brackets). */
export function isIpLiteral(host: string): boolean {
  return isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}

/** True for a DNS name of letters, digits, hyphens and dots (a single trailing dot allowed). */
export function isDnsName(host: string): boolean {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  if (!h || h.length > 253) return false;
  return h.split('.').every((l) => LABEL.test(l));
}

/** The reason `host` is not a host name, or undefined when it is a DNS name or an IP literal. */
export function hostProblem(host: string): string | undefined {
  if (isIpLiteral(host) || isDnsName(host)) return undefined;
  if (!host) return 'it is empty';
  if (host.replace(/\.$/, '').length > 253) return 'it is longer than 253 characters';
  const bad = [...host].find((c) => !/[A-Za-z0-9.-]/.test(c));
  if (bad) return `it contains "${bad === '\n' ? '\\n' : bad}"; a host name has only letters, digits, hyphens and dots (an international name as punycode, xn--…)`;
  return 'a label is empty, longer than 63 characters, or starts or ends with a hyphen';
}

/** `http://user:pw@host/` → `http://host/` in free text (an invalid URL is still echoed without its password). */
export function stripUserinfo(text: string): string {
  return text.replace(/(^|[^A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#\s@]*@/g, '$1$2');
}

/** The note shown when a URL came with a user name or password. */
export const USERINFO_REMOVED_NOTE = 'The user name and password in the URL were removed: krbops does not send, show or log them (the probe is anonymous anyway).';
