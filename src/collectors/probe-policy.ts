/**
 * What krbops may connect to on behalf of a chat user (issue 11, SSRF). Any chat user can ask for
 * why-401; without a policy the bot would GET any host and port — loopback and cloud metadata
 * included — and report status, auth schemes and connect errors: a port scanner.
 *
 * From chat, a probe goes only to hosts under the forest's DNS domains (read from the directory)
 * or matching KRBOPS_PROBE_ALLOW, and never to an IP literal or a loopback, link-local,
 * unspecified, multicast or metadata address unless that address is allowed there. The addresses
 * are checked AFTER resolution (a name under the domain may resolve to 127.0.0.1 or
 * 169.254.169.254), and the probe then connects to exactly the checked address. The CLI is run by
 * an operator and is not restricted. Every probe that connects somewhere asks this module
 * (why-401's HTTP probe; a Kerberos probe of a KDC the user names must too).
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError, NotAuthorizedError } from '../errors.js';
import { isDnsName } from '../spn/host.js';

/** Parsed KRBOPS_PROBE_ALLOW: host names, `*.suffix` patterns, IP addresses and CIDR ranges. */
export interface ProbeAllow {
  hosts: string[];
  suffixes: string[];
  addresses: BlockList;
  /** The entries as written (for `krbops config`). */
  entries: string[];
}

/** Who asks: an operator on the command line (unrestricted) or a chat user (restricted). */
export type ProbeRequester = 'operator' | 'chat';

export interface ProbePolicy {
  requester: ProbeRequester;
  allow: ProbeAllow;
  /** DNS domains of the forest, lower case (`contoso.com`): hosts under them may be probed from chat. */
  forestDomains: string[];
}

const ALLOW = 'KRBOPS_PROBE_ALLOW';

/** Parses KRBOPS_PROBE_ALLOW (`crm.contoso.com, *.corp.example, 10.1.2.3, 127.77.0.0/16`); throws ConfigError naming a bad entry. */
export function parseProbeAllow(text: string | undefined): ProbeAllow {
  const allow: ProbeAllow = { hosts: [], suffixes: [], addresses: new BlockList(), entries: [] };
  for (const raw of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const entry = raw.toLowerCase();
    const [addr = '', bits, more] = entry.split('/');
    const family = isIP(addr);
    if (family && more === undefined) {
      const max = family === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : /^\d+$/.test(bits) ? Number(bits) : NaN;
      if (!(prefix >= 0 && prefix <= max)) throw new ConfigError(ALLOW, `"${raw}": the prefix length must be 0–${max}`);
      allow.addresses.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (entry.startsWith('*.') && isDnsName(entry.slice(2))) {
      allow.suffixes.push(entry.slice(2).replace(/\.$/, ''));
    } else if (isDnsName(entry)) {
      allow.hosts.push(entry.replace(/\.$/, ''));
    } else {
      throw new ConfigError(ALLOW, `"${raw}" is not a host name, *.domain pattern, IP address or CIDR range`);
    }
    allow.entries.push(raw);
  }
  return allow;
}

/** Loopback, link-local, unspecified, multicast, broadcast and cloud metadata addresses. */
const SPECIAL = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['127.0.0.0', 8], ['169.254.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4], ['100.100.100.200', 32], ['168.63.129.16', 32]] as const) SPECIAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fe80::', 10], ['ff00::', 8], ['fd00:ec2::254', 128]] as const) SPECIAL.addSubnet(net, bits, 'ipv6');

/** `::ffff:127.0.0.1` and `::ffff:7f00:1` → `127.0.0.1`; other addresses unchanged. */
function unmapped(address: string): string {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted?.[1]) return dotted[1];
  const [, hiHex, loHex] = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a) ?? [];
  if (hiHex !== undefined && loHex !== undefined) {
    const hi = parseInt(hiHex, 16);
    const lo = parseInt(loHex, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return a;
}

const familyOf = (a: string) => (isIP(a) === 6 ? 'ipv6' : 'ipv4');

/** What kind of special address this is, or undefined for an ordinary (public or private) one. */
export function specialAddressKind(address: string): string | undefined {
  const a = unmapped(address);
  if (!isIP(a) || !SPECIAL.check(a, familyOf(a))) return undefined;
  if (a === '169.254.169.254' || a === '100.100.100.200' || a === '168.63.129.16' || a === 'fd00:ec2::254') return 'a cloud metadata address';
  if (a.startsWith('127.') || a === '::1') return 'a loopback address';
  if (a.startsWith('169.254.') || a.startsWith('fe80:')) return 'a link-local address';
  if (a === '::' || a.startsWith('0.')) return 'an unspecified address';
  return 'a multicast or reserved address';
}

function addressAllowed(allow: ProbeAllow, address: string): boolean {
  const a = unmapped(address);
  return isIP(a) !== 0 && allow.addresses.check(a, familyOf(a));
}

function hostAllowed(policy: ProbePolicy, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const under = (d: string) => h === d || h.endsWith(`.${d}`);
  return policy.allow.hosts.includes(h) || policy.allow.suffixes.some(under) || policy.forestDomains.some(under);
}

/** Refused by the probe policy: nothing was sent to the host. The message names the setting that allows it. */
export class ProbeNotAllowedError extends NotAuthorizedError {
  constructor(host: string, reason: string, suggestion: string) {
    super(
      `krbops does not probe ${host} when asked from chat: ${reason}. To allow it, add ${suggestion} to ${ALLOW}; an operator can run \`krbops krb why-401\` on the command line meanwhile.`,
      { host, setting: ALLOW, suggestion },
    );
  }
}

/**
 * Checks the host before anything is sent to it (a DNS query is fine). Throws ProbeNotAllowedError
 * from chat for an IP literal or a host outside the forest's domains and KRBOPS_PROBE_ALLOW.
 */
export function checkProbeHost(policy: ProbePolicy, host: string): void {
  if (policy.requester === 'operator') return;
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h)) {
    if (!addressAllowed(policy.allow, h)) throw new ProbeNotAllowedError(h, `it is an IP address${specialAddressKind(h) ? `, ${specialAddressKind(h)}` : ''}`, h);
    return;
  }
  if (!hostAllowed(policy, h)) {
    const domains = policy.forestDomains.length ? `the forest's DNS domains (${policy.forestDomains.join(', ')})` : "the forest's DNS domains (the directory did not answer)";
    throw new ProbeNotAllowedError(h, `it is not under ${domains}`, h.toLowerCase());
  }
}

/**
 * Checks every address the host resolved to. Throws ProbeNotAllowedError from chat when one is a
 * special address (loopback, link-local, metadata…) not allowed by address in KRBOPS_PROBE_ALLOW,
 * or when there is no address (the probe would resolve the name again, unchecked).
 */
export function checkProbeAddresses(policy: ProbePolicy, host: string, addresses: string[]): void {
  if (policy.requester === 'operator') return;
  if (!addresses.length) throw new ProbeNotAllowedError(host, 'DNS gave no address krbops could check first', 'its address');
  for (const a of addresses) {
    const kind = specialAddressKind(a);
    if (kind && !addressAllowed(policy.allow, a)) throw new ProbeNotAllowedError(host, `it resolves to ${a}, ${kind}`, unmapped(a));
  }
}

/** The forest's DNS domains from the rootDSE naming contexts: DC=contoso,DC=com → contoso.com. */
export function forestDomainsOf(info: { defaultNamingContext?: string; rootDomainNamingContext?: string } | undefined): string[] {
  const out = new Set<string>();
  for (const nc of [info?.defaultNamingContext, info?.rootDomainNamingContext]) {
    const labels = (nc ?? '').split(',').map((p) => p.trim()).filter((p) => /^DC=/i.test(p)).map((p) => p.slice(3).toLowerCase());
    if (labels.length) out.add(labels.join('.'));
  }
  return [...out];
}
