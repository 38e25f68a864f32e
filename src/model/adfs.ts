/**
 * The ADFS certificate checks as plain data: what the collector saw (AdfsSnapshot), what the watch
 * remembers between runs (AdfsState), what the checks report (AdfsFinding). The evidence of one
 * source (AdfsEvidence) is in evidence.ts, beside the other evidence why-401 reads.
 */
import type { Finding } from './finding.js';

export type KeyUse = 'signing' | 'encryption';

/** One certificate published in the metadata, deduplicated by thumbprint. */
export interface AdfsCertificate {
  /** `signing`, `encryption` or `signing,encryption` (a KeyDescriptor without `use` serves both). */
  use: string;
  uses: KeyUse[];
  /** Subject DN, most specific first as Windows shows it: `CN=ADFS Signing - sts.example.com`. */
  subject: string;
  issuer: string;
  /** SHA-1 of the DER certificate, upper-case hex without colons: the thumbprint ADFS and certlm show. */
  thumbprint: string;
  /** SHA-256 of the DER certificate, upper-case hex without colons. */
  sha256: string;
  serialNumber: string;
  /** ISO-8601. */
  notBefore: string;
  /** ISO-8601. */
  notAfter: string;
  /** Whole days from `now` until notAfter, rounded down; negative once expired. */
  daysLeft: number;
  expired: boolean;
  /** Where it appeared: `IDPSSODescriptor`, `SPSSODescriptor`, `RoleDescriptor (SecurityTokenServiceType)`… */
  roles: string[];
  /**
   * A token-signing certificate that signs the metadata: ADFS signs its metadata with the primary
   * token-signing certificate. False for encryption certificates and AutoCertificateRollover secondaries.
   */
  primary: boolean;
  /** The certificate in PEM form (public data; used as the signature pin of the next check). */
  pem: string;
}

/** What `--json`, cards and the why-401 rule get: the certificate without its PEM body. */
export type AdfsCertificateSummary = Omit<AdfsCertificate, 'pem'>;

/**
 * - `verified`: signed by a pinned certificate, and the signature covers the whole document.
 * - `failed`: a signature is present but does not verify against any pin (tampered, or signed by an unknown key).
 * - `unsigned`: the document carries no signature.
 * - `no-pin`: signed, but no certificate was pinned yet (first run without a state or `--pin`).
 */
export type SignatureStatus = 'verified' | 'failed' | 'unsigned' | 'no-pin';

export interface SignatureCheck {
  status: SignatureStatus;
  /** One line: why it failed, or what it was checked against. */
  reason?: string;
  /** Thumbprint of the pinned certificate that verified the signature. */
  verifiedWith?: string;
  /** Thumbprints of the certificates the signature was checked against. */
  pinnedThumbprints: string[];
  /** Thumbprint of the certificate in the signature's KeyInfo (claimed by the document, not proof). */
  claimedSigner?: string;
}

/** The collector's view of one metadata source at one moment. */
export interface AdfsSnapshot {
  /** The URL or file as configured/given. */
  source: string;
  fetchedAt: string;
  entityId?: string;
  certificates: AdfsCertificate[];
  /** The primary token-signing certificate: the one that signs the metadata, when known. */
  primaryThumbprint?: string;
  signature: SignatureCheck;
  /** Non-fatal problems (a KeyDescriptor whose certificate cannot be decoded…), one line each. */
  problems: string[];
  /** Set when the document could not be fetched or parsed; certificates is then empty. */
  /** `code` is an ErrorCode of src/errors.ts. */
  error?: { code: string; name: string; message: string };
}

/** What the watch remembers per source between runs (JSON; the store keeps it under `adfsStateKey`). */
export interface AdfsState {
  source: string;
  checkedAt: string;
  /** The primary token-signing certificate at the last trusted check. */
  primaryThumbprint?: string;
  /** Whether the last trusted document was signed (a signature that disappears is reported). */
  signed: boolean;
  /** Token-signing certificates pinned for the next signature check. */
  signing: { thumbprint: string; subject: string; notAfter: string; pem: string }[];
  /** Every certificate of the last trusted document (expiry is still watched while the endpoint is down). */
  certificates: { thumbprint: string; subject: string; uses: KeyUse[]; notBefore: string; notAfter: string; primary: boolean }[];
}

/** A Finding plus the key the scheduler uses to post it only once. */
export interface AdfsFinding extends Finding {
  /**
   * Stable while the condition lasts, different for each new condition:
   * `adfs:<source>:<thumbprint>:expiring:<threshold>`, `…:<thumbprint>:expired`,
   * `…:<thumbprint>:new-signing`, `…:<thumbprint>:primary`, `…:<rp>:<thumbprint>:mismatch`,
   * `adfs:<source>:signature:<status>:<signer>`, `adfs:<source>:unreachable`, `adfs:<source>:invalid`,
   * `adfs:<source>:problem:<n>`.
   */
  alertKey: string;
  source: string;
  /** The certificate the finding is about, when it is about one. */
  thumbprint?: string;
}

/** Options of the ADFS checks (config.adfs and the clock). */
export interface AdfsCheckOptions {
  now: Date;
  /** Days before notAfter at which to warn, each reported once; config.adfs.warnDays, default 30,14,7,1. */
  warnDays: number[];
  /** Relying party → thumbprints it trusts (config.adfs.expectedThumbprints); default none. */
  expectedThumbprints?: Record<string, string[]>;
  /**
   * Relying party trust names used in the fix commands (`Update-AdfsRelyingPartyTrust -TargetName`).
   * Default: the keys of expectedThumbprints, else `CRM`.
   */
  relyingParties?: string[];
}

/**
 * What the ADFS rules (src/rules/adfs-*.ts) read: one source as the collector saw it, the state of
 * the last trusted check (undefined on the first run) and the options.
 */
export interface AdfsCheckEvidence {
  snapshot: AdfsSnapshot;
  previous?: AdfsState;
  options: AdfsCheckOptions;
}

/** The fields of an AdfsFinding an ADFS rule result carries (`RuleResult.extra`). */
export interface AdfsFindingKeys {
  thumbprint?: string;
  alertKey: string;
}
