/** The ADFS data types live in src/model/adfs.ts (re-exported here); the options of the pure checks stay here. */
export type { KeyUse, AdfsCertificate, AdfsCertificateSummary, SignatureStatus, SignatureCheck, AdfsSnapshot, AdfsState, AdfsFinding, AdfsEvidence } from '../model/adfs.js';

/** Options of the pure checks. */
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

