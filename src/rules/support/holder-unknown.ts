/**
 * The answer of an SPN rule whose directory evidence is missing (DC down, lookup timed out).
 * The KDC's "server not found" alone cannot decide it: an Active Directory KDC gives the same
 * answer when no account holds the SPN and when more than one does (the Samba lab's duplicate
 * HTTP/crm.contoso.test answers "not found" too), and the fixes are opposite (register vs remove).
 * So the rule says "unknown", keeps the KDC's answer as evidence and names the directory lookup
 * that is missing.
 */
import { setspn } from '../../fix/index.js';
import type { KdcAnswer } from '../../model/index.js';
import { unknown, type RuleResult } from './define.js';

export function holderUnknown(spn: string, reason: string, kdc: KdcAnswer | undefined, summary = `Check who holds ${spn}.`): RuleResult {
  if (kdc?.outcome !== 'not-found') return unknown([`who holds ${spn} (${reason})`], [], { summary, commands: [setspn.query(spn)] }, spn);
  return unknown(
    [`who holds ${spn} in the directory (${reason}): the KDC's "not found" means either no account or more than one account holds it`],
    [`The KDC answered "${kdc.message ?? 'server not found'}" for ${spn}`],
    { summary: `${summary} No holder: register it; several holders: keep it on one.`, commands: [setspn.query(spn)] },
    spn,
  );
}
