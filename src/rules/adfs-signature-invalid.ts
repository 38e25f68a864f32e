import type { AdfsCheckEvidence, AdfsFindingKeys } from '../model/index.js';
import { defineRule } from './support/define.js';
import { KB_2686840, signatureFix } from './support/adfs-fixes.js';
import { keys, type AdfsResult } from './support/adfs-view.js';

/** Checked first: if the signature fails, everything else in the document is only a claim. */
export default defineRule<AdfsCheckEvidence, AdfsFindingKeys>({
  id: 'adfs-signature-invalid',
  title: 'The ADFS metadata signature does not verify against the pinned token-signing certificate',
  severity: 'critical',
  why:
    'Relying parties trust whatever certificate the metadata publishes. A document that is not signed by the certificate AD FS used ' +
    'before was changed in transit or at the source, or AD FS switched certificates without a rollover krbops saw.',
  references: [KB_2686840],
  checks: 'the ADFS metadata signature against the pinned certificate',
  check({ snapshot, previous }): AdfsResult[] {
    if (snapshot.error) return [];
    const src = snapshot.source;
    const sig = snapshot.signature;
    if (sig.status === 'failed') {
      return [
        {
          evidence: [
            `source: ${src}`,
            `signature: ${sig.reason ?? 'failed'}`,
            `pinned: ${sig.pinnedThumbprints.join(', ') || 'none'}`,
            ...(sig.claimedSigner ? [`certificate in the signature's KeyInfo: ${sig.claimedSigner}`] : []),
          ],
          fix: signatureFix(src),
          certainty: 1,
          subject: src,
          extra: keys(`adfs:${src}:signature:failed:${sig.claimedSigner ?? 'unknown'}`),
        },
      ];
    }
    if (sig.status === 'unsigned' && previous?.signed) {
      return [
        {
          severity: 'high',
          title: 'The ADFS metadata is no longer signed',
          why: 'The previous metadata was signed; an unsigned document can be altered in transit without anyone noticing.',
          evidence: [`source: ${src}`, `previous check (${previous.checkedAt}) was signed by ${previous.primaryThumbprint ?? 'a pinned certificate'}`, 'this document has no Signature element'],
          fix: signatureFix(src),
          certainty: 1,
          subject: src,
          extra: keys(`adfs:${src}:signature:unsigned`),
        },
      ];
    }
    return [];
  },
});
