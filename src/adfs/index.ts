/**
 * The ADFS module: fetch and parse federation metadata, verify its signature, keep the watch's
 * state, and shape the evidence why-401's `claims-auth-certificate-rollover` reads. The checks are
 * rules in the catalog (src/rules/adfs-*.ts); the watch is src/jobs/adfs-watch.ts.
 */
import type { AdfsRuleEvidence as Why401AdfsEvidence } from '../model/evidence.js';
import type { AdfsCertificate, AdfsCertificateSummary, AdfsEvidence, AdfsFinding, AdfsSnapshot } from '../model/index.js';

export * from './errors.js';
export { adfsStateKey, nextAdfsState } from './check.js';
export { fetchMetadata, readMetadataFile, loadMetadata, isUrlSource, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type FetchMetadataOptions, type FetchedMetadata } from './fetch.js';
export { parseMetadata, decodeCertificate, assertNoDoctype, type ParsedMetadata } from './parse.js';
export { verifyMetadataSignature } from './signature.js';
export { collectAdfs, type CollectAdfsOptions } from '../collectors/adfs.js';

export function summarizeCertificate(c: AdfsCertificate): AdfsCertificateSummary {
  const { pem: _pem, ...rest } = c;
  return rest;
}

/** The evidence of one source as the why-401 rule `claims-auth-certificate-rollover` reads it. */
export function toAdfsEvidence(snapshot: AdfsSnapshot, findings: AdfsFinding[]): AdfsEvidence {
  return {
    url: snapshot.source,
    checkedAt: snapshot.fetchedAt,
    entityId: snapshot.entityId,
    primaryThumbprint: snapshot.primaryThumbprint,
    signature: snapshot.signature.status,
    certificates: snapshot.certificates.map(summarizeCertificate),
    findings,
    ...(snapshot.error ? { error: { code: snapshot.error.code, message: snapshot.error.message } } : {}),
  };
}

/**
 * The same evidence in the shape of `Evidence.adfs` (src/collectors/evidence.ts) used by the why-401
 * engine: one certificate entry per use, findings as {code, severity, message, fix}.
 */
export function toWhy401AdfsEvidence(e: AdfsEvidence): Why401AdfsEvidence {
  return {
    ok: !e.error,
    ...(e.error ? { error: { collector: 'adfs' as const, code: e.error.code, message: e.error.message } } : {}),
    source: e.url,
    certificates: e.certificates.flatMap((c) =>
      c.uses.map((use) => ({ use, thumbprint: c.thumbprint, subject: c.subject, notBefore: c.notBefore, notAfter: c.notAfter, primary: c.primary })),
    ),
    findings: e.findings.map((f) => ({ code: f.ruleId, severity: f.severity, message: f.title, fix: f.fix.commands })),
  };
}
