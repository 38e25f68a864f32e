/**
 * The ADFS module: fetch and parse federation metadata, verify its signature, keep the watch's
 * state, and shape the evidence why-401's `claims-auth-certificate-rollover` reads. The checks are
 * rules in the catalog (src/rules/adfs-*.ts); the watch is src/jobs/adfs-watch.ts.
 */
import type { AdfsCertificate, AdfsCertificateSummary, AdfsEvidence, AdfsFinding, AdfsSnapshot } from '../model/index.js';

export * from './errors.js';
export { adfsStateKey, nextAdfsState } from './check.js';
export { fetchMetadata, readMetadataFile, loadMetadata, isUrlSource, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type FetchMetadataOptions, type FetchedMetadata } from './fetch.js';
export { parseMetadata, decodeCertificate, assertNoDoctype, type ParsedMetadata } from './parse.js';
export { verifyMetadataSignature } from './signature.js';

export function summarizeCertificate(c: AdfsCertificate): AdfsCertificateSummary {
  const { pem: _pem, ...rest } = c;
  return rest;
}

/** The evidence of one source: what the ADFS watch returns and the why-401 rule `claims-auth-certificate-rollover` reads. */
export function toAdfsEvidence(snapshot: AdfsSnapshot, findings: AdfsFinding[]): AdfsEvidence {
  return {
    ok: !snapshot.error,
    ...(snapshot.error ? { error: { collector: 'adfs' as const, code: snapshot.error.code, message: snapshot.error.message } } : {}),
    source: snapshot.source,
    checkedAt: snapshot.fetchedAt,
    entityId: snapshot.entityId,
    primaryThumbprint: snapshot.primaryThumbprint,
    signature: snapshot.signature.status,
    certificates: snapshot.certificates.map(summarizeCertificate),
    findings,
  };
}
