import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { backendSpns, domainAccount, frontEndAccount, norm, psNoun, spnHostOf } from './support/evidence-view.js';
import { ad } from '../fix/index.js';

export default defineRule({
  id: 'delegation-target-missing',
  title: 'Constrained delegation does not list the backend SPN',
  severity: 'high',
  why: 'With constrained delegation the KDC issues a ticket to a backend only if its SPN is in msDS-AllowedToDelegateTo of the front-end account; a missing backend SPN fails the double hop (KDC_ERR_BADOPTION) and the backend sees an anonymous logon.',
  references: ['seed 002: "Constrained delegation is an optional way to define which SPN\'s allow delegation" (AllowedToDelegateToAccount)'],
  checks: 'constrained delegation targets',
  check(ev): RuleResult[] {
    const backends = backendSpns(ev);
    if (!backends.length) return notApplicable('no --backend SPN given');
    const fe = frontEndAccount(ev);
    if (!fe.facts) return notApplicable('the site account is not known (delegation-not-trusted reports it)');
    const a = fe.facts;
    if (a.userAccountControl.trustedForDelegation) return notApplicable(`${a.sAMAccountName} has unconstrained delegation`);
    if (!a.allowedToDelegateTo.length) return notApplicable(`${a.sAMAccountName} has no constrained delegation (delegation-not-trusted reports it)`);
    const allowed = new Set(a.allowedToDelegateTo.map(norm));
    const missing = backends.filter((b) => !allowed.has(norm(b)));
    if (!missing.length) return [];
    const name = domainAccount(ev, a);
    return missing.map((spn) => {
      const near = a.allowedToDelegateTo.filter((x) => spnHostOf(x) === spnHostOf(spn) || spnHostOf(x).split('.')[0] === spnHostOf(spn).split('.')[0]);
      return {
        subject: spn,
        certainty: 0.9,
        evidence: [
          `${name} (${fe.how}) may delegate only to: ${a.allowedToDelegateTo.join(', ')}`,
          `${spn} is not in msDS-AllowedToDelegateTo`,
          ...(near.length ? [`Same host, other form: ${near.join(', ')} — the SPN must match the form the app uses (port or instance name)`] : []),
        ],
        fix: {
          summary: `Add ${spn} to the constrained delegation list of ${a.sAMAccountName}.`,
          commands: [ad.addDelegationTarget(psNoun(a), a.sAMAccountName, spn)],
        },
      };
    });
  },
});
