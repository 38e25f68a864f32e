/**
 * The ADFS catalog: one rule per AD FS metadata check (src/rules/adfs-*.ts), run by the engine over
 * one metadata source. `checkAdfs` is what `adfs check`, the ADFS watch and why-401 call.
 */
import { runRules } from '../../engine.js';
import type { AdfsCheckEvidence, AdfsCheckOptions, AdfsFinding, AdfsFindingKeys, AdfsSnapshot, AdfsState, Finding } from '../../model/index.js';
import type { Rule } from '../support/define.js';
import adfsUnreachable from '../adfs-unreachable.js';
import adfsSignatureInvalid from '../adfs-signature-invalid.js';
import adfsMetadataInvalid from '../adfs-metadata-invalid.js';
import adfsCertExpired from '../adfs-cert-expired.js';
import adfsCertExpiring from '../adfs-cert-expiring.js';
import adfsNewSigningCert from '../adfs-new-signing-cert.js';
import adfsPrimaryChanged from '../adfs-primary-changed.js';
import adfsThumbprintMismatch from '../adfs-thumbprint-mismatch.js';

/** In the order their findings come when severity and certainty tie. */
export const adfsRules: readonly Rule<AdfsCheckEvidence, AdfsFindingKeys>[] = [
  adfsUnreachable,
  adfsSignatureInvalid,
  adfsMetadataInvalid,
  adfsCertExpired,
  adfsCertExpiring,
  adfsNewSigningCert,
  adfsPrimaryChanged,
  adfsThumbprintMismatch,
];

/** A finding of the engine as an AdfsFinding: status and source first, the alert key last (the --json order). */
function toAdfsFinding(f: Finding & Partial<AdfsFindingKeys>, source: string): AdfsFinding {
  const { status, references, ruleId, severity, title, why, evidence, fix, missing, certainty, subject, thumbprint, alertKey } = f;
  return {
    status,
    source,
    ...(references ? { references } : {}),
    ruleId,
    severity,
    title,
    why,
    evidence,
    fix,
    ...(missing ? { missing } : {}),
    certainty,
    ...(subject !== undefined ? { subject } : {}),
    ...(thumbprint !== undefined ? { thumbprint } : {}),
    // A rule that threw (rule-error) is posted once per rule.
    alertKey: alertKey ?? `adfs:${source}:${ruleId}:${subject ?? ''}`,
  };
}

/**
 * All findings for one source, ranked by the engine (most severe first). `previous` is the state
 * of the last trusted check (undefined on the first run).
 */
export function checkAdfs(current: AdfsSnapshot, previous: AdfsState | undefined, options: AdfsCheckOptions): AdfsFinding[] {
  const evidence: AdfsCheckEvidence = { snapshot: current, ...(previous ? { previous } : {}), options };
  return runRules(evidence, adfsRules).findings.map((f) => toAdfsFinding(f, current.source));
}
