/**
 * The ADFS checks: pure functions of a snapshot, the previous state and the clock. Each finding
 * carries an `alertKey` that stays the same while its condition lasts and changes when the
 * condition moves on (next threshold, new certificate, promotion), so a scheduler that posts each
 * key once announces every step of a rollover exactly once.
 */
import { ErrorCode } from '../errors.js';
import type { AdfsFinding, AdfsSnapshot, AdfsState, KeyUse, Severity } from '../model/index.js';
import { endpointFix, KB_2686840, renewCertificateFix, signatureFix, updateFederationMetadataFix } from './fixes.js';
import type { AdfsCheckOptions } from './types.js';
import { compareSeverity } from '../model/severity.js';

const DAY_MS = 86_400_000;

/** The state-store key of one source's AdfsState. */
export function adfsStateKey(source: string): string {
  return `adfs:${source}`;
}

/** The part of a certificate the expiry checks need (also available from a stored state). */
interface CertFacts {
  thumbprint: string;
  subject: string;
  uses: KeyUse[];
  notBefore: string;
  notAfter: string;
  primary: boolean;
  sha256?: string;
  roles?: string[];
}

const ROLLOVER_WHY =
  'AD FS signs tokens with its primary token-signing certificate. A relying party such as Dynamics CRM keeps the thumbprint it ' +
  'read from the federation metadata when claims-based authentication was configured; once AD FS signs with another certificate ' +
  'the relying party rejects every token (ID4175: the issuer of the security token was not recognized) and users get HTTP 401.';

function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
}

function certEvidence(c: CertFacts, now: Date): string[] {
  const left = daysLeft(c.notAfter, now);
  return [
    `subject: ${c.subject}`,
    `thumbprint (SHA-1): ${c.thumbprint}`,
    ...(c.sha256 ? [`SHA-256: ${c.sha256}`] : []),
    `valid ${c.notBefore} → ${c.notAfter} (${Date.parse(c.notAfter) <= now.getTime() ? `expired ${-left} day${-left === 1 ? '' : 's'} ago` : `${left} day${left === 1 ? '' : 's'} left`})`,
    `use: ${c.uses.join(', ')}${c.uses.includes('signing') ? (c.primary ? ' (primary)' : ' (not primary)') : ''}${c.roles?.length ? `; in ${c.roles.join(', ')}` : ''}`,
  ];
}

function thresholdSeverity(t: number): Severity {
  if (t <= 1) return 'critical';
  if (t <= 7) return 'high';
  if (t <= 14) return 'medium';
  return 'low';
}

function relyingParties(o: AdfsCheckOptions): string[] {
  if (o.relyingParties?.length) return o.relyingParties;
  const keys = Object.keys(o.expectedThumbprints ?? {}).filter((k) => k !== 'default');
  return keys.length ? keys : ['CRM'];
}

/**
 * All findings for one source. `previous` is the state of the last trusted check (undefined on the
 * first run). Findings come most severe first.
 */
export function checkAdfs(current: AdfsSnapshot, previous: AdfsState | undefined, options: AdfsCheckOptions): AdfsFinding[] {
  const src = current.source;
  const now = options.now;
  const rps = relyingParties(options);
  const out: AdfsFinding[] = [];
  const add = (f: Omit<AdfsFinding, 'status' | 'source' | 'references'> & { references?: string[] }) =>
    out.push({ status: 'fail', source: src, references: [KB_2686840], ...f });

  if (current.error) {
    const invalid = current.error.code === ErrorCode.AdfsInvalid;
    add({
      ruleId: invalid ? 'adfs-metadata-invalid' : 'adfs-unreachable',
      severity: 'high',
      title: invalid ? 'The ADFS federation metadata is not usable' : 'The ADFS federation metadata cannot be fetched',
      why: 'Without the metadata krbops cannot see a token-signing certificate rollover coming, and relying parties that read it cannot update either.',
      evidence: [`source: ${src}`, `${current.error.name}: ${current.error.message}`, ...(previous ? [`last successful check: ${previous.checkedAt}`] : [])],
      fix: endpointFix(src, { tls: current.error.name === 'AdfsTlsError' }),
      certainty: 1,
      subject: src,
      alertKey: `adfs:${src}:${invalid ? 'invalid' : 'unreachable'}`,
    });
    // Expiry is still watched with what the last trusted check saw.
    if (previous) {
      for (const c of previous.certificates) expiryFindings(src, c, previous.certificates, options, rps, add, `from the last successful check at ${previous.checkedAt}`);
    }
    return sortFindings(out);
  }

  const certs = current.certificates;
  const signing = certs.filter((c) => c.uses.includes('signing'));
  const primary = signing.find((c) => c.primary);
  const sigFailed = current.signature.status === 'failed';

  // Signature first: if it fails, everything else in the document is only a claim.
  if (sigFailed) {
    add({
      ruleId: 'adfs-signature-invalid',
      severity: 'critical',
      title: 'The ADFS metadata signature does not verify against the pinned token-signing certificate',
      why:
        'Relying parties trust whatever certificate the metadata publishes. A document that is not signed by the certificate AD FS used ' +
        'before was changed in transit or at the source, or AD FS switched certificates without a rollover krbops saw.',
      evidence: [
        `source: ${src}`,
        `signature: ${current.signature.reason ?? 'failed'}`,
        `pinned: ${current.signature.pinnedThumbprints.join(', ') || 'none'}`,
        ...(current.signature.claimedSigner ? [`certificate in the signature's KeyInfo: ${current.signature.claimedSigner}`] : []),
      ],
      fix: signatureFix(src),
      certainty: 1,
      subject: src,
      alertKey: `adfs:${src}:signature:failed:${current.signature.claimedSigner ?? 'unknown'}`,
    });
  } else if (current.signature.status === 'unsigned' && previous?.signed) {
    add({
      ruleId: 'adfs-signature-invalid',
      severity: 'high',
      title: 'The ADFS metadata is no longer signed',
      why: 'The previous metadata was signed; an unsigned document can be altered in transit without anyone noticing.',
      evidence: [`source: ${src}`, `previous check (${previous.checkedAt}) was signed by ${previous.primaryThumbprint ?? 'a pinned certificate'}`, 'this document has no Signature element'],
      fix: signatureFix(src),
      certainty: 1,
      subject: src,
      alertKey: `adfs:${src}:signature:unsigned`,
    });
  }

  if (!signing.length) {
    add({
      ruleId: 'adfs-metadata-invalid',
      severity: 'high',
      title: 'The ADFS metadata publishes no token-signing certificate',
      why: 'Relying parties read the token-signing certificate from the metadata; without one they cannot validate any token.',
      evidence: [`source: ${src}`, `certificates: ${certs.length ? certs.map((c) => `${c.thumbprint} (${c.use})`).join(', ') : 'none'}`],
      fix: endpointFix(src),
      certainty: 1,
      subject: src,
      alertKey: `adfs:${src}:no-signing`,
    });
  }
  current.problems.forEach((p, i) =>
    add({
      ruleId: 'adfs-metadata-invalid',
      severity: 'medium',
      title: 'A certificate in the ADFS metadata cannot be read',
      why: 'Relying parties may fail to read the metadata, or skip the certificate they need.',
      evidence: [`source: ${src}`, p],
      fix: endpointFix(src),
      certainty: 0.8,
      subject: src,
      alertKey: `adfs:${src}:problem:${i}`,
    }),
  );

  for (const c of certs) expiryFindings(src, c, certs, options, rps, add, undefined);

  // Newer signing certificates that are not primary: the AutoCertificateRollover secondary.
  const prevSigning = new Set(previous?.signing.map((s) => s.thumbprint) ?? []);
  const oldest = [...signing].sort((a, b) => a.notBefore.localeCompare(b.notBefore))[0];
  const secondaries = signing.filter((c) => {
    if (c.primary) return false;
    const newer = primary ? c.notBefore > primary.notBefore : signing.length > 1 && c !== oldest;
    const firstSeen = previous !== undefined && !prevSigning.has(c.thumbprint);
    return newer || firstSeen;
  });
  if (!sigFailed) {
    for (const c of secondaries) {
      const firstSeen = previous !== undefined && !prevSigning.has(c.thumbprint);
      add({
        ruleId: 'adfs-new-signing-cert',
        severity: 'high',
        title: `AD FS published a new token-signing certificate (AutoCertificateRollover secondary): relying parties must update before it becomes primary`,
        why:
          `${ROLLOVER_WHY} The secondary certificate becomes primary after CertificatePromotionThreshold days (default 5); ` +
          'every relying party must trust it before then.',
        evidence: [
          `source: ${src}`,
          ...certEvidence(c, now),
          primary ? `current primary: ${primary.subject} ${primary.thumbprint}, valid until ${primary.notAfter}` : 'primary: unknown (the metadata signature does not name it)',
          firstSeen ? `first seen at this check (not in the state of ${previous!.checkedAt})` : 'published alongside the primary',
        ],
        fix: updateFederationMetadataFix(rps, 'Before the secondary certificate is promoted:'),
        certainty: primary ? 0.95 : 0.7,
        subject: `${c.subject} (${c.thumbprint})`,
        thumbprint: c.thumbprint,
        alertKey: `adfs:${src}:${c.thumbprint}:new-signing`,
      });
    }
    if (primary && previous?.primaryThumbprint && previous.primaryThumbprint !== primary.thumbprint) {
      const old = previous.signing.find((s) => s.thumbprint === previous.primaryThumbprint);
      add({
        ruleId: 'adfs-primary-changed',
        severity: 'critical',
        title: 'The primary AD FS token-signing certificate changed: relying parties that did not update now return 401',
        why: ROLLOVER_WHY,
        evidence: [
          `source: ${src}`,
          `previous primary: ${old ? `${old.subject} ` : ''}${previous.primaryThumbprint} (check of ${previous.checkedAt})`,
          ...certEvidence(primary, now).map((l, i) => (i === 0 ? `new primary ${l}` : l)),
        ],
        fix: updateFederationMetadataFix(rps, 'Now:'),
        certainty: 0.95,
        subject: `${primary.subject} (${primary.thumbprint})`,
        thumbprint: primary.thumbprint,
        alertKey: `adfs:${src}:${primary.thumbprint}:primary`,
      });
    }
  }

  // Thumbprints each relying party trusts vs what AD FS signs with (KB 2686840).
  for (const [rp, list] of Object.entries(options.expectedThumbprints ?? {})) {
    if (!signing.length) break;
    const trusted = new Set(list.map((t) => t.replace(/[\s:]/g, '').toUpperCase()));
    const rpFix = updateFederationMetadataFix(rp === 'default' ? rps : [rp], `The relying party ${rp} must trust the certificate AD FS signs with.`);
    const trustedLine = `${rp} trusts: ${[...trusted].join(', ') || 'nothing'}`;
    const published = `metadata publishes for signing: ${signing.map((c) => `${c.thumbprint}${c.primary ? ' (primary)' : ''}`).join(', ')}`;
    if (primary ? !trusted.has(primary.thumbprint) : !signing.some((c) => trusted.has(c.thumbprint))) {
      const about = primary ?? signing[0];
      add({
        ruleId: 'adfs-thumbprint-mismatch',
        severity: 'critical',
        title: `${rp} does not trust the certificate AD FS signs tokens with (KB 2686840 outage)`,
        why: ROLLOVER_WHY,
        evidence: [`source: ${src}`, trustedLine, published, ...(primary ? certEvidence(primary, now) : ['primary: unknown; none of the published signing certificates is trusted'])],
        fix: rpFix,
        certainty: primary ? 0.95 : 0.85,
        subject: rp,
        thumbprint: about.thumbprint,
        alertKey: `adfs:${src}:${rp}:${primary ? primary.thumbprint : 'none'}:mismatch`,
      });
    }
    if (!sigFailed) {
      for (const c of secondaries.filter((s) => !trusted.has(s.thumbprint))) {
        add({
          ruleId: 'adfs-thumbprint-mismatch',
          severity: 'high',
          title: `${rp} does not trust the new AD FS token-signing certificate yet: it will return 401 once the certificate is promoted`,
          why: ROLLOVER_WHY,
          evidence: [`source: ${src}`, trustedLine, published, ...certEvidence(c, now)],
          fix: rpFix,
          certainty: 0.9,
          subject: rp,
          thumbprint: c.thumbprint,
          alertKey: `adfs:${src}:${rp}:${c.thumbprint}:mismatch-pending`,
        });
      }
    }
  }
  return sortFindings(out);
}

function expiryFindings(
  src: string,
  c: CertFacts,
  all: CertFacts[],
  o: AdfsCheckOptions,
  rps: string[],
  add: (f: Omit<AdfsFinding, 'status' | 'source' | 'references'>) => void,
  note: string | undefined,
): void {
  const now = o.now;
  const msLeft = Date.parse(c.notAfter) - now.getTime();
  const signing = c.uses.includes('signing');
  const kind = signing ? 'Token-Signing' : 'Token-Decrypting';
  const label = signing ? 'token-signing' : 'token-decrypting';
  // A signing certificate a newer, valid primary replaced: a harmless leftover of the rollover.
  const superseded =
    signing &&
    !c.primary &&
    all.some((o2) => o2 !== c && o2.primary && o2.uses.includes('signing') && o2.notBefore > c.notBefore && Date.parse(o2.notAfter) > now.getTime());
  const newerSecondary = all.find((o2) => o2 !== c && o2.uses.includes('signing') && !o2.primary && o2.notBefore > c.notBefore);
  const extra = [...(note ? [`(${note})`] : []), ...(newerSecondary && signing ? [`AutoCertificateRollover secondary already published: ${newerSecondary.thumbprint}`] : [])];
  if (msLeft <= 0) {
    add({
      ruleId: 'adfs-cert-expired',
      severity: superseded ? 'low' : signing ? 'critical' : 'high',
      title: `The AD FS ${label} certificate has expired${superseded ? ' (a newer one is in use)' : ''}`,
      why: signing
        ? superseded
          ? 'AD FS signs with a newer certificate; the expired one is still published and should be removed.'
          : `Tokens signed with an expired certificate are rejected. ${ROLLOVER_WHY}`
        : 'Relying parties encrypt tokens to the token-decrypting certificate; an expired one breaks sign-in for parties that check it.',
      evidence: [...certEvidence(c, now), ...extra],
      fix: superseded ? updateFederationMetadataFix(rps, 'Remove the old certificate from AD FS and refresh the relying parties.') : renewCertificateFix(kind, rps, true),
      certainty: 1,
      subject: `${c.subject} (${c.thumbprint})`,
      thumbprint: c.thumbprint,
      alertKey: `adfs:${src}:${c.thumbprint}:expired`,
    });
    return;
  }
  const days = Math.floor(msLeft / DAY_MS);
  // The tightest threshold reached: 5 days left with 30,14,7,1 → 7.
  const t = [...o.warnDays].sort((a, b) => a - b).find((d) => days <= d);
  if (t === undefined) return;
  add({
    ruleId: 'adfs-cert-expiring',
    severity: superseded ? 'info' : thresholdSeverity(t),
    title: `The AD FS ${label} certificate expires in ${days} day${days === 1 ? '' : 's'}${superseded ? ' (a newer one is already in use)' : ''}`,
    why: superseded
      ? 'AD FS already signs with a newer certificate; this one only matters to relying parties that have not updated.'
      : signing
        ? `When it expires AD FS rolls over to a new certificate. ${ROLLOVER_WHY}`
        : 'When it expires AD FS rolls over the token-decrypting certificate; relying parties must refresh the federation metadata to encrypt to the new one.',
    evidence: [...certEvidence(c, now), `threshold: ${t} day${t === 1 ? '' : 's'}`, ...extra],
    fix: superseded
      ? updateFederationMetadataFix(rps, 'Make sure every relying party trusts the new primary before this one expires.')
      : renewCertificateFix(kind, rps, false),
    certainty: 1,
    subject: `${c.subject} (${c.thumbprint})`,
    thumbprint: c.thumbprint,
    alertKey: `adfs:${src}:${c.thumbprint}:expiring:${t}`,
  });
}

function sortFindings(fs: AdfsFinding[]): AdfsFinding[] {
  return fs.map((f, i) => ({ f, i })).sort((a, b) => compareSeverity(a.f.severity, b.f.severity) || a.i - b.i).map(({ f }) => f);
}

/**
 * The state to remember after this check. An unreadable document, a signature that fails, or a
 * signature that disappeared keeps the previous state, so a forged document never becomes the pin
 * of the next check. The first readable document is trusted as is (trust on first use) unless pins
 * were given.
 */
export function nextAdfsState(current: AdfsSnapshot, previous: AdfsState | undefined): AdfsState | undefined {
  if (current.error) return previous;
  if (current.signature.status === 'failed') return previous;
  if (current.signature.status === 'unsigned' && previous?.signed) return previous;
  const signing = current.certificates.filter((c) => c.uses.includes('signing'));
  return {
    source: current.source,
    checkedAt: current.fetchedAt,
    primaryThumbprint: current.primaryThumbprint,
    signed: current.signature.status !== 'unsigned',
    signing: signing.map((c) => ({ thumbprint: c.thumbprint, subject: c.subject, notAfter: c.notAfter, pem: c.pem })),
    certificates: current.certificates.map((c) => ({
      thumbprint: c.thumbprint,
      subject: c.subject,
      uses: [...c.uses],
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      primary: c.primary,
    })),
  };
}
