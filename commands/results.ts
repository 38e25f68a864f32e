/**
 * Result objects of the directory commands. `--json` prints them as they are; cards/ render them.
 * (why-401's result is Why401Result in src/rules/types.ts.)
 */
import type { AccountFacts, AliasCollision, DuplicateSpn, SpnHolder } from '../src/directory/types.js';

export interface SpnListResult {
  kind: 'spn-list';
  /** The DC that answered. */
  server: string;
  account: AccountFacts;
  spns: string[];
}

export interface SpnQueryResult {
  kind: 'spn-query';
  server: string;
  spn: string;
  /** Every account holding the SPN (exact), then those answering through sPNMappings (via: 'alias'). */
  accounts: SpnHolder[];
  /** True when more than one account holds the exact SPN. */
  duplicate: boolean;
}

export interface SpnDupesResult {
  kind: 'spn-dupes';
  server: string;
  duplicates: DuplicateSpn[];
  aliasCollisions: AliasCollision[];
  /** SPNs ignored because they are on the allow-list. */
  allowList: string[];
  scanned: { accounts: number; spns: number };
  durationMs: number;
}

/** A command that failed: what surfaces render for a KrbopsError (usage, DC down, not found…). */
export interface ErrorResult {
  kind: 'error';
  code: string;
  message: string;
  /** Usage text for CommandUsageError. */
  usage?: string;
  details?: Record<string, unknown>;
}
