import type { AdfsCheckEvidence, AdfsFindingKeys } from '../model/index.js';
import { defineRule } from './support/define.js';
import { KB_2686840, updateFederationMetadataFix } from './support/adfs-fixes.js';
import { adfsView, certEvidence, keys, ROLLOVER_WHY, type AdfsResult } from './support/adfs-view.js';

/** The secondary was promoted (or AD FS switched certificates): compared with the last trusted check. */
export default defineRule<AdfsCheckEvidence, AdfsFindingKeys>({
  id: 'adfs-primary-changed',
  title: 'The primary AD FS token-signing certificate changed: relying parties that did not update now return 401',
  severity: 'critical',
  why: ROLLOVER_WHY,
  references: [KB_2686840],
  checks: 'the primary AD FS token-signing certificate is the one of the last check',
  check(ev): AdfsResult[] {
    const previous = ev.previous;
    if (ev.snapshot.error || !previous?.primaryThumbprint) return [];
    const v = adfsView(ev);
    const primary = v.primary;
    if (v.sigFailed || !primary || previous.primaryThumbprint === primary.thumbprint) return [];
    const old = previous.signing.find((s) => s.thumbprint === previous.primaryThumbprint);
    return [
      {
        evidence: [
          `source: ${v.src}`,
          `previous primary: ${old ? `${old.subject} ` : ''}${previous.primaryThumbprint} (check of ${previous.checkedAt})`,
          ...certEvidence(primary, v.now).map((l, i) => (i === 0 ? `new primary ${l}` : l)),
        ],
        fix: updateFederationMetadataFix(v.rps, 'Now:'),
        certainty: 0.95,
        subject: `${primary.subject} (${primary.thumbprint})`,
        extra: keys(`adfs:${v.src}:${primary.thumbprint}:primary`, primary.thumbprint),
      },
    ];
  },
});
