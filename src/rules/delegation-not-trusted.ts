import { defineRule, notApplicable, unknown, type RuleResult } from './support/define.js';
import { accountByDn, backendSpns, domainAccount, exactHolders, frontEndAccount, lookup, psNoun } from './support/evidence-view.js';
import { ad, appcmd } from '../fix/index.js';

export default defineRule({
  id: 'delegation-not-trusted',
  title: 'The site account is not trusted for delegation to its backends',
  severity: 'high',
  why: 'For the double hop (web site → SQL / SSRS as the user) the front-end account must be trusted for delegation; otherwise the KDC will not issue a forwardable ticket for the backend and the backend sees NT AUTHORITY\\ANONYMOUS LOGON.',
  references: ['seed 002 step 4: "we must enable the CRMWeb account to delegate"; Login failed for user NT AUTHORITY\\ANONYMOUS LOGON', 'seed 001: delegation for the identity the app pool uses'],
  checks: 'delegation trust of the site account',
  check(ev): RuleResult[] {
    const backends = backendSpns(ev);
    if (!backends.length) return notApplicable('no --backend SPN given (delegation matters only for a double hop)');
    if (!ev.directory?.ok) return [unknown(['the site account\'s delegation settings (directory unavailable)'], [], { summary: 'Check the Delegation tab of the site account.', commands: [ad.getUser('<app-pool-account>', ['TrustedForDelegation', 'msDS-AllowedToDelegateTo'])] })];
    const fe = frontEndAccount(ev);
    if (!fe.facts) return [unknown(['which account runs the site (pass --identity)'], [], { summary: 'Name the app pool account.', commands: [appcmd.listAppPoolIdentities()] })];
    const a = fe.facts;
    if (a.userAccountControl.trustedForDelegation || a.allowedToDelegateTo.length) return [];
    // Resource-based constrained delegation is configured on the backend side.
    const rbcd = backends.flatMap((spn) => exactHolders(lookup(ev, spn)).map((h) => accountByDn(ev, h.dn))).filter((x) => x?.hasResourceBasedDelegation);
    if (rbcd.length) return [];
    const name = domainAccount(ev, a);
    return [
      {
        subject: a.sAMAccountName,
        certainty: 0.9,
        evidence: [
          `${name} (${fe.how}) has neither TRUSTED_FOR_DELEGATION nor msDS-AllowedToDelegateTo`,
          `userAccountControl: ${a.userAccountControl.names.join(', ')}`,
          `Backends: ${backends.join(', ')}`,
        ],
        fix: {
          summary: `Trust ${a.sAMAccountName} for delegation (seed 002 step 4; verify, then constrain it with: ${ad.addDelegationTargets(psNoun(a), a.sAMAccountName, backends)} and -TrustedForDelegation $false).`,
          commands: [ad.setAccountControl(a.sAMAccountName, 'TrustedForDelegation', true)],
        },
      },
    ];
  },
});
