/**
 * msDS-SupportedEncryptionTypes, decoded, and the encryption types the KDC will use for an account
 * under the 2026 default. Pure.
 *
 * Bits: https://learn.microsoft.com/openspecs/windows_protocols/ms-kile/6cfc7b50-11ed-4b4d-846d-6f08f0812919
 * 2026 default (CVE-2026-20833 hardening): from the April 2026 updates the KDC assumes AES only (0x18)
 * for an account whose msDS-SupportedEncryptionTypes has no encryption-type bit; the
 * RC4DefaultDisablementPhase switch that rolled this back is gone from July 2026.
 * https://learn.microsoft.com/windows-server/security/kerberos/detect-remediate-rc4-kerberos
 */
import type { DecodedEncryptionTypes } from '../model/index.js';

export const ETYPE = {
  DES_CBC_CRC: 0x1,
  DES_CBC_MD5: 0x2,
  RC4_HMAC: 0x4,
  AES128: 0x8,
  AES256: 0x10,
  AES256_SK: 0x20,
} as const;

export const DES_BITS = ETYPE.DES_CBC_CRC | ETYPE.DES_CBC_MD5;
export const AES_BITS = ETYPE.AES128 | ETYPE.AES256;
/** The bits that name a ticket encryption type (0x20 only selects the session key). */
export const TICKET_ETYPE_BITS = DES_BITS | ETYPE.RC4_HMAC | AES_BITS;
/** What the KDC assumes for an account without encryption-type bits since the April 2026 updates. */
export const DEFAULT_2026 = AES_BITS;

/** Encryption-type bits, with the names the rest of krbops (and klist -e) use. */
export const ENCRYPTION_TYPE_NAMES: readonly [number, string][] = [
  [ETYPE.DES_CBC_CRC, 'DES-CBC-CRC'],
  [ETYPE.DES_CBC_MD5, 'DES-CBC-MD5'],
  [ETYPE.RC4_HMAC, 'RC4-HMAC'],
  [ETYPE.AES128, 'AES128-CTS-HMAC-SHA1-96'],
  [ETYPE.AES256, 'AES256-CTS-HMAC-SHA1-96'],
  [ETYPE.AES256_SK, 'AES256-CTS-HMAC-SHA1-96-SK'],
];

/** The feature bits (MS-KILE 2.2.7): not encryption types, but shown when set. */
export const FEATURE_NAMES: readonly [number, string][] = [
  [0x10000, 'FAST-supported'],
  [0x20000, 'Compound-identity-supported'],
  [0x40000, 'Claims-supported'],
  [0x80000, 'Resource-SID-compression-disabled'],
];


const KNOWN_BITS = [...ENCRYPTION_TYPE_NAMES, ...FEATURE_NAMES].reduce((m, [b]) => m | b, 0);

/** Parses the attribute as read from LDAP (a decimal string, possibly negative for high bits). */
export function parseSupportedEncryptionTypes(raw: string | number | undefined | null): number | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const n = typeof raw === 'number' ? raw : Number(raw.trim());
  if (!Number.isInteger(n)) return null;
  return n >>> 0; // AD stores a signed 32-bit integer
}

export function decodeSupportedEncryptionTypes(value: number | null): DecodedEncryptionTypes {
  if (value === null) return { value: null, hex: null, names: [], features: [], unknownBits: 0 };
  return {
    value,
    hex: `0x${value.toString(16)}`,
    names: ENCRYPTION_TYPE_NAMES.filter(([b]) => (value & b) !== 0).map(([, n]) => n),
    features: FEATURE_NAMES.filter(([b]) => (value & b) !== 0).map(([, n]) => n),
    unknownBits: (value & ~KNOWN_BITS) >>> 0,
  };
}

export function namesOf(bits: number): string[] {
  return ENCRYPTION_TYPE_NAMES.filter(([b]) => (bits & b) !== 0 && b !== ETYPE.AES256_SK).map(([, n]) => n);
}

export interface EffectiveEncryptionTypes {
  /** Ticket encryption-type bits the KDC will consider (DES removed: disabled by default since Windows Server 2008 R2). */
  bits: number;
  names: string[];
  /** Where they come from. */
  source: 'attribute' | 'default-2026' | 'use-des-key-only';
  /** Ticket encryption types the attribute allows (DES included), before the KDC drops DES. */
  allowedBits: number;
}

/**
 * The encryption types the KDC will use for an account's service tickets: the attribute's
 * encryption-type bits, or AES only (0x18) when it has none (not set, 0, or feature bits only).
 * DES is dropped (disabled on every supported KDC); USE_DES_KEY_ONLY leaves nothing.
 */
export function effectiveEncryptionTypes(value: number | null, options: { useDesKeyOnly?: boolean } = {}): EffectiveEncryptionTypes {
  if (options.useDesKeyOnly) return { bits: 0, names: [], source: 'use-des-key-only', allowedBits: DES_BITS };
  const etypeBits = value === null ? 0 : value & TICKET_ETYPE_BITS;
  if (!etypeBits) return { bits: DEFAULT_2026, names: namesOf(DEFAULT_2026), source: 'default-2026', allowedBits: DEFAULT_2026 };
  const bits = etypeBits & ~DES_BITS;
  return { bits, names: namesOf(bits), source: 'attribute', allowedBits: etypeBits };
}
