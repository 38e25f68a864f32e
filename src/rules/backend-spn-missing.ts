import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { accountByDn, backendSpns, domainAccount, kdcAnswer, kdcTarget, netbiosDomain, norm, spnHostOf } from './support/evidence-view.js';
import { setspn } from '../fix/index.js';
import { holderUnknown } from './support/holder-unknown.js';

export default defineRule({
  id: 'backend-spn-missing',
  title: 'A backend service (SQL, SSRS…) has no SPN',
  severity: 'high',
  why: 'The web server asks the KDC for a ticket to the backend SPN on the user\'s behalf; without it the KDC answers KDC_ERR_S_PRINCIPAL_UNKNOWN, the backend falls back to NTLM and sees NT AUTHORITY\\ANONYMOUS LOGON.',
  references: ['seed 002: MSSQLSvc/ SPN for the SQL service account; "Login failed for user: NT AUTHORITY\\ANONYMOUS LOGON"'],
  checks: 'backend SPNs',
  check(ev): RuleResult[] {
    const backends = backendSpns(ev);
    if (!backends.length) return notApplicable('no --backend SPN given');
    const out: RuleResult[] = [];
    for (const spn of backends) {
      const t = kdcTarget(ev, spn);
      const kdc = kdcAnswer(ev, spn);
      if (t.kind === 'unknown') {
        if (kdc?.outcome === 'ticket') continue;
        out.push(holderUnknown(spn, t.reason, kdc, `Check ${spn}.`));
        continue;
      } else if (t.kind !== 'none') continue;
      const comp = (ev.directory?.computers ?? []).find((c) => c.role === 'backend-host' && norm(c.host) === spnHostOf(spn));
      const compFacts = accountByDn(ev, comp?.dn);
      const account = compFacts ? domainAccount(ev, compFacts) : `${netbiosDomain(ev)}\\<service-account>`;
      const evidence = [`No account holds ${spn}`];
      if (kdc?.outcome === 'not-found') evidence.push(`The KDC answered "${kdc.message ?? 'server not found'}" for ${spn}`);
      if (compFacts) evidence.push(`${spnHostOf(spn)} is the computer ${domainAccount(ev, compFacts)}`);
      out.push({
        subject: spn,
        certainty: kdc?.outcome === 'not-found' ? 1 : 0.9,
        evidence,
        fix: {
          summary: compFacts
            ? `Register ${spn} on the account the backend service runs as: ${account} if it runs as a virtual account / Network Service, otherwise its domain service account.`
            : `Register ${spn} on the account the backend service runs as (replace the placeholder).`,
          commands: [setspn.add(spn, account)],
          spnChanges: compFacts ? [{ action: 'add', spn, account, accountDn: compFacts.dn }] : undefined,
        },
      });
    }
    return out;
  },
});
