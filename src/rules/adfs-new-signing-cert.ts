import type { AdfsCheckEvidence, AdfsFindingKeys } from '../model/index.js';
import { defineRule } from './support/define.js';
import { KB_2686840, updateFederationMetadataFix } from './support/adfs-fixes.js';
import { adfsView, certEvidence, keys, ROLLOVER_WHY, type AdfsResult } from './support/adfs-view.js';

/** The AutoCertificateRollover secondary: newer than the primary, or not in the previous check's state. */
export default defineRule<AdfsCheckEvidence, AdfsFindingKeys>({
  id: 'adfs-new-signing-cert',
  title: 'AD FS published a new token-signing certificate (AutoCertificateRollover secondary): relying parties must update before it becomes primary',
  severity: 'high',
  why:
    `${ROLLOVER_WHY} The secondary certificate becomes primary after CertificatePromotionThreshold days (default 5); ` +
    'every relying party must trust it before then.',
  references: [KB_2686840],
  checks: 'a new AD FS token-signing certificate (rollover secondary)',
  check(ev): AdfsResult[] {
    if (ev.snapshot.error) return [];
    const v = adfsView(ev);
    if (v.sigFailed) return [];
    const { primary, now, src } = v;
    return v.secondaries.map((c) => ({
      evidence: [
        `source: ${src}`,
        ...certEvidence(c, now),
        primary ? `current primary: ${primary.subject} ${primary.thumbprint}, valid until ${primary.notAfter}` : 'primary: unknown (the metadata signature does not name it)',
        v.firstSeen(c) ? `first seen at this check (not in the state of ${ev.previous?.checkedAt ?? 'the previous check'})` : 'published alongside the primary',
      ],
      fix: updateFederationMetadataFix(v.rps, 'Before the secondary certificate is promoted:'),
      certainty: primary ? 0.95 : 0.7,
      subject: `${c.subject} (${c.thumbprint})`,
      extra: keys(`adfs:${src}:${c.thumbprint}:new-signing`, c.thumbprint),
    }));
  },
});
