import type { SpnChange } from './types.js';
import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { domainAccount, exactHolders, expectedOf, kdcTarget, registrationAccount, setspnAdd } from './support/evidence-view.js';

/**
 * The URL host is a CNAME. Browsers (IE, Edge, Chrome by default) build the SPN from the canonical
 * name at the end of the chain, not from the alias typed in the URL (seed 002, "Check DNS").
 */
export default defineRule({
  id: 'dns-cname-target',
  title: 'The URL host is a CNAME and no SPN exists for the canonical name it points to',
  severity: 'critical',
  why: 'Windows browsers follow the CNAME and ask for HTTP/<canonical name>; an SPN registered for the alias in the URL is never used, so the KDC finds no (or the wrong) account.',
  references: ['seed 002: Check DNS — nslookup each name; SPNs are determined by the URL', 'https://learn.microsoft.com/troubleshoot/developer/webapps/iis/www-authentication-authorization/kerberos-authentication-cname-record'],
  checks: 'SPN for the CNAME target',
  check(ev): RuleResult[] {
    if (!ev.dns?.ok) return notApplicable('needs DNS');
    if (ev.dns.chain.length < 2) return notApplicable('the URL host is not a CNAME');
    const spn = expectedOf(ev, 'fqdn');
    if (!spn) return notApplicable('no FQDN for the canonical name');
    const t = kdcTarget(ev, spn);
    if (t.kind !== 'none') return [];
    const aliasSpns = (ev.directory?.spns ?? []).filter((l) => l.role === 'url-alias' && exactHolders(l).length);
    const evidence = [`DNS: ${ev.dns.chain.join(' → CNAME → ')}`, `Browsers request ${spn}; no account holds it`];
    for (const l of aliasSpns) evidence.push(`${l.spn} (the alias) is registered on ${exactHolders(l).map((h) => domainAccount(ev, h)).join(', ')} — browsers never ask for it`);
    const aliasHolder = aliasSpns.map((l) => exactHolders(l)[0]).find(Boolean);
    const acct = aliasHolder ? { name: domainAccount(ev, aliasHolder), known: true, dn: aliasHolder.dn } : (() => { const r = registrationAccount(ev); return { name: r.name, known: r.known, dn: r.facts?.dn }; })();
    const toAdd = [spn];
    const spnChanges: SpnChange[] | undefined = acct.known ? toAdd.map((s) => ({ action: 'add', spn: s, account: acct.name, accountDn: acct.dn })) : undefined;
    return [
      {
        subject: spn,
        certainty: 0.9,
        evidence,
        fix: {
          summary: `Register the SPN for the canonical name ${ev.dns.canonicalName} on ${acct.known ? acct.name : 'the app pool account (replace the placeholder)'} — or replace the CNAME ${ev.target.urlHost} with an A record so browsers use the alias.`,
          commands: toAdd.map((s) => setspnAdd(s, acct.name)),
          spnChanges,
        },
      },
    ];
  },
});
