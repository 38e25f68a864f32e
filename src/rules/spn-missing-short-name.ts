import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { cnameAlias, exactHolders, expectedOf, kdcAnswer, kdcTarget, lookup, registrationAccount } from './support/evidence-view.js';
import { setspn } from '../fix/index.js';
import { holderUnknown } from './support/holder-unknown.js';

export default defineRule({
  id: 'spn-missing-short-name',
  title: 'No account holds the HTTP SPN for the short (NetBIOS) host name',
  severity: 'medium',
  why: 'Internet Explorer reverts to the NetBIOS name when its 30-minute DNS cache entry expires, and users who type http://<short>/ ask for HTTP/<short>: without that SPN they are prompted after 30 minutes or at once.',
  references: ['seed 003: "If you set the SPN by using only the FQDN … you will be prompted for your user credentials after 30 minutes"', 'seed 000: an SPN for the NetBIOS name and the FQDN'],
  checks: 'HTTP SPN on the short host name',
  check(ev): RuleResult[] {
    if (ev.target.isIpAddress) return notApplicable('the URL uses an IP address');
    const spn = expectedOf(ev, 'short');
    if (!spn) return notApplicable('the host has no short form');
    if (cnameAlias(ev)) return notApplicable('the URL host is a CNAME: dns-cname-target checks the canonical name');
    const urlIsShort = !ev.target.urlHost.includes('.');
    const kdc = kdcAnswer(ev, spn);
    const target = kdcTarget(ev, spn);
    if (target.kind === 'unknown') {
      if (kdc?.outcome === 'ticket') return [];
      return [holderUnknown(spn, target.reason, kdc)];
    } else if (target.kind !== 'none') return [];
    const portForm = (ev.directory?.spns ?? []).find((l) => l.role === 'port-variant' && l.form === 'short' && exactHolders(l).length);
    if (portForm) return notApplicable(`only the port form ${portForm.spn} is registered: spn-port-mismatch reports it`);
    const acct = registrationAccount(ev);
    const fqdn = expectedOf(ev, 'fqdn');
    const evidence = [`No account holds ${spn}, and no HOST/${spn.slice(5)} answers for it`];
    if (kdc?.outcome === 'not-found') evidence.push(`The KDC answered "${kdc.message ?? 'server not found'}" for ${spn}`);
    const fqdnHolders = fqdn ? exactHolders(lookup(ev, fqdn)) : [];
    if (fqdnHolders.length) evidence.push(`${fqdn} is registered on ${fqdnHolders.map((h) => h.sAMAccountName).join(', ')}: the FQDN works until the browser falls back to the short name`);
    if (urlIsShort) evidence.push(`The URL itself uses the short name ${ev.target.urlHost}`);
    return [
      {
        subject: spn,
        severity: urlIsShort ? 'critical' : 'medium',
        certainty: kdc?.outcome === 'not-found' ? 1 : 0.85,
        evidence,
        fix: {
          summary: `Register ${spn} on the same account as the FQDN SPN${acct.known ? ` (${acct.name})` : ' — replace the placeholder, or pass --identity'}.`,
          commands: [setspn.add(spn, acct.name)],
          spnChanges: acct.known ? [{ action: 'add', spn, account: acct.name, accountDn: acct.facts?.dn }] : undefined,
        },
      },
    ];
  },
});
