/**
 * Pre-flight: would the hand-off still do what was asked, as `setspn -S` / `-D` would find it?
 * Pure judgement over what AD showed (the service reads it, with the same observations as
 * verification.ts), made when a request is recorded and again when it is approved:
 *
 *  - the account must exist (setspn: "FindDomainForAccount: Call to DsGetDcNameWithAccountW failed");
 *  - an added SPN must not be held by another account, unless the same request removes it there
 *    (setspn -S: "Duplicate SPN found, aborting operation!");
 *  - the change must still be needed (the SPN not already on the account for an add, still on it
 *    for a remove).
 * https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2012-r2-and-2012/cc731241(v=ws.11)
 */
import type { PreflightReport } from '../model/index.js';
import { normaliseSpn } from '../spn/parse.js';
import { samOf } from '../spn/account.js';
import type { ChangeObservation } from './verification.js';

type Item = PreflightReport['items'][number];

const sameDn = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function judge(o: ChangeObservation, all: readonly ChangeObservation[]): Item {
  const { change } = o;
  if (!o.account) return { change, ok: false, problem: 'account-missing', detail: `The account ${change.account} does not exist in AD (any more).` };
  const name = o.account.sAMAccountName || samOf(change.account);
  const holds = o.account.spns.some((s) => normaliseSpn(s) === normaliseSpn(change.spn));
  if (change.action === 'remove') {
    return holds ? { change, ok: true, detail: `${change.spn} is on ${name}; removing it is still needed.` } : { change, ok: false, problem: 'not-needed', detail: `${change.spn} is no longer on ${name}: nothing to remove.` };
  }
  // Holders the same request removes the SPN from do not block the add (the remove runs first).
  const removedFrom = all.filter((x) => x.change.action === 'remove' && normaliseSpn(x.change.spn) === normaliseSpn(change.spn) && x.account).map((x) => x.account!.dn);
  const others = o.holders.filter((h) => !sameDn(h.dn, o.account!.dn) && !removedFrom.some((d) => sameDn(d, h.dn)));
  if (others.length) {
    return { change, ok: false, problem: 'collision', detail: `${change.spn} is held by ${others.map((h) => h.sAMAccountName).join(', ')}: setspn -S would refuse the duplicate.` };
  }
  if (holds) return { change, ok: false, problem: 'not-needed', detail: `${change.spn} is already on ${name}: nothing to add.` };
  return { change, ok: true, detail: `${change.spn} can be added to ${name}: no other account holds it.` };
}

const blocking = (i: Item) => i.problem === 'account-missing' || i.problem === 'collision';

/**
 * The report is ok when no change is blocked (account missing, collision) and at least one is still
 * needed: a request where part is already done is fine, one where all is done is not.
 */
export function preflight(observations: readonly ChangeObservation[], checkedAt: string): PreflightReport {
  const items = observations.map((o) => judge(o, observations));
  return { checkedAt, ok: !items.some(blocking) && items.some((i) => i.ok), items };
}

/** Why a report is not ok, one sentence each (what the requester or approver is told). */
export function preflightProblems(r: PreflightReport): string[] {
  const blocked = r.items.filter(blocking);
  return (blocked.length ? blocked : r.items.filter((i) => !i.ok)).map((i) => i.detail);
}

/**
 * What changed between the pre-flight of the request and the one at approval, for a stale request:
 * the changes that were fine then and are not now (all problems when there was no earlier report).
 */
export function whatChanged(before: PreflightReport | undefined, after: PreflightReport): string[] {
  const key = (i: Item) => `${i.change.action}\u0000${normaliseSpn(i.change.spn)}\u0000${i.change.account.toLowerCase()}`;
  const was = new Map((before?.items ?? []).map((i) => [key(i), i]));
  const changed = after.items.filter((i) => !i.ok && (was.get(key(i))?.ok || blocking(i))).map((i) => (was.get(key(i))?.ok ? `Since the request: ${i.detail}` : i.detail));
  return changed.length || after.ok ? changed : preflightProblems(after);
}
