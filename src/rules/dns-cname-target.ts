import type { SpnChange } from '../model/index.js';
import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { cnameAlias, domainAccount, exactHolders, expectedOf, kdcTarget, registrationAccount, sameAccount } from './support/evidence-view.js';
import { setspn } from '../fix/index.js';

/**
 * The URL host is a CNAME. Browsers (IE, Edge, Chrome by default) build the SPN from the canonical
 * name at the end of the chain, not from the alias typed in the URL (seed 002, "Check DNS"); an SPN
 * registered for the alias is never asked for, and the canonical name may be answered by the
 * server's own HOST/ SPN (its computer account) instead of the app pool account.
 */
export default defineRule({
  id: 'dns-cname-target',
  title: 'The URL host is a CNAME and the SPN for the canonical name it points to is missing or on another account',
  severity: 'critical',
  why: 'Windows browsers follow the CNAME and ask for HTTP/<canonical name>; an SPN registered for the alias in the URL is never used, so the KDC finds no account, or the computer behind the canonical name, and decryption fails.',
  references: ['seed 002: Check DNS — nslookup each name; SPNs are determined by the URL', 'https://learn.microsoft.com/troubleshoot/developer/webapps/iis/www-authentication-authorization/kerberos-authentication-cname-record'],
  checks: 'SPN for the CNAME target',
  check(ev): RuleResult[] {
    if (!ev.dns?.ok) return notApplicable('needs DNS');
    const c = cnameAlias(ev);
    if (!c) return notApplicable('the URL host is not a CNAME');
    if (!ev.directory?.ok) return notApplicable('needs the directory (reported by the SPN checks)');
    const forms = (['fqdn', 'short'] as const).map((f) => expectedOf(ev, f)).filter((s): s is string => !!s);
    const bad = forms
      .map((spn) => ({ spn, t: kdcTarget(ev, spn) }))
      .filter(({ t }) => t.kind === 'none' || (c.aliasHolder && t.kind === 'one' && !sameAccount(t.holder, c.aliasHolder)));
    const [first] = bad;
    if (!first) return [];
    const evidence = [`DNS: ${c.chain.join(' → CNAME → ')}`];
    for (const { spn, t } of bad) {
      evidence.push(t.kind === 'one' ? `Browsers request ${spn}; it resolves to ${domainAccount(ev, t.holder)}${t.via === 'alias' ? ` through ${t.holder.matched}` : ''}` : `Browsers request ${spn}; no account holds it`);
    }
    for (const l of c.aliasSpns) evidence.push(`${l.spn} (the alias) is registered on ${exactHolders(l).map((h) => domainAccount(ev, h)).join(', ')} — browsers never ask for it`);
    const reg = registrationAccount(ev);
    const acct = c.aliasHolder ? { name: domainAccount(ev, c.aliasHolder), known: true, dn: c.aliasHolder.dn } : { name: reg.name, known: reg.known, dn: reg.facts?.dn };
    const spnChanges: SpnChange[] | undefined = acct.known ? bad.map(({ spn }) => ({ action: 'add', spn, account: acct.name, accountDn: acct.dn })) : undefined;
    return [
      {
        subject: first.spn,
        certainty: 0.9,
        evidence,
        fix: {
          summary: `Register the SPNs of the canonical name ${ev.dns.canonicalName} on ${acct.known ? acct.name : 'the app pool account (replace the placeholder)'} — or replace the CNAME ${ev.target.urlHost} with an A record so browsers use the name in the URL.`,
          commands: bad.map(({ spn }) => setspn.add(spn, acct.name)),
          spnChanges,
        },
      },
    ];
  },
});
