import { buildCommands, nslookup } from '../fix/index.js';
import { defineRule, notApplicable, type RuleResult } from './support/define.js';

/** DNS answers that mean "this name does not exist", as opposed to "the resolver did not answer". */
const NOT_FOUND = ['ENOTFOUND', 'NXDOMAIN', 'ENODATA', 'NOTFOUND'];

export default defineRule({
  id: 'host-unresolvable',
  title: 'The host name in the URL does not resolve',
  severity: 'critical',
  why: 'A browser cannot reach a name DNS does not know, so nothing about Kerberos matters yet: no connection, no challenge, no ticket. Fix the name (or the DNS record) first; SPN checks for a name nobody can reach are moot.',
  references: ['https://learn.microsoft.com/troubleshoot/windows-server/networking/troubleshoot-dns-guidance'],
  checks: 'the URL host resolves',
  check(ev): RuleResult[] {
    if (ev.target.isIpAddress) return notApplicable('the URL uses an IP address');
    const dns = ev.dns;
    if (!dns) return notApplicable('DNS was not asked');
    if (dns.ok && dns.addresses.length) return [];
    const code = dns.error?.code ?? 'no address';
    if (dns.error && !NOT_FOUND.includes(code)) return [];
    const servers = dns.servers.length ? dns.servers.join(', ') : "the system's resolvers";
    return [
      {
        subject: dns.queried,
        certainty: 1,
        evidence: [`DNS (${servers}) has no address for ${dns.queried}: ${dns.error ? `${dns.error.code} ${dns.error.message}` : 'no A or AAAA record'}`],
        fix: { summary: `Check the spelling of the URL, or create the DNS record for ${dns.queried} (an A record to the server or load balancer; a CNAME changes the SPN browsers ask for).`, commands: buildCommands(() => [nslookup(dns.queried)]).commands },
      },
    ];
  },
});
