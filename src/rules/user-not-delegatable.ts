import { defineRule, notApplicable, unknown, type RuleResult } from './support/define.js';
import { accountByDn, backendSpns, domainAccount, frontEndAccount } from './support/evidence-view.js';
import { ad } from '../fix/index.js';

export default defineRule({
  id: 'user-not-delegatable',
  title: 'The affected user cannot be delegated (sensitive account or Protected Users)',
  severity: 'high',
  why: 'Accounts marked "Account is sensitive and cannot be delegated" and members of Protected Users never get forwardable tickets, so the double hop fails for them only: that user is prompted or sees errors while others work.',
  references: ['seed 002: "User delegation blocked. If you have a user that is constantly prompted but other users are not"', 'https://learn.microsoft.com/windows-server/security/credentials-protection-and-management/protected-users-security-group'],
  checks: 'user delegation',
  check(ev): RuleResult[] {
    const fe = frontEndAccount(ev).facts;
    const delegates = backendSpns(ev).length > 0 || !!fe?.userAccountControl.trustedForDelegation || !!fe?.allowedToDelegateTo.length;
    const u = ev.directory?.user;
    if (!ev.inputs.user) {
      if (!backendSpns(ev).length) return notApplicable('no --user given');
      return [unknown(['an affected user (pass --user <account>)'], [`Backends: ${backendSpns(ev).join(', ')}`], { summary: 'Name a user who is prompted, to check whether that account can be delegated.', commands: [ad.getUser('<user>', ['AccountNotDelegated', 'MemberOf'])] }, 'user')];
    }
    if (!delegates) return notApplicable('the site does not delegate (no backends, no delegation on its account)');
    if (!ev.directory?.ok || !u) return [unknown([`${ev.inputs.user}'s account flags (directory unavailable)`], [], { summary: 'Check the account by hand.', commands: [ad.getUser(ev.inputs.user ?? '<user>', ['AccountNotDelegated', 'MemberOf'])] }, ev.inputs.user)];
    const a = accountByDn(ev, u.dn);
    if (!a) return [unknown([`the account ${u.query}`], [u.error ?? `${u.query} was not found`], { summary: 'Check the user name.', commands: [ad.findUser(u.query)] }, u.query)];
    const out: RuleResult[] = [];
    const name = domainAccount(ev, a);
    if (a.userAccountControl.notDelegated) {
      out.push({
        subject: a.sAMAccountName,
        certainty: 0.95,
        evidence: [`${name} has NOT_DELEGATED ("Account is sensitive and cannot be delegated")`, `userAccountControl: ${a.userAccountControl.names.join(', ')}`],
        fix: { summary: `Clear "Account is sensitive and cannot be delegated" on ${a.sAMAccountName} if policy allows (it exists to protect privileged accounts).`, commands: [ad.clearAccountNotDelegated(a.sAMAccountName)] },
      });
    }
    if (a.protectedUser) {
      out.push({
        subject: a.sAMAccountName,
        certainty: 0.95,
        evidence: [`${name} is a member of Protected Users`],
        fix: { summary: `Protected Users cannot be delegated; use a non-privileged account for this application, or remove ${a.sAMAccountName} from the group if policy allows.`, commands: [ad.removeFromProtectedUsers(a.sAMAccountName)] },
      });
    }
    return out;
  },
});
