/**
 * What the watch rules read: one duplicate SPN or alias collision of the duplicate-SPN watch
 * (src/jobs/duplicates.ts finds them with the same SpnIndex as `spn dupes`).
 */
import type { AccountRef } from './directory.js';

export type SpnIssueKind = 'duplicate' | 'alias';

export interface SpnIssue {
  /** `duplicate|http/crm.contoso.test` or `alias|http/web01.contoso.test`. */
  id: string;
  kind: SpnIssueKind;
  /** The SPN as first seen (duplicate), or the service SPN (alias). */
  spn: string;
  /** Alias collisions: the HOST/ SPN that answers for `spn` through sPNMappings. */
  aliasOf?: string;
  /** Every account involved: the holders (duplicate), or service then host accounts (alias). */
  accounts: AccountRef[];
  /** Alias collisions: accounts holding `spn` itself. */
  serviceAccounts?: AccountRef[];
  /** Alias collisions: accounts holding `aliasOf`. */
  hostAccounts?: AccountRef[];
  /** Short hash of the involved accounts' DNs: changes when the set of accounts changes. */
  fingerprint: string;
}

/** The evidence of the SPN-issue rules: one issue and the NetBIOS domain for `DOMAIN\name` forms. */
export interface SpnIssueEvidence {
  issue: SpnIssue;
  domain?: string;
}
