/**
 * Did an approved change land? Pure judgement over what AD showed (the service does the reads):
 *  - add: the account holds the SPN and no other account does. A duplicate is NOT landed: with two
 *    holders the KDC cannot pick a key, which is the failure the change was meant to fix.
 *  - remove: the account no longer holds the SPN.
 * An account that cannot be found is never "landed": krbops cannot confirm anything about it.
 */
import type { SpnChange } from '../model/index.js';
import { normaliseSpn } from '../spn/parse.js';
import { samOf } from '../spn/account.js';
import { setspn } from '../fix/index.js';

export interface ObservedAccount {
  dn: string;
  sAMAccountName: string;
  spns: string[];
}

/** What AD showed for one change: the account (undefined when not found) and every exact holder of the SPN. */
export interface ChangeObservation {
  change: SpnChange;
  account?: ObservedAccount;
  holders: { dn: string; sAMAccountName: string }[];
}

export interface ChangeVerdict {
  change: SpnChange;
  landed: boolean;
  detail: string;
}

const sameDn = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function judgeChange(o: ChangeObservation): ChangeVerdict {
  const { change } = o;
  const spn = change.spn;
  if (!o.account) {
    return { change, landed: false, detail: `The account ${change.account} was not found in AD, so krbops cannot confirm the change.` };
  }
  const name = o.account.sAMAccountName || samOf(change.account);
  const holds = o.account.spns.some((s) => normaliseSpn(s) === normaliseSpn(spn));
  const others = o.holders.filter((h) => !sameDn(h.dn, o.account!.dn));
  const otherNames = others.map((h) => h.sAMAccountName).join(', ');
  if (change.action === 'add') {
    if (holds && !others.length) return { change, landed: true, detail: `${spn} is on ${name} and on no other account.` };
    if (holds) {
      return {
        change,
        landed: false,
        detail: `${spn} is on ${name} but also on ${otherNames}: a duplicate, so the KDC cannot pick one key. Remove it there (${others.map((h) => setspn.remove(spn, h.sAMAccountName)).join('; ')}).`,
      };
    }
    if (others.length) return { change, landed: false, detail: `${spn} is not on ${name}; it is on ${otherNames}.` };
    return { change, landed: false, detail: `${spn} is not on ${name} yet.` };
  }
  if (holds) return { change, landed: false, detail: `${spn} is still on ${name}.` };
  return { change, landed: true, detail: `${spn} is no longer on ${name}${others.length ? ` (it is on ${otherNames})` : ''}.` };
}
