import type { AdfsCheckEvidence, AdfsFindingKeys } from '../model/index.js';
import { defineRule } from './support/define.js';
import { KB_2686840, renewCertificateFix, updateFederationMetadataFix } from './support/adfs-fixes.js';
import { certEvidence, DAY_MS, expiryFacts, keys, relyingParties, ROLLOVER_WHY, thresholdSeverity, type AdfsResult } from './support/adfs-view.js';

/** Each warning threshold (config.adfs.warnDays) is its own alert key, so each is announced once. */
export default defineRule<AdfsCheckEvidence, AdfsFindingKeys>({
  id: 'adfs-cert-expiring',
  title: 'An AD FS token-signing or token-decrypting certificate expires soon',
  severity: 'medium',
  why: `When it expires AD FS rolls over to a new certificate. ${ROLLOVER_WHY}`,
  references: [KB_2686840],
  checks: 'AD FS certificates are not within a warning threshold of their expiry',
  check(ev): AdfsResult[] {
    const now = ev.options.now;
    const rps = relyingParties(ev.options);
    const thresholds = [...ev.options.warnDays].sort((a, b) => a - b);
    const out: AdfsResult[] = [];
    for (const { c, signing, superseded, kind, label, extra, msLeft } of expiryFacts(ev)) {
      if (msLeft <= 0) continue;
      const days = Math.floor(msLeft / DAY_MS);
      // The tightest threshold reached: 5 days left with 30,14,7,1 → 7.
      const t = thresholds.find((d) => days <= d);
      if (t === undefined) continue;
      out.push({
        severity: superseded ? 'info' : thresholdSeverity(t),
        title: `The AD FS ${label} certificate expires in ${days} day${days === 1 ? '' : 's'}${superseded ? ' (a newer one is already in use)' : ''}`,
        why: superseded
          ? 'AD FS already signs with a newer certificate; this one only matters to relying parties that have not updated.'
          : signing
            ? `When it expires AD FS rolls over to a new certificate. ${ROLLOVER_WHY}`
            : 'When it expires AD FS rolls over the token-decrypting certificate; relying parties must refresh the federation metadata to encrypt to the new one.',
        evidence: [...certEvidence(c, now), `threshold: ${t} day${t === 1 ? '' : 's'}`, ...extra],
        fix: superseded
          ? updateFederationMetadataFix(rps, 'Make sure every relying party trusts the new primary before this one expires.')
          : renewCertificateFix(kind, rps, false),
        certainty: 1,
        subject: `${c.subject} (${c.thumbprint})`,
        extra: keys(`adfs:${ev.snapshot.source}:${c.thumbprint}:expiring:${t}`, c.thumbprint),
      });
    }
    return out;
  },
});
