/**
 * The ADFS certificate watch, one call per metadata source:
 *
 * ```ts
 * const previous = await store.getState<AdfsState>(adfsStateKey(url));
 * const { findings, nextState } = await watchAdfsSource(url, { adfs: config.adfs, now: new Date(), previousState: previous });
 * for (const f of findings) if (await store.recordAlert(f.alertKey, …)) post(f);
 * if (nextState) await store.setState(adfsStateKey(url), nextState);
 * ```
 */
import type { Config } from '../config.js';
import { collectAdfs, type CollectAdfsOptions } from '../collectors/adfs.js';
import type { AdfsRuleEvidence as Why401AdfsEvidence } from '../model/evidence.js';
import { checkAdfs, nextAdfsState } from './check.js';
import type { AdfsCertificate, AdfsCertificateSummary, AdfsEvidence, AdfsFinding, AdfsSnapshot, AdfsState } from '../model/index.js';

export * from './types.js';
export * from './errors.js';
export { adfsStateKey, checkAdfs, nextAdfsState } from './check.js';
export { fetchMetadata, readMetadataFile, loadMetadata, isUrlSource, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type FetchMetadataOptions, type FetchedMetadata } from './fetch.js';
export { parseMetadata, decodeCertificate, assertNoDoctype, type ParsedMetadata } from './parse.js';
export { verifyMetadataSignature } from './signature.js';
export { collectAdfs, type CollectAdfsOptions } from '../collectors/adfs.js';

export interface WatchAdfsOptions extends Omit<CollectAdfsOptions, 'caFile'> {
  /** config.adfs: CA file, warning thresholds, expected thumbprints per relying party. */
  adfs: Config['adfs'];
  /** Relying party trust names for fix commands; default the keys of expectedThumbprints, else CRM. */
  relyingParties?: string[];
}

export interface AdfsWatchResult {
  snapshot: AdfsSnapshot;
  findings: AdfsFinding[];
  /** What to store under adfsStateKey(source) for the next run (undefined: keep nothing). */
  nextState: AdfsState | undefined;
  evidence: AdfsEvidence;
}

/** Collect + check + next state for one source. Never throws for endpoint or document problems. */
export async function watchAdfsSource(source: string, options: WatchAdfsOptions): Promise<AdfsWatchResult> {
  const snapshot = await collectAdfs(source, { ...options, caFile: options.adfs.caFile });
  const findings = checkAdfs(snapshot, options.previousState, {
    now: options.now,
    warnDays: options.adfs.warnDays,
    expectedThumbprints: options.adfs.expectedThumbprints,
    relyingParties: options.relyingParties,
  });
  return { snapshot, findings, nextState: nextAdfsState(snapshot, options.previousState), evidence: toAdfsEvidence(snapshot, findings) };
}

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
