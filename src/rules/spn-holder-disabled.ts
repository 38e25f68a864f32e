import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { domainAccount, expectedOf, identityOf, kdcAnswer, kdcTarget, registrationAccount, sameAccount } from './support/evidence-view.js';
import { ad, setspn } from '../fix/index.js';

export default defineRule({
  id: 'spn-holder-disabled',
  title: 'The account holding the HTTP SPN is disabled',
  severity: 'critical',
  why: 'A disabled account is a retired identity: either the KDC refuses tickets for it, or (as Samba does) it issues tickets encrypted with a key that no running service holds; either way the browser prompts or falls back to NTLM.',
  references: ['seed 002: SPNs map identities to services; the identity must be usable', 'https://learn.microsoft.com/troubleshoot/windows-server/windows-security/kerberos-authentication-troubleshooting-guidance'],
  checks: 'SPN holder enabled',
  check(ev): RuleResult[] {
    if (!ev.directory?.ok) return notApplicable('needs the directory (reported by the SPN checks)');
    const out: RuleResult[] = [];
    const seen = new Set<string>();
    const id = identityOf(ev);
    const backendSpns = ev.directory.spns.filter((l) => l.role === 'backend').map((l) => l.spn);
    for (const spn of [expectedOf(ev, 'fqdn'), expectedOf(ev, 'short'), ...backendSpns]) {
      if (!spn) continue;
      const t = kdcTarget(ev, spn);
      if (t.kind !== 'one') continue;
      const disabled = t.facts?.userAccountControl.disabled ?? t.holder.disabled;
      if (!disabled || seen.has(spn.toLowerCase())) continue;
      seen.add(spn.toLowerCase());
      const holderName = domainAccount(ev, t.holder);
      const isSite = !backendSpns.includes(spn);
      const evidence = [`${spn} resolves to ${holderName} (${t.holder.dn})${t.via === 'alias' ? ` through ${t.holder.matched}` : ''}`, `${t.holder.sAMAccountName} is disabled (userAccountControl ${t.facts?.userAccountControl.names.join(', ') ?? 'ACCOUNTDISABLE'})`];
      const acct = isSite ? registrationAccount(ev) : undefined;
      const moveTo = acct?.known && !sameAccount(acct.facts, t.holder) ? acct : undefined;
      const kdc = kdcAnswer(ev, spn);
      if (kdc) evidence.push(kdc.outcome === 'ticket' ? `This KDC still issued a ticket for ${spn} (kvno ${kdc.kvno ?? '?'}), yet the account is disabled: the service no longer runs with its key` : `The KDC answered "${kdc.message ?? kdc.outcome}" for ${spn}`);
      out.push({
        subject: spn,
        certainty: 0.95,
        evidence,
        fix: moveTo
          ? {
              summary: `${t.holder.sAMAccountName} is disabled and the site runs as ${moveTo.name}${id.declared ? '' : ' (inferred)'}: move the SPN there.`,
              commands: [setspn.remove(spn, holderName), setspn.add(spn, moveTo.name)],
              spnChanges: [
                { action: 'remove', spn, account: holderName, accountDn: t.holder.dn },
                { action: 'add', spn, account: moveTo.name, accountDn: moveTo.facts?.dn },
              ],
            }
          : {
              summary: `Enable ${t.holder.sAMAccountName} if it still runs the service; otherwise move ${spn} to the account that does (setspn -D here, setspn -S there).`,
              commands: [ad.enable(t.holder.sAMAccountName), setspn.remove(spn, holderName)],
            },
      });
    }
    return out;
  },
});
