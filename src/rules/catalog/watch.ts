/**
 * The watch catalogs: what the duplicate-SPN watch and the encryption-type watch post, as rules run
 * by the engine. `spn-duplicate` and `encryption-types-mismatch` are the why-401 rules of the same id
 * over the watch's evidence (one file per rule: src/rules/<id>.ts holds both checks).
 */
import type { EtypeAccountReport, Finding, SpnIssue, SpnIssueEvidence } from '../../model/index.js';
import { runRules } from '../../engine.js';
import { ErrorCode, KrbopsError } from '../../errors.js';
import type { Rule } from '../support/define.js';
import { issueRule as spnDuplicateIssue } from '../spn-duplicate.js';
import spnAliasCollision from '../spn-alias-collision.js';
import { accountRule as encryptionTypesAccount } from '../encryption-types-mismatch.js';

/** Over one duplicate or alias collision of the duplicate-SPN watch. */
export const spnIssueRules: readonly Rule<SpnIssueEvidence>[] = [spnDuplicateIssue, spnAliasCollision];

/** Over one account of the `krb etypes` scan (those that fail now or are at risk). */
export const etypeRules: readonly Rule<EtypeAccountReport>[] = [encryptionTypesAccount];

function first(findings: Finding[], about: string): Finding {
  const f = findings[0];
  if (!f) throw new KrbopsError(ErrorCode.Internal, `No watch rule reported ${about}`);
  return f;
}

/** The finding of one SPN issue (the same shape the why-401 rules produce), with fix commands and requestable SPN changes. */
export function spnIssueFinding(issue: SpnIssue, domain?: string): Finding {
  return first(runRules<SpnIssueEvidence>({ issue, ...(domain !== undefined ? { domain } : {}) }, spnIssueRules).findings, issue.id);
}

/** The finding of one account that fails now or is at risk under the AES-only KDC. */
export function etypeAccountFinding(a: EtypeAccountReport): Finding {
  return first(runRules(a, etypeRules).findings, a.sAMAccountName);
}
