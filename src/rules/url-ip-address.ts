import { buildCommands, krbops, nslookup } from '../fix/index.js';
import { defineRule, type RuleResult } from './support/define.js';

export default defineRule({
  id: 'url-ip-address',
  title: 'The URL uses an IP address, so browsers never use Kerberos',
  severity: 'high',
  why: 'A browser builds the SPN from the host name; for an IP address there is no SPN to ask for, so Windows clients use NTLM (or prompt), and delegation to backends is impossible.',
  references: ['seed 002: SPNs are determined by the URL of the service', 'https://learn.microsoft.com/windows-server/security/kerberos/configuring-kerberos-over-ip'],
  checks: 'host name in the URL',
  check(ev): RuleResult[] {
    if (!ev.target.isIpAddress) return [];
    const names = ev.dns?.ptr.flatMap((p) => p.names) ?? [];
    const ptrName = names[0]?.replace(/\.$/, '');
    // The PTR name comes from DNS: a name src/fix refuses gives the nslookup line instead.
    const byName = ptrName !== undefined ? buildCommands(() => [krbops.why401(ev.target.url.replace(ev.target.urlHost, ptrName))]) : undefined;
    return [
      {
        subject: ev.target.urlHost,
        certainty: 1,
        evidence: [`The URL host is the address ${ev.target.urlHost}`, ...(names.length ? [`Its PTR name is ${names.join(', ')}`] : [])],
        fix: {
          summary: ptrName !== undefined ? `Use the host name instead: ${ev.target.url.replace(ev.target.urlHost, ptrName)}` : 'Use the DNS name of the site in the URL, with an A record for it and its HTTP SPNs registered.',
          commands: byName?.commands.length ? byName.commands : [nslookup(ev.target.urlHost.replace(/^\[|\]$/g, ""))],
        },
      },
    ];
  },
});
