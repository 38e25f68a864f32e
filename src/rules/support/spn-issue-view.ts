/** What the SPN-issue rules (the duplicate-SPN watch's findings) share: account names and lines. Pure. */
import type { AccountRef } from '../../model/index.js';
import { domainAccount } from '../../spn/account.js';

/** `CONTOSO\svc-crm` when the NetBIOS domain is known, else `svc-crm` (setspn accepts both). */
export const accountName = (a: { sAMAccountName: string }, domain?: string): string => domainAccount(a.sAMAccountName, domain);

export function accountLine(a: AccountRef, domain?: string): string {
  return `${accountName(a, domain)} (${a.dn})${a.whenChanged ? `, changed ${a.whenChanged}` : ''}${a.disabled ? ' [disabled]' : ''}`;
}

/** Says why the commands are missing when src/fix refused a value (the watch must not stop on one odd name). */
export function refusedNote(b: { refused?: string }): string {
  return b.refused ? ` (${b.refused})` : '';
}
