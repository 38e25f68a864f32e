import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { directoryOk, exactHolders, expectedOf, kdcAnswer, kdcTarget, lookup, registrationAccount } from './support/evidence-view.js';
import { setspn } from '../fix/index.js';
import { holderUnknown } from './support/holder-unknown.js';

export default defineRule({
  id: 'spn-missing-fqdn',
  title: 'No account holds the HTTP SPN for the site FQDN',
  severity: 'critical',
  why: 'Browsers ask the KDC for a ticket to HTTP/<fqdn>; when no account holds that SPN the KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN and the browser falls back to NTLM or prompts (401.1).',
  references: ['seed 002: SPNs for HTTP services are HTTP/<url host>', 'seed 003: register the SPN on the app pool account', 'https://learn.microsoft.com/windows-server/identity/ad-ds/manage/understand-service-principal-names'],
  checks: 'HTTP SPN on the site FQDN',
  check(ev): RuleResult[] {
    if (ev.target.isIpAddress) return notApplicable('the URL uses an IP address');
    const spn = expectedOf(ev, 'fqdn');
    if (!spn) return notApplicable('the host has no FQDN form (short name and no DNS suffix known)');
    // A CNAME or a port variant explains the gap more precisely: dns-cname-target / spn-port-mismatch report it.
    if ((ev.dns?.chain.length ?? 0) > 1) return notApplicable('the URL host is a CNAME: dns-cname-target checks the canonical name');
    const portVariants = (ev.directory?.spns ?? []).filter((l) => l.role === 'port-variant' && l.form === 'fqdn' && exactHolders(l).length);
    const kdc = kdcAnswer(ev, spn);
    const target = kdcTarget(ev, spn);
    if (target.kind === 'unknown') {
      if (kdc?.outcome === 'ticket') return [];
      return [holderUnknown(spn, target.reason, kdc)];
    }
    if (target.kind !== 'none') return [];
    if (portVariants.length) return notApplicable(`only a port form is registered (${portVariants.map((l) => l.spn).join(', ')}): spn-port-mismatch reports it`);
    const acct = registrationAccount(ev);
    const evidence = [`No account holds ${spn}, and no HOST/${spn.slice(5)} answers for it`];
    if (kdc?.outcome === 'not-found') evidence.push(`The KDC answered "${kdc.message ?? 'server not found'}" for ${spn}`);
    const short = expectedOf(ev, 'short');
    const shortHolders = short ? exactHolders(lookup(ev, short)) : [];
    if (shortHolders.length) evidence.push(`${short} is registered on ${shortHolders.map((h) => h.sAMAccountName).join(', ')}`);
    return [
      {
        subject: spn,
        certainty: kdc?.outcome === 'not-found' ? 1 : directoryOk(ev) ? 0.9 : 0.6,
        evidence,
        fix: {
          summary: `Register ${spn} on the account the app pool runs as${acct.known ? ` (${acct.name})` : ' — replace the placeholder, or pass --identity'}.`,
          commands: [setspn.add(spn, acct.name)],
          spnChanges: acct.known ? [{ action: 'add', spn, account: acct.name, accountDn: acct.facts?.dn }] : undefined,
        },
      },
    ];
  },
});
