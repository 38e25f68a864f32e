import type { SpnIssueEvidence } from '../model/index.js';
import { defineRule, type RuleResult } from './support/define.js';
import { accountLine, accountName, refusedNote } from './support/spn-issue-view.js';
import { buildCommands, setspn } from '../fix/index.js';

/**
 * The duplicate-SPN watch's alias collision: HTTP/<name> on a service account while HOST/<name>
 * (which answers for it through sPNMappings) is on another account. `setspn -X` does not report it.
 */
export default defineRule<SpnIssueEvidence>({
  id: 'spn-alias-collision',
  title: 'A service SPN is on one account while the HOST/ SPN that answers for it is on another',
  severity: 'medium',
  why: "Through sPNMappings, HOST/<name> answers for HTTP/<name> (and the other mapped classes). With the service SPN on one account and HOST/ on another, which key encrypts the ticket depends on which SPN the KDC resolves: removing or moving the service SPN silently switches clients to the computer's key (KRB_AP_ERR_MODIFIED, HTTP 401). setspn -X does not report this.",
  // The watch's alerts never carried references; the why names what backs it (sPNMappings, setspn -X).
  references: [],
  checks: 'service SPNs and the HOST/ SPNs that answer for them (sPNMappings)',
  check({ issue, domain }): RuleResult[] {
    if (issue.kind !== 'alias') return [];
    const service = issue.serviceAccounts ?? [];
    const host = issue.hostAccounts ?? [];
    const built = buildCommands(() => service.map((a) => setspn.remove(issue.spn, accountName(a, domain))));
    return [
      {
        title: `${issue.spn} is on ${service.map((a) => a.sAMAccountName).join(', ')} while ${issue.aliasOf} is on ${host.map((a) => a.sAMAccountName).join(', ')}`,
        evidence: [
          `${issue.spn} is held by: ${service.map((a) => accountLine(a, domain)).join('; ')}`,
          `${issue.aliasOf} (answers for it through sPNMappings) is held by: ${host.map((a) => accountLine(a, domain)).join('; ')}`,
        ],
        fix: {
          summary: `If ${service.map((a) => accountName(a, domain)).join(', ')} runs the service, this is the intended setup: add ${issue.spn} to KRBOPS_DUPES_ALLOW. If the site runs as the computer (ApplicationPoolIdentity, kernel-mode authentication), remove ${issue.spn} from the service account:${refusedNote(built)}`,
          commands: built.commands,
          spnChanges: service.map((a) => ({ action: 'remove', spn: issue.spn, account: accountName(a, domain), accountDn: a.dn })),
        },
        certainty: 0.6,
        subject: issue.spn,
      },
    ];
  },
});
