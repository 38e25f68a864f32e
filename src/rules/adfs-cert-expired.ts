import type { AdfsCheckEvidence, AdfsFindingKeys } from '../model/index.js';
import { defineRule } from './support/define.js';
import { KB_2686840, renewCertificateFix, updateFederationMetadataFix } from './support/adfs-fixes.js';
import { certEvidence, expiryFacts, keys, relyingParties, ROLLOVER_WHY, type AdfsResult } from './support/adfs-view.js';

/** Watched with the last trusted check's certificates while the endpoint cannot be read. */
export default defineRule<AdfsCheckEvidence, AdfsFindingKeys>({
  id: 'adfs-cert-expired',
  title: 'An AD FS token-signing or token-decrypting certificate has expired',
  severity: 'critical',
  why: `Tokens signed with an expired certificate are rejected. ${ROLLOVER_WHY}`,
  references: [KB_2686840],
  checks: 'AD FS certificates are within their validity',
  check(ev): AdfsResult[] {
    const now = ev.options.now;
    const rps = relyingParties(ev.options);
    return expiryFacts(ev)
      .filter((x) => x.msLeft <= 0)
      .map(({ c, signing, superseded, kind, label, extra }) => ({
        severity: superseded ? 'low' : signing ? 'critical' : 'high',
        title: `The AD FS ${label} certificate has expired${superseded ? ' (a newer one is in use)' : ''}`,
        why: signing
          ? superseded
            ? 'AD FS signs with a newer certificate; the expired one is still published and should be removed.'
            : `Tokens signed with an expired certificate are rejected. ${ROLLOVER_WHY}`
          : 'Relying parties encrypt tokens to the token-decrypting certificate; an expired one breaks sign-in for parties that check it.',
        evidence: [...certEvidence(c, now), ...extra],
        fix: superseded ? updateFederationMetadataFix(rps, 'Remove the old certificate from AD FS and refresh the relying parties.') : renewCertificateFix(kind, rps, true),
        certainty: 1,
        subject: `${c.subject} (${c.thumbprint})`,
        extra: keys(`adfs:${ev.snapshot.source}:${c.thumbprint}:expired`, c.thumbprint),
      }));
  },
});
