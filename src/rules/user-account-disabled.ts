import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { accountByDn, domainAccount } from './support/evidence-view.js';
import { ad } from '../fix/index.js';

export default defineRule({
  id: 'user-account-disabled',
  title: 'The affected user account is disabled or locked out',
  severity: 'high',
  why: 'A disabled or locked-out user gets no Kerberos ticket and NTLM fails too: IIS answers 401.1 for that user whatever the SPNs.',
  references: ['seed 001: 401.1 "Access is denied due to invalid credentials"'],
  checks: 'affected user account state',
  check(ev): RuleResult[] {
    if (!ev.inputs.user) return notApplicable('no --user given');
    const a = accountByDn(ev, ev.directory?.user?.dn);
    if (!a) return notApplicable('the user was not found (user-not-delegatable reports it)');
    const flags = a.userAccountControl;
    if (!flags.disabled && !flags.lockout) return [];
    const out: RuleResult[] = [];
    if (flags.disabled) out.push({ subject: a.sAMAccountName, certainty: 1, evidence: [`${domainAccount(ev, a)} is disabled (userAccountControl ${flags.names.join(', ')})`], fix: { summary: `Enable ${a.sAMAccountName} if it should sign in.`, commands: [ad.enable(a.sAMAccountName)] } });
    if (flags.lockout) out.push({ subject: a.sAMAccountName, certainty: 0.9, evidence: [`${domainAccount(ev, a)} is locked out`], fix: { summary: `Unlock ${a.sAMAccountName}.`, commands: [ad.unlock(a.sAMAccountName)] } });
    return out;
  },
});
