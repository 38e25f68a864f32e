import { ErrorCode } from '../errors.js';
import type { AdfsCheckEvidence, AdfsFindingKeys } from '../model/index.js';
import { defineRule } from './support/define.js';
import { endpointFix, KB_2686840 } from './support/adfs-fixes.js';
import { keys, type AdfsResult } from './support/adfs-view.js';

/** The metadata endpoint did not answer (network, TLS, HTTP status, size, timeout). */
export default defineRule<AdfsCheckEvidence, AdfsFindingKeys>({
  id: 'adfs-unreachable',
  title: 'The ADFS federation metadata cannot be fetched',
  severity: 'high',
  why: 'Without the metadata krbops cannot see a token-signing certificate rollover coming, and relying parties that read it cannot update either.',
  references: [KB_2686840],
  checks: 'the ADFS federation metadata endpoint answers',
  check({ snapshot, previous }): AdfsResult[] {
    const error = snapshot.error;
    if (!error || error.code === ErrorCode.AdfsInvalid) return [];
    const src = snapshot.source;
    return [
      {
        evidence: [`source: ${src}`, `${error.name}: ${error.message}`, ...(previous ? [`last successful check: ${previous.checkedAt}`] : [])],
        fix: endpointFix(src, { tls: error.name === 'AdfsTlsError' }),
        certainty: 1,
        subject: src,
        extra: keys(`adfs:${src}:unreachable`),
      },
    ];
  },
});
