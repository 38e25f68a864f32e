import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { exchangeLine, exchangeOf, klistGet } from './support/exchange.js';

export default defineRule({
  id: 'mutual-authentication-failed',
  title: "The server's reply does not prove its identity (mutual authentication failed)",
  severity: 'high',
  why: "With mutual authentication the server proves it decrypted the ticket by returning an AP-REP encrypted with the session key. A reply that does not verify means something between the browser and the server (a proxy, a load balancer answering for another node, a spoofing host) answered instead of the service the ticket was made for; clients that insist on mutual authentication (Windows HTTP stacks, curl --negotiate) fail.",
  references: ['RFC 4120 §3.2.5: receipt of the KRB_AP_REP message', 'RFC 4559 §5: the Negotiate response token on success'],
  checks: 'mutual authentication (Kerberos exchange)',
  check(ev): RuleResult[] {
    const a = exchangeOf(ev);
    if (!a) return notApplicable('needs the Kerberos exchange (a probe identity)');
    if (a.outcome !== 'authenticated' || a.mutual !== 'failed') return [];
    return [
      {
        subject: a.spn,
        certainty: 0.9,
        evidence: [exchangeLine(a), `The server's token did not complete the security context: ${a.message ?? 'no reason given'}`],
        fix: { summary: `Find what answers for ${a.spn ?? 'the site'}: a proxy or load balancer that terminates authentication must forward it unchanged, and every node must decrypt with the same account's key.`, commands: klistGet(a.spn) },
      },
    ];
  },
});
