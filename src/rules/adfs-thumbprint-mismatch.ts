import type { AdfsCheckEvidence, AdfsFindingKeys } from '../model/index.js';
import { defineRule } from './support/define.js';
import { KB_2686840, updateFederationMetadataFix } from './support/adfs-fixes.js';
import { adfsView, certEvidence, keys, ROLLOVER_WHY, type AdfsResult } from './support/adfs-view.js';

/** The thumbprints each relying party trusts (config.adfs.expectedThumbprints) against what AD FS signs with. */
export default defineRule<AdfsCheckEvidence, AdfsFindingKeys>({
  id: 'adfs-thumbprint-mismatch',
  title: 'A relying party does not trust the certificate AD FS signs tokens with (KB 2686840 outage)',
  severity: 'critical',
  why: ROLLOVER_WHY,
  references: [KB_2686840],
  checks: 'relying parties trust the AD FS token-signing certificates (KRBOPS_ADFS_EXPECTED_THUMBPRINTS)',
  check(ev): AdfsResult[] {
    if (ev.snapshot.error) return [];
    const v = adfsView(ev);
    const { signing, primary, src, now } = v;
    const out: AdfsResult[] = [];
    if (!signing.length) return out;
    for (const [rp, list] of Object.entries(ev.options.expectedThumbprints ?? {})) {
      const trusted = new Set(list.map((t) => t.replace(/[\s:]/g, '').toUpperCase()));
      const rpFix = updateFederationMetadataFix(rp === 'default' ? v.rps : [rp], `The relying party ${rp} must trust the certificate AD FS signs with.`);
      const trustedLine = `${rp} trusts: ${[...trusted].join(', ') || 'nothing'}`;
      const published = `metadata publishes for signing: ${signing.map((c) => `${c.thumbprint}${c.primary ? ' (primary)' : ''}`).join(', ')}`;
      const about = primary ?? signing[0];
      if (about && (primary ? !trusted.has(primary.thumbprint) : !signing.some((c) => trusted.has(c.thumbprint)))) {
        out.push({
          title: `${rp} does not trust the certificate AD FS signs tokens with (KB 2686840 outage)`,
          evidence: [`source: ${src}`, trustedLine, published, ...(primary ? certEvidence(primary, now) : ['primary: unknown; none of the published signing certificates is trusted'])],
          fix: rpFix,
          certainty: primary ? 0.95 : 0.85,
          subject: rp,
          extra: keys(`adfs:${src}:${rp}:${primary ? primary.thumbprint : 'none'}:mismatch`, about.thumbprint),
        });
      }
      if (v.sigFailed) continue;
      for (const c of v.secondaries.filter((s) => !trusted.has(s.thumbprint))) {
        out.push({
          severity: 'high',
          title: `${rp} does not trust the new AD FS token-signing certificate yet: it will return 401 once the certificate is promoted`,
          evidence: [`source: ${src}`, trustedLine, published, ...certEvidence(c, now)],
          fix: rpFix,
          certainty: 0.9,
          subject: rp,
          extra: keys(`adfs:${src}:${rp}:${c.thumbprint}:mismatch-pending`, c.thumbprint),
        });
      }
    }
    return out;
  },
});
