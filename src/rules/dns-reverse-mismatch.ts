import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { dnsServer, nslookup } from '../fix/index.js';

const trimDot = (s: string) => s.toLowerCase().replace(/\.$/, '');

function reverseZone(ip: string): { zone: string; name: string } | undefined {
  const [a, b, c, d, ...more] = ip.split('.');
  if (d === undefined || more.length) return undefined;
  return { zone: `${c}.${b}.${a}.in-addr.arpa`, name: d };
}

export default defineRule({
  id: 'dns-reverse-mismatch',
  title: 'Reverse DNS of the site address does not return the site name',
  severity: 'low',
  why: 'Clients that canonicalise host names through reverse DNS (MIT Kerberos with rdns=true, Java, some proxies) build the SPN from the PTR name; a missing or different PTR sends them to another SPN and account.',
  references: ['seed 002: Check DNS — "make sure the reverse lookup is working as well (nslookup {ip} should return the correct host name)"'],
  checks: 'reverse DNS',
  check(ev): RuleResult[] {
    if (ev.target.isIpAddress) return notApplicable('the URL uses an IP address');
    if (!ev.dns?.ok) return notApplicable('needs DNS (the DNS collector failed or did not run)');
    if (!ev.dns.ptr.length) return notApplicable('no address to look up');
    const canonical = trimDot(ev.dns.canonicalName);
    const names = new Set(ev.dns.chain.map(trimDot));
    const out: RuleResult[] = [];
    for (const p of ev.dns.ptr) {
      const ptrNames = p.names.map(trimDot);
      if (ptrNames.some((n) => names.has(n))) continue;
      const rz = reverseZone(p.address);
      const commands: string[] = [];
      if (rz) {
        for (const n of ptrNames) commands.push(dnsServer.removePtr(rz.zone, rz.name, n));
        commands.push(dnsServer.addPtr(rz.zone, rz.name, canonical));
      } else commands.push(nslookup(p.address));
      out.push({
        subject: p.address,
        certainty: 0.5,
        evidence: ptrNames.length
          ? [`${canonical} → ${p.address}`, `${p.address} → PTR ${ptrNames.join(', ')} (not ${canonical})`]
          : [`${canonical} → ${p.address}`, `${p.address} has no PTR record${p.error ? ` (${p.error})` : ''}`],
        fix: {
          summary: ptrNames.length
            ? `Point the PTR of ${p.address} at ${canonical} (for an NLB address, the URL name), or register the SPNs for ${ptrNames[0]} on the same account.${rz ? ' Commands assume a /24 reverse zone.' : ''}`
            : `Add a PTR record ${p.address} → ${canonical}.${rz ? ' Commands assume a /24 reverse zone.' : ''}`,
          commands,
        },
      });
    }
    return out;
  },
});
