import { ErrorCode } from '../errors.js';
import type { AdfsCheckEvidence, AdfsFindingKeys } from '../model/index.js';
import { defineRule } from './support/define.js';
import { endpointFix, KB_2686840 } from './support/adfs-fixes.js';
import { keys, type AdfsResult } from './support/adfs-view.js';

/** A document that is not usable metadata, publishes no token-signing certificate, or has a certificate that cannot be read. */
export default defineRule<AdfsCheckEvidence, AdfsFindingKeys>({
  id: 'adfs-metadata-invalid',
  title: 'The ADFS federation metadata is not usable',
  severity: 'high',
  why: 'Without the metadata krbops cannot see a token-signing certificate rollover coming, and relying parties that read it cannot update either.',
  references: [KB_2686840],
  checks: 'the ADFS federation metadata is readable and publishes a token-signing certificate',
  check({ snapshot, previous }): AdfsResult[] {
    const src = snapshot.source;
    const error = snapshot.error;
    if (error) {
      if (error.code !== ErrorCode.AdfsInvalid) return [];
      return [
        {
          evidence: [`source: ${src}`, `${error.name}: ${error.message}`, ...(previous ? [`last successful check: ${previous.checkedAt}`] : [])],
          fix: endpointFix(src, { tls: error.name === 'AdfsTlsError' }),
          certainty: 1,
          subject: src,
          extra: keys(`adfs:${src}:invalid`),
        },
      ];
    }
    const out: AdfsResult[] = [];
    const certs = snapshot.certificates;
    if (!certs.some((c) => c.uses.includes('signing'))) {
      out.push({
        title: 'The ADFS metadata publishes no token-signing certificate',
        why: 'Relying parties read the token-signing certificate from the metadata; without one they cannot validate any token.',
        evidence: [`source: ${src}`, `certificates: ${certs.length ? certs.map((c) => `${c.thumbprint} (${c.use})`).join(', ') : 'none'}`],
        fix: endpointFix(src),
        certainty: 1,
        subject: src,
        extra: keys(`adfs:${src}:no-signing`),
      });
    }
    snapshot.problems.forEach((p, i) =>
      out.push({
        severity: 'medium',
        title: 'A certificate in the ADFS metadata cannot be read',
        why: 'Relying parties may fail to read the metadata, or skip the certificate they need.',
        evidence: [`source: ${src}`, p],
        fix: endpointFix(src),
        certainty: 0.8,
        subject: src,
        extra: keys(`adfs:${src}:problem:${i}`),
      }),
    );
    return out;
  },
});
