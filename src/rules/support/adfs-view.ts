/**
 * What the ADFS rules (src/rules/adfs-*.ts) share: the certificates of one metadata check seen the
 * same way by every rule (signing, primary, the AutoCertificateRollover secondaries, the relying
 * parties), the evidence lines of a certificate and the expiry facts. Pure.
 *
 * Every ADFS finding carries an `alertKey` that stays the same while its condition lasts and
 * changes when the condition moves on (next threshold, new certificate, promotion), so a scheduler
 * that posts each key once announces every step of a rollover exactly once.
 */
import type { AdfsCertificate, AdfsCheckEvidence, AdfsCheckOptions, AdfsFindingKeys, KeyUse, Severity } from '../../model/index.js';
import type { RuleResult } from './define.js';

export const DAY_MS = 86_400_000;

export type AdfsResult = RuleResult<AdfsFindingKeys>;

/** The part of a certificate the expiry checks need (also available from a stored state). */
export interface CertFacts {
  thumbprint: string;
  subject: string;
  uses: KeyUse[];
  notBefore: string;
  notAfter: string;
  primary: boolean;
  sha256?: string;
  roles?: string[];
}

export const ROLLOVER_WHY =
  'AD FS signs tokens with its primary token-signing certificate. A relying party such as Dynamics CRM keeps the thumbprint it ' +
  'read from the federation metadata when claims-based authentication was configured; once AD FS signs with another certificate ' +
  'the relying party rejects every token (ID4175: the issuer of the security token was not recognized) and users get HTTP 401.';

function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
}

export function certEvidence(c: CertFacts, now: Date): string[] {
  const left = daysLeft(c.notAfter, now);
  return [
    `subject: ${c.subject}`,
    `thumbprint (SHA-1): ${c.thumbprint}`,
    ...(c.sha256 ? [`SHA-256: ${c.sha256}`] : []),
    `valid ${c.notBefore} → ${c.notAfter} (${Date.parse(c.notAfter) <= now.getTime() ? `expired ${-left} day${-left === 1 ? '' : 's'} ago` : `${left} day${left === 1 ? '' : 's'} left`})`,
    `use: ${c.uses.join(', ')}${c.uses.includes('signing') ? (c.primary ? ' (primary)' : ' (not primary)') : ''}${c.roles?.length ? `; in ${c.roles.join(', ')}` : ''}`,
  ];
}

export function thresholdSeverity(t: number): Severity {
  if (t <= 1) return 'critical';
  if (t <= 7) return 'high';
  if (t <= 14) return 'medium';
  return 'low';
}

/** Relying party trust names for the fix commands: configured, else the expected-thumbprint keys, else CRM. */
export function relyingParties(o: AdfsCheckOptions): string[] {
  if (o.relyingParties?.length) return o.relyingParties;
  const keys = Object.keys(o.expectedThumbprints ?? {}).filter((k) => k !== 'default');
  return keys.length ? keys : ['CRM'];
}

/** A finding's key fields, thumbprint first (the order of the --json). */
export function keys(alertKey: string, thumbprint?: string): AdfsFindingKeys {
  return thumbprint === undefined ? { alertKey } : { thumbprint, alertKey };
}

export interface AdfsView {
  src: string;
  now: Date;
  rps: string[];
  certs: AdfsCertificate[];
  signing: AdfsCertificate[];
  primary: AdfsCertificate | undefined;
  /** The signature is present and does not verify: everything else in the document is only a claim. */
  sigFailed: boolean;
  /** Newer signing certificates that are not primary: the AutoCertificateRollover secondaries. */
  secondaries: AdfsCertificate[];
  /** Not in the state of the previous check (false on the first run). */
  firstSeen(c: AdfsCertificate): boolean;
}

/** The document as every ADFS rule reads it (for a snapshot without error). */
export function adfsView(ev: AdfsCheckEvidence): AdfsView {
  const { snapshot: current, previous, options } = ev;
  const certs = current.certificates;
  const signing = certs.filter((c) => c.uses.includes('signing'));
  const primary = signing.find((c) => c.primary);
  const prevSigning = new Set(previous?.signing.map((s) => s.thumbprint) ?? []);
  const firstSeen = (c: AdfsCertificate) => previous !== undefined && !prevSigning.has(c.thumbprint);
  const oldest = [...signing].sort((a, b) => a.notBefore.localeCompare(b.notBefore))[0];
  const secondaries = signing.filter((c) => {
    if (c.primary) return false;
    const newer = primary ? c.notBefore > primary.notBefore : signing.length > 1 && c !== oldest;
    return newer || firstSeen(c);
  });
  return { src: current.source, now: options.now, rps: relyingParties(options), certs, signing, primary, sigFailed: current.signature.status === 'failed', secondaries, firstSeen };
}

/** One certificate as the expiry rules see it. */
export interface ExpiryFacts {
  c: CertFacts;
  signing: boolean;
  kind: 'Token-Signing' | 'Token-Decrypting';
  label: 'token-signing' | 'token-decrypting';
  /** A signing certificate a newer, valid primary replaced: a harmless leftover of the rollover. */
  superseded: boolean;
  msLeft: number;
  /** Lines added to the certificate's evidence (where it was read, a published secondary). */
  extra: string[];
}

/**
 * The certificates whose expiry is watched: those of the document, or, when the endpoint cannot
 * be read, those of the last trusted check (noted in the evidence).
 */
export function expiryFacts(ev: AdfsCheckEvidence): ExpiryFacts[] {
  const { snapshot, previous, options } = ev;
  let all: CertFacts[];
  let note: string | undefined;
  if (snapshot.error) {
    if (!previous) return [];
    all = previous.certificates;
    note = `from the last successful check at ${previous.checkedAt}`;
  } else all = snapshot.certificates;
  const now = options.now;
  return all.map((c) => {
    const signing = c.uses.includes('signing');
    const superseded =
      signing &&
      !c.primary &&
      all.some((o2) => o2 !== c && o2.primary && o2.uses.includes('signing') && o2.notBefore > c.notBefore && Date.parse(o2.notAfter) > now.getTime());
    const newerSecondary = all.find((o2) => o2 !== c && o2.uses.includes('signing') && !o2.primary && o2.notBefore > c.notBefore);
    const extra = [...(note ? [`(${note})`] : []), ...(newerSecondary && signing ? [`AutoCertificateRollover secondary already published: ${newerSecondary.thumbprint}`] : [])];
    return {
      c,
      signing,
      kind: signing ? 'Token-Signing' : 'Token-Decrypting',
      label: signing ? 'token-signing' : 'token-decrypting',
      superseded,
      msLeft: Date.parse(c.notAfter) - now.getTime(),
      extra,
    };
  });
}
