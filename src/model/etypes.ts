/**
 * `krb etypes` as plain data: the encryption-type risk of each account under the 2026 AES-only KDC
 * default (src/etypes classifies), and the command's result. In the model so the result joins the
 * CommandResult union and every card switch is exhaustive without casts.
 */
import type { AccountKind } from './directory.js';

export type EtypeRisk = 'fails-now' | 'at-risk' | 'kerberoastable' | 'ok';

/** msDS-SupportedEncryptionTypes decoded. */
export interface DecodedEncryptionTypes {
  /** The attribute as stored; null when it is not set. */
  value: number | null;
  /** `0x1c`, or null when not set. */
  hex: string | null;
  /** Encryption types named by the bits: ['RC4-HMAC','AES128-CTS-HMAC-SHA1-96',…]. */
  names: string[];
  /** Feature bits that are set: ['FAST-supported',…]. */
  features: string[];
  /** Bits krbops does not know (reported, never ignored silently). */
  unknownBits: number;
}

/** One account of `krb etypes` (the shape of its --json). */
export interface EtypeAccountReport {
  sAMAccountName: string;
  kind: AccountKind;
  spns: string[];
  supportedEncryptionTypes: DecodedEncryptionTypes;
  /** What the KDC will use for its tickets under the current (2026) default. */
  effectiveEncryptionTypes: string[];
  /** Heuristic (see aesSince); null when krbops cannot tell. */
  aesKeysLikely: boolean | null;
  pwdLastSet: string | null;
  risk: EtypeRisk;
  reasons: string[];
  fix: { summary: string; commands: string[] };
}

export interface EtypesReport {
  /** From when passwords set in the domain get AES keys (ISO-8601), or null when unknown. */
  aesSince: string | null;
  /** The domain's krbtgt, or null when it was not readable. */
  krbtgt: EtypeAccountReport | null;
  /** Every other account holding an SPN, most urgent first. */
  accounts: EtypeAccountReport[];
}

/** The answer of `krb etypes`. */
export interface EtypesResult extends EtypesReport {
  kind: 'krb-etypes';
  server: string;
  /** The domain scanned (its DN): the attributes are not in the GC, so one domain per DC. */
  domain: string;
  /** How aesSince was found (or why it is unknown). */
  aesSinceBasis: string;
  counts: Record<EtypeRisk, number>;
  durationMs: number;
}
